//! The shell registers, allowlists and grants exactly the commands declared in
//! `crates/app/src/commands.rs`: its handler, the app manifest tauri-build made from build.rs,
//! and the main window's capability as Tauri resolves it (read from what tauri-build wrote
//! into `OUT_DIR`).

use std::{collections::BTreeSet, path::Path};

use serde_json::Value;

fn declared() -> BTreeSet<String> {
    stepup_app::ipc::COMMANDS
        .iter()
        .map(|c| c.name.to_owned())
        .collect()
}

fn allow(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// A file tauri-build wrote into `OUT_DIR`, the one `generate_context!` reads.
fn generated(name: &str) -> Value {
    let path = Path::new(env!("OUT_DIR")).join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The app's own ACL manifest: its permissions and permission sets.
fn app_manifest() -> Value {
    generated("acl-manifests.json")["__app-acl__"].clone()
}

fn strings(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn handler_registers_every_command() {
    let registered: BTreeSet<String> = stepup_desktop::REGISTERED_COMMANDS
        .iter()
        .map(|&c| c.to_owned())
        .collect();
    assert_eq!(registered, declared());
    assert_eq!(stepup_desktop::REGISTERED_COMMANDS.len(), declared().len());
}

#[test]
fn the_manifest_allowlists_exactly_the_declared_commands() {
    let manifest = app_manifest();
    let permissions = manifest["permissions"].as_object().unwrap();
    let want: BTreeSet<String> = declared()
        .iter()
        .flat_map(|c| [allow(c), format!("deny-{}", c.replace('_', "-"))])
        .collect();
    let have: BTreeSet<String> = permissions.keys().cloned().collect();
    assert_eq!(have, want);
    for command in declared() {
        let permission = &permissions[&allow(&command)];
        assert_eq!(
            strings(&permission["commands"]["allow"]),
            BTreeSet::from([command])
        );
    }
}

#[test]
fn the_window_is_granted_only_the_app_commands_and_events() {
    let conf: Value = serde_json::from_str(&read("../tauri.conf.json")).unwrap();
    assert_eq!(
        strings(&conf["app"]["security"]["capabilities"]),
        BTreeSet::from(["main-window".to_owned()])
    );
    let capabilities = generated("capabilities.json");
    assert_eq!(
        capabilities.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["main-window"]
    );
    let capability = &capabilities["main-window"];
    assert_eq!(
        strings(&capability["windows"]),
        BTreeSet::from(["main".to_owned()])
    );

    // Every permission granted, with the app's permission sets expanded.
    let sets = &app_manifest()["permission_sets"];
    let mut granted = BTreeSet::new();
    for permission in strings(&capability["permissions"]) {
        match sets.get(&permission) {
            Some(set) => granted.extend(strings(&set["permissions"])),
            None => {
                granted.insert(permission);
            }
        }
    }
    let want: BTreeSet<String> = declared()
        .iter()
        .map(|c| allow(c))
        .chain([
            "core:event:allow-listen".to_owned(),
            "core:event:allow-unlisten".to_owned(),
        ])
        .collect();
    assert_eq!(granted, want);
}

#[test]
fn csp_is_strict() {
    let conf: Value = serde_json::from_str(&read("../tauri.conf.json")).unwrap();
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
