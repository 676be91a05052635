//! The desktop shell: it opens the window, holds the core [`stepup_app::App`]
//! in managed state, and exposes commands that delegate to it in one line.

mod commands;
mod desktop;
mod updater;

/// The commands the shell registers, by name (its tests compare them with the declaration).
#[doc(hidden)]
pub use commands::REGISTERED as REGISTERED_COMMANDS;

use stepup_app::{App, AppPaths};
use tauri::{Emitter, Manager, webview::PageLoadEvent};
use tauri_plugin_window_state::StateFlags;

/// Starts the app; returns when the last window closes.
pub fn run() {
    init_tracing();
    let paths = AppPaths::from_env().expect("the OS has a home folder");
    let system_locales: Vec<String> = sys_locale::get_locales().collect();
    let app = App::open(paths, system_locales);
    tracing::info!(locale = %app.locale(), data_dir = %app.paths().data_dir().display(), "starting");

    let context = tauri::generate_context!("../tauri.conf.json");
    // Only a build with an update key can update itself (see `updater`).
    let updates = updater::update_key(context.config()).is_some();

    tauri::Builder::default()
        // First: a second launch hands its arguments over and exits.
        .plugin(tauri_plugin_single_instance::init(|handle, args, _cwd| {
            desktop::second_instance(handle, args);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .plugin(
            // The window shows itself with its first screen (see `desktop::first_show`).
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        )
        .manage(app)
        .manage(desktop::FirstShow::default())
        .invoke_handler(commands::handler())
        .on_window_event(desktop::window_event)
        .setup(move |tauri_app| {
            let handle = tauri_app.handle().clone();
            let app = tauri_app.state::<App>();
            forward_inbox_events(&handle, &app);
            // The account used last (or the demo) opens while the page loads; it syncs once
            // the first screen, from its cache, is painted.
            app.inbox()
                .hold_sync_until_shown(stepup_app::inbox::SYNC_HOLD_MAX);
            let demo = std::env::args().any(|a| a == "--demo")
                || std::env::var_os("STEPUP_DEMO").is_some();
            tauri::async_runtime::spawn(app.startup(demo));
            // Before the window: its boot script carries the version.
            let build = updater::build_info(&handle);
            tracing::info!(version = %build.version, installer = ?build.installer, "this build");
            app.set_build(build);
            create_main_window(tauri_app, &app)?;
            desktop::setup(&handle)?;
            if updates {
                handle.plugin(tauri_plugin_updater::Builder::new().build())?;
            }
            updater::setup(&handle, &app);
            app.on_settings_changed(move |settings| {
                let (h, s) = (handle.clone(), settings.clone());
                let _ = handle.run_on_main_thread(move || desktop::settings_changed(&h, &s));
                if let Err(err) = handle.emit("settings-changed", settings) {
                    tracing::warn!(error = %err, "cannot emit settings-changed");
                }
            });
            Ok(())
        })
        .build(context)
        .expect("the Tauri runtime starts")
        .run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                let app = handle.state::<App>().inner().clone();
                tauri::async_runtime::block_on(app.shutdown());
            }
        });
}

/// Creates the main window from its entry in `tauri.conf.json` (marked not to be created by
/// itself), titled in the app's language and handed the boot script
/// ([`App::boot_script`]), so its first paint needs no round trip.
fn create_main_window(tauri_app: &tauri::App, app: &App) -> tauri::Result<()> {
    let Some(config) = tauri_app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
    else {
        return Ok(());
    };
    tauri::WebviewWindowBuilder::from_config(tauri_app.handle(), config)?
        .title(app.window_title())
        .initialization_script(app.boot_script())
        // Hidden until its page has laid out its first screen (see `desktop::first_show`).
        .visible(false)
        .on_page_load(|window, payload| {
            if payload.event() == PageLoadEvent::Finished {
                desktop::page_loaded(window.app_handle());
            }
        })
        // The microphone, for voice notes the agent records; never the camera, the screen or
        // the location; anything else as the platform decides. The operating system may still
        // ask the user first.
        .on_permission_request(|_, kind| {
            use tauri::webview::{PermissionKind as Kind, PermissionResponse as Answer};
            match kind {
                Kind::Microphone => Answer::Allow,
                Kind::Camera | Kind::DisplayCapture | Kind::Geolocation => Answer::Deny,
                _ => Answer::Default,
            }
        })
        .build()?;
    mock_microphone(tauri_app);
    Ok(())
}

/// In a debug build with `STEPUP_MOCK_MICROPHONE=1` (the end-to-end tests), WebKitGTK's mock
/// capture device stands in for a microphone the test machine does not have.
#[cfg(all(debug_assertions, target_os = "linux"))]
fn mock_microphone(tauri_app: &tauri::App) {
    use webkit2gtk::{SettingsExt, WebViewExt};
    if std::env::var_os("STEPUP_MOCK_MICROPHONE").is_none_or(|v| v != "1") {
        return;
    }
    if let Some(window) = tauri_app.get_webview_window("main") {
        let _ = window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_enable_mock_capture_devices(true);
            }
        });
    }
}

#[cfg(not(all(debug_assertions, target_os = "linux")))]
fn mock_microphone(_: &tauri::App) {}

/// Forwards the inbox's events to the UI as `inbox` events.
fn forward_inbox_events(handle: &tauri::AppHandle, app: &App) {
    let mut events = app.inbox().subscribe();
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Err(err) = handle.emit("inbox", &event) {
                        tracing::warn!(error = %err, "cannot emit an inbox event");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("STEPUP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
