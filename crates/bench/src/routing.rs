//! A team's inbox under load: 10 agents signed in (each with its own SQLCipher cache and live
//! stream), auto-assignment on, new customers writing at 2 conversations a second through the
//! WhatsApp webhook. Measured: from the webhook to the conversation in the assignee's app,
//! assigned to them (what their notification fires on). Beside it, the same path with routing
//! off, to the first app that has the conversation at all.

use std::sync::Arc;
use std::time::{Duration, Instant};
use stepup_sync::Clock as _;

use serde_json::json;
use stepup_cloud::config::demo_secrets;
use stepup_cloud::routing::{Routing, set_routing};
use stepup_cloud::webhooks::meta_signature;
use stepup_cloud::{RunningServer, Server};
use stepup_protocol::{Presence, Role};
use stepup_store::{MemorySecrets, Secret};
use stepup_sync::{SyncEvent, SystemClock, account::Accounts, engine::Engine};

use crate::{PASSWORD, bench_cloud_config, bench_config};

const AGENTS: usize = 10;
const PER_SECOND: f64 = 2.0;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn webhook(http: &reqwest::Client, server: &RunningServer, i: usize) {
    let wa = format!("97155{:07}", i);
    let now = stepup_sync::SystemClock.now_ms() / 1000;
    let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "bench", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "971800000", "phone_number_id": "bench"},
        "contacts": [{"profile": {"name": format!("Routed {i}")}, "wa_id": wa}],
        "messages": [{"from": wa, "id": format!("wamid.route.{i}"), "timestamp": now.to_string(), "type": "text",
                      "text": {"body": "السلام عليكم، ابي اطلب order please"}}]
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
        .expect("webhook");
    assert!(r.status().is_success(), "{}", r.status());
}

/// One run: `n` new conversations at 2 a second; the delay per conversation until an app has it
/// (assigned to that app's agent when `routed`).
async fn run(n: usize, routed: bool) -> Vec<f64> {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(bench_cloud_config())
        .await
        .expect("the cloud starts");
    let ws = server
        .state
        .create_workspace("Team", "Asia/Dubai")
        .await
        .expect("workspace");
    set_routing(
        &server.state,
        &ws.id,
        Routing {
            auto_assign: routed,
            max_open_per_agent: 1_000,
        },
    )
    .await
    .expect("routing");
    let accounts = Accounts::new(dir.path().to_path_buf(), Arc::new(MemorySecrets::default()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Vec<String>)>();
    let mut stops = Vec::new();
    let mut apps = Vec::new();
    for a in 0..AGENTS {
        let email = format!("agent{a}@team.test");
        let agent = server
            .state
            .create_agent(
                &ws.id,
                &format!("Agent {a}"),
                &email,
                PASSWORD,
                Role::Agent,
                vec![],
            )
            .await
            .expect("agent");
        let session = accounts
            .sign_in(
                &server.url(),
                &email,
                &Secret::new(PASSWORD.to_owned()),
                None,
            )
            .await
            .expect("sign in");
        session
            .client
            .set_presence(Presence::Online)
            .await
            .expect("presence");
        let engine = Engine::new(&session, Arc::new(SystemClock), bench_config());
        let live = crate::Live::start(&engine).await;
        let mut events = live.events.resubscribe();
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Ok(ev) = events.recv().await {
                if let SyncEvent::ConversationsChanged { ids } = ev
                    && tx.send((a, ids)).is_err()
                {
                    break;
                }
            }
        });
        stops.push(live);
        apps.push((agent.id, session));
    }

    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut delays = Vec::with_capacity(n);
    for i in 0..n {
        // Keep the pace: the i-th customer writes at i / 2 s.
        let due = started + Duration::from_secs_f64(i as f64 / PER_SECOND);
        tokio::time::sleep_until(due.into()).await;
        let t0 = Instant::now();
        webhook(&http, &server, i).await;
        let name = format!("Routed {i}");
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let (a, ids) = rx.recv().await.expect("events");
                let (me, session) = &apps[a];
                let rows = session.store.conversations_by_id(&ids).await.expect("rows");
                if rows.iter().any(|r| {
                    r.contact_name.as_deref() == Some(name.as_str())
                        && (!routed || r.conversation.assignee_agent_id.as_ref() == Some(me))
                }) {
                    return;
                }
            }
        })
        .await;
        assert!(
            ready.is_ok(),
            "conversation {i} did not reach an app in 30 s"
        );
        delays.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    for live in stops {
        live.stop().await;
    }
    for (_, s) in apps {
        s.store.close().await;
    }
    server.shutdown().await;
    delays.sort_by(f64::total_cmp);
    delays
}

pub async fn routing(n: usize) {
    println!(
        "\n## Routing: {AGENTS} agents online, new conversations at {PER_SECOND} a second ({n} of them), webhook → in the assignee's app, assigned to them"
    );
    for (label, routed) in [
        ("auto-assigned, in the assignee's app", true),
        ("baseline: routing off, in the first app", false),
    ] {
        let d = run(n, routed).await;
        println!(
            "{label:<42} p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
            percentile(&d, 0.5),
            percentile(&d, 0.99),
            d.last().copied().unwrap_or_default()
        );
    }
}
