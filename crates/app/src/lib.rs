//! The desktop app's core: everything the Tauri shell exposes, with no Tauri
//! dependency, so it is testable without a window and reusable by the CLI.
//!
//! The shell (`src-tauri/`) holds one [`App`] in managed state and its
//! commands delegate to it in one line each.

pub mod analytics;
pub mod error;
pub mod inbox;
pub mod ipc;
pub mod paths;
pub mod settings;

use std::sync::{Arc, RwLock};

use serde::Serialize;
use stepup_i18n::{Catalog, Direction, Locale};

pub use error::{AppError, ErrorCode, IpcError};
pub use paths::AppPaths;
pub use settings::{Settings, SettingsPatch, SettingsStore, ThemePreference};

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
}

/// The app's core state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    paths: AppPaths,
    settings: SettingsStore,
    catalog: Catalog,
    /// The OS's preferred languages, most preferred first.
    system_locales: Vec<String>,
    listeners: RwLock<Vec<SettingsListener>>,
    inbox: Arc<inbox::Inbox>,
}

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
        App {
            inner: Arc::new(Inner {
                paths,
                settings,
                catalog: Catalog::embedded(),
                system_locales,
                listeners: RwLock::new(Vec::new()),
                inbox: Arc::new(inbox::Inbox::default()),
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
            version: env!("CARGO_PKG_VERSION").to_owned(),
            locale,
            direction: locale.direction(),
            data_dir: self.inner.paths.data_dir().display().to_string(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.inner.settings.get()
    }

    /// Applies and saves `patch`, then tells every listener.
    pub fn update_settings(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let settings = self.inner.settings.update(patch)?;
        for listener in self
            .inner
            .listeners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            listener(&settings);
        }
        Ok(settings)
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

    /// Starts the demo workspace and signs in to it.
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

    pub async fn inbox_list(
        &self,
        query: inbox::InboxQuery,
    ) -> Result<Vec<inbox::InboxRow>, AppError> {
        self.inner.inbox.conversations(query, now_ms()).await
    }

    pub async fn open_conversation(&self, id: String) -> Result<inbox::ConversationView, AppError> {
        self.inner.inbox.conversation(&id, now_ms()).await
    }

    pub async fn search(&self, query: String) -> Result<Vec<inbox::SearchResult>, AppError> {
        self.inner.inbox.search(&query).await
    }

    pub async fn send_text(&self, args: inbox::SendText) -> Result<(), AppError> {
        self.inner.inbox.send_text(args).await
    }

    /// Before the process exits: stop syncing, close the cache, and wait
    /// for the database threads to end.
    pub async fn shutdown(&self) {
        self.inner.inbox.shutdown().await;
        stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await;
    }

    pub fn sync_status(&self) -> inbox::SyncStatus {
        self.inner.inbox.status()
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
