//! Where the app (and the CLI) keep their files.

use std::path::{Path, PathBuf};

/// Overrides every location (tests, portable installs, several profiles).
pub const DATA_DIR_ENV: &str = "STEPUP_DATA_DIR";

/// The app's folders. With `STEPUP_DATA_DIR` set, everything lives under it;
/// otherwise the OS's conventions apply (XDG on Linux, `~/Library/Application
/// Support` on macOS, `%APPDATA%` on Windows), under the bundle identifier.
#[derive(Debug, Clone)]
pub struct AppPaths {
    data_dir: PathBuf,
    config_dir: PathBuf,
    export_dir: PathBuf,
}

impl AppPaths {
    /// The bundle identifier, as in `tauri.conf.json`.
    pub const IDENTIFIER: &'static str = "ae.stepup.desktop";

    pub fn from_env() -> Option<AppPaths> {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(AppPaths::under(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("", "", Self::IDENTIFIER)?;
        let export_dir = directories::UserDirs::new()
            .and_then(|u| u.download_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| dirs.data_dir().join("exports"));
        Some(AppPaths {
            data_dir: dirs.data_dir().to_path_buf(),
            config_dir: dirs.config_dir().to_path_buf(),
            export_dir,
        })
    }

    /// Everything under one folder.
    pub fn under(dir: PathBuf) -> AppPaths {
        AppPaths {
            config_dir: dir.clone(),
            export_dir: dir.join("exports"),
            data_dir: dir,
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// Where "export my data" writes: the Downloads folder, or `exports`
    /// under the data folder when everything lives in one folder.
    pub fn export_dir(&self) -> &Path {
        &self.export_dir
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}
