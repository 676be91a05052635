//! Desktop glue: the tray (unread count, open, availability, Do Not Disturb,
//! quit), closing to the tray, the unread count in the title and on the
//! taskbar, window focus for notifications, clicks and `stepup://` links
//! that open a conversation, and start at login. The decisions live in
//! `stepup_app::notifications`; this only wires them to windows.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU32, Ordering},
};

use stepup_app::{App, Availability, Settings};
use tauri::{
    AppHandle, Emitter, Manager, WebviewWindow, WindowEvent,
    menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu},
    tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent},
};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_deep_link::DeepLinkExt as _;

const TRAY: &str = "main";

/// The unread count last shown.
#[derive(Debug, Default)]
pub struct Unread(AtomicU32);

fn main_window(handle: &AppHandle) -> Option<WebviewWindow> {
    handle.get_webview_window("main")
}

/// Whether the main window has been shown since the app started. The window is created hidden
/// and shown once its page has laid out its first screen (the page asks, `show_window`), so it
/// appears with its content rather than blank; and because on Linux, painting without
/// compositing, WebKitGTK blocks the window's thread for up to half a second when it draws a
/// web view whose page has not painted yet, while that same thread is what serves the page.
#[derive(Default)]
pub struct FirstShow(AtomicBool);

/// How long after its page has loaded the window shows itself even if the page has not asked.
/// Short, in case the page's request is held back (WebKit may hold a loading page's requests
/// until its first paint, which a hidden window never makes) or the page failed to start: it
/// still shows, with whatever it has.
const SHOW_AT_THE_LATEST: std::time::Duration = std::time::Duration::from_millis(300);

/// Shows the main window the first time it is asked; later calls do nothing (the tray and the
/// notifications bring it forward themselves).
pub fn first_show(handle: &AppHandle) {
    if handle.state::<FirstShow>().0.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(Err(err)) = main_window(handle).map(|w| w.show()) {
        tracing::warn!(error = %err, "cannot show the window");
    }
}

/// The main window's page has loaded: it shows the window itself once laid out, or else the
/// window shows a little later anyway.
pub fn page_loaded(handle: &AppHandle) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_AT_THE_LATEST).await;
        if !handle.state::<FirstShow>().0.load(Ordering::SeqCst) {
            tracing::info!("the page has not asked to be shown yet; showing the window");
            let h = handle.clone();
            let _ = handle.run_on_main_thread(move || first_show(&h));
        }
    });
}

/// Shows, restores and focuses the main window.
pub fn bring_forward(handle: &AppHandle) {
    handle.state::<FirstShow>().0.store(true, Ordering::SeqCst);
    if let Some(w) = main_window(handle) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

fn menu(handle: &AppHandle, app: &App) -> tauri::Result<Menu<tauri::Wry>> {
    let unread = handle.state::<Unread>().0.load(Ordering::Relaxed);
    let l = app.desktop().tray_labels(unread);
    let settings = app.get_settings();
    let chosen = settings.desktop.availability;
    let check = |id: &str, label: &str, on: bool| {
        CheckMenuItem::with_id(handle, id, label, true, on, None::<&str>)
    };
    let availability = Submenu::with_items(
        handle,
        &l.availability,
        true,
        &[
            &check("online", &l.online, chosen == Availability::Online)?,
            &check("away", &l.away, chosen == Availability::Away)?,
            &check("offline", &l.offline, chosen == Availability::Offline)?,
        ],
    )?;
    Menu::with_items(
        handle,
        &[
            &MenuItem::with_id(handle, "open", &l.open, true, None::<&str>)?,
            &PredefinedMenuItem::separator(handle)?,
            &availability,
            &check("dnd", &l.dnd, settings.notifications.dnd)?,
            &PredefinedMenuItem::separator(handle)?,
            &MenuItem::with_id(handle, "quit", &l.quit, true, None::<&str>)?,
        ],
    )
}

fn tray(handle: &AppHandle) -> Option<TrayIcon> {
    handle.tray_by_id(TRAY)
}

/// Rebuilds the tray's menu (language, availability, Do Not Disturb).
pub fn refresh_tray_menu(handle: &AppHandle) {
    let app = handle.state::<App>();
    if let (Some(tray), Ok(menu)) = (tray(handle), menu(handle, &app)) {
        let _ = tray.set_menu(Some(menu));
    }
}

fn on_menu(handle: &AppHandle, id: &str) {
    let app = handle.state::<App>();
    let result = match id {
        "open" => {
            bring_forward(handle);
            Ok(())
        }
        "online" => app.set_availability(Availability::Online).map(drop),
        "away" => app.set_availability(Availability::Away).map(drop),
        "offline" => app.set_availability(Availability::Offline).map(drop),
        "dnd" => app.set_dnd(!app.get_settings().notifications.dnd).map(drop),
        "quit" => {
            handle.exit(0);
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(err) = result {
        tracing::warn!(error = %err, "tray action failed");
    }
}

/// The unread count everywhere it shows: title, tray, taskbar or dock.
pub fn show_unread(handle: &AppHandle, unread: u32) {
    let app = handle.state::<App>();
    handle.state::<Unread>().0.store(unread, Ordering::Relaxed);
    if let Some(w) = main_window(handle) {
        let _ = w.set_title(&app.desktop().title(unread));
        // The dock (macOS) and Unity-style launchers count; Windows' taskbar has no count,
        // only an overlay: a red dot while anything is unread.
        #[cfg(not(windows))]
        let _ = w.set_badge_count((unread > 0).then_some(i64::from(unread)));
        #[cfg(windows)]
        let _ = w.set_overlay_icon(
            (unread > 0).then(|| tauri::include_image!("../icons/unread-overlay.png")),
        );
    }
    if let Some(tray) = tray(handle) {
        let _ = tray.set_tooltip(Some(app.desktop().tray_labels(unread).tooltip));
        let _ = tray.set_title((unread > 0).then(|| unread.to_string()));
    }
}

/// Settings changed: title and tray in the new language, start at login.
pub fn settings_changed(handle: &AppHandle, settings: &Settings) {
    let unread = handle.state::<Unread>().0.load(Ordering::Relaxed);
    show_unread(handle, unread);
    refresh_tray_menu(handle);
    let autostart = handle.autolaunch();
    let want = settings.desktop.start_at_login;
    if autostart.is_enabled().ok() != Some(want) {
        let result = if want {
            autostart.enable()
        } else {
            autostart.disable()
        };
        if let Err(err) = result {
            tracing::warn!(error = %err, "cannot change start at login");
        }
    }
}

fn open_links(handle: &AppHandle, urls: impl IntoIterator<Item = String>) {
    let app = handle.state::<App>();
    for url in urls {
        match app.desktop().open_link(&url) {
            Ok(_) => bring_forward(handle),
            Err(err) => tracing::info!(error = %err, "ignoring a link"),
        }
    }
}

/// A second launch: focus this one, follow its links.
pub fn second_instance(handle: &AppHandle, args: Vec<String>) {
    bring_forward(handle);
    open_links(
        handle,
        args.into_iter().filter(|a| a.starts_with("stepup://")),
    );
}

/// Window events: focus for notifications, closing to the tray.
pub fn window_event(window: &tauri::Window, event: &WindowEvent) {
    let handle = window.app_handle();
    let app = handle.state::<App>();
    match event {
        WindowEvent::Focused(focused) => app.desktop().set_window_focused(*focused),
        WindowEvent::CloseRequested { api, .. }
            if app.get_settings().desktop.close_to_tray && tray(handle).is_some() =>
        {
            api.prevent_close();
            let _ = window.hide();
            app.desktop().set_window_focused(false);
        }
        _ => {}
    }
}

/// Whether the user's `stepup://` handler, as the deep-link plugin writes it, is in place for
/// this program (see [`stepup_app::notifications::link_handler_is_current`]).
#[cfg(target_os = "linux")]
fn link_handler_is_current(handle: &AppHandle) -> bool {
    let Ok(bin) = tauri::utils::platform::current_exe() else {
        return false;
    };
    let Some(name) = bin.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return false;
    };
    let file_name = format!("{name}-handler.desktop");
    let exec = handle
        .env()
        .appimage
        .unwrap_or_else(|| bin.into_os_string())
        .to_string_lossy()
        .into_owned();
    let (Ok(data), Ok(config)) = (handle.path().data_dir(), handle.path().config_dir()) else {
        return false;
    };
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).ok();
    stepup_app::notifications::link_handler_is_current(
        read(data.join("applications").join(&file_name)).as_deref(),
        read(config.join("mimeapps.list")).as_deref(),
        &exec,
        &file_name,
        "stepup",
    )
}

/// Sets up the tray, links, navigation and the unread count.
pub fn setup(handle: &AppHandle) -> tauri::Result<()> {
    handle.manage(Unread::default());
    let app = handle.state::<App>().inner().clone();
    let menu = menu(handle, &app)?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .tooltip(app.desktop().tray_labels(0).tooltip)
        .on_menu_event(|handle, event| on_menu(handle, event.id().as_ref()))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                bring_forward(tray.app_handle());
            }
        });
    if let Some(icon) = handle.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    if let Err(err) = tray.build(handle) {
        // No tray on this desktop: closing the window then quits.
        tracing::warn!(error = %err, "no tray icon");
    }

    // stepup:// links: at launch and while running. Registering the scheme runs the
    // desktop's tools (`update-desktop-database`, `xdg-mime`): off the main thread, so the
    // window does not wait for them, and on Linux only when the handler is not already in
    // place for this program (they are a dozen processes, felt by a start on two cores).
    #[cfg(any(target_os = "linux", windows))]
    {
        let registrar = handle.clone();
        std::thread::spawn(move || {
            #[cfg(target_os = "linux")]
            if link_handler_is_current(&registrar) {
                return;
            }
            if let Err(err) = registrar.deep_link().register_all() {
                tracing::info!(error = %err, "cannot register the stepup:// scheme");
            }
        });
    }
    let links = handle.clone();
    handle.deep_link().on_open_url(move |event| {
        open_links(&links, event.urls().into_iter().map(String::from));
    });
    if let Ok(Some(urls)) = handle.deep_link().get_current() {
        open_links(handle, urls.into_iter().map(String::from));
    }

    // Clicks on notifications and links: window forward, UI to the conversation.
    let mut navigate = app.desktop().subscribe_navigate();
    let nav = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match navigate.recv().await {
                Ok(to) => {
                    bring_forward(&nav);
                    if let Err(err) = nav.emit("navigate", &to) {
                        tracing::warn!(error = %err, "cannot emit navigate");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });

    // Away when the screen locks, the machine sleeps or sits idle.
    let watcher = app.clone();
    tauri::async_runtime::spawn(stepup_app::presence::start(
        Arc::clone(app.desktop()),
        move || watcher.get_settings().desktop.away_after_minutes,
    ));

    // The unread count follows the inbox, a burst of changes at a time.
    let mut events = app.inbox().subscribe();
    let unread = handle.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
            while events.try_recv().is_ok() {}
            let n = app.unread_count().await;
            let handle = unread.clone();
            let _ = unread.run_on_main_thread(move || show_unread(&handle, n));
        }
    });
    Ok(())
}
