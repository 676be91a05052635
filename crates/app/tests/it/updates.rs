//! Updates of the app, through the app's core against the reference cloud on loopback with a
//! folder of releases: what is offered to which install (staged rollout), the notes in the
//! agent's language, the download, and the signature that decides whether it may be installed.
//! Installers are signed here with a key made for the test, the way the release pipeline's
//! signer (Tauri's, minisign) signs them.

use std::{io::Cursor, path::Path, sync::Arc, time::Duration};

use base64::Engine as _;
use stepup_app::{
    App, AppError, AppPaths,
    accounts::SignIn,
    inbox::{InboxEvent, SyncPhase},
    updates::{BuildInfo, SignatureError, UpdateFailure, UpdatePhase, UpdateUnavailable},
};
use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_store::MemorySecrets;
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(20);

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A signing key as Tauri's signer makes one: the public half as the config holds it.
struct Key {
    pair: minisign::KeyPair,
}

impl Key {
    fn new() -> Key {
        Key {
            pair: minisign::KeyPair::generate_unencrypted_keypair().unwrap(),
        }
    }

    /// `plugins.updater.pubkey`.
    fn public(&self) -> String {
        b64(&self.pair.pk.to_box().unwrap().into_string())
    }

    /// The `.sig` file's content for `bytes` signed as `version`.
    fn sign(&self, bytes: &[u8], version: &str) -> String {
        let trusted =
            format!("timestamp:1764835200\tfile:Stepup_{version}_amd64.deb\tversion:{version}");
        let sig = minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            Cursor::new(bytes),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        b64(&sig.into_string())
    }
}

/// Publishes release `version` in `dir`: an "installer" and its manifest, its signature from
/// `signature` (written beside it, as the release pipeline does).
fn publish(dir: &Path, version: &str, percent: u8, installer: &[u8], signature: &str) {
    let folder = dir.join(version);
    std::fs::create_dir_all(&folder).unwrap();
    let file = format!("Stepup_{version}_amd64.deb");
    std::fs::write(folder.join(&file), installer).unwrap();
    std::fs::write(folder.join(format!("{file}.sig")), signature).unwrap();
    let manifest = serde_json::json!({
        "version": version,
        "pub_date": "2026-12-04T09:00:00Z",
        "rollout_percent": percent,
        "notes": {
            "en": "Faster search and a calmer inbox.",
            "ar": "بحث أسرع وصندوق وارد أهدأ.",
        },
        "platforms": { format!("linux-{}-deb", std::env::consts::ARCH): { "file": file } },
    });
    std::fs::write(folder.join("release.json"), manifest.to_string()).unwrap();
}

async fn wait_online(app: &App, rx: &mut broadcast::Receiver<InboxEvent>) {
    tokio::time::timeout(WAIT, async {
        while app.status().state != SyncPhase::Online {
            let _ = rx.recv().await;
        }
    })
    .await
    .expect("online");
}

/// The app in `dir`, signed in to `server` as the demo's agent Omar.
async fn omar(server: &RunningServer, dir: &Path, locale: &str) -> App {
    let app = App::open(AppPaths::under(dir.to_path_buf()), vec![locale.into()]);
    app.inbox().use_secrets(Arc::new(MemorySecrets::default()));
    let mut events = app.inbox().subscribe();
    app.sign_in(SignIn {
        server: server.url(),
        email: "omar@noor.demo".into(),
        password: demo::DEMO_PASSWORD.into(),
        passphrase: None,
    })
    .await
    .unwrap();
    wait_online(&app, &mut events).await;
    app
}

fn installed_deb(version: &str, key: &Key) -> BuildInfo {
    BuildInfo {
        version: version.into(),
        installer: Some("deb".into()),
        update_key: Some(key.public()),
    }
}

async fn cloud_with_releases(dir: &Path) -> RunningServer {
    let mut config = Config::demo();
    config.updates_dir = Some(dir.to_path_buf());
    let mut server = Server::start(config).await.unwrap();
    demo::start_demo(&mut server, 5, 0.0).await.unwrap();
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_release_is_offered_with_its_notes_downloaded_and_verified() {
    let releases = tempfile::tempdir().unwrap();
    let key = Key::new();
    let installer = b"!<arch>\ndebian-binary   a newer Stepup".repeat(20_000);
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &key.sign(&installer, "0.2.0"),
    );
    let server = cloud_with_releases(releases.path()).await;

    let dir = tempfile::tempdir().unwrap();
    let app = omar(&server, dir.path(), "ar-AE").await;
    let before = app.update_status().await;
    assert_eq!(
        before.unavailable,
        Some(UpdateUnavailable::FromSource),
        "not told what it is yet"
    );
    app.set_build(installed_deb("0.1.0", &key));
    assert_eq!(
        app.app_info().version,
        "0.1.0",
        "the package's version, not the crate's"
    );

    let states = app.subscribe_updates();
    let view = app.check_for_update().await.unwrap();
    let offered = view.available.clone().expect("0.2.0 is offered");
    assert_eq!(offered.version, "0.2.0");
    assert_eq!(offered.notes["ar"], "بحث أسرع وصندوق وارد أهدأ.");
    assert_eq!(offered.notes["en"], "Faster search and a calmer inbox.");
    assert_eq!(offered.size, Some(installer.len() as u64));
    assert!(view.checked_at.is_some());
    assert!(
        states.has_changed().unwrap(),
        "the shell hears of it (the `update` event)"
    );

    let verified = app.download_update().await.unwrap();
    assert_eq!(verified.bytes, installer, "the installer, whole");
    assert_eq!(verified.version, "0.2.0");
    assert_eq!(
        verified.offer["version"], "0.2.0",
        "Tauri's updater installs from the offer as sent"
    );
    assert_eq!(app.update_status().await.phase, UpdatePhase::Installing);

    // Installed (the shell's part) and started again as 0.2.0: nothing newer.
    let dir2 = tempfile::tempdir().unwrap();
    let again = omar(&server, dir2.path(), "en-US").await;
    again.set_build(installed_deb("0.2.0", &key));
    assert!(again.check_for_update().await.unwrap().available.is_none());
    tokio::join!(app.shutdown(), again.shutdown());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installer_that_is_not_signed_with_the_builds_key_is_refused() {
    let releases = tempfile::tempdir().unwrap();
    let key = Key::new();
    let intruder = Key::new();
    let installer = b"a package someone else built".to_vec();
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &intruder.sign(&installer, "0.2.0"),
    );
    let server = cloud_with_releases(releases.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = omar(&server, dir.path(), "en-US").await;
    app.set_build(installed_deb("0.1.0", &key));
    assert!(app.check_for_update().await.unwrap().available.is_some());

    let err = app.download_update().await.unwrap_err();
    assert!(matches!(err, AppError::Rejected(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("refused") && message.contains("nothing was installed"),
        "{message}"
    );
    assert!(
        message.contains("not signed with this build's update key"),
        "{message}"
    );
    let view = app.update_status().await;
    assert_eq!(view.failure, Some(UpdateFailure::Signature));
    assert_eq!(view.phase, UpdatePhase::Idle);
    assert!(
        view.available.is_some(),
        "still on offer: a fixed release can be tried again"
    );

    // The right key over other bytes (a tampered download), and the right bytes signed as
    // another version (an old, validly signed installer offered as new): refused too.
    let other = b"a package someone else built, changed".to_vec();
    publish(
        releases.path(),
        "0.2.0",
        100,
        &other,
        &key.sign(&installer, "0.2.0"),
    );
    app.check_for_update().await.unwrap();
    assert!(matches!(
        app.download_update().await,
        Err(AppError::Rejected(_))
    ));
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &key.sign(&installer, "0.1.5"),
    );
    app.check_for_update().await.unwrap();
    let err = app.download_update().await.unwrap_err().to_string();
    assert!(
        err.contains("signed as version 0.1.5, but offered as 0.2.0"),
        "{err}"
    );

    // Signed right: accepted.
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &key.sign(&installer, "0.2.0"),
    );
    app.check_for_update().await.unwrap();
    assert_eq!(app.download_update().await.unwrap().bytes, installer);
    app.shutdown().await;
    server.shutdown().await;
}

#[test]
fn signatures_are_checked_against_the_key_and_the_version() {
    use stepup_app::updates::verify_signature;
    let key = Key::new();
    let bytes = b"installer".to_vec();
    let sig = key.sign(&bytes, "1.4.0");
    assert_eq!(
        verify_signature(&bytes, &sig, &key.public(), "1.4.0"),
        Ok(())
    );
    assert_eq!(
        verify_signature(&bytes, &sig, &key.public(), "v1.4.0"),
        Ok(())
    );
    assert_eq!(
        verify_signature(b"installer!", &sig, &key.public(), "1.4.0"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(&bytes, &sig, &Key::new().public(), "1.4.0"),
        Err(SignatureError::Mismatch)
    );
    assert!(matches!(
        verify_signature(&bytes, &sig, &key.public(), "1.5.0"),
        Err(SignatureError::WrongVersion { .. })
    ));
    // A signature without a version (older signers) names nothing: refused.
    let bare = minisign::sign(
        Some(&key.pair.pk),
        &key.pair.sk,
        Cursor::new(&bytes),
        Some("timestamp:1764835200\tfile:x.deb"),
        None,
    )
    .unwrap();
    assert_eq!(
        verify_signature(&bytes, &b64(&bare.into_string()), &key.public(), "1.4.0"),
        Err(SignatureError::NoVersion)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_update_itself_never_asks_and_a_cloud_that_is_down_is_said() {
    let releases = tempfile::tempdir().unwrap();
    let key = Key::new();
    let installer = b"pkg".to_vec();
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &key.sign(&installer, "0.2.0"),
    );
    let server = cloud_with_releases(releases.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = omar(&server, dir.path(), "en-US").await;

    // Run from source (no installer), or built without a key: no update is asked for.
    app.set_build(BuildInfo {
        version: "0.1.0".into(),
        installer: None,
        update_key: Some(key.public()),
    });
    let view = app.check_for_update().await.unwrap();
    assert_eq!(view.unavailable, Some(UpdateUnavailable::FromSource));
    assert!(view.available.is_none() && view.checked_at.is_none());
    assert!(matches!(
        app.download_update().await,
        Err(AppError::Rejected(_))
    ));
    let unsigned = App::open(AppPaths::under(dir.path().join("b")), vec![]);
    unsigned.set_build(BuildInfo {
        version: "0.1.0".into(),
        installer: Some("deb".into()),
        update_key: None,
    });
    assert_eq!(
        unsigned.update_status().await.unavailable,
        Some(UpdateUnavailable::Unsigned)
    );

    tokio::join!(unsigned.shutdown(), app.shutdown());

    // An installed copy whose cloud is down: the check fails as `unreachable`, said in the state.
    let dir2 = tempfile::tempdir().unwrap();
    let app = omar(&server, dir2.path(), "en-US").await;
    app.set_build(installed_deb("0.1.0", &key));
    server.shutdown().await;
    let err = app.check_for_update().await.unwrap_err();
    assert!(matches!(err, AppError::Unreachable(_)), "{err:?}");
    assert_eq!(
        app.update_status().await.failure,
        Some(UpdateFailure::Check)
    );
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_release_reaches_the_same_installs_every_time() {
    let releases = tempfile::tempdir().unwrap();
    let key = Key::new();
    let installer = b"pkg".to_vec();
    publish(
        releases.path(),
        "0.2.0",
        50,
        &installer,
        &key.sign(&installer, "0.2.0"),
    );
    let server = cloud_with_releases(releases.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = omar(&server, dir.path(), "en-US").await;
    app.set_build(installed_deb("0.1.0", &key));
    let first = app.check_for_update().await.unwrap().available.is_some();
    for _ in 0..3 {
        assert_eq!(
            app.check_for_update().await.unwrap().available.is_some(),
            first,
            "the same install, the same side of the rollout"
        );
    }
    let id = std::fs::read_to_string(dir.path().join("install-id")).unwrap();
    assert_eq!(
        first,
        stepup_cloud::updates::rollout_bucket("0.2.0", id.trim()) < 50,
        "the install's kept id decides"
    );
    // Widened to everyone, without a restart of the cloud.
    publish(
        releases.path(),
        "0.2.0",
        100,
        &installer,
        &key.sign(&installer, "0.2.0"),
    );
    assert!(app.check_for_update().await.unwrap().available.is_some());
    app.shutdown().await;
    server.shutdown().await;
}
