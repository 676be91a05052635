//! What the benchmarks share: the workspaces they fill and their command lines.

pub mod fixture;

/// The value after `name` on the command line (`--conversations 1000`).
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
