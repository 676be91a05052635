//! What the benchmarks share: the workspaces they fill.

pub mod fixture;
