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

/// A file name safe on every OS: no directories, no control, reserved or bidi control characters
/// (`Invoice\u{202E}fdp.exe` would show as `Invoiceexe.pdf`), no leading dots, no trailing dots
/// or spaces (Windows drops them), not one of Windows' device names (`CON`, `NUL`, `COM1`…,
/// whatever the extension), not empty, at most 120 characters.
pub fn safe_file_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !stepup_protocol::is_bidi_control(*c))
        .map(|c| {
            if c.is_control() || "<>:\"|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned: String = cleaned.chars().take(120).collect();
    let cleaned = cleaned.trim_end_matches(['.', ' ']);
    if cleaned.is_empty() {
        return fallback.to_owned();
    }
    let stem = cleaned.split('.').next().unwrap_or("").trim_end();
    if is_windows_device(stem) {
        return format!("_{cleaned}");
    }
    cleaned.to_owned()
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9` (also with superscript digits), in
/// any case: names Windows opens as devices, not files.
fn is_windows_device(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let mut chars = upper.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let rest: Vec<char> = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && matches!(rest.as_slice(), [d] if d.is_ascii_digit() || matches!(d, '\u{B9}' | '\u{B2}' | '\u{B3}'))
}

/// Marks a file saved from a conversation as downloaded from the internet, as browsers do, so
/// the OS warns before opening it: the `Zone.Identifier` stream on Windows (zone 3, Internet),
/// `com.apple.quarantine` on macOS, `user.xdg.origin.url` on Linux (freedesktop's convention).
/// `origin` is where it came from. Returns false where the file system keeps no such mark.
pub fn mark_downloaded(path: &Path, origin: &str) -> std::io::Result<bool> {
    #[cfg(windows)]
    {
        let stream = format!("{}:Zone.Identifier", path.display());
        std::fs::write(
            stream,
            format!("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl={origin}\r\n"),
        )?;
        Ok(true)
    }
    #[cfg(unix)]
    {
        #[cfg(target_os = "macos")]
        let (name, value) = {
            let _ = origin;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            ("com.apple.quarantine", format!("0081;{now:08x};Stepup;"))
        };
        #[cfg(not(target_os = "macos"))]
        let (name, value) = ("user.xdg.origin.url", origin.to_owned());
        match xattr::set(path, name, value.as_bytes()) {
            Ok(()) => Ok(true),
            Err(e)
                if e.raw_os_error() == Some(95) || e.kind() == std::io::ErrorKind::Unsupported =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (path, origin);
        Ok(false)
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
            "reportfdp.exe"
        );
        assert_eq!(safe_file_name("CON", "x"), "_CON");
        assert_eq!(safe_file_name("nul.txt", "x"), "_nul.txt");
        assert_eq!(safe_file_name("Com1.pdf", "x"), "_Com1.pdf");
        assert_eq!(safe_file_name("lpt9", "x"), "_lpt9");
        assert_eq!(safe_file_name("COM10.pdf", "x"), "COM10.pdf");
        assert_eq!(safe_file_name("console.log", "x"), "console.log");
        assert_eq!(safe_file_name("invoice.pdf. . ", "x"), "invoice.pdf");
        assert_eq!(safe_file_name(" ... ", "attachment-2"), "attachment-2");
        assert_eq!(safe_file_name("فاتورة 12.pdf", "x"), "فاتورة 12.pdf");
        assert_eq!(safe_file_name("", "attachment-1"), "attachment-1");
        assert_eq!(safe_file_name("a<b>:c?.txt", "x"), "a_b__c_.txt");
    }
}
