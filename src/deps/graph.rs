//! deny.toml's `[graph]` filters, applied through `cargo metadata
//! --offline` as cargo-deny applies them: only the packages reachable from
//! the workspace members for the chosen targets and features, without
//! dev-dependencies when asked, and without excluded crates, are checked.
//!
//! A lockfile lists every package of every target and feature, so without a
//! `Cargo.toml` beside it (or when cargo cannot resolve offline) the filters
//! cannot be applied, and the caller says so.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::config::deny::Graph;

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<MetaPackage>,
    workspace_members: Vec<String>,
    resolve: Option<Resolve>,
}

#[derive(Deserialize)]
struct MetaPackage {
    id: String,
    name: String,
    version: String,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    #[serde(default)]
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    pkg: String,
    #[serde(default)]
    dep_kinds: Vec<DepKind>,
}

#[derive(Deserialize)]
struct DepKind {
    kind: Option<String>,
}

/// The (name, version) pairs that the graph filters keep, read with
/// `cargo metadata --offline` for `manifest`.
///
/// # Errors
///
/// The reason when cargo cannot be run or cannot resolve offline.
pub fn included(manifest: &Path, graph: &Graph) -> Result<HashSet<(String, String)>, String> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(["metadata", "--offline", "--format-version", "1", "--manifest-path"]).arg(manifest);
    if graph.all_features {
        command.arg("--all-features");
    }
    if graph.no_default_features {
        command.arg("--no-default-features");
    }
    if !graph.features.is_empty() {
        command.args(["--features", &graph.features.join(",")]);
    }
    for target in &graph.targets {
        command.args(["--filter-platform", target]);
    }
    let output = command.output().map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| l.starts_with("error")).unwrap_or("failed").trim().to_owned();
        return Err(format!("cargo metadata --offline: {first}"));
    }
    let metadata: Metadata =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata output not understood: {e}"))?;
    Ok(reachable(&metadata, graph))
}

fn reachable(metadata: &Metadata, graph: &Graph) -> HashSet<(String, String)> {
    let packages: HashMap<&str, &MetaPackage> = metadata.packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let nodes: HashMap<&str, &Node> =
        metadata.resolve.iter().flat_map(|r| r.nodes.iter()).map(|n| (n.id.as_str(), n)).collect();
    let excluded =
        |id: &str| packages.get(id).is_some_and(|p| graph.exclude.iter().any(|s| s.matches(&p.name, &p.version)));
    let mut seen: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = metadata.workspace_members.iter().map(String::as_str).collect();
    while let Some(id) = queue.pop_front() {
        if excluded(id) || !seen.insert(id) {
            continue;
        }
        for dep in nodes.get(id).map(|n| n.deps.as_slice()).unwrap_or_default() {
            let only_dev = !dep.dep_kinds.is_empty() && dep.dep_kinds.iter().all(|k| k.kind.as_deref() == Some("dev"));
            if !(graph.exclude_dev && only_dev) {
                queue.push_back(&dep.pkg);
            }
        }
    }
    seen.iter().filter_map(|id| packages.get(id)).map(|p| (p.name.clone(), p.version.clone())).collect()
}
