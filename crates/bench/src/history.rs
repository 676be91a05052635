//! Supervisors' numbers over 90 days on a fresh cache. The cloud's real snapshot holds 30 days of
//! messages, so a cold 90-day dashboard first fetches the older history (`GET /v1/history`, page by
//! page, into the SQLCipher cache), then computes. Beside it: the same dashboard on a cache that
//! holds every message already (a cloud whose snapshot covers the 90 days).

use std::time::{Duration, Instant};
use stepup_sync::Clock as _;

use stepup_cloud::ingest::{Inbound, ingest_in};
use stepup_cloud::{Config, RunningServer, Server};
use stepup_protocol::{Channel, MessageContent};
use stepup_sync::{SystemClock, engine::Engine};

use crate::{Live, bench_config, bench_workspace, messages_in, session};

const DAY: i64 = 86_400_000;

/// `n` customer messages from 2,000 customers, spread evenly over the last 90 days.
async fn fill(server: &RunningServer, ws: &str, n: usize, now: i64) {
    let state = &server.state;
    for chunk in (0..n).collect::<Vec<_>>().chunks(1_000) {
        let mut w = state.write(ws).await.expect("write");
        for &i in chunk {
            let at = now - 90 * DAY + (i as i64) * (90 * DAY / n as i64);
            let inbound = Inbound {
                user_name: Some(format!("عميل {} Customer", i % 2_000)),
                content: MessageContent::Text {
                    text: format!("مرحبا، هل عطر العود متوفر؟ order #{i}"),
                },
                ..Inbound::text(
                    Channel::Whatsapp,
                    &format!("97150{:07}", i % 2_000),
                    &format!("wamid.hist.{i}"),
                    "",
                    at,
                )
            };
            ingest_in(state, &mut w, inbound).await.expect("ingest");
        }
        state.commit(w).await.expect("commit");
    }
}

async fn cloud(window_days: u64, n: usize, now: i64) -> RunningServer {
    let mut config = Config::demo();
    config.compaction_interval = None;
    config.snapshot_message_window = Duration::from_secs(window_days * 24 * 3600);
    let server = Server::start(config).await.expect("the cloud starts");
    let ws = bench_workspace(&server).await;
    fill(&server, &ws, n, now).await;
    server
}

pub async fn history(n: usize) {
    println!(
        "\n## history: a 90-day dashboard on a fresh SQLCipher cache, {n} messages over 90 days"
    );
    let now = stepup_sync::SystemClock.now_ms();
    let query = stepup_analytics::Query {
        range: stepup_analytics::Range::Last90,
        ..Default::default()
    };
    for (label, window) in [
        ("cold (30-day snapshot)", 30),
        ("complete (90-day snapshot)", 91),
    ] {
        let server = cloud(window, n, now).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(&server, dir.path(), true).await;
        let engine = Engine::new(&s, std::sync::Arc::new(SystemClock), bench_config());
        let t = Instant::now();
        let live = Live::start(&engine).await;
        let bootstrap = t.elapsed().as_secs_f64();
        let cached = messages_in(&s.store).await;
        let t = Instant::now();
        let fetched = engine
            .fetch_history(now - 90 * DAY, |_| {})
            .await
            .expect("history");
        let fetching = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let dash = stepup_analytics::dashboard(&s.store, &query, now)
            .await
            .expect("dashboard");
        let computing = t.elapsed().as_secs_f64() * 1000.0;
        let counted = dash
            .figure("messages_in")
            .and_then(|f| f.value)
            .unwrap_or_default();
        println!(
            "  {label:<27} fetch {fetching:>7.0} ms ({fetched} messages)  dashboard {computing:>6.0} ms  = {:>7.0} ms  (bootstrap {bootstrap:.1} s with {cached} messages; {counted:.0} counted)",
            fetching + computing
        );
        live.stop().await;
        s.store.close().await;
        server.shutdown().await;
    }
}
