//! The file's shape, as serde reads it. `deny_unknown_fields` makes a
//! key cargo-deny does not know an error at its line.

use serde::Deserialize;
use toml::Value;

use super::*;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Root {
    graph: Option<Graph>,
    output: Option<Output>,
    advisories: Option<Advisories>,
    licenses: Option<Licenses>,
    bans: Option<Bans>,
    sources: Option<Sources>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Graph {
    targets: Option<Vec<Target>>,
    exclude: Option<Vec<String>>,
    all_features: Option<bool>,
    no_default_features: Option<bool>,
    features: Option<Vec<String>>,
    exclude_dev: Option<bool>,
    exclude_unpublished: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Target {
    Triple(String),
    Table(TargetTable),
}

// `features` is accepted, not used: target features need rustc.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetTable {
    triple: String,
    features: Option<Vec<String>>,
}

impl Graph {
    fn resolve(self, shown: &str, text: &str, unused: &mut Vec<String>) -> Result<super::Graph, Error> {
        if self.exclude_unpublished.is_some() {
            unused.push("graph.exclude-unpublished".to_owned());
        }
        let targets = self
            .targets
            .unwrap_or_default()
            .into_iter()
            .map(|t| match t {
                Target::Triple(triple) | Target::Table(TargetTable { triple, .. }) => triple,
            })
            .collect();
        let exclude = specs(self.exclude.map(|e| e.into_iter().map(Spec::Plain).collect()), shown, text)?;
        Ok(super::Graph {
            targets,
            exclude,
            all_features: self.all_features.unwrap_or(false),
            no_default_features: self.no_default_features.unwrap_or(false),
            features: self.features.unwrap_or_default(),
            exclude_dev: self.exclude_dev.unwrap_or(false),
        })
    }
}

// Some fields are read only so that the key is accepted (see the
// module doc).
#[allow(dead_code)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Output {
    feature_depth: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Advisories {
    version: Option<u32>,
    db_path: Option<String>,
    db_urls: Option<Vec<String>>,
    ignore: Option<Vec<IgnoreEntry>>,
    yanked: Option<LintLevel>,
    unmaintained: Option<Scope>,
    unsound: Option<Scope>,
    unused_ignored_advisory: Option<LintLevel>,
    git_fetch_with_cli: Option<bool>,
    disable_yanked_checks: Option<bool>,
    maximum_db_staleness: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IgnoreEntry {
    Plain(String),
    Id(IgnoreId),
    Crate(IgnoreCrate),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreId {
    id: String,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreCrate {
    #[serde(rename = "crate")]
    krate: String,
    reason: Option<String>,
}

/// `[licenses]`: accepted for the licences check, not used by deps.
// Some fields are read only so that the key is accepted (see the
// module doc).
#[allow(dead_code)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Licenses {
    version: Option<u32>,
    allow: Option<Value>,
    exceptions: Option<Value>,
    clarify: Option<Value>,
    confidence_threshold: Option<Value>,
    include_dev: Option<bool>,
    include_build: Option<bool>,
    private: Option<Value>,
    unused_allowed_license: Option<LintLevel>,
    unused_license_exception: Option<LintLevel>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Bans {
    multiple_versions: Option<LintLevel>,
    multiple_versions_include_dev: Option<bool>,
    wildcards: Option<LintLevel>,
    allow_wildcard_paths: Option<bool>,
    highlight: Option<String>,
    workspace_default_features: Option<LintLevel>,
    external_default_features: Option<LintLevel>,
    allow: Option<Vec<Spec>>,
    allow_workspace: Option<bool>,
    deny: Option<Vec<Spec>>,
    skip: Option<Vec<Spec>>,
    skip_tree: Option<Vec<Spec>>,
    features: Option<Value>,
    build: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Spec {
    Plain(String),
    Table(SpecTable),
}

// Some fields are read only so that the key is accepted.
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SpecTable {
    #[serde(rename = "crate")]
    krate: Option<String>,
    name: Option<String>,
    version: Option<String>,
    reason: Option<String>,
    use_instead: Option<String>,
    wrappers: Option<Vec<String>>,
    deny_multiple_versions: Option<bool>,
    depth: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Sources {
    unknown_registry: Option<LintLevel>,
    unknown_git: Option<LintLevel>,
    required_git_spec: Option<String>,
    allow_registry: Option<Vec<String>>,
    allow_git: Option<Vec<String>>,
    private: Option<Vec<String>>,
    allow_org: Option<AllowOrg>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AllowOrg {
    github: Option<Vec<String>>,
    gitlab: Option<Vec<String>>,
    bitbucket: Option<Vec<String>>,
}

impl Root {
    pub(super) fn resolve(self, shown: &str, text: &str) -> Result<DenyConfig, Error> {
        let mut unused = Vec::new();
        let graph = match self.graph {
            Some(g) => g.resolve(shown, text, &mut unused)?,
            None => super::Graph::default(),
        };
        if self.output.is_some() {
            unused.push("output".to_owned());
        }
        if self.licenses.is_some() {
            unused.push("licenses".to_owned());
        }
        let advisories = match self.advisories {
            Some(a) => a.resolve(shown, text, &mut unused)?,
            None => super::Advisories::default(),
        };
        let bans = match self.bans {
            Some(b) => b.resolve(shown, text, &mut unused)?,
            None => super::Bans::default(),
        };
        let sources = self.sources.map(|s| s.resolve(&mut unused)).unwrap_or_default();
        Ok(DenyConfig { path: shown.to_owned(), graph, advisories, bans, sources, unused })
    }
}

impl Advisories {
    fn resolve(self, shown: &str, text: &str, unused: &mut Vec<String>) -> Result<super::Advisories, Error> {
        let maximum_db_staleness = match &self.maximum_db_staleness {
            Some(value) => Some(parse_duration(value).ok_or_else(|| {
                Error::new(
                    shown,
                    key_line(text, Some("advisories"), "maximum-db-staleness"),
                    format!("maximum-db-staleness: {value:?} is not a duration such as \"P7D\" or \"PT12H\""),
                )
            })?),
            None => None,
        };
        for (set, key) in [
            (self.version.is_some(), "version"),
            (self.git_fetch_with_cli.is_some(), "git-fetch-with-cli"),
            (self.disable_yanked_checks.is_some(), "disable-yanked-checks"),
        ] {
            if set {
                unused.push(format!("advisories.{key}"));
            }
        }
        let ignore = self
            .ignore
            .unwrap_or_default()
            .into_iter()
            .map(|entry| {
                let (id, reason) = match entry {
                    IgnoreEntry::Plain(id) => (id, None),
                    IgnoreEntry::Id(i) => (i.id, i.reason),
                    IgnoreEntry::Crate(c) => (c.krate, c.reason),
                };
                Ignore { line: string_line(text, &id), id, reason }
            })
            .collect();
        let yanked = if self.disable_yanked_checks == Some(true) { Some(LintLevel::Allow) } else { self.yanked };
        Ok(super::Advisories {
            db_path: self.db_path.as_deref().map(expand_path),
            db_urls: self.db_urls.unwrap_or_default(),
            ignore,
            yanked,
            unmaintained: self.unmaintained.unwrap_or_default(),
            unsound: self.unsound.unwrap_or_default(),
            unused_ignored_advisory: self.unused_ignored_advisory,
            maximum_db_staleness,
        })
    }
}

impl Spec {
    fn resolve(self, shown: &str, text: &str) -> Result<PackageSpec, Error> {
        let (spec, version, reason, use_instead, depth) = match self {
            Spec::Plain(s) => (s, None, None, None, None),
            Spec::Table(t) => {
                let Some(spec) = t.krate.or(t.name) else {
                    return Err(Error::new(shown, None, "[bans] entry without `crate`"));
                };
                (spec, t.version, t.reason, t.use_instead, t.depth)
            }
        };
        let line = string_line(text, &spec);
        let (name, req) = match spec.split_once('@') {
            Some((name, req)) => (name.to_owned(), Some(req.to_owned())),
            None => (spec.clone(), version),
        };
        let version = match req.as_deref().filter(|r| *r != "*") {
            Some(req) => Some(
                semver::VersionReq::parse(req)
                    .map_err(|e| Error::new(shown, Some(line), format!("{spec:?}: not a version requirement: {e}")))?,
            ),
            None => None,
        };
        Ok(PackageSpec { name, version, reason, use_instead, depth, line })
    }
}

fn specs(list: Option<Vec<Spec>>, shown: &str, text: &str) -> Result<Vec<PackageSpec>, Error> {
    list.unwrap_or_default().into_iter().map(|s| s.resolve(shown, text)).collect()
}

impl Bans {
    fn resolve(self, shown: &str, text: &str, unused: &mut Vec<String>) -> Result<super::Bans, Error> {
        for (set, key) in [
            (self.multiple_versions_include_dev.is_some(), "multiple-versions-include-dev"),
            (self.wildcards.is_some(), "wildcards"),
            (self.allow_wildcard_paths.is_some(), "allow-wildcard-paths"),
            (self.highlight.is_some(), "highlight"),
            (self.workspace_default_features.is_some(), "workspace-default-features"),
            (self.external_default_features.is_some(), "external-default-features"),
            (self.allow_workspace.is_some(), "allow-workspace"),
            (self.features.is_some(), "features"),
            (self.build.is_some(), "build"),
        ] {
            if set {
                unused.push(format!("bans.{key}"));
            }
        }
        Ok(super::Bans {
            multiple_versions: self.multiple_versions,
            deny: specs(self.deny, shown, text)?,
            allow: specs(self.allow, shown, text)?,
            skip: specs(self.skip, shown, text)?,
            skip_tree: specs(self.skip_tree, shown, text)?,
        })
    }
}

impl Sources {
    fn resolve(self, unused: &mut Vec<String>) -> super::Sources {
        for (set, key) in [(self.required_git_spec.is_some(), "required-git-spec"), (self.private.is_some(), "private")]
        {
            if set {
                unused.push(format!("sources.{key}"));
            }
        }
        let mut allow_org = Vec::new();
        if let Some(org) = self.allow_org {
            for (host, list) in
                [("github.com", org.github), ("gitlab.com", org.gitlab), ("bitbucket.org", org.bitbucket)]
            {
                allow_org.extend(list.unwrap_or_default().into_iter().map(|o| (host.to_owned(), o)));
            }
        }
        super::Sources {
            unknown_registry: self.unknown_registry,
            unknown_git: self.unknown_git,
            allow_registry: self.allow_registry.unwrap_or_default(),
            allow_git: self.allow_git.unwrap_or_default(),
            allow_org,
        }
    }
}
