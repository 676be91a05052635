//! Updates of the app itself. The cloud the agent is signed in to offers a newer release
//! (`stepup_sync::updates`); the app checks at start and once a day, shows what is new in the
//! agent's language, and downloads and installs only when the agent says so. An installer is
//! installed only when its minisign signature is made by the key this build trusts (from
//! `plugins.updater.pubkey` in its config) and names the version offered. Installing itself is
//! the shell's (Tauri's updater: `dpkg`, `rpm`, MSI, NSIS, the `.app`), which verifies again.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use serde::Serialize;
use stepup_sync::client::ClientOptions;
use stepup_sync::updates::{self as wire, Offered, UpdateQuery};

use crate::{App, AppError, now_ms};

/// How often a running app asks for a newer release.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(24 * 3600);

/// How often the schedule looks at the wall clock, and how soon a failed check is tried again.
const CHECK_POLL: Duration = Duration::from_secs(3600);

/// Whether a check is due, given the last one (when, and whether it reached the cloud).
fn check_due(last: Option<(i64, bool)>, now_ms: i64) -> bool {
    let Some((at, ok)) = last else { return true };
    let wait = if ok { CHECK_INTERVAL } else { CHECK_POLL };
    // A clock set back counts as due: better a check too many than none for days.
    now_ms < at || (now_ms - at) as u128 >= wait.as_millis()
}

/// How long a download may wait for its next bytes.
const DOWNLOAD_STALL: Duration = Duration::from_secs(60);

/// What this copy of the app is, told by the shell at start.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// Its version, as the shell's package knows it.
    pub version: String,
    /// The installer it came from (`deb`, `rpm`, `appimage`, `msi`, `nsis`, `app`); `None`
    /// when it was built and run from source, which cannot update itself.
    pub installer: Option<String>,
    /// The minisign public key its updates are signed with (base64, as Tauri writes it);
    /// `None` in a build made without one, which cannot update itself.
    pub update_key: Option<String>,
}

/// Where the update stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdatePhase {
    Idle,
    Checking,
    Downloading,
    /// Downloaded and verified: the installer runs, then the app starts again.
    Installing,
}

/// Why this copy cannot update itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateUnavailable {
    /// Built and run from source, not installed from a package.
    FromSource,
    /// Built without the key its updates would be signed with.
    Unsigned,
}

/// What went wrong the last time, for the UI to say in the agent's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateFailure {
    /// The cloud could not be asked (offline, down).
    Check,
    /// The installer could not be downloaded whole.
    Download,
    /// The installer's signature is not this build's key's, or is not for the version offered:
    /// refused, nothing installed.
    Signature,
    /// The system's installer failed (or was cancelled at its password prompt).
    Install,
}

/// A newer release on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AvailableUpdate {
    pub version: String,
    /// What is new, by language (`en`, `ar`); the UI shows the agent's.
    pub notes: BTreeMap<String, String>,
    pub pub_date: Option<String>,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
}

/// The update as the UI shows it (`update_status`, and the `update` event).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateView {
    pub current_version: String,
    /// Why this copy cannot update itself; `None` when it can.
    pub unavailable: Option<UpdateUnavailable>,
    pub phase: UpdatePhase,
    pub available: Option<AvailableUpdate>,
    /// The last check that reached the cloud (Unix ms).
    #[ts(type = "number | null")]
    pub checked_at: Option<i64>,
    /// Downloaded so far, 0 to 1, while downloading.
    pub progress: Option<f64>,
    pub failure: Option<UpdateFailure>,
}

/// A downloaded installer whose signature checked out, and the offer as the cloud sent it.
#[derive(Debug)]
pub struct VerifiedUpdate {
    pub version: String,
    pub bytes: Vec<u8>,
    pub offer: serde_json::Value,
}

/// Why a signature is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the update key of this build does not read: {0}")]
    Key(String),
    #[error("the signature does not read: {0}")]
    Malformed(String),
    #[error("the installer is not signed with this build's update key")]
    Mismatch,
    #[error("the signature does not name the version it was made for")]
    NoVersion,
    #[error("the installer was signed as version {signed}, but offered as {offered}")]
    WrongVersion { signed: String, offered: String },
}

/// Checks that `signature` (base64 of a minisign `.sig` file, as Tauri's signer writes it) is
/// `key`'s (base64 of a minisign public key file) over `bytes`, and that its trusted comment,
/// which the signature covers, names `version`.
pub fn verify_signature(
    bytes: &[u8],
    signature: &str,
    key: &str,
    version: &str,
) -> Result<(), SignatureError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let text = |s: &str| {
        b64.decode(s.trim())
            .ok()
            .and_then(|v| String::from_utf8(v).ok())
    };
    let key = text(key).ok_or_else(|| SignatureError::Key("not base64 text".into()))?;
    let key =
        minisign_verify::PublicKey::decode(&key).map_err(|e| SignatureError::Key(e.to_string()))?;
    let sig = text(signature).ok_or_else(|| SignatureError::Malformed("not base64 text".into()))?;
    let sig = minisign_verify::Signature::decode(&sig)
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    key.verify(bytes, &sig, true)
        .map_err(|_| SignatureError::Mismatch)?;
    // Read only now: the global signature, just checked, covers the trusted comment.
    let signed = sig
        .trusted_comment()
        .split('\t')
        .find_map(|field| field.strip_prefix("version:"))
        .ok_or(SignatureError::NoVersion)?;
    let same = signed.trim_start_matches('v') == version.trim_start_matches('v');
    if !same {
        return Err(SignatureError::WrongVersion {
            signed: signed.to_owned(),
            offered: version.to_owned(),
        });
    }
    Ok(())
}

/// The OS and architecture as Tauri's updater names them.
fn target() -> (&'static str, &'static str) {
    let os = if cfg!(target_os = "windows") {
        "windows"
    } else if cfg!(target_os = "macos") {
        "darwin"
    } else {
        "linux"
    };
    (os, std::env::consts::ARCH)
}

/// The app's update state.
#[derive(Debug)]
pub(crate) struct Updates {
    build: std::sync::OnceLock<BuildInfo>,
    state: tokio::sync::watch::Sender<UpdateView>,
    offered: Mutex<Option<Offered>>,
    /// One check or download at a time.
    busy: tokio::sync::Mutex<()>,
}

impl Default for Updates {
    fn default() -> Self {
        Updates {
            build: std::sync::OnceLock::new(),
            state: tokio::sync::watch::Sender::new(UpdateView {
                current_version: env!("CARGO_PKG_VERSION").to_owned(),
                unavailable: Some(UpdateUnavailable::FromSource),
                phase: UpdatePhase::Idle,
                available: None,
                checked_at: None,
                progress: None,
                failure: None,
            }),
            offered: Mutex::new(None),
            busy: tokio::sync::Mutex::new(()),
        }
    }
}

impl Updates {
    fn unavailable(&self) -> Option<UpdateUnavailable> {
        match self.build.get() {
            None => Some(UpdateUnavailable::FromSource),
            Some(b) if b.installer.is_none() => Some(UpdateUnavailable::FromSource),
            Some(b) if b.update_key.as_deref().is_none_or(str::is_empty) => {
                Some(UpdateUnavailable::Unsigned)
            }
            Some(_) => None,
        }
    }

    fn set(&self, f: impl FnOnce(&mut UpdateView)) {
        self.state.send_modify(f);
    }
}

impl App {
    /// What this copy of the app is (its version, installer and update key): the shell tells
    /// it once, at start.
    pub fn set_build(&self, build: BuildInfo) {
        let updates = &self.inner.updates;
        let version = build.version.clone();
        if updates.build.set(build).is_ok() {
            let unavailable = updates.unavailable();
            updates.set(|v| {
                v.current_version = version;
                v.unavailable = unavailable;
            });
        }
    }

    /// This copy's version (the shell's package version once told, else the core's).
    pub fn version(&self) -> String {
        self.inner.updates.state.borrow().current_version.clone()
    }

    /// Where the update stands.
    pub async fn update_status(&self) -> UpdateView {
        self.inner.updates.state.borrow().clone()
    }

    /// Follows the update's state (the shell forwards it as the `update` event).
    pub fn subscribe_updates(&self) -> tokio::sync::watch::Receiver<UpdateView> {
        self.inner.updates.state.subscribe()
    }

    /// Asks the signed-in account's cloud for a newer release now. Offline, the failure is
    /// kept in the state (and returned); what was on offer stays on offer.
    pub async fn check_for_update(&self) -> Result<UpdateView, AppError> {
        let updates = &self.inner.updates;
        if updates.unavailable().is_some() {
            return Ok(self.update_status().await);
        }
        let Ok(_busy) = updates.busy.try_lock() else {
            // A check or a download is under way: its outcome is on its way.
            return Ok(self.update_status().await);
        };
        let build = updates.build.get().cloned().unwrap_or_default();
        let base = self
            .inner
            .inbox
            .with_session(async |s| Ok(s.client.base_url().to_owned()))
            .await?;
        updates.set(|v| v.phase = UpdatePhase::Checking);
        let install_id = self.install_id()?;
        let (os, arch) = target();
        let language = self.locale().to_string();
        let query = UpdateQuery {
            os,
            arch,
            installer: build.installer.as_deref().unwrap_or_default(),
            current_version: &build.version,
            install_id: &install_id,
            language: &language,
        };
        match wire::check(&ClientOptions::default(), &base, &query).await {
            Ok(offered) => {
                let available = offered.as_ref().map(|o| AvailableUpdate {
                    version: o.release.version.clone(),
                    notes: notes_of(&o.release),
                    pub_date: o.release.pub_date.clone(),
                    size: o.release.size,
                });
                tracing::info!(offered = ?available.as_ref().map(|a| &a.version), "checked for an update");
                *updates.offered.lock().unwrap_or_else(|e| e.into_inner()) = offered;
                updates.set(|v| {
                    v.phase = UpdatePhase::Idle;
                    v.available = available;
                    v.checked_at = Some(now_ms());
                    v.failure = None;
                });
                Ok(self.update_status().await)
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot check for an update");
                updates.set(|v| {
                    v.phase = UpdatePhase::Idle;
                    v.failure = Some(UpdateFailure::Check);
                });
                Err(err.into())
            }
        }
    }

    /// Downloads the release on offer and checks its signature: what the shell then installs.
    /// A signature that is not this build's key's, or not for the version offered, is refused
    /// (`rejected`) and nothing is kept.
    pub async fn download_update(&self) -> Result<VerifiedUpdate, AppError> {
        let updates = &self.inner.updates;
        let Some(key) = updates
            .build
            .get()
            .and_then(|b| b.update_key.clone())
            .filter(|_| updates.unavailable().is_none())
        else {
            return Err(AppError::Rejected(
                "this copy of Stepup cannot update itself".into(),
            ));
        };
        let _busy = updates.busy.lock().await;
        let offered = updates
            .offered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| AppError::NotFound("an update".into()))?;
        updates.set(|v| {
            v.phase = UpdatePhase::Downloading;
            v.progress = Some(0.0);
            v.failure = None;
        });
        let mut shown = 0.0;
        let downloaded = wire::download(
            &ClientOptions::default(),
            &offered.release.url,
            DOWNLOAD_STALL,
            |got, total| {
                let Some(total) = total.filter(|t| *t > 0) else {
                    return;
                };
                let part = got as f64 / total as f64;
                // A state change per 2 %, not per packet.
                if part - shown >= 0.02 || got == total {
                    shown = part;
                    updates.set(|v| v.progress = Some(part));
                }
            },
        )
        .await;
        let bytes = match downloaded {
            Ok(bytes) => bytes,
            Err(err) => {
                tracing::warn!(error = %err, "the update did not download");
                self.update_failed(UpdateFailure::Download);
                return Err(err.into());
            }
        };
        let version = offered.release.version.clone();
        if let Err(err) = verify_signature(&bytes, &offered.release.signature, &key, &version) {
            tracing::error!(%version, error = %err, "refused an update");
            self.update_failed(UpdateFailure::Signature);
            return Err(AppError::Rejected(format!(
                "the update to {version} was refused and nothing was installed: {err}"
            )));
        }
        updates.set(|v| {
            v.phase = UpdatePhase::Installing;
            v.progress = None;
        });
        Ok(VerifiedUpdate {
            version,
            bytes,
            offer: offered.raw,
        })
    }

    /// The update did not go through (the shell's installer failed): back to on offer, with
    /// why.
    pub fn update_failed(&self, failure: UpdateFailure) {
        self.inner.updates.set(|v| {
            v.phase = UpdatePhase::Idle;
            v.progress = None;
            v.failure = Some(failure);
        });
    }

    /// Checks once the start-up is done and the first screen painted (its token refresh, its
    /// request and the keyring's write would otherwise compete with the page's first paint),
    /// then every [`CHECK_INTERVAL`] by the wall clock (a laptop asleep overnight checks when
    /// it wakes), an hour after a check that failed, for as long as the app runs. A copy that
    /// cannot update itself never asks.
    pub async fn run_update_checks(self) {
        self.started().await;
        self.inner.inbox.first_paint().wait().await;
        let mut last: Option<(i64, bool)> = None;
        loop {
            if self.inner.updates.unavailable().is_some() {
                return;
            }
            if check_due(last, now_ms()) {
                let ok = match self.check_for_update().await {
                    Ok(_) => true,
                    // Nobody signed in: asked again once someone is (within the hour).
                    Err(AppError::NotSignedIn) => false,
                    Err(err) => {
                        tracing::debug!(error = %err, "update check failed; again later");
                        false
                    }
                };
                last = Some((now_ms(), ok));
            }
            tokio::time::sleep(CHECK_POLL).await;
        }
    }

    /// This install's random id (for staged rollouts), made on first use; it names nobody.
    fn install_id(&self) -> Result<String, AppError> {
        let path = self.inner.paths.data_dir().join("install-id");
        if let Ok(id) = std::fs::read_to_string(&path) {
            let id = id.trim();
            if (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(id.to_owned());
            }
        }
        let id: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::create_dir_all(self.inner.paths.data_dir())
            .and_then(|()| std::fs::write(&path, &id))
            .map_err(|source| AppError::Io {
                context: "keeping this install's id".into(),
                source,
            })?;
        Ok(id)
    }
}

/// The notes by language, with the one the cloud chose under its own language when it sent only
/// that.
fn notes_of(release: &stepup_protocol::DesktopRelease) -> BTreeMap<String, String> {
    let mut notes = release.notes_by_locale.clone();
    if notes.is_empty()
        && let Some(n) = &release.notes
    {
        notes.insert("en".into(), n.clone());
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_come_daily_and_an_hour_after_a_failure() {
        const H: i64 = 3_600_000;
        let t = 1_764_835_200_000;
        assert!(check_due(None, t), "at start");
        assert!(!check_due(Some((t, true)), t + 23 * H));
        assert!(check_due(Some((t, true)), t + 24 * H));
        assert!(!check_due(Some((t, false)), t + H / 2));
        assert!(check_due(Some((t, false)), t + H));
        assert!(check_due(Some((t, true)), t - H), "the clock went back");
    }

    #[test]
    fn nonsense_keys_and_signatures_are_refused_not_panicked_on() {
        assert!(matches!(
            verify_signature(b"x", "not base64!", "also not", "1.0.0"),
            Err(SignatureError::Key(_))
        ));
        let key = base64::engine::general_purpose::STANDARD.encode(
            "untrusted comment: minisign public key\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n",
        );
        assert!(matches!(
            verify_signature(b"x", "bm90IGEgc2lnbmF0dXJl", &key, "1.0.0"),
            Err(SignatureError::Malformed(_))
        ));
    }
}
