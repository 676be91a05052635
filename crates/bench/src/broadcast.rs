//! A broadcast to N contacts through a stand-in of the WhatsApp Cloud API on loopback (its
//! request and answer formats; it refuses every 97th number as WhatsApp does an undeliverable
//! one). Measured: the time to queue the broadcast (`POST /v1/broadcasts`: the audience read,
//! parameters filled, recipients stored), the send rate beside the configured one (overall, and
//! the busiest second), and the report's accuracy once the provider's statuses came back
//! through the signed webhook (every recipient accounted for, each in the right state).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use serde_json::{Value, json};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::ingest::{Inbound, ingest};
use stepup_cloud::webhooks::meta_signature;
use stepup_cloud::{OutboundConfig, Server};
use stepup_protocol::{Broadcast, Channel, EntityKind};

use crate::{EMAIL, PASSWORD, bench_cloud_config, bench_workspace};

const RATE: f64 = 500.0;

#[derive(Clone, Default)]
struct Provider {
    /// When each request arrived, and to whom.
    seen: Arc<Mutex<Vec<(Instant, String)>>>,
}

async fn messages(
    State(p): State<Provider>,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, axum::Json<Value>) {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let to = v["to"].as_str().unwrap_or_default().to_owned();
    let n = {
        let mut seen = p.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.push((Instant::now(), to.clone()));
        seen.len()
    };
    let number: u64 = to.parse().unwrap_or(0);
    if number.is_multiple_of(97) {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026}}),
            ),
        );
    }
    (
        axum::http::StatusCode::OK,
        axum::Json(
            json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": format!("wamid.bench.{to}.{n}")}]}),
        ),
    )
}

pub async fn broadcast(n: usize) {
    println!(
        "\n== broadcast: {n} contacts through a WhatsApp Cloud API stand-in, {RATE} messages/s configured =="
    );
    let provider = Provider::default();
    let app = Router::new()
        .fallback(messages)
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut config = bench_cloud_config();
    config.outbound = OutboundConfig::all_at(&format!("http://{addr}"));
    config.broadcast_tick = None;
    config.broadcast_rate = RATE;
    let server = Server::start(config).await.expect("the cloud starts");
    let ws = bench_workspace(&server).await;
    let started = Instant::now();
    for i in 0..n {
        ingest(
            &server.state,
            &ws,
            Inbound::text(
                Channel::Whatsapp,
                &format!("9715{i:08}"),
                &format!("wamid.in.{i}"),
                "السلام عليكم",
                server.state.now(),
            ),
        )
        .await
        .expect("ingest");
    }
    println!(
        "{n} customers written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    let token = login["access_token"].as_str().expect("token").to_owned();
    let t: Value = http
        .post(format!("{}/v1/templates", server.url()))
        .bearer_auth(&token)
        .json(&json!({"channel": "whatsapp", "name": "eid_offer", "language": "ar", "category": "MARKETING",
                      "body": "مرحبا {{1}}، خصم {{2}} على العطور بمناسبة العيد"}))
        .send()
        .await
        .expect("template")
        .json()
        .await
        .expect("json");
    let template = t["id"].as_str().expect("id").to_owned();
    let r = http
        .patch(format!("{}/v1/templates/{template}", server.url()))
        .bearer_auth(&token)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .expect("approve");
    assert!(r.status().is_success());

    let queued_at = Instant::now();
    let r = http
        .post(format!("{}/v1/broadcasts", server.url()))
        .bearer_auth(&token)
        .json(&json!({"name": "Eid", "template_id": template,
                      "params": [{"type": "contact_name"}, {"type": "text", "value": "20%"}]}))
        .send()
        .await
        .expect("broadcast");
    let to_queue = queued_at.elapsed();
    assert!(r.status().is_success(), "{}", r.status());
    let b: Broadcast = r.json().await.expect("broadcast");

    let sending = Instant::now();
    stepup_cloud::broadcasts::tick(&server.state)
        .await
        .expect("sent");
    let sent_in = sending.elapsed();
    let seen = provider
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let first = seen.first().map(|s| s.0).expect("requests");
    let last = seen.last().map(|s| s.0).expect("requests");
    let overall = (seen.len() - 1) as f64 / (last - first).as_secs_f64();
    let mut busiest = 0;
    let mut j = 0;
    for i in 0..seen.len() {
        while seen[i].0 - seen[j].0 > Duration::from_secs(1) {
            j += 1;
        }
        busiest = busiest.max(i - j + 1);
    }

    // The provider's statuses come back: every accepted message delivered, one in three read,
    // one in fifty failed after all.
    let accepted: Vec<(String, usize)> = seen
        .iter()
        .enumerate()
        .filter(|(_, (_, to))| !to.parse::<u64>().unwrap_or(0).is_multiple_of(97))
        .map(|(i, (_, to))| (to.clone(), i + 1))
        .collect();
    let mut truth = (0u32, 0u32, 0u32); // delivered, read, failed later
    for chunk in accepted.chunks(200) {
        let statuses: Vec<Value> = chunk
            .iter()
            .map(|(to, k)| {
                let id = format!("wamid.bench.{to}.{k}");
                let status = if k.is_multiple_of(50) {
                    truth.2 += 1;
                    "failed"
                } else if k.is_multiple_of(3) {
                    truth.1 += 1;
                    "read"
                } else {
                    truth.0 += 1;
                    "delivered"
                };
                let mut s = json!({"id": id, "status": status, "timestamp": "1772352000", "recipient_id": to});
                if status == "failed" {
                    s["errors"] = json!([{"code": 131049, "title": "Not delivered to maintain healthy ecosystem engagement"}]);
                }
                s
            })
            .collect();
        let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "waba", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "971800000", "phone_number_id": "bench"},
            "statuses": statuses
        }}]}]}))
        .expect("json");
        let r = http
            .post(format!("{}/webhooks/whatsapp", server.url()))
            .header(
                "x-hub-signature-256",
                meta_signature(demo_secrets::META_APP_SECRET, &body),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("statuses");
        assert!(r.status().is_success(), "{}", r.status());
    }
    stepup_cloud::broadcasts::tick(&server.state)
        .await
        .expect("report");
    let mut conn = server.state.pool().acquire().await.expect("conn");
    let done: Broadcast = stepup_cloud::store::get(&mut conn, &ws, EntityKind::Broadcast, &b.id)
        .await
        .expect("read")
        .expect("broadcast");
    drop(conn);
    let r = done.report;
    let refused = (n - accepted.len()) as u32;
    let accounted = r.opted_out + r.queued + r.sent + r.delivered + r.read + r.failed;
    println!(
        "{:<44} {:>12}",
        "time to queue (POST /v1/broadcasts)",
        format!("{:.0} ms", to_queue.as_secs_f64() * 1000.0)
    );
    println!(
        "{:<44} {:>12}",
        "all sent in",
        format!("{:.1} s", sent_in.as_secs_f64())
    );
    println!(
        "{:<44} {:>12}",
        "send rate, overall",
        format!("{overall:.0}/s")
    );
    println!(
        "{:<44} {:>12}",
        "send rate, busiest second",
        format!("{busiest}/s")
    );
    println!("{:<44} {:>12}", "configured rate", format!("{RATE:.0}/s"));
    println!(
        "{:<44} {:>12}",
        "provider requests / recipients",
        format!("{} / {}", seen.len(), r.total)
    );
    println!(
        "{:<44} {:>12}",
        "report: delivered / read / failed",
        format!("{} / {} / {}", r.delivered, r.read, r.failed)
    );
    println!(
        "{:<44} {:>12}",
        "truth:  delivered / read / failed",
        format!("{} / {} / {}", truth.0, truth.1, truth.2 + refused)
    );
    println!(
        "{:<44} {:>12}",
        "every recipient accounted for",
        if accounted == r.total
            && r.total as usize == n
            && (r.delivered, r.read, r.failed) == (truth.0, truth.1, truth.2 + refused)
            && r.queued == 0
            && r.sent == 0
        {
            "yes"
        } else {
            "NO"
        }
    );
    server.shutdown().await;
}
