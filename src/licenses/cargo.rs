//! Rust packages: the dependency graph of a Cargo workspace, read with
//! `cargo metadata` through the `cargo_metadata` crate.
//!
//! The packages checked are those cargo-deny's licence check sees: every
//! workspace member, and everything reachable from the members through
//! normal dependencies, build dependencies (unless `include-build = false`)
//! and, from members only, dev-dependencies when `include-dev = true`.
//! `[graph]` `exclude` prunes a package and what only it pulls in;
//! `exclude-unpublished` drops members with `publish = false`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use cargo_metadata::{CargoOpt, DependencyKind, Metadata, MetadataCommand, Node, PackageId};

use crate::config::deny_licenses::LicensePolicyConfig;
use crate::licenses::{Ecosystem, Error, Package};

/// How to run `cargo metadata`.
#[derive(Debug, Clone)]
pub struct MetadataOptions {
    /// The workspace's `Cargo.toml`.
    pub manifest: PathBuf,
    /// Pass `--offline`, so a hook never waits on the network.
    pub offline: bool,
    /// Pass `--locked`. Without it cargo may rewrite a stale Cargo.lock, as
    /// it does for cargo-deny.
    pub locked: bool,
}

/// Reads the workspace's packages, in graph order from the members.
///
/// # Errors
///
/// `cargo metadata` cannot run or fails (for example offline with a
/// dependency missing from the local registry cache).
pub fn packages(options: &MetadataOptions, policy: &LicensePolicyConfig) -> Result<Vec<Package>, Error> {
    let metadata = metadata(options, policy)?;
    Ok(collect(&metadata, policy))
}

fn metadata(options: &MetadataOptions, policy: &LicensePolicyConfig) -> Result<Metadata, Error> {
    let graph = &policy.graph;
    let mut command = MetadataCommand::new();
    command.manifest_path(&options.manifest);
    if graph.all_features {
        command.features(CargoOpt::AllFeatures);
    }
    if graph.no_default_features {
        command.features(CargoOpt::NoDefaultFeatures);
    }
    if !graph.features.is_empty() {
        command.features(CargoOpt::SomeFeatures(graph.features.clone()));
    }
    let mut other = Vec::new();
    if options.offline {
        other.push("--offline".to_owned());
    }
    if options.locked {
        other.push("--locked".to_owned());
    }
    for triple in &graph.targets {
        other.push(format!("--filter-platform={triple}"));
    }
    command.other_options(other);
    log::debug!("running cargo metadata on {}", options.manifest.display());
    command.exec().map_err(|e| Error::Metadata { manifest: options.manifest.clone(), message: first_line(&e) })
}

/// cargo's own error line, without the `Caused by` tail.
fn first_line(err: &cargo_metadata::Error) -> String {
    match err {
        cargo_metadata::Error::CargoMetadata { stderr } => stderr
            .lines()
            .find(|l| l.trim_start().starts_with("error"))
            .or_else(|| stderr.lines().next())
            .unwrap_or("")
            .trim()
            .to_owned(),
        other => other.to_string(),
    }
}

fn collect(metadata: &Metadata, policy: &LicensePolicyConfig) -> Vec<Package> {
    let members: HashSet<&PackageId> = metadata.workspace_members.iter().collect();
    let nodes: HashMap<&PackageId, &Node> = match &metadata.resolve {
        Some(resolve) => resolve.nodes.iter().map(|n| (&n.id, n)).collect(),
        None => HashMap::new(),
    };
    let by_id: HashMap<&PackageId, &cargo_metadata::Package> = metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let graph = &policy.graph;
    let excluded = |id: &PackageId| {
        by_id.get(id).is_some_and(|p| {
            let spec = format!("{}@{}", p.name, p.version);
            graph.exclude.iter().any(|e| *e == spec || *e == p.name.as_str())
                || (graph.exclude_unpublished && members.contains(id) && p.publish.as_ref().is_some_and(Vec::is_empty))
        })
    };
    let include_dev = policy.include_dev && !graph.exclude_dev;
    let mut seen: HashSet<&PackageId> = HashSet::new();
    let mut queue: VecDeque<&PackageId> = metadata.workspace_members.iter().collect();
    let mut order = Vec::new();
    while let Some(id) = queue.pop_front() {
        if excluded(id) || !seen.insert(id) {
            continue;
        }
        order.push(id);
        let Some(node) = nodes.get(id) else { continue };
        let is_member = members.contains(id);
        for dep in &node.deps {
            let followed = dep.dep_kinds.iter().any(|k| match k.kind {
                DependencyKind::Normal => true,
                DependencyKind::Build => policy.include_build,
                DependencyKind::Development => is_member && include_dev,
                _ => false,
            });
            // Metadata from cargo older than 1.41 has no dep_kinds.
            if followed || dep.dep_kinds.is_empty() {
                queue.push_back(&dep.pkg);
            }
        }
    }
    order.into_iter().filter_map(|id| by_id.get(id)).map(|p| package(p, members.contains(&p.id))).collect()
}

fn package(p: &cargo_metadata::Package, is_member: bool) -> Package {
    let manifest = PathBuf::from(p.manifest_path.as_std_path());
    let root = manifest.parent().map(Path::to_path_buf);
    let license_file = p.license_file.as_ref().map(|f| match &root {
        Some(root) => root.join(f.as_std_path()),
        None => PathBuf::from(f.as_std_path()),
    });
    Package {
        name: p.name.to_string(),
        version: p.version.to_string(),
        ecosystem: Ecosystem::Cargo,
        license: p.license.clone(),
        license_field: "license",
        license_file,
        root,
        manifest,
        line: None,
        is_member,
        publish: p.publish.clone(),
        source: p.source.as_ref().map(|s| s.repr.clone()),
    }
}
