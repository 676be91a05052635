//! The shell registers, allowlists and grants exactly the commands of the
//! IPC surface declared in `crates/app/src/ipc.rs`.

use std::{collections::BTreeSet, path::Path};

fn surface() -> BTreeSet<String> {
    stepup_app::ipc::COMMANDS
        .iter()
        .map(|c| c.name.to_owned())
        .collect()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The quoted names inside the `const COMMANDS` of build.rs.
fn allowlisted() -> BTreeSet<String> {
    let build = read("build.rs");
    let list = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn build_allowlist_matches_the_ipc_surface() {
    assert_eq!(allowlisted(), surface());
}

#[test]
fn handler_registers_every_command() {
    let lib = read("src/lib.rs");
    let handler = lib
        .split("generate_handler![")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let registered: BTreeSet<String> = handler
        .split(',')
        .map(|s| s.trim().trim_start_matches("commands::").to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(registered, surface());
}

#[test]
fn capability_grants_only_app_commands_and_events() {
    let cap: serde_json::Value =
        serde_json::from_str(&read("capabilities/main-window.json")).unwrap();
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = surface()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .chain([
            "core:event:allow-listen".to_owned(),
            "core:event:allow-unlisten".to_owned(),
        ])
        .collect();
    assert_eq!(granted, want);
}

#[test]
fn csp_is_strict() {
    let conf: serde_json::Value = serde_json::from_str(&read("../tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    let all = csp.to_string();
    assert!(!all.contains("unsafe-eval"), "{all}");
    assert!(!all.contains("unsafe-inline"), "{all}");
    assert!(
        !all.contains("https:") && !all.contains("http://*"),
        "no remote sources: {all}"
    );
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
}
