//! Updates of the desktop app: `GET /v1/desktop/updates/{os}/{arch}/{installer}/{version}`.
//!
//! The answer is `204 No Content` (nothing newer for this install) or a [`DesktopRelease`], in
//! the shape Tauri's updater reads from a dynamic update server (`version`, `notes`,
//! `pub_date`, `url`, `signature`), with the notes in every language besides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The header carrying the install's random id, which places it in a staged rollout (the same
/// install always falls on the same side of a percentage). Not tied to an account or a person.
pub const INSTALL_ID_HEADER: &str = "x-stepup-install";

/// A newer release of the desktop app for one OS, architecture and installer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesktopRelease {
    /// Its version (semantic versioning), which its signature also carries.
    pub version: String,
    /// What is new, in the language the request asked for (`Accept-Language`), else English.
    #[serde(default)]
    pub notes: Option<String>,
    /// What is new, by language (`en`, `ar`), so the app can follow a change of language.
    #[serde(default)]
    pub notes_by_locale: BTreeMap<String, String>,
    /// When it was published (RFC 3339).
    #[serde(default)]
    pub pub_date: Option<String>,
    /// Where the installer is downloaded from.
    pub url: String,
    /// The installer's minisign signature, as Tauri's signer writes it (base64 of the `.sig`
    /// file); its trusted comment carries the version.
    pub signature: String,
    /// Its size in bytes, when known.
    #[serde(default)]
    pub size: Option<u64>,
}
