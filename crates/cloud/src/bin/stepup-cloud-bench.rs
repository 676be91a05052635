//! Loopback throughput of the reference server, on SQLite and on PostgreSQL:
//! `stepup-cloud-bench [--messages N] [--concurrency C] [--page P] [--latency L]
//! [--postgres postgres://user@host:port]`.
//!
//! Each setup (one node on SQLite; with `--postgres`, one node and then three nodes on one
//! PostgreSQL database, a fresh database each) is measured the same way:
//!
//! 1. Webhook ingest: N signed WhatsApp deliveries (one message each, a pool of customers),
//!    posted by C concurrent clients spread over the nodes; messages per second.
//! 2. Feed read: one client pages `/v1/sync` over the raw log from the start, P changes a page;
//!    changes per second. Then the same for a snapshot from cursor 0.
//! 3. Stream latency: L webhooks, one at a time, to the first node; the time until a client
//!    streaming from the last node has the message (p50, p99). With three nodes that is the way
//!    across nodes: the commit's notification, and the other node reading the feed.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::meta_signature;
use stepup_cloud::{ChannelSecrets, Config, RunningServer, Server};
use stepup_protocol::{Role, StreamEvent};
use tokio_tungstenite::tungstenite::Message as WsMsg;

type Error = Box<dyn std::error::Error>;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn delivery(i: usize, now_secs: i64) -> Vec<u8> {
    let wa = format!("97150{:07}", i % 500);
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "bench", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "971800000", "phone_number_id": "bench"},
        "contacts": [{"profile": {"name": format!("Customer {}", i % 500)}, "wa_id": wa}],
        "messages": [{"from": wa, "id": format!("wamid.bench.{i}"), "timestamp": now_secs.to_string(), "type": "text",
                      "text": {"body": "مرحبا، عندكم عطر العود؟ 7abibi 3ndi so2al"}}]
    }}]}]});
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Where a setup keeps its data.
enum Db {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

fn config(db: &Db) -> Config {
    let mut config = Config::ephemeral();
    config.secrets = ChannelSecrets::default().with_demo_defaults();
    config.compaction_interval = None;
    match db {
        Db::Sqlite(dir) => config.data_dir = Some(dir.clone()),
        Db::Postgres(url) => {
            config.database_url = Some(stepup_cloud::secret::Secret::new(url.clone()));
        }
    }
    config
}

struct Figures {
    ingest: f64,
    failures: usize,
    raw: f64,
    snapshot: f64,
    p50: Duration,
    p99: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let n = arg("--messages", 5000);
    let c = arg("--concurrency", 8).max(1);
    let page = arg("--page", 1000);
    let latency = arg("--latency", 200).max(1);
    let postgres = text_arg("--postgres");
    println!(
        "stepup-cloud-bench: {n} webhook deliveries, {c} concurrent clients, {latency} one at a time for latency"
    );
    let dir = std::env::temp_dir().join(format!("stepup-cloud-bench-{}", std::process::id()));
    let mut setups = vec![("1 node, SQLite".to_owned(), Db::Sqlite(dir.clone()), 1)];
    if let Some(server) = &postgres {
        let server = server.trim_end_matches('/');
        let run = std::process::id();
        setups.push((
            "1 node, PostgreSQL".into(),
            Db::Postgres(format!("{server}/bench_{run}_1")),
            1,
        ));
        setups.push((
            "3 nodes, PostgreSQL".into(),
            Db::Postgres(format!("{server}/bench_{run}_3")),
            3,
        ));
    } else {
        println!("(no --postgres: SQLite only)");
    }
    let mut results = Vec::new();
    for (label, db, nodes) in &setups {
        let f = measure(db, *nodes, n, c, page, latency).await?;
        println!(
            "{label}: ingest {:.0} messages/s ({} failed); feed read {:.0} changes/s raw, {:.0} snapshot; stream latency p50 {:.1} ms, p99 {:.1} ms",
            f.ingest,
            f.failures,
            f.raw,
            f.snapshot,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3
        );
        results.push((label.clone(), f));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!(
        "| setup | webhook ingest (messages/s) | feed read, raw log (changes/s) | feed read, snapshot (changes/s) | webhook → stream, p50 | p99 |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, f) in &results {
        println!(
            "| {label} | {:.0} | {:.0} | {:.0} | {:.1} ms | {:.1} ms |",
            f.ingest,
            f.raw,
            f.snapshot,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3
        );
    }
    if let [(_, sqlite), rest @ ..] = results.as_slice() {
        for (label, f) in rest {
            println!(
                "{label}: ingest {:.2}× one node on SQLite",
                f.ingest / sqlite.ingest
            );
        }
    }
    Ok(())
}

async fn measure(
    db: &Db,
    node_count: usize,
    n: usize,
    c: usize,
    page: usize,
    latency: usize,
) -> Result<Figures, Error> {
    let mut nodes: Vec<RunningServer> = Vec::new();
    for _ in 0..node_count {
        nodes.push(Server::start(config(db)).await?);
    }
    let st = &nodes[0].state;
    let ws = st.create_workspace("Bench", "Asia/Dubai").await?;
    st.create_agent(
        &ws.id,
        "Bench",
        "bench@bench.test",
        "bench-password",
        Role::Admin,
        vec![],
    )
    .await?;
    st.set_webhook_workspace(&ws.id).await?;
    let urls: Vec<String> = nodes.iter().map(RunningServer::url).collect();
    let http = reqwest::Client::new();
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);

    // 1. Ingest, the clients spread over the nodes.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..c {
        let http = http.clone();
        let url = format!("{}/webhooks/whatsapp", urls[worker % urls.len()]);
        tasks.push(tokio::spawn(async move {
            let mut failures = 0usize;
            for i in (worker..n).step_by(c) {
                let body = delivery(i, now_secs);
                let sig = meta_signature(demo_secrets::META_APP_SECRET, &body);
                let ok = http
                    .post(&url)
                    .header("x-hub-signature-256", sig)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                failures += usize::from(!ok);
            }
            failures
        }));
    }
    let mut failures = 0;
    for t in tasks {
        failures += t.await?;
    }
    let ingest = n as f64 / started.elapsed().as_secs_f64();

    // 2. Feed read, from the last node.
    let base = urls[urls.len() - 1].clone();
    let login: Value = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "bench@bench.test", "password": "bench-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut rates = Vec::new();
    for start in ["1", "0"] {
        let started = Instant::now();
        let mut cursor = start.to_owned();
        let mut changes = 0usize;
        loop {
            let r: Value = http
                .get(format!("{base}/v1/sync?after={cursor}&limit={page}"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            changes += r["changes"].as_array().map_or(0, Vec::len);
            cursor = r["next_cursor"].as_str().unwrap_or_default().to_owned();
            if r["has_more"] != Value::Bool(true) {
                break;
            }
        }
        rates.push(changes as f64 / started.elapsed().as_secs_f64());
    }

    // 3. Latency: webhook to the first node, stream from the last.
    let (mut stream, _) = tokio_tungstenite::connect_async(format!(
        "{}/v1/stream?access_token={token}",
        base.replacen("http", "ws", 1)
    ))
    .await?;
    let mut times = Vec::with_capacity(latency);
    let hook = format!("{}/webhooks/whatsapp", urls[0]);
    for i in 0..latency {
        let body = delivery(n + i, now_secs);
        let wamid = format!("wamid.bench.{}", n + i);
        let sig = meta_signature(demo_secrets::META_APP_SECRET, &body);
        let sent = Instant::now();
        let post = http
            .post(&hook)
            .header("x-hub-signature-256", sig)
            .header("content-type", "application/json")
            .body(body)
            .send();
        let arrived = async {
            while let Some(frame) = stream.next().await {
                let WsMsg::Text(t) = frame? else { continue };
                if let Ok(StreamEvent::Change { change }) = serde_json::from_str::<StreamEvent>(&t)
                    && change.entity == stepup_protocol::EntityKind::Message
                    && serde_json::to_value(&change.data)?["provider_message_id"] == wamid.as_str()
                {
                    return Ok::<_, Error>(sent.elapsed());
                }
            }
            Err("the stream ended".into())
        };
        let (posted, took) =
            tokio::join!(post, tokio::time::timeout(Duration::from_secs(30), arrived));
        posted?;
        times.push(took??);
    }
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let figures = Figures {
        ingest,
        failures,
        raw: rates[0],
        snapshot: rates[1],
        p50: pick(0.5),
        p99: pick(0.99),
    };
    for node in nodes {
        node.shutdown().await;
    }
    Ok(figures)
}
