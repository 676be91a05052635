//! The committed TypeScript bindings must equal what the Rust types generate.

use std::path::Path;

#[test]
fn typescript_bindings_are_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let want = stepup_app::ipc::typescript_bindings();
    if std::env::var_os("STEPUP_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings`",
        path.display()
    );
}

#[test]
fn every_command_is_named_once() {
    let mut names: Vec<_> = stepup_app::ipc::COMMANDS.iter().map(|c| c.name).collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total);
}
