//! The user's preferences, in `settings.json` in the config folder.
//!
//! A missing file means defaults. A corrupt or unreadable file never stops
//! the app: it starts with defaults, logs why, and keeps the bad file beside
//! as `settings.json.corrupt` for support to look at. Writes are atomic
//! (temporary file, then rename), so a crash mid-save leaves the old file.

use std::{
    fs, io,
    path::{Path, PathBuf},
    sync::RwLock,
};
use stepup_store::private;

use serde::{Deserialize, Serialize};
use stepup_i18n::Locale;

use crate::AppError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ThemePreference {
    /// Follow the OS's light or dark mode, live.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The chosen UI language; `null` follows the OS.
    pub locale: Option<Locale>,
    pub theme: ThemePreference,
    /// How many days of history the local cache keeps; older messages are
    /// fetched from the cloud when scrolled to.
    pub history_days: u32,
    pub notifications: NotificationSettings,
    pub desktop: DesktopSettings,
    pub analytics: AnalyticsSettings,
}

/// How supervisors' reports are computed and written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyticsSettings {
    /// The SLA targets breaches are counted against.
    pub targets: stepup_analytics::Targets,
    /// Overrides the country derived from the workspace's time zone.
    pub country: Option<stepup_analytics::Country>,
    /// Overrides the country's default digits.
    pub digits: Option<stepup_analytics::Digits>,
    /// Label days with their Umm al-Qura Hijri date too.
    pub hijri: bool,
}

/// A daily quiet period in local time, in minutes after midnight; it may
/// wrap midnight (22:00 → 07:00 is `{ from: 1320, to: 420 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QuietHours {
    pub from: u16,
    pub to: u16,
}

/// Native notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationSettings {
    pub enabled: bool,
    /// Show who wrote but not what (privacy).
    pub hide_previews: bool,
    /// Show what customers wrote in unassigned conversations too (off: an anonymous Web Chat
    /// visitor's words do not reach the screen unless chosen).
    pub previews_unassigned: bool,
    pub sound: bool,
    /// Do Not Disturb, now.
    pub dnd: bool,
    /// Do Not Disturb every day between these times.
    pub quiet_hours: Option<QuietHours>,
    /// Conversations that never notify.
    pub muted: Vec<String>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            enabled: true,
            hide_previews: false,
            previews_unassigned: false,
            sound: true,
            dnd: false,
            quiet_hours: None,
            muted: Vec::new(),
        }
    }
}

/// The agent's availability, as the team sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    #[default]
    Online,
    Away,
    Offline,
}

/// How the app lives on the desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct DesktopSettings {
    /// Closing the window keeps the app running in the tray.
    pub close_to_tray: bool,
    /// Start when the user signs in to the computer.
    pub start_at_login: bool,
    /// The availability the agent chose (away also comes by itself when idle).
    pub availability: Availability,
    /// Away after this many minutes without input (0: never).
    pub away_after_minutes: u16,
}

/// The history kept by default, and the range a user may choose.
pub const DEFAULT_HISTORY_DAYS: u32 = 180;
pub const HISTORY_DAYS: std::ops::RangeInclusive<u32> = 7..=3650;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            locale: None,
            theme: ThemePreference::default(),
            history_days: DEFAULT_HISTORY_DAYS,
            notifications: NotificationSettings::default(),
            desktop: DesktopSettings::default(),
            analytics: AnalyticsSettings::default(),
        }
    }
}

impl Default for DesktopSettings {
    fn default() -> Self {
        DesktopSettings {
            close_to_tray: true,
            start_at_login: false,
            availability: Availability::Online,
            away_after_minutes: 10,
        }
    }
}

/// A partial update from the UI; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SettingsPatch {
    /// A shipped locale tag (`"en"`, `"ar"`) or `"system"`.
    #[ts(optional)]
    pub locale: Option<String>,
    #[ts(optional)]
    pub theme: Option<ThemePreference>,
    #[ts(optional)]
    pub history_days: Option<u32>,
}

#[derive(Debug)]
pub struct SettingsStore {
    path: PathBuf,
    current: RwLock<Settings>,
}

impl SettingsStore {
    pub fn open(path: PathBuf) -> SettingsStore {
        let current = load(&path);
        SettingsStore {
            path,
            current: RwLock::new(current),
        }
    }

    pub fn get(&self) -> Settings {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Changes the settings with `change`, saves, and returns them. Nothing
    /// changes (in memory or on disk) if the save fails.
    pub fn modify(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings, AppError> {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        change(&mut next);
        save(&self.path, &next)?;
        *guard = next.clone();
        Ok(next)
    }

    /// Applies `patch`, saves, and returns the new settings. Nothing changes
    /// (in memory or on disk) if the patch is invalid or the save fails.
    pub fn update(&self, patch: SettingsPatch) -> Result<Settings, AppError> {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        if let Some(locale) = patch.locale {
            next.locale =
                match locale.as_str() {
                    "system" => None,
                    tag => Some(Locale::from_tag(tag).ok_or_else(|| {
                        AppError::InvalidInput(format!("unknown language {tag:?}"))
                    })?),
                };
        }
        if let Some(theme) = patch.theme {
            next.theme = theme;
        }
        if let Some(days) = patch.history_days {
            if !HISTORY_DAYS.contains(&days) {
                return Err(AppError::InvalidInput(format!(
                    "history must be kept between {} and {} days",
                    HISTORY_DAYS.start(),
                    HISTORY_DAYS.end()
                )));
            }
            next.history_days = days;
        }
        save(&self.path, &next)?;
        *guard = next.clone();
        Ok(next)
    }
}

fn load(path: &Path) -> Settings {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Settings::default(),
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot read settings; using defaults");
            return Settings::default();
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(settings) => settings,
        Err(err) => {
            let aside = path.with_extension("json.corrupt");
            let kept = fs::rename(path, &aside).is_ok();
            tracing::warn!(
                path = %path.display(),
                error = %err,
                kept_as = %if kept { aside.display().to_string() } else { "-".into() },
                "settings file is corrupt; using defaults"
            );
            Settings::default()
        }
    }
}

fn save(path: &Path, settings: &Settings) -> Result<(), AppError> {
    let io_err = |context: &str| {
        let context = format!("{context} {}", path.display());
        move |source| AppError::Io { context, source }
    };
    if let Some(dir) = path.parent() {
        private::create_dir(dir).map_err(io_err("cannot create the folder of"))?;
    }
    let json =
        serde_json::to_vec_pretty(settings).map_err(|e| AppError::Internal(e.to_string()))?;
    private::write_file(path, &json).map_err(io_err("cannot write"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_in(dir: &Path) -> SettingsStore {
        SettingsStore::open(dir.join("settings.json"))
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(store_in(dir.path()).get(), Settings::default());
    }

    #[test]
    fn updates_persist_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let patch = SettingsPatch {
            locale: Some("ar".into()),
            theme: Some(ThemePreference::Dark),
            ..Default::default()
        };
        let saved = store.update(patch).unwrap();
        assert_eq!(saved.locale, Some(Locale::Ar));
        let reopened = store_in(dir.path()).get();
        assert_eq!(reopened, saved);
        let back = store
            .update(SettingsPatch {
                locale: Some("system".into()),
                theme: None,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(back.locale, None);
        assert_eq!(back.theme, ThemePreference::Dark);
    }

    #[test]
    fn corrupt_file_gives_defaults_and_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, b"{\"locale\": \"ar\", \"theme\": ").unwrap();
        let store = store_in(dir.path());
        assert_eq!(store.get(), Settings::default());
        assert_eq!(
            fs::read(dir.path().join("settings.json.corrupt")).unwrap(),
            b"{\"locale\": \"ar\", \"theme\": "
        );
        // And the app can save again afterwards.
        store
            .update(SettingsPatch {
                locale: Some("en".into()),
                theme: None,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(store_in(dir.path()).get().locale, Some(Locale::En));
    }

    #[test]
    fn wrong_types_and_binary_garbage_are_corrupt_not_fatal() {
        for bad in [
            &b"[1,2,3]"[..],
            b"\xff\xfe\x00garbage",
            b"{\"locale\": \"klingon\"}",
            b"",
        ] {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join("settings.json"), bad).unwrap();
            assert_eq!(store_in(dir.path()).get(), Settings::default(), "{bad:?}");
        }
    }

    #[test]
    fn notification_and_desktop_settings_default_and_persist() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let s = store.get();
        assert!(s.notifications.enabled && s.notifications.sound);
        assert!(!s.notifications.hide_previews && !s.notifications.dnd);
        assert!(s.desktop.close_to_tray);
        assert!(
            !s.desktop.start_at_login,
            "start at login is off by default"
        );
        store
            .modify(|s| {
                s.notifications.muted.push("cnv_1".into());
                s.notifications.quiet_hours = Some(QuietHours {
                    from: 1320,
                    to: 420,
                });
                s.desktop.availability = Availability::Away;
            })
            .unwrap();
        let again = store_in(dir.path()).get();
        assert_eq!(again.notifications.muted, ["cnv_1"]);
        assert_eq!(
            again.notifications.quiet_hours,
            Some(QuietHours {
                from: 1320,
                to: 420
            })
        );
        assert_eq!(again.desktop.availability, Availability::Away);
        // A settings file from before these existed gets their defaults.
        fs::write(dir.path().join("settings.json"), br#"{"locale":"ar"}"#).unwrap();
        let old = store_in(dir.path()).get();
        assert_eq!(old.notifications, NotificationSettings::default());
        assert_eq!(old.desktop, DesktopSettings::default());
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("settings.json"),
            br#"{"locale":"ar","future":1}"#,
        )
        .unwrap();
        assert_eq!(store_in(dir.path()).get().locale, Some(Locale::Ar));
    }

    #[test]
    fn unreadable_path_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: reading fails with an I/O error.
        fs::create_dir(dir.path().join("settings.json")).unwrap();
        let store = store_in(dir.path());
        assert_eq!(store.get(), Settings::default());
        // Saving fails with a clear I/O error and leaves memory unchanged.
        let err = store
            .update(SettingsPatch {
                locale: Some("ar".into()),
                theme: None,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::Io);
        assert_eq!(store.get(), Settings::default());
    }

    #[test]
    fn an_unknown_language_is_invalid_input_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let err = store
            .update(SettingsPatch {
                locale: Some("fr".into()),
                theme: Some(ThemePreference::Dark),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        assert_eq!(store.get(), Settings::default());
        assert!(!dir.path().join("settings.json").exists());
    }

    #[test]
    fn history_is_kept_within_its_range() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        assert_eq!(store.get().history_days, DEFAULT_HISTORY_DAYS);
        for bad in [0, 6, 3651] {
            let err = store
                .update(SettingsPatch {
                    history_days: Some(bad),
                    ..Default::default()
                })
                .unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad}");
        }
        let saved = store
            .update(SettingsPatch {
                history_days: Some(30),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(saved.history_days, 30);
        assert_eq!(store_in(dir.path()).get().history_days, 30);
    }

    #[test]
    fn report_settings_persist() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        assert_eq!(store.get().analytics.targets.first_response_minutes, 15);
        store
            .modify(|s| {
                s.analytics.targets.first_response_minutes = 5;
                s.analytics.digits = Some(stepup_analytics::Digits::ArabicIndic);
                s.analytics.hijri = true;
            })
            .unwrap();
        let again = store_in(dir.path()).get().analytics;
        assert_eq!(again.targets.first_response_minutes, 5);
        assert_eq!(again.digits, Some(stepup_analytics::Digits::ArabicIndic));
        assert!(again.hijri);
    }
}
