//! Reads the one config at the workspace root and generates the command
//! allowlist: only the commands named here can be granted to a window, and
//! `capabilities/main-window.json` grants them. `tests/allowlist.rs` checks
//! this list against the IPC surface in `crates/app/src/ipc.rs`.

/// Every app command. Keep in step with `stepup_app::ipc::COMMANDS`.
const COMMANDS: &[&str] = &[
    "app_info",
    "get_settings",
    "update_settings",
    "start_demo",
    "sync_status",
    "inbox_list",
    "first_screen",
    "open_conversation",
    "send_text",
    "search",
    "directory",
    "conversation_action",
    "add_note",
    "send_template",
    "retry_message",
    "discard_message",
    "suggestions",
    "mark_read",
    "mark_unread",
    "load_older",
    "inbox_rows",
    "saved_views",
    "save_view",
    "delete_view",
    "accounts",
    "sign_in",
    "open_account",
    "sign_out",
    "export_data",
    "wipe_cache",
    "inline_media",
    "save_attachment",
    "open_link",
    "send_attachment",
    "ui_ready",
    "show_window",
    "update_notification_settings",
    "update_desktop_settings",
    "mute_conversation",
    "update_analytics_settings",
    "analytics",
    "export_analytics_csv",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {err:#}");
    }
}
