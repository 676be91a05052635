//! notify: an inbound webhook on the loopback cloud → the notification on
//! the session bus (recorded by the test notification server), one message
//! at a time; p50 and p99. Beside it, the baseline from the same messages:
//! webhook → the sync engine's `NewInbound` event (no notification work).
//! Needs a D-Bus session (`./dev bench` starts one when none is running).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use stepup_cloud::{Config, Server, demo};
use stepup_i18n::Catalog;
use stepup_notify::{DesktopNotifier, Notifications, PolicyConfig, testserver::TestServer};
use stepup_store::{MemorySecrets, Secret};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::Accounts,
    engine::{Engine, EngineConfig},
};

use crate::percentile;

pub async fn notify(n: usize) {
    println!("\n## notify: webhook → notification shown, {n} messages on loopback");
    let bus = TestServer::start(Duration::from_secs(30))
        .await
        .expect("own org.freedesktop.Notifications (run inside a D-Bus session)");
    let mut server = Server::start(Config::demo())
        .await
        .expect("the cloud starts");
    demo::start_demo(&mut server, 7, 0.0).await.expect("demo");
    let dir = tempfile::tempdir().expect("tempdir");
    let accounts = Accounts::new(dir.path().to_path_buf(), Arc::new(MemorySecrets::default()));
    let session = accounts
        .sign_in(
            &server.url(),
            "omar@noor.demo",
            &Secret::new(demo::DEMO_PASSWORD.to_owned()),
            None,
        )
        .await
        .expect("sign in");
    let engine = Engine::new(&session, Arc::new(SystemClock), EngineConfig::default());
    // Every message on its own: no grouping, no rate limit.
    let notifications = Notifications::new(
        PolicyConfig {
            min_interval_ms: 0,
            burst_gap_ms: -1,
        },
        Arc::new(Catalog::embedded()),
        Arc::new(DesktopNotifier::new()),
        Arc::new(SystemClock),
    );
    let mut events = engine.subscribe();
    let stop_notify = notifications.spawn(&engine, &session.account.agent_id);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .run(async {
                    let _ = stop_rx.await;
                })
                .await;
        })
    };
    loop {
        if let Ok(SyncEvent::State(SyncState::Online { .. })) = events.recv().await {
            break;
        }
    }
    let secret = server
        .state
        .config()
        .secrets
        .telegram_secret_token
        .as_ref()
        .expect("demo secret")
        .expose()
        .to_owned();
    let http = reqwest::Client::new();
    let mut shown = Vec::with_capacity(n);
    let mut synced = Vec::with_capacity(n);
    for i in 0..n {
        let text = format!("bench message {i}");
        let body = serde_json::json!({
            "update_id": 800_000_000 + i,
            "message": {
                "message_id": i + 1,
                "from": {"id": 650_000_000 + i % 20, "is_bot": false, "first_name": format!("Bench {}", i % 20)},
                "chat": {"id": 650_000_000 + i % 20, "type": "private"},
                "date": server.state.now() / 1000,
                "text": text,
            }
        });
        let started = Instant::now();
        let resp = http
            .post(format!("{}/webhooks/telegram", server.url()))
            .header("x-telegram-bot-api-secret-token", &secret)
            .json(&body)
            .send()
            .await
            .expect("webhook");
        assert!(resp.status().is_success(), "{}", resp.status());
        let wanted = text.clone();
        let on_screen = bus.wait_for(Duration::from_secs(10), |c| c.body == wanted);
        let in_cache = async {
            loop {
                match events.recv().await {
                    Ok(SyncEvent::NewInbound { message }) => {
                        if message.content.text() == Some(text.as_str()) {
                            return started.elapsed();
                        }
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(e) => panic!("engine events: {e}"),
                }
            }
        };
        let (call, synced_after) = tokio::join!(on_screen, in_cache);
        call.expect("the notification was shown within 10 s");
        shown.push(started.elapsed().as_secs_f64() * 1000.0);
        synced.push(synced_after.as_secs_f64() * 1000.0);
    }
    for times in [&mut shown, &mut synced] {
        times.sort_by(f64::total_cmp);
    }
    println!(
        "webhook → notification shown   p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms  ({} recorded)",
        percentile(&shown, 0.5),
        percentile(&shown, 0.99),
        shown.last().copied().unwrap_or_default(),
        bus.calls().len()
    );
    println!(
        "baseline: webhook → NewInbound p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms",
        percentile(&synced, 0.5),
        percentile(&synced, 0.99),
        synced.last().copied().unwrap_or_default()
    );
    let _ = stop_notify.send(());
    let _ = stop_tx.send(());
    let _ = runner.await;
    drop(engine);
    session.store.close().await;
    server.shutdown().await;
}
