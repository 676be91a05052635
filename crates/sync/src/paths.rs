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

/// A file name safe on every OS: no directories, no control or reserved
/// characters, no leading dots, not empty, at most 120 characters.
pub fn safe_file_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control()
                || "<>:\"|?*".contains(c)
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned: String = cleaned.chars().take(120).collect();
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(safe_file_name("../../etc/passwd", "x"), "passwd");
        assert_eq!(
            safe_file_name("C:\\Users\\a\\invoice.pdf", "x"),
            "invoice.pdf"
        );
        assert_eq!(safe_file_name("..hidden", "x"), "hidden");
        assert_eq!(
            safe_file_name("report\u{202e}fdp.exe", "x"),
            "report_fdp.exe"
        );
        assert_eq!(safe_file_name("فاتورة 12.pdf", "x"), "فاتورة 12.pdf");
        assert_eq!(safe_file_name("", "attachment-1"), "attachment-1");
        assert_eq!(safe_file_name("a<b>:c?.txt", "x"), "a_b__c_.txt");
    }
}
