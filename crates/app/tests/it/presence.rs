//! Availability follows the screen lock, heard on the session bus. Run
//! inside a D-Bus session (`./dev test` provides one).

use std::{sync::Arc, time::Duration};

use stepup_app::{Settings, notifications::Desktop, presence};
use stepup_i18n::Locale;
use stepup_protocol::Presence;

async fn screensaver(conn: &zbus::Connection, active: bool) {
    conn.emit_signal(
        None::<&str>,
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        "ActiveChanged",
        &(active,),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locking_the_screen_is_away_and_unlocking_is_back() {
    let desktop = Arc::new(Desktop::new(
        &Settings::default(),
        Locale::En,
        Arc::new(stepup_i18n::Catalog::embedded()),
    ));
    let mut presence = desktop.subscribe_presence();
    assert_eq!(*presence.borrow_and_update(), Presence::Online);
    let watcher = presence::start(Arc::clone(&desktop), || 10)
        .await
        .expect("a D-Bus session (run inside dbus-run-session)");
    let conn = zbus::Connection::session().await.unwrap();
    for (active, want) in [(true, Presence::Away), (false, Presence::Online)] {
        screensaver(&conn, active).await;
        tokio::time::timeout(Duration::from_secs(10), presence.changed())
            .await
            .expect("the availability changed in time")
            .unwrap();
        assert_eq!(*presence.borrow_and_update(), want);
    }
    watcher.abort();
}
