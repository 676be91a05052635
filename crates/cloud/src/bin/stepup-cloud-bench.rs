//! Loopback throughput of the reference server:
//! `stepup-cloud-bench [--messages N] [--concurrency C] [--page P]`.
//!
//! 1. Webhook ingest: N signed WhatsApp deliveries (one message each, a pool of customers),
//!    posted by C concurrent clients; messages per second.
//! 2. Feed read: one client pages `/v1/sync` over the raw log from the start, P changes a page;
//!    changes per second. Then the same for a snapshot from cursor 0.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use serde_json::{Value, json};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::meta_signature;
use stepup_cloud::{Config, Server};
use stepup_protocol::Role;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = arg("--messages", 5000);
    let c = arg("--concurrency", 8).max(1);
    let page = arg("--page", 1000);
    let dir = std::env::temp_dir().join(format!("stepup-cloud-bench-{}", std::process::id()));
    let mut config = Config::demo();
    config.data_dir = Some(dir.clone());
    config.compaction_interval = None;
    let server = Server::start(config).await?;
    let ws = server.state.create_workspace("Bench", "Asia/Dubai").await?;
    server
        .state
        .create_agent(
            &ws.id,
            "Bench",
            "bench@bench.test",
            "bench-password",
            Role::Admin,
            vec![],
        )
        .await?;
    let base = server.url();
    let http = reqwest::Client::new();

    println!(
        "stepup-cloud-bench: {n} webhook deliveries, {c} concurrent clients, SQLite in {}",
        dir.display()
    );
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..c {
        let http = http.clone();
        let url = format!("{base}/webhooks/whatsapp");
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
    let ingest = started.elapsed();
    println!(
        "webhook ingest: {n} messages in {:.2} s = {:.0} messages/s ({failures} failed)",
        ingest.as_secs_f64(),
        n as f64 / ingest.as_secs_f64()
    );

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
    for (label, start) in [("feed read (raw log)", "1"), ("feed read (snapshot)", "0")] {
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
        let t = started.elapsed();
        println!(
            "{label}: {changes} changes in {:.2} s = {:.0} changes/s ({page} per page)",
            t.as_secs_f64(),
            changes as f64 / t.as_secs_f64()
        );
    }
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
