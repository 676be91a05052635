//! The desktop app's releases: a folder of signed installers the cloud offers as updates, each
//! to a share of installs (a staged rollout).
//!
//! ```text
//! <updates dir>/
//!   0.2.0/
//!     release.json            the manifest below
//!     Stepup_0.2.0_amd64.deb  an installer, as built and signed by the release pipeline
//!     Stepup_0.2.0_amd64.deb.sig
//! ```
//!
//! `release.json`:
//!
//! ```json
//! { "version": "0.2.0", "pub_date": "2026-12-04T09:00:00Z", "rollout_percent": 20,
//!   "notes": { "en": "Faster search.", "ar": "بحث أسرع." },
//!   "platforms": { "linux-x86_64-deb": { "file": "Stepup_0.2.0_amd64.deb" } } }
//! ```
//!
//! A platform's key is `{os}-{arch}-{installer}` (`linux-x86_64-rpm`, `windows-x86_64-msi`,
//! `darwin-aarch64-app`…) or `{os}-{arch}` for every installer of that OS. Its `signature` is
//! the `.sig` file's content, read from beside the installer when the manifest leaves it out.
//! The folder is read on every check, so publishing a release or widening its rollout needs no
//! restart; a manifest that does not parse is skipped with a warning, never served.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use stepup_protocol::DesktopRelease;

/// One release as its manifest describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub version: String,
    #[serde(default)]
    pub pub_date: Option<String>,
    /// The share of installs offered this release, 0–100 (default: all).
    #[serde(default = "all")]
    pub rollout_percent: u8,
    /// What is new, by language.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    pub platforms: BTreeMap<String, Platform>,
}

fn all() -> u8 {
    100
}

#[derive(Debug, Clone, Deserialize)]
pub struct Platform {
    /// The installer's file name, in the release's folder.
    pub file: String,
    #[serde(default)]
    pub signature: Option<String>,
}

/// What an install asks: what it runs, and who it is for the rollout.
#[derive(Debug, Clone)]
pub struct Asking<'a> {
    pub os: &'a str,
    pub arch: &'a str,
    pub installer: &'a str,
    pub current: &'a semver::Version,
    /// The install's random id; without one, only releases offered to everyone are.
    pub install_id: Option<&'a str>,
}

/// A release chosen for an install, with the folder it lives in.
#[derive(Debug, Clone)]
pub struct Offer {
    pub release: Release,
    pub version: semver::Version,
    pub platform: Platform,
    pub dir: PathBuf,
}

/// Where `install_id` falls for `version`, 0–99: the same for the same pair, and independent
/// from one release to the next (the first 20 % of one release are not always the same installs).
pub fn rollout_bucket(version: &str, install_id: &str) -> u8 {
    let digest = Sha256::new()
        .chain_update(version.as_bytes())
        .chain_update(b"\n")
        .chain_update(install_id.as_bytes())
        .finalize();
    (u16::from_be_bytes([digest[0], digest[1]]) % 100) as u8
}

/// Whether the release reaches this install.
fn admitted(release: &Release, install_id: Option<&str>) -> bool {
    match (release.rollout_percent, install_id) {
        (p, _) if p >= 100 => true,
        (0, _) | (_, None) => false,
        (p, Some(id)) => rollout_bucket(&release.version, id) < p,
    }
}

/// A plausible install id: what the app makes (a UUID), nothing that could reach a path or a log
/// line it should not.
pub fn valid_install_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A file name of a release's folder (no folders, nothing hidden).
pub fn valid_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

/// Every release of the folder whose manifest reads, with its folder.
async fn releases(dir: &Path) -> Vec<(Release, semver::Version, PathBuf)> {
    let mut out = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        tracing::warn!(dir = %dir.display(), "the updates folder cannot be read");
        return out;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        let manifest = path.join("release.json");
        let Ok(bytes) = tokio::fs::read(&manifest).await else {
            continue;
        };
        let parsed = serde_json::from_slice::<Release>(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|r| {
                semver::Version::parse(r.version.trim_start_matches('v'))
                    .map(|v| (r, v))
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok((release, version)) => out.push((release, version, path)),
            Err(error) => {
                tracing::warn!(manifest = %manifest.display(), %error, "skipping a release manifest that does not read");
            }
        }
    }
    out
}

/// The newest release above the install's version that has its platform and reaches it.
pub async fn offer(dir: &Path, asking: &Asking<'_>) -> Option<Offer> {
    let exact = format!("{}-{}-{}", asking.os, asking.arch, asking.installer);
    let any = format!("{}-{}", asking.os, asking.arch);
    let mut best: Option<Offer> = None;
    for (release, version, path) in releases(dir).await {
        if version <= *asking.current || !admitted(&release, asking.install_id) {
            continue;
        }
        if best.as_ref().is_some_and(|b| b.version >= version) {
            continue;
        }
        let Some(platform) = release
            .platforms
            .get(&exact)
            .or_else(|| release.platforms.get(&any))
            .cloned()
        else {
            continue;
        };
        if !valid_file_name(&platform.file) {
            tracing::warn!(version = %version, "skipping a release whose installer name is not a plain file name");
            continue;
        }
        best = Some(Offer {
            release,
            version,
            platform,
            dir: path,
        });
    }
    best
}

/// The file `name` of release `version`, if the release lists it (as an installer or its
/// signature): nothing else of the folder is ever served.
pub async fn file(dir: &Path, version: &str, name: &str) -> Option<PathBuf> {
    if !valid_file_name(name) {
        return None;
    }
    releases(dir)
        .await
        .into_iter()
        .find(|(r, v, _)| r.version == version || v.to_string() == version)
        .filter(|(r, _, _)| {
            r.platforms
                .values()
                .any(|p| p.file == name || format!("{}.sig", p.file) == name)
        })
        .map(|(_, _, path)| path.join(name))
}

/// The first language of an `Accept-Language` header (`ar-AE,ar;q=0.9` → `ar`).
pub fn first_language(accept_language: Option<&str>) -> Option<String> {
    let first = accept_language?
        .split(',')
        .next()?
        .split(';')
        .next()?
        .trim();
    let lang = first.split(['-', '_']).next()?.to_ascii_lowercase();
    (!lang.is_empty() && lang.bytes().all(|b| b.is_ascii_alphabetic())).then_some(lang)
}

/// The answer for an offer: the notes in `lang` (else English, else any), the installer's
/// address under `base`, and its signature from the manifest or from beside the installer.
pub async fn to_wire(
    offer: &Offer,
    lang: Option<&str>,
    base: &str,
) -> Result<DesktopRelease, String> {
    let signature = match &offer.platform.signature {
        Some(s) => s.trim().to_owned(),
        None => {
            let sig = offer.dir.join(format!("{}.sig", offer.platform.file));
            tokio::fs::read_to_string(&sig)
                .await
                .map_err(|e| format!("{}: {e}", sig.display()))?
                .trim()
                .to_owned()
        }
    };
    let size = tokio::fs::metadata(offer.dir.join(&offer.platform.file))
        .await
        .map_err(|e| format!("{}: {e}", offer.platform.file))?
        .len();
    let notes = &offer.release.notes;
    let chosen = lang
        .and_then(|l| notes.get(l))
        .or_else(|| notes.get("en"))
        .or_else(|| notes.values().next())
        .cloned();
    Ok(DesktopRelease {
        version: offer.version.to_string(),
        notes: chosen,
        notes_by_locale: notes.clone(),
        pub_date: offer.release.pub_date.clone(),
        url: format!(
            "{}/v1/desktop/updates/files/{}/{}",
            base.trim_end_matches('/'),
            stepup_protocol::path_segment(&offer.release.version),
            stepup_protocol::path_segment(&offer.platform.file),
        ),
        signature,
        size: Some(size),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_release(dir: &Path, version: &str, percent: u8, platforms: &[&str]) {
        let folder = dir.join(version);
        std::fs::create_dir_all(&folder).unwrap();
        let platforms: serde_json::Map<String, serde_json::Value> = platforms
            .iter()
            .map(|p| {
                let file = format!("Stepup_{version}_{p}.bin");
                std::fs::write(folder.join(&file), version).unwrap();
                std::fs::write(
                    folder.join(format!("{file}.sig")),
                    format!("sig-{version}\n"),
                )
                .unwrap();
                ((*p).to_owned(), serde_json::json!({ "file": file }))
            })
            .collect();
        let manifest = serde_json::json!({
            "version": version,
            "pub_date": "2026-12-04T09:00:00Z",
            "rollout_percent": percent,
            "notes": { "en": format!("What is new in {version}"), "ar": format!("الجديد في {version}") },
            "platforms": platforms,
        });
        std::fs::write(folder.join("release.json"), manifest.to_string()).unwrap();
    }

    fn asking<'a>(current: &'a semver::Version, id: Option<&'a str>) -> Asking<'a> {
        Asking {
            os: "linux",
            arch: "x86_64",
            installer: "deb",
            current,
            install_id: id,
        }
    }

    #[tokio::test]
    async fn the_newest_release_that_reaches_the_install_is_offered() {
        let dir = tempfile::tempdir().unwrap();
        write_release(dir.path(), "0.2.0", 100, &["linux-x86_64-deb"]);
        write_release(dir.path(), "0.3.0", 100, &["linux-x86_64-rpm"]);
        write_release(dir.path(), "0.2.5", 100, &["linux-x86_64"]);
        std::fs::create_dir_all(dir.path().join("broken")).unwrap();
        std::fs::write(dir.path().join("broken/release.json"), b"{ not json").unwrap();
        let current = semver::Version::new(0, 1, 0);
        let offer = offer(dir.path(), &asking(&current, None)).await.unwrap();
        assert_eq!(
            offer.version.to_string(),
            "0.2.5",
            "0.3.0 has no .deb; 0.2.5 is for every Linux installer"
        );
        let wire = to_wire(&offer, Some("ar"), "https://cloud.example")
            .await
            .unwrap();
        assert_eq!(wire.notes.as_deref(), Some("الجديد في 0.2.5"));
        assert_eq!(wire.notes_by_locale.len(), 2);
        assert_eq!(wire.signature, "sig-0.2.5");
        assert_eq!(wire.size, Some(5));
        assert_eq!(
            wire.url,
            "https://cloud.example/v1/desktop/updates/files/0.2.5/Stepup_0.2.5_linux-x86_64.bin"
        );
        let current = semver::Version::new(0, 2, 5);
        assert!(
            offer_is_none(dir.path(), &asking(&current, None)).await,
            "nothing newer"
        );
    }

    async fn offer_is_none(dir: &Path, a: &Asking<'_>) -> bool {
        offer(dir, a).await.is_none()
    }

    #[tokio::test]
    async fn a_staged_rollout_reaches_its_share_of_installs_and_always_the_same_ones() {
        let dir = tempfile::tempdir().unwrap();
        write_release(dir.path(), "0.2.0", 100, &["linux-x86_64-deb"]);
        write_release(dir.path(), "0.3.0", 20, &["linux-x86_64-deb"]);
        let current = semver::Version::new(0, 1, 0);
        let ids: Vec<String> = (0..2000).map(|i| format!("install-{i:05}")).collect();
        let mut newest = 0;
        for id in &ids {
            let a = asking(&current, Some(id));
            let first = offer(dir.path(), &a).await.unwrap().version;
            let again = offer(dir.path(), &a).await.unwrap().version;
            assert_eq!(first, again, "the same install gets the same answer");
            if first.minor == 3 {
                newest += 1;
                assert!(rollout_bucket("0.3.0", id) < 20);
            }
        }
        // 20 % of 2,000 is 400; the hash spreads them within a few percent.
        assert!(
            (340..=460).contains(&newest),
            "{newest} of 2000 got the 20 % release"
        );
        let a = asking(&current, None);
        assert_eq!(
            offer(dir.path(), &a).await.unwrap().version.to_string(),
            "0.2.0",
            "an install without an id only gets what everyone gets"
        );
    }

    #[tokio::test]
    async fn only_a_releases_own_installers_are_served() {
        let dir = tempfile::tempdir().unwrap();
        write_release(dir.path(), "0.2.0", 100, &["linux-x86_64-deb"]);
        std::fs::write(dir.path().join("0.2.0/secret.txt"), b"no").unwrap();
        let f = "Stepup_0.2.0_linux-x86_64-deb.bin";
        assert!(file(dir.path(), "0.2.0", f).await.is_some());
        assert!(
            file(dir.path(), "0.2.0", &format!("{f}.sig"))
                .await
                .is_some()
        );
        assert!(file(dir.path(), "0.2.0", "secret.txt").await.is_none());
        assert!(file(dir.path(), "0.2.0", "release.json").await.is_none());
        assert!(
            file(dir.path(), "0.2.0", "../0.2.0/release.json")
                .await
                .is_none()
        );
        assert!(file(dir.path(), "9.9.9", f).await.is_none());
    }

    #[test]
    fn languages_and_ids() {
        assert_eq!(
            first_language(Some("ar-AE,ar;q=0.9,en;q=0.8")).as_deref(),
            Some("ar")
        );
        assert_eq!(first_language(Some("en")).as_deref(), Some("en"));
        assert_eq!(first_language(Some("*")), None);
        assert_eq!(first_language(None), None);
        assert!(valid_install_id("0b6a2f5e-3a1c-4d7e-9f00-1234567890ab"));
        assert!(!valid_install_id("short"));
        assert!(!valid_install_id("../../etc/passwd-and-more"));
        assert!(!valid_file_name(".hidden"));
        assert!(!valid_file_name("a/b.deb"));
        assert!(valid_file_name("Stepup_0.2.0_amd64.deb"));
    }
}
