//! The core API the shell delegates to, without a window.

use stepup_app::{App, AppPaths, ErrorCode, IpcError, SettingsPatch};
use stepup_i18n::{Direction, Locale};

fn app_in(dir: &std::path::Path, system: &[&str]) -> App {
    App::open(
        AppPaths::under(dir.to_path_buf()),
        system.iter().map(|s| s.to_string()).collect(),
    )
}

#[test]
fn locale_follows_the_os_until_the_user_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), &["ar-AE"]);
    assert_eq!(app.locale(), Locale::Ar);
    assert_eq!(app.app_info().direction, Direction::Rtl);

    app.update_settings(SettingsPatch {
        locale: Some("en".into()),
        theme: None,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(app.locale(), Locale::En);
    // The choice survives a restart.
    let again = app_in(dir.path(), &["ar-AE"]);
    assert_eq!(again.app_info().locale, Locale::En);
    assert_eq!(again.app_info().direction, Direction::Ltr);
}

#[test]
fn app_info_reports_version_and_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let info = app_in(dir.path(), &["en-US"]).app_info();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.data_dir, dir.path().display().to_string());
    assert_eq!(info.name, "Stepup");
}

#[test]
fn errors_cross_ipc_as_code_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), &[]);
    let err: IpcError = app
        .update_settings(SettingsPatch {
            locale: Some("xx".into()),
            theme: None,
            ..Default::default()
        })
        .unwrap_err()
        .into();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["code"], "invalid_input");
    assert!(json["message"].as_str().unwrap().contains("xx"));
}

#[test]
fn window_title_has_no_isolation_marks() {
    let dir = tempfile::tempdir().unwrap();
    let title = app_in(dir.path(), &["ar"]).window_title();
    assert!(!title.contains(['\u{2068}', '\u{2069}']));
    assert_eq!(title, "Stepup");
}

#[test]
fn listeners_hear_successful_changes_only() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), &[]);
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    app.on_settings_changed(move |s| sink.lock().unwrap().push(s.locale));
    app.update_settings(SettingsPatch {
        locale: Some("ar".into()),
        theme: None,
        ..Default::default()
    })
    .unwrap();
    let _ = app.update_settings(SettingsPatch {
        locale: Some("zz".into()),
        theme: None,
        ..Default::default()
    });
    assert_eq!(*heard.lock().unwrap(), vec![Some(Locale::Ar)]);
}

#[test]
fn the_boot_script_hands_the_page_its_info_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path(), &["ar-SA"]);
    let script = app.boot_script();
    let (assignment, ask) = script
        .split_once(";\n")
        .expect("an assignment, then the asking");
    let json = assignment
        .strip_prefix("window.__STEPUP_BOOT__ = ")
        .expect("one assignment");
    let boot: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(boot["info"]["locale"], "ar");
    assert_eq!(boot["info"]["direction"], "rtl");
    assert_eq!(boot["info"]["opening"], false);
    assert_eq!(boot["settings"]["theme"], "system");
    assert_eq!(boot["settings"]["historyDays"], 180);
    // The first screen is asked for as the page starts, with the arguments the inbox's first
    // call passes (`ui/src/lib/inbox.test.ts` checks the same literal).
    assert_eq!(
        boot["ask"],
        serde_json::json!([{
            "cmd": "first_screen",
            "args": {"view": "all", "sort": "latest", "offset": 0, "limit": 80},
        }])
    );
    assert!(ask.contains("ipc.invoke(a.cmd"), "{ask}");
    assert!(
        ask.ends_with("(window.__STEPUP_BOOT__, window.__TAURI_INTERNALS__);"),
        "{ask}"
    );
}
