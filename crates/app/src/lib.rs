//! The desktop app's core: everything the Tauri shell exposes, with no Tauri
//! dependency, so it is testable without a window and reusable by the CLI.
//!
//! The shell (`src-tauri/`) holds one [`App`] in managed state. Its commands are generated
//! from the list in `src/commands.rs` (see [`ipc`]): each calls the method of the same name,
//! on [`App`] or on its [`inbox::Inbox`].

pub mod accounts;
pub mod actions;
pub mod analytics;
pub mod assistant;
pub mod broadcasts;
mod demo;
pub mod error;
// Without demo mode, the imports only the demo uses go unused.
#[cfg_attr(not(feature = "demo"), allow(unused_imports))]
pub mod inbox;
pub mod ipc;
pub mod media;
pub mod notifications;
pub mod presence;
pub mod saved_views;
pub mod settings;
pub mod updates;
mod views;

use std::sync::{Arc, RwLock, atomic::Ordering};

use serde::Serialize;
use stepup_i18n::{Catalog, Direction, Locale};

pub use error::{AppError, ErrorCode, IpcError};
pub use settings::{
    Availability, DesktopSettings, NotificationSettings, QuietHours, Settings, SettingsPatch,
    SettingsStore, ThemePreference,
};
/// Kept here too: the app's users name them `stepup_app::AppPaths` and `stepup_app::paths`.
pub use stepup_sync::paths::{self, AppPaths};

use accounts::{AccountView, OpenAccount, SignIn, SignOut};
use actions::ConversationAction;
use inbox::SyncStatus;
use media::SaveAttachment;

/// What the UI shows in Settings → About, and what it needs at start-up.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// The UI language in effect (the saved choice, else the OS's).
    pub locale: Locale,
    pub direction: Direction,
    pub data_dir: String,
    /// The start-up is opening an account (the one used last, or the demo): the inbox, not
    /// the start screen, is coming, and the UI can lay it out while it opens.
    pub opening: bool,
}

/// The page's launch marks as `page=<ms> name=<ms> …`: `origin` (the page's start on the wall
/// clock) becomes `page`, its start after the app's; anything else that is not a mark is
/// dropped.
fn launch_marks(marks: &str, opened_epoch_ms: u128) -> String {
    let mut out = Vec::new();
    for mark in marks.split(',') {
        let Some((name, value)) = mark.split_once('=') else {
            continue;
        };
        let (Ok(value), true) = (
            value.parse::<f64>(),
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        ) else {
            continue;
        };
        if name == "origin" {
            out.push(format!("page={:.0}", value - opened_epoch_ms as f64));
        } else {
            out.push(format!("{name}={value:.0}"));
        }
    }
    out.join(" ")
}

/// What the page needs for its first paint, handed to it before its own scripts run
/// (`window.__STEPUP_BOOT__`, see [`App::boot_script`]).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Boot {
    pub info: AppInfo,
    pub settings: Settings,
    /// Commands the page's start calls, asked for by the boot script as soon as the page
    /// begins to load; the page's own first calls with the same arguments take the answers.
    pub ask: Vec<BootCall>,
}

/// A command the boot script asks for on the page's behalf.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BootCall {
    pub cmd: String,
    /// The command's `args`, as the page's own call passes them (`null`: none).
    #[ts(type = "unknown")]
    pub args: serde_json::Value,
}

/// Asks for the boot's `ask` through the Tauri runtime (set up by the scripts that run before
/// this one) and keeps each answer on its entry for `ui/src/lib/ipc.ts` to hand out; a failure
/// is kept for the call that takes it, not reported as unhandled meanwhile. One request: while
/// the page loads, the web view holds back all but its first requests until the first layout.
const BOOT_ASK: &str = "(function (boot, ipc) {
  if (!boot || !ipc || typeof ipc.invoke !== 'function') return;
  boot.ask.forEach(function (a) {
    a.answer = ipc.invoke(a.cmd, a.args === null ? {} : { args: a.args });
    a.answer.catch(function () {});
  });
})(window.__STEPUP_BOOT__, window.__TAURI_INTERNALS__);";

/// The window of the list the inbox asks for first: the default list's top, the rows in view
/// at start and the margin below them (`FIRST_ROWS + MARGIN` in `ui/src/lib/inbox.svelte.ts`).
const FIRST_LIST_ROWS: u32 = 80;

/// The app's core state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    paths: AppPaths,
    settings: SettingsStore,
    catalog: Arc<Catalog>,
    /// The OS's preferred languages, most preferred first.
    system_locales: Vec<String>,
    listeners: RwLock<Vec<SettingsListener>>,
    inbox: Arc<inbox::Inbox>,
    /// When the app's core was created: startup time is measured from here.
    opened_at: std::time::Instant,
    /// The same instant on the wall clock (the page's marks are on it).
    opened_epoch_ms: u128,
    /// Whether the first screen has been reported shown.
    shown: std::sync::atomic::AtomicBool,
    desktop: Arc<notifications::Desktop>,
    /// True while the start-up (the account used last, or the demo) is opening.
    starting: tokio::sync::watch::Sender<bool>,
    /// True while the start-up is opening an account (not merely finding none to open).
    opening: std::sync::atomic::AtomicBool,
    /// Updates of the app itself.
    updates: updates::Updates,
}

/// With this set, the app prints `ready <screen> <ms>` on standard output
/// once its first screen is on display (startup benchmarks wait for it).
pub const READY_ENV: &str = "STEPUP_PRINT_READY";

type SettingsListener = Box<dyn Fn(&Settings) + Send + Sync>;

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("paths", &self.paths)
            .field("settings", &self.settings)
            .finish()
    }
}

impl App {
    /// Opens the app's state under `paths`. Never fails on a bad settings
    /// file: it starts with defaults and logs why (see [`SettingsStore::open`]).
    pub fn open(paths: AppPaths, system_locales: Vec<String>) -> App {
        let settings = SettingsStore::open(paths.settings_file());
        let current = settings.get();
        let locale = current
            .locale
            .unwrap_or_else(|| Locale::negotiate(&system_locales));
        // One catalog, shared with the notifications: reading every language's files is the
        // larger part of opening.
        let catalog = Arc::new(Catalog::embedded());
        let desktop = Arc::new(notifications::Desktop::new(
            &current,
            locale,
            Arc::clone(&catalog),
        ));
        let inbox = Arc::new(inbox::Inbox::default());
        inbox.set_erase_paths(
            paths.data_dir().to_path_buf(),
            paths.export_dir().to_path_buf(),
        );
        inbox.set_history_days(current.history_days);
        desktop.set_first_paint(inbox.first_paint());
        let follower = Arc::clone(&desktop);
        inbox.on_activate(Box::new(move |engine, session| {
            follower.follow(engine, session);
        }));
        App {
            inner: Arc::new(Inner {
                paths,
                settings,
                catalog,
                system_locales,
                listeners: RwLock::new(Vec::new()),
                inbox,
                opened_at: std::time::Instant::now(),
                opened_epoch_ms: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis()),
                shown: std::sync::atomic::AtomicBool::new(false),
                desktop,
                starting: tokio::sync::watch::Sender::new(false),
                opening: std::sync::atomic::AtomicBool::new(false),
                updates: updates::Updates::default(),
            }),
        }
    }

    pub fn paths(&self) -> &AppPaths {
        &self.inner.paths
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// The UI language: the user's choice, else negotiated from the OS.
    pub fn locale(&self) -> Locale {
        self.inner
            .settings
            .get()
            .locale
            .unwrap_or_else(|| Locale::negotiate(&self.inner.system_locales))
    }

    pub fn app_info(&self) -> AppInfo {
        let locale = self.locale();
        AppInfo {
            name: self.inner.catalog.format(locale, "app-name", None),
            version: self.version(),
            locale,
            direction: locale.direction(),
            data_dir: self.inner.paths.data_dir().display().to_string(),
            opening: self.inner.opening.load(Ordering::SeqCst),
        }
    }

    pub fn get_settings(&self) -> Settings {
        self.inner.settings.get()
    }

    /// A script that sets `window.__STEPUP_BOOT__` to the app info and settings, for the
    /// window to run before the page's own: the first paint is in the right language and
    /// theme without waiting for a round trip (the page still asks for both afterwards).
    /// Made after [`App::startup`] has begun, it tells whether an account is opening.
    ///
    /// It also asks for the inbox's first screen right away (the answer waits for the
    /// start-up), so that it arrives while the page's scripts load, not after its first layout.
    pub fn boot_script(&self) -> String {
        let boot = Boot {
            info: self.app_info(),
            settings: self.get_settings(),
            ask: vec![BootCall {
                cmd: "first_screen".to_owned(),
                args: serde_json::json!({
                    "view": "all",
                    "sort": "latest",
                    "offset": 0,
                    "limit": FIRST_LIST_ROWS,
                }),
            }],
        };
        // JSON is a JavaScript expression.
        let json = serde_json::to_string(&boot).unwrap_or_else(|_| "null".to_owned());
        format!("window.__STEPUP_BOOT__ = {json};\n{BOOT_ASK}")
    }

    /// Applies and saves `patch`, then tells every listener.
    pub fn update_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let settings = self.inner.settings.update(patch)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Replaces the notification settings.
    pub fn update_notification_settings(
        &self,
        notifications: NotificationSettings,
    ) -> Result<Settings, AppError> {
        let settings = self
            .inner
            .settings
            .modify(|s| s.notifications = notifications)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Replaces the report settings (SLA targets, country, digits, Hijri).
    pub fn update_analytics_settings(
        &self,
        analytics: settings::AnalyticsSettings,
    ) -> Result<Settings, AppError> {
        let t = analytics.targets;
        if !(1..=10_080).contains(&t.first_response_minutes)
            || !(1..=720).contains(&t.resolution_hours)
        {
            return Err(AppError::InvalidInput(
                "targets: 1 to 10080 minutes for a first response, 1 to 720 hours to resolve"
                    .into(),
            ));
        }
        let settings = self.inner.settings.modify(|s| s.analytics = analytics)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Replaces the desktop settings (tray, start at login, availability).
    pub fn update_desktop_settings(&self, desktop: DesktopSettings) -> Result<Settings, AppError> {
        let settings = self.inner.settings.modify(|s| s.desktop = desktop)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Mutes or unmutes one conversation's notifications.
    pub fn mute_conversation(
        &self,
        args: notifications::MuteConversation,
    ) -> Result<Settings, AppError> {
        let settings = self.inner.settings.modify(|s| {
            let muted = &mut s.notifications.muted;
            muted.retain(|id| *id != args.conversation_id);
            if args.muted {
                muted.push(args.conversation_id.clone());
            }
        })?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Sets the availability the agent chose (the tray's menu).
    pub fn set_availability(&self, availability: Availability) -> Result<Settings, AppError> {
        let settings = self
            .inner
            .settings
            .modify(|s| s.desktop.availability = availability)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Turns Do Not Disturb on or off (the tray's menu).
    pub fn set_dnd(&self, on: bool) -> Result<Settings, AppError> {
        let settings = self.inner.settings.modify(|s| s.notifications.dnd = on)?;
        self.settings_changed(&settings);
        Ok(settings)
    }

    /// Notifications, clicks, links, availability and the tray's words.
    pub fn desktop(&self) -> &Arc<notifications::Desktop> {
        &self.inner.desktop
    }

    /// Unread customer messages over every cached conversation.
    pub async fn unread_count(&self) -> u32 {
        self.inner.inbox.unread_total().await.unwrap_or(0)
    }

    fn settings_changed(&self, settings: &Settings) {
        self.inner.desktop.apply(settings, self.locale());
        self.inner.inbox.set_history_days(settings.history_days);
        for listener in self
            .inner
            .listeners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            listener(settings);
        }
    }

    /// Calls `listener` after every successful settings change (the shell
    /// retitles the window and tells the UI).
    pub fn on_settings_changed(&self, listener: impl Fn(&Settings) + Send + Sync + 'static) {
        self.inner
            .listeners
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(Box::new(listener));
    }

    pub fn inbox(&self) -> &Arc<inbox::Inbox> {
        &self.inner.inbox
    }

    /// Starts the demo workspace and signs in to it (refused when built without the `demo`
    /// feature).
    pub async fn start_demo(&self) -> Result<inbox::SyncStatus, AppError> {
        let per_minute = std::env::var("STEPUP_DEMO_RATE")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(6.0);
        self.inner
            .inbox
            .start_demo(self.inner.paths.data_dir(), per_minute)
            .await?;
        Ok(self.inner.inbox.status())
    }

    /// A window of the conversation list. Asked for during start-up, it waits for the account
    /// to open: the window asks for its first rows beside its first status.
    pub async fn inbox_list(&self, query: inbox::InboxQuery) -> Result<inbox::InboxPage, AppError> {
        self.started().await;
        self.inner.inbox.conversations(query, now_ms()).await
    }

    /// The list rows of these conversations (those in the cache), latest first.
    pub async fn inbox_rows(&self, args: Vec<String>) -> Result<Vec<inbox::InboxRow>, AppError> {
        self.inner.inbox.rows_by_id(&args, now_ms()).await
    }

    /// The sync status and, when an account is open, the window of the list `query` asks for;
    /// once the start-up is done. One answer for what the inbox shows first.
    pub async fn first_screen(
        &self,
        query: inbox::InboxQuery,
    ) -> Result<inbox::FirstScreen, AppError> {
        let page = match self.inbox_list(query).await {
            Ok(page) => Some(page),
            Err(AppError::NotSignedIn) => None,
            Err(err) => return Err(err),
        };
        Ok(inbox::FirstScreen {
            status: self.status(),
            page,
        })
    }

    pub async fn open_conversation(&self, id: String) -> Result<inbox::ConversationView, AppError> {
        self.inner.desktop.set_viewing(Some(id.clone()));
        self.inner.inbox.conversation(&id, now_ms()).await
    }

    /// The conversation's summary in the app's language (kept, or new with `refresh`).
    pub async fn conversation_summary(
        &self,
        args: assistant::SummaryArgs,
    ) -> Result<Option<assistant::SummaryView>, AppError> {
        self.inner
            .inbox
            .conversation_summary(args, self.locale())
            .await
    }

    /// A conversation opened at a message (a search result), however far back it is, or reaching
    /// back over more of its messages (the agent scrolled up).
    pub async fn open_conversation_at(
        &self,
        args: inbox::OpenAt,
    ) -> Result<inbox::ConversationView, AppError> {
        self.inner
            .desktop
            .set_viewing(Some(args.conversation_id.clone()));
        self.inner
            .inbox
            .conversation_at(
                &args.conversation_id,
                args.message_id.as_deref(),
                args.messages.unwrap_or(0),
                now_ms(),
            )
            .await
    }

    pub async fn search(
        &self,
        query: inbox::SearchQuery,
    ) -> Result<Vec<inbox::SearchResult>, AppError> {
        self.inner.inbox.search(query, now_ms()).await
    }

    pub async fn conversation_action(&self, args: ConversationAction) -> Result<(), AppError> {
        self.inner.inbox.act(args).await
    }

    pub async fn save_view(
        &self,
        args: saved_views::SavedView,
    ) -> Result<Vec<saved_views::SavedView>, AppError> {
        self.inner.inbox.save_view(args, now_ms()).await
    }

    pub async fn delete_view(&self, args: String) -> Result<Vec<saved_views::SavedView>, AppError> {
        self.inner.inbox.delete_view(&args).await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountView>, AppError> {
        Ok(self
            .inner
            .inbox
            .account_list(self.inner.paths.data_dir())
            .await)
    }

    pub async fn sign_in(&self, args: SignIn) -> Result<SyncStatus, AppError> {
        self.inner
            .inbox
            .sign_in(self.inner.paths.data_dir(), args)
            .await
    }

    pub async fn open_account(&self, args: OpenAccount) -> Result<SyncStatus, AppError> {
        self.inner
            .inbox
            .open_account(self.inner.paths.data_dir(), args)
            .await
    }

    pub async fn sign_out(&self, args: SignOut) -> Result<(), AppError> {
        if let Some(id) = self.inner.inbox.active_account_id().await {
            self.inner.desktop.unfollow(&id);
        }
        self.inner
            .inbox
            .sign_out(self.inner.paths.data_dir(), args)
            .await
    }

    pub async fn export_data(&self, args: accounts::ExportOptions) -> Result<String, AppError> {
        self.inner
            .inbox
            .export_data(self.inner.paths.export_dir(), args, now_ms())
            .await
    }

    pub async fn save_attachment(&self, args: SaveAttachment) -> Result<String, AppError> {
        self.inner
            .inbox
            .save_attachment(self.inner.paths.export_dir(), args)
            .await
    }

    pub async fn open_link(&self, args: String) -> Result<(), AppError> {
        media::open_link(&args)
    }

    /// The page has painted its first screen (`inbox` with the cached conversations, or
    /// `signin`); logged once with the startup time. `report` is `<screen>`, optionally followed by
    /// `:` and the page's launch marks (`origin=<epoch ms>,<name>=<ms after origin>,…`); the
    /// marks are logged, and printed with the ready line, with the page's start (`page=`) in
    /// milliseconds after the app's.
    pub async fn ui_ready(&self, report: String) -> Result<(), AppError> {
        if self
            .inner
            .shown
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            return Ok(());
        }
        self.inner.inbox.first_screen_shown();
        let ms = self.inner.opened_at.elapsed().as_millis();
        let (screen, marks) = report.split_once(':').unwrap_or((report.as_str(), ""));
        let marks = launch_marks(marks, self.inner.opened_epoch_ms);
        tracing::info!(screen = %screen, ms, marks = %marks, "first screen shown");
        if std::env::var_os(READY_ENV).is_some() {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "ready {screen} {ms} {marks}");
            let _ = out.flush();
        }
        Ok(())
    }

    /// Before the process exits: stop syncing, close the cache, and wait
    /// for the database threads to end.
    pub async fn shutdown(&self) {
        self.inner.desktop.stop();
        self.inner.inbox.shutdown().await;
        stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await;
    }

    /// The sync status now (see [`App::sync_status`] for the window's).
    pub fn status(&self) -> inbox::SyncStatus {
        self.inner.inbox.status()
    }

    /// The status once the start-up begun by [`App::startup`] has finished: the window asks
    /// for it first, and should see the inbox, not a start screen that a moment later gives
    /// way to it.
    pub async fn sync_status(&self) -> inbox::SyncStatus {
        self.started().await;
        self.status()
    }

    /// Returns once the start-up begun by [`App::startup`] (if any) has finished.
    async fn started(&self) {
        let mut starting = self.inner.starting.subscribe();
        // The sender lives as long as the app: the wait ends when start-up does.
        let _ = starting.wait_for(|busy| !busy).await;
    }

    /// Opens what the app shows first, while the window is still loading: the demo when
    /// `demo`, else the account used last when its key is in the keyring (one behind a
    /// passphrase waits for it on the start screen; a failure there is shown by the start
    /// screen, which tries again). Marks the app as starting before it returns, so a status
    /// asked for meanwhile waits for the outcome.
    pub fn startup(&self, demo: bool) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.inner.starting.send_replace(true);
        let opening = demo
            || self
                .inner
                .inbox
                .last_to_open(self.inner.paths.data_dir())
                .is_some();
        self.inner.opening.store(opening, Ordering::SeqCst);
        let app = self.clone();
        async move {
            // Done however this ends, a panic included: the window must not wait forever.
            struct Started(App);
            impl Drop for Started {
                fn drop(&mut self) {
                    self.0.inner.opening.store(false, Ordering::SeqCst);
                    self.0.inner.starting.send_replace(false);
                }
            }
            let started = Started(app.clone());
            if demo {
                if let Err(err) = app.start_demo().await {
                    tracing::error!(error = %err, "the demo did not start");
                }
            } else {
                let data_dir = app.inner.paths.data_dir();
                if let Err(err) = app.inner.inbox.open_last(data_dir).await {
                    tracing::warn!(code = ?err.code(), "the account used last did not open");
                }
            }
            tracing::debug!(
                ms = app.inner.opened_at.elapsed().as_millis() as u64,
                "startup done"
            );
            drop(started);
        }
    }

    /// The window title in the current language, fit for the OS (no bidi
    /// isolation marks, which some title bars draw as boxes).
    pub fn window_title(&self) -> String {
        stepup_i18n::strip_isolation(&self.inner.catalog.format(
            self.locale(),
            "window-title",
            None,
        ))
    }
}

pub(crate) fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod launch_marks_tests {
    use super::launch_marks;

    #[test]
    fn the_page_start_is_told_after_the_apps_and_junk_is_dropped() {
        let marks = "origin=1000250.4,script=28.2,painted=149,bad,x y=3,rows=nope";
        assert_eq!(
            launch_marks(marks, 1_000_000),
            "page=250 script=28 painted=149"
        );
        assert_eq!(launch_marks("", 1), "");
    }
}
