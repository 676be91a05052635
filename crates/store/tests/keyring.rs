//! The OS keyring through Secret Service (gnome-keyring on a private D-Bus
//! session, as `./dev test` provides).

use stepup_store::{KeyError, OsKeyring, Secret, SecretStore};

#[test]
fn secret_service_round_trip() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test needs a D-Bus session with an unlocked gnome-keyring: run it through `./dev test`"
    );
    let ring = OsKeyring::with_service(format!("ae.stepup.desktop.test.{}", std::process::id()));
    let name = "acc_0123456789abcdef/cache-key";
    assert!(ring.get(name).unwrap().is_none());
    ring.set(name, &Secret::new("00ff".repeat(16))).unwrap();
    assert_eq!(
        ring.get(name).unwrap().unwrap().expose(),
        &"00ff".repeat(16)
    );
    ring.set(name, &Secret::new("11ee".repeat(16))).unwrap();
    assert_eq!(
        ring.get(name).unwrap().unwrap().expose(),
        &"11ee".repeat(16)
    );
    ring.delete(name).unwrap();
    assert!(ring.get(name).unwrap().is_none());
    ring.delete(name).unwrap();
}

#[test]
fn no_session_bus_is_a_clear_keyring_error() {
    // A child process without a reachable session bus.
    if std::env::var_os("STEPUP_KEYRING_CHILD").is_some() {
        let err = OsKeyring::default()
            .get("acc_0123456789abcdef/cache-key")
            .unwrap_err();
        assert!(matches!(err, KeyError::KeyringUnavailable(_)), "{err:?}");
        assert!(err.to_string().contains("STEPUP_PASSPHRASE"));
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_session_bus_is_a_clear_keyring_error",
            "--nocapture",
        ])
        .env("STEPUP_KEYRING_CHILD", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
