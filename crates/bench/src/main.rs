//! `stepup-bench [ingest|tls|media|assistant|broadcast|routing|relevance|search|catchup|notify|analytics|history|bootstrap|all] [--messages N] [--tls-messages N] [--voice-notes N] [--assisted N] [--broadcast N] [--routed N]
//! [--search-messages N] [--catchup N] [--notify N] [--analytics-messages N] [--history-messages N]`
//!
//! Run it in release mode: `./dev bench` or
//! `cargo run --release -p stepup-bench -- all`.
//!
//! - ingest: the reference cloud on loopback holds N messages (posted through
//!   its real WhatsApp webhook); a new account bootstraps them through the
//!   sync engine into the SQLCipher cache, and, in the same run, through the
//!   same pipeline into a plain (unencrypted) SQLite cache: the baseline.
//!   Also the store alone, applying the same pages already in memory.
//! - tls: a new account bootstraps N messages from the same cloud database served over HTTPS
//!   (a private CA, rustls on both ends) and, as the baseline, over plain HTTP; alternating, 3
//!   rounds each, medians.
//! - media: N WhatsApp voice notes, one at a time, from the signed webhook to playable in the app
//!   (the cloud fetches the file from a loopback stand-in of WhatsApp's media API, the engine
//!   gets the message live, the bytes land in the SQLCipher cache); p50/p99, beside a text
//!   message's webhook to the cache as the baseline.
//! - assistant: suggestions through a stand-in of an OpenAI-compatible model (streamed), p50/p99,
//!   beside the same request straight to the model: the cloud's overhead; and a customer's
//!   message to the AI's reply committed (`--assisted N`).
//! - broadcast: an approved template to N contacts (`--broadcast N`, 10,000) through a stand-in
//!   of the WhatsApp Cloud API: the time to queue it, the send rate beside the configured one,
//!   and the report's accuracy once the provider's statuses came back.
//! - routing: 10 agents signed in, auto-assignment on, N new conversations at 2 a second
//!   through the WhatsApp webhook: webhook → in the assignee's app assigned to them, p50/p99,
//!   beside routing off (webhook → in the first app).
//! - relevance: recall and precision of search on the labelled set
//!   `tests/fixtures/search-relevance.json`, before (the normalized word as a prefix) and after
//!   (light stemming, Arabizi, phrases), by kind of query; the queries still missed.
//! - search: N generated mixed Arabic/English messages in 10k conversations,
//!   in the encrypted cache and in a plain one; p50/p95 of 200 queries, with
//!   and without filters, and of stemmed (a bare word finding its forms with clitics and
//!   endings) and Arabizi queries.
//! - catchup: a cache that was offline while the cloud took N more messages
//!   catches up; the time it takes.
//! - notify: webhook → native notification shown (recorded on the session
//!   bus), p50/p99 over N messages, beside webhook → sync event (`--notify N`).
//! - analytics: the 90-day supervisor dashboard over N generated messages
//!   (agents, AI, bot greetings, timeline events) in 10k conversations,
//!   computed from the SQLCipher cache and, as the baseline, from a plain one.
//! - bootstrap: a workspace of 100,000 conversations and 1,000,000 messages
//!   (`--conversations N --per M`): a new cache's first sign-in, newest first and compressed,
//!   beside the feed as it was; on loopback and on a shaped 10 Mbit/s, 100 ms link
//!   (`--no-shaped` skips it); the time to the first usable inbox and to the complete cache,
//!   bytes on the wire; and the engine beside the store alone on plain SQLite (see
//!   `bootstrap.rs`; `bootstrap serve` / `bootstrap client` for `scripts/slow-link`).
//! - history: N messages over 90 days; a fresh SQLCipher cache of a cloud with the real 30-day
//!   snapshot fetches the older history (`GET /v1/history`) before its 90-day dashboard, beside
//!   the same dashboard on a cache whose snapshot held all 90 days.

#![allow(clippy::print_stdout)]

mod assistant;
mod bootstrap;
mod broadcast;
mod history;
mod media;
// The notification bench records through a D-Bus notification server.
#[cfg(all(unix, not(target_os = "macos")))]
mod notify;
mod relevance;
mod routing;
mod tls;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use stepup_sync::Clock as _;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use stepup_cloud::{Config, RunningServer, Server, config::demo_secrets, webhooks::meta_signature};
use stepup_protocol::{Change, ChangeOp, EntityKind, Role, SyncResponse};
use stepup_store::{DbKey, MemorySecrets, OpenOptions, SearchFilter, Secret, Store};
use stepup_sync::{
    SystemClock,
    account::{Accounts, Session},
    client::CloudClient,
    engine::{Engine, EngineConfig},
};

fn arg(name: &str, default: usize) -> usize {
    stepup_bench::arg(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const EMAIL: &str = "bench@bench.test";
const PASSWORD: &str = "bench-password";

/// The cloud as the benchmarks run it: demo secrets, no compaction, every message in a snapshot.
fn bench_cloud_config() -> Config {
    let mut config = Config::demo();
    config.compaction_interval = None;
    config.snapshot_message_window = Duration::from_secs(365 * 24 * 3600);
    config
}

async fn cloud_with_messages(n: usize) -> RunningServer {
    cloud_with_messages_in(bench_cloud_config(), n).await
}

async fn cloud_with_messages_in(config: Config, n: usize) -> RunningServer {
    let server = Server::start(config).await.expect("the cloud starts");
    bench_workspace(&server).await;
    post_messages(&server, 0, n).await;
    server
}

/// A workspace on a running cloud with the benchmarks' admin (`EMAIL`); its id.
async fn bench_workspace(server: &RunningServer) -> String {
    stepup_bench::fixture::workspace_with_agent(server, "Bench", EMAIL, PASSWORD, Role::Admin)
        .await
        .expect("workspace")
}

/// An engine following its cloud live (caught up, stream open), with its events from before
/// it started; `stop` ends it.
struct Live {
    events: tokio::sync::broadcast::Receiver<stepup_sync::SyncEvent>,
    stop: tokio::sync::oneshot::Sender<()>,
    runner: tokio::task::JoinHandle<()>,
}

impl Live {
    async fn start(engine: &Engine) -> Live {
        let mut events = engine.subscribe();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runner = {
            let engine = engine.clone();
            tokio::spawn(async move {
                engine
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await;
            })
        };
        loop {
            if let stepup_sync::SyncEvent::State(stepup_sync::SyncState::Online { .. }) =
                events.recv().await.expect("events")
            {
                break;
            }
        }
        Live {
            events,
            stop,
            runner,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.runner.await;
    }
}

/// Posts messages `from..from+n` through the real WhatsApp webhook, 8 at a time.
async fn post_messages(server: &RunningServer, from: usize, n: usize) {
    let http = reqwest::Client::new();
    let url = format!("{}/webhooks/whatsapp", server.url());
    let now = stepup_sync::SystemClock.now_ms() / 1000;
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let http = http.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            for i in (from + worker..from + n).step_by(8) {
                let wa = format!("97150{:07}", i % 2000);
                let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "bench", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "971800000", "phone_number_id": "bench"},
                    "contacts": [{"profile": {"name": format!("عميل {} Customer", i % 2000)}, "wa_id": wa}],
                    "messages": [{"from": wa, "id": format!("wamid.bench.{i}"), "timestamp": now.to_string(), "type": "text",
                                  "text": {"body": format!("مرحبا، هل عطر العود متوفر؟ order #{i} 7abibi 3ndi so2al")}}]
                }}]}]}))
                .expect("json");
                let sig = meta_signature(demo_secrets::META_APP_SECRET, &body);
                let resp = http
                    .post(&url)
                    .header("x-hub-signature-256", sig)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("the webhook answers");
                assert!(resp.status().is_success(), "{}", resp.status());
            }
        }));
    }
    for t in tasks {
        t.await.expect("poster");
    }
}

async fn session(server: &RunningServer, dir: &std::path::Path, encrypted: bool) -> Session {
    let accounts = Accounts::new(dir.to_path_buf(), Arc::new(MemorySecrets::default()));
    let password = Secret::new(PASSWORD.to_owned());
    let mut s = accounts
        .sign_in(&server.url(), EMAIL, &password, None)
        .await
        .expect("sign in");
    if !encrypted {
        let plain = dir.join("plain.db");
        let opts = OpenOptions {
            encrypted: false,
            ..OpenOptions::default()
        };
        s.store = Store::open_with(&plain, None, &opts)
            .await
            .expect("plain store");
    }
    s
}

fn bench_config() -> EngineConfig {
    EngineConfig {
        page_size: 2000,
        ..EngineConfig::default()
    }
}

async fn messages_in(store: &Store) -> i64 {
    store
        .counts()
        .await
        .expect("counts")
        .into_iter()
        .find(|(t, _)| t == "messages")
        .map_or(0, |(_, n)| n)
}

async fn ingest(n: usize) {
    println!(
        "\n## ingest: loopback cloud → cache ({n} messages posted through the WhatsApp webhook)"
    );
    let server = cloud_with_messages(n).await;
    let mut rows = Vec::new();
    for encrypted in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(&server, dir.path(), encrypted).await;
        let engine = Engine::new(&s, Arc::new(SystemClock), bench_config());
        let started = Instant::now();
        let changes = engine.catch_up().await.expect("bootstrap");
        let t = started.elapsed().as_secs_f64();
        let msgs = messages_in(&s.store).await;
        rows.push((encrypted, msgs, changes, t));
        s.store.close().await;
    }
    let (_, _, _, plain_t) = rows[0];
    for (encrypted, msgs, changes, t) in &rows {
        println!(
            "{:<22} {msgs} messages ({changes} changes) in {t:.2} s = {:.0} messages/s{}",
            if *encrypted {
                "end to end, SQLCipher"
            } else {
                "end to end, plain"
            },
            *msgs as f64 / t,
            if *encrypted {
                format!("  ({:.2}× plain)", plain_t / t)
            } else {
                String::new()
            }
        );
    }

    // The store alone: the same pages, already fetched, applied in one run each.
    let dir = tempfile::tempdir().expect("tempdir");
    let s = session(&server, dir.path(), true).await;
    let pages = fetch_all(&s.client).await;
    let total: usize = pages.iter().map(|p| p.changes.len()).sum();
    let mut times = Vec::new();
    for encrypted in [false, true] {
        let d = tempfile::tempdir().expect("tempdir");
        let opts = OpenOptions {
            encrypted,
            ..OpenOptions::default()
        };
        let store = Store::open_with(
            &d.path().join("c.db"),
            Some(&DbKey::from_bytes([7; 32])),
            &opts,
        )
        .await
        .expect("open");
        let started = Instant::now();
        for (i, p) in pages.iter().enumerate() {
            store
                .apply_page(&p.changes, &p.next_cursor, i + 1 == pages.len())
                .await
                .expect("apply");
        }
        let t = started.elapsed().as_secs_f64();
        let msgs = messages_in(&store).await;
        times.push(t);
        println!(
            "{:<22} {msgs} messages ({total} changes) in {t:.2} s = {:.0} messages/s{}",
            if encrypted {
                "store only, SQLCipher"
            } else {
                "store only, plain"
            },
            msgs as f64 / t,
            if encrypted {
                format!("  ({:.2}× plain)", times[0] / t)
            } else {
                String::new()
            }
        );
        store.close().await;
    }
    server.shutdown().await;
}

async fn fetch_all(client: &CloudClient) -> Vec<SyncResponse> {
    let mut cursor = "0".to_owned();
    let mut pages = Vec::new();
    loop {
        let p = client.sync(&cursor, 2000).await.expect("page");
        cursor = p.next_cursor.clone();
        let more = p.has_more;
        pages.push(p);
        if !more {
            return pages;
        }
    }
}

const AR_WORDS: [&str; 24] = [
    "مرحبا",
    "عطر",
    "العود",
    "الطلب",
    "التوصيل",
    "دبي",
    "الرياض",
    "هاتف",
    "سماعة",
    "شاحن",
    "السعر",
    "خصم",
    "متوفر",
    "الفاتورة",
    "استرجاع",
    "ضمان",
    "اللون",
    "الأسود",
    "الذهبي",
    "المقاس",
    "شكرا",
    "متى",
    "يوصل",
    "عندكم",
];
const EN_WORDS: [&str; 24] = [
    "hello",
    "iphone",
    "charger",
    "perfume",
    "oud",
    "delivery",
    "order",
    "price",
    "discount",
    "available",
    "invoice",
    "refund",
    "warranty",
    "black",
    "gold",
    "size",
    "thanks",
    "when",
    "arrive",
    "samsung",
    "headphones",
    "case",
    "tracking",
    "dubai",
];
const CHANNELS: [&str; 6] = [
    "whatsapp",
    "messenger",
    "instagram",
    "telegram",
    "tiktok",
    "webchat",
];
const STATUSES: [&str; 3] = ["open", "pending", "resolved"];

fn sentence(rng: &mut StdRng) -> String {
    let n = rng.random_range(4..14);
    let mut words = Vec::with_capacity(n);
    for _ in 0..n {
        let w = if rng.random_bool(0.6) {
            AR_WORDS[rng.random_range(0..AR_WORDS.len())]
        } else {
            EN_WORDS[rng.random_range(0..EN_WORDS.len())]
        };
        words.push(w.to_owned());
    }
    if rng.random_bool(0.3) {
        words.push(format!("#{}", rng.random_range(1000..99999)));
    }
    words.join(" ")
}

/// Fills a store with `n` generated messages in 10k conversations.
async fn fill(store: &Store, n: usize) {
    let mut rng = StdRng::seed_from_u64(42);
    let conversations = 10_000usize;
    let t0: i64 = 1_760_000_000_000;
    let mut seq = 0u64;
    let mut page = Vec::with_capacity(5000);

    for c in 0..conversations {
        seq += 1;
        page.push(Change {
            seq,
            at: 0,
            entity: EntityKind::Conversation,
            id: format!("cnv_{c}"),
            op: ChangeOp::Upsert,
            data: Some(typed(EntityKind::Conversation, json!({
                "id": format!("cnv_{c}"), "contact_id": format!("ctc_{c}"), "channel": CHANNELS[c % 6],
                "status": STATUSES[c % 3], "assignee_agent_id": if c % 4 == 0 { None } else { Some(format!("agt_{}", c % 7)) },
                "labels": if c % 5 == 0 { vec!["vip"] } else { vec![] }, "priority": "normal",
                "created_at": t0, "last_message_at": t0 + c as i64, "unread_count": 0,
                "reply_window": { "free_text_until": null, "templates_allowed": false }
            }))),
        });
    }
    let (p, s) = (std::mem::take(&mut page), seq);
    store
        .apply_page(&p, &s.to_string(), false)
        .await
        .expect("apply");
    for i in 0..n {
        seq += 1;
        let c = rng.random_range(0..conversations);
        page.push(Change {
            seq,
            at: 0,
            entity: EntityKind::Message,
            id: format!("msg_{i}"),
            op: ChangeOp::Upsert,
            data: Some(typed(
                EntityKind::Message,
                json!({
                    "id": format!("msg_{i}"), "conversation_id": format!("cnv_{c}"),
                    "direction": if i % 3 == 0 { "outbound" } else { "inbound" },
                    "content": { "type": "text", "text": sentence(&mut rng) }, "status": "received",
                    "created_at": t0 + (i as i64) * 7_000
                }),
            )),
        });
        if page.len() == 5000 {
            let (p, s) = (std::mem::take(&mut page), seq);
            store
                .apply_page(&p, &s.to_string(), false)
                .await
                .expect("apply");
        }
    }
    let (p, s) = (std::mem::take(&mut page), seq);
    store
        .apply_page(&p, &s.to_string(), true)
        .await
        .expect("apply");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn search(n: usize) {
    println!(
        "\n## search: {n} generated mixed Arabic/English messages, 10k conversations, 200 queries each"
    );
    let mut rng = StdRng::seed_from_u64(7);
    let queries: Vec<String> = (0..200)
        .map(|i| match i % 5 {
            0 => AR_WORDS[rng.random_range(0..AR_WORDS.len())].to_owned(),
            // Harakat and another alef form than the text.
            1 => "مَرْحَبًا إسترجاع".to_owned(),
            2 => format!(
                "{} {}",
                EN_WORDS[rng.random_range(0..EN_WORDS.len())],
                AR_WORDS[rng.random_range(0..AR_WORDS.len())]
            ),
            3 => EN_WORDS[rng.random_range(0..EN_WORDS.len())][..3].to_owned(),
            _ => format!(
                "{} {}",
                AR_WORDS[rng.random_range(0..AR_WORDS.len())],
                AR_WORDS[rng.random_range(0..AR_WORDS.len())]
            ),
        })
        .collect();
    // Bare words whose corpus forms carry the article, and words with clitics and endings.
    let stemmed: Vec<String> = [
        "طلب",
        "توصيل",
        "عود",
        "فاتوره",
        "سعر",
        "مقاس",
        "لون",
        "اسود",
        "ذهبي",
        "وطلبي",
        "بالتوصيل",
        "طلبات",
        "والسعر",
        "للمقاس",
    ]
    .iter()
    .cycle()
    .take(200)
    .map(|s| (*s).to_owned())
    .collect();
    // Arabizi spellings of the corpus's Arabic words.
    let arabizi: Vec<String> = [
        "mar7aba", "marhaba", "6alab", "el6alab", "tawseel", "shukran", "3u6r", "dubai", "riyadh",
        "hatif", "mata", "3indkom", "5asm", "mgas", "damaan", "ista3'",
    ]
    .iter()
    .cycle()
    .take(200)
    .map(|s| (*s).to_owned())
    .collect();
    let filters = [
        (
            "no filter",
            SearchFilter {
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "channel + status",
            SearchFilter {
                channel: Some(stepup_protocol::Channel::Whatsapp),
                status: Some(stepup_protocol::ConversationStatus::Open),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "label",
            SearchFilter {
                label: Some("vip".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "last 30 days",
            SearchFilter {
                from: Some(1_760_000_000_000 + (n as i64) * 7_000 - 30 * 86_400_000),
                limit: 50,
                ..Default::default()
            },
        ),
    ];
    for encrypted in [false, true] {
        let d = tempfile::tempdir().expect("tempdir");
        let opts = OpenOptions {
            encrypted,
            ..OpenOptions::default()
        };
        let store = Store::open_with(
            &d.path().join("c.db"),
            Some(&DbKey::from_bytes([9; 32])),
            &opts,
        )
        .await
        .expect("open");
        let started = Instant::now();
        fill(&store, n).await;
        println!(
            "{}: filled in {:.1} s ({:.0} messages/s)",
            if encrypted { "SQLCipher" } else { "plain" },
            started.elapsed().as_secs_f64(),
            n as f64 / started.elapsed().as_secs_f64()
        );
        let channel_status = filters[1].1.clone();
        let runs = filters
            .iter()
            .map(|(label, filter)| (*label, filter, &queries))
            .chain([
                ("stemmed", &filters[0].1, &stemmed),
                ("stemmed, filtered", &channel_status, &stemmed),
                ("arabizi", &filters[0].1, &arabizi),
                ("arabizi, filtered", &channel_status, &arabizi),
            ]);
        for (label, filter, queries) in runs {
            let mut times = Vec::new();
            let mut hits = 0;
            for q in queries {
                let t = Instant::now();
                hits += store.search(q, filter).await.expect("search").len();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "  {:<10} {label:<18} p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms  ({} hits)",
                if encrypted { "SQLCipher" } else { "plain" },
                percentile(&times, 0.5),
                percentile(&times, 0.95),
                times.last().copied().unwrap_or_default(),
                hits
            );
        }
        store.close().await;
    }
}

async fn catchup(n: usize) {
    println!("\n## catch-up: a cache offline while the cloud took {n} new messages");
    let server = cloud_with_messages(1000).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = session(&server, dir.path(), true).await;
    let engine = Engine::new(&s, Arc::new(SystemClock), bench_config());
    engine.catch_up().await.expect("bootstrap");
    let before = s.store.sync_cursor().await.expect("cursor").cursor;
    post_messages(&server, 1000, n).await;
    let started = Instant::now();
    let changes = engine.catch_up().await.expect("catch up");
    let t = started.elapsed().as_secs_f64();
    println!(
        "catching up {changes} changes (cursor {before} → {}) took {t:.2} s",
        s.store.sync_cursor().await.expect("cursor").cursor
    );
    server.shutdown().await;
}

/// Fills a store with `n` messages in 10k conversations spread over 90 days before `now`,
/// with the mix the dashboard reads: customers, agents, the AI, bot greetings, events.
async fn fill_analytics(store: &Store, n: usize, now: i64) {
    let mut rng = StdRng::seed_from_u64(90);
    let conversations = 10_000usize;
    let day = 86_400_000i64;
    let seq = std::cell::Cell::new(0u64);
    let mut page = Vec::with_capacity(5000);
    let push = |page: &mut Vec<Change>, entity, id: String, data| {
        seq.set(seq.get() + 1);
        page.push(Change {
            seq: seq.get(),
            at: 0,
            entity,
            id,
            op: ChangeOp::Upsert,
            data: Some(typed(entity, data)),
        });
    };
    push(
        &mut page,
        EntityKind::Workspace,
        "ws_bench".into(),
        json!({"id": "ws_bench", "name": "Bench", "time_zone": "Asia/Dubai"}),
    );
    for a in 0..12 {
        push(
            &mut page,
            EntityKind::Agent,
            format!("agt_{a}"),
            json!({"id": format!("agt_{a}"), "workspace_id": "ws_bench", "name": format!("وكيل Agent {a}"),
                   "email": format!("a{a}@bench.test"), "role": "agent", "team_ids": [format!("team_{}", a % 2)], "presence": "online"}),
        );
    }
    let per = n / conversations;
    let mut starts = Vec::with_capacity(conversations);
    for c in 0..conversations {
        let start = now - rng.random_range(day..90 * day);
        let resolved = rng.random_bool(0.7);
        let span = (per as i64) * 10 * 60_000;
        starts.push(start);
        push(
            &mut page,
            EntityKind::Conversation,
            format!("cnv_{c}"),
            json!({
                "id": format!("cnv_{c}"), "contact_id": format!("ctc_{c}"), "channel": CHANNELS[c % 6],
                "status": if resolved { "resolved" } else { "open" },
                "assignee_agent_id": format!("agt_{}", c % 12), "assignee_team_id": format!("team_{}", c % 2),
                "labels": if c % 5 == 0 { vec!["vip"] } else { vec![] }, "priority": "normal",
                "created_at": start, "last_message_at": start + span, "unread_count": 0,
                "resolved_at": if resolved { Some(start + span + 3_600_000) } else { None },
                "csat": if resolved && c % 3 == 0 { Some(1 + (c % 5)) } else { None },
                "reply_window": { "free_text_until": null, "templates_allowed": false }
            }),
        );
    }
    let (p, s) = (std::mem::take(&mut page), seq.get());
    store
        .apply_page(&p, &s.to_string(), false)
        .await
        .expect("apply");
    for i in 0..n {
        let c = i % conversations;
        let k = i / conversations;
        let at = starts[c] + (k as i64) * 10 * 60_000 + rng.random_range(0..60_000);
        let (direction, origin, sender, content) = match (k % 2, rng.random_range(0..20)) {
            (0, _) => (
                "inbound",
                "human",
                None,
                json!({"type": "text", "text": sentence(&mut rng)}),
            ),
            (_, 0) => (
                "outbound",
                "system",
                None,
                json!({"type": "event", "event": {"kind": "assigned"}}),
            ),
            (_, 1) => (
                "outbound",
                "bot",
                None,
                json!({"type": "text", "text": "Welcome!"}),
            ),
            (_, 2 | 3) => (
                "outbound",
                "ai",
                None,
                json!({"type": "text", "text": sentence(&mut rng)}),
            ),
            _ => (
                "outbound",
                "human",
                Some(format!("agt_{}", c % 12)),
                json!({"type": "text", "text": sentence(&mut rng)}),
            ),
        };
        push(
            &mut page,
            EntityKind::Message,
            format!("msg_{i}"),
            json!({"id": format!("msg_{i}"), "conversation_id": format!("cnv_{c}"), "direction": direction,
                   "origin": origin, "sender_agent_id": sender, "content": content,
                   "status": "received", "created_at": at}),
        );
        if page.len() == 5000 {
            let (p, s) = (std::mem::take(&mut page), seq.get());
            store
                .apply_page(&p, &s.to_string(), false)
                .await
                .expect("apply");
        }
    }
    let (p, s) = (std::mem::take(&mut page), seq.get());
    store
        .apply_page(&p, &s.to_string(), true)
        .await
        .expect("apply");
}

async fn analytics(n: usize) {
    println!(
        "\n## analytics: the 90-day dashboard over {n} messages in 10k conversations, 10 runs each"
    );
    let now = stepup_sync::SystemClock.now_ms();
    let query = stepup_analytics::Query {
        range: stepup_analytics::Range::Last90,
        ..Default::default()
    };
    for encrypted in [false, true] {
        let d = tempfile::tempdir().expect("tempdir");
        let opts = OpenOptions {
            encrypted,
            ..OpenOptions::default()
        };
        let path = d.path().join("c.db");
        let key = DbKey::from_bytes([9; 32]);
        let store = Store::open_with(&path, Some(&key), &opts)
            .await
            .expect("open");
        let started = Instant::now();
        fill_analytics(&store, n, now).await;
        let fill = started.elapsed().as_secs_f64();
        // Measure on a freshly opened cache, as the app does after a start.
        store.close().await;
        let store = Store::open_with(&path, Some(&key), &opts)
            .await
            .expect("open");
        let mut times = Vec::new();
        let mut figures = 0.0;
        for _ in 0..10 {
            let t = Instant::now();
            let dash = stepup_analytics::dashboard(&store, &query, now)
                .await
                .expect("dashboard");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            figures = dash
                .figure("messages_in")
                .and_then(|f| f.value)
                .unwrap_or_default()
                + dash
                    .figure("messages_out")
                    .and_then(|f| f.value)
                    .unwrap_or_default();
        }
        // Of which reading the cache (the SQL and the packed timelines), once.
        let scope = stepup_store::analytics::AnalyticsScope {
            active_since: now - 92 * 86_400_000,
            created_before: now + 86_400_000,
            entries_since: now - 92 * 86_400_000,
            ..Default::default()
        };
        let t = Instant::now();
        let read = store.analytics_data(&scope).await.expect("read");
        let reading = t.elapsed().as_secs_f64() * 1000.0;
        drop(read);
        let first = times[0];
        times.sort_by(f64::total_cmp);
        println!(
            "  {:<10} first {:>6.1} ms  p50 {:>6.1} ms  max {:>6.1} ms  (reading the cache {reading:.0} ms; {figures:.0} messages counted; filled in {fill:.1} s)",
            if encrypted { "SQLCipher" } else { "plain" },
            first,
            percentile(&times, 0.5),
            times.last().copied().unwrap_or_default(),
        );
        store.close().await;
    }
}

#[tokio::main]
async fn main() {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    println!(
        "stepup-bench ({what}); release build: {}",
        !cfg!(debug_assertions)
    );
    if what == "ingest" || what == "all" {
        ingest(arg("--messages", 20_000)).await;
    }
    if what == "tls" || what == "all" {
        tls::tls(arg("--tls-messages", 20_000)).await;
    }
    if what == "media" || what == "all" {
        media::media(arg("--voice-notes", 100)).await;
    }
    if what == "assistant" || what == "all" {
        assistant::assistant(arg("--assisted", 200)).await;
    }
    if what == "broadcast" || what == "all" {
        broadcast::broadcast(arg("--broadcast", 10_000)).await;
    }
    if what == "routing" || what == "all" {
        routing::routing(arg("--routed", 60)).await;
    }
    if what == "relevance" || what == "search" || what == "all" {
        relevance::relevance().await;
    }
    if what == "search" || what == "all" {
        search(arg("--search-messages", 1_000_000)).await;
    }
    if what == "catchup" || what == "all" {
        catchup(arg("--catchup", 10_000)).await;
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    if what == "notify" || what == "all" {
        notify::notify(arg("--notify", 200)).await;
    }
    if what == "analytics" || what == "all" {
        analytics(arg("--analytics-messages", 1_000_000)).await;
    }
    if what == "history" || what == "all" {
        history::history(arg("--history-messages", 100_000)).await;
    }
    if what == "bootstrap" || what == "all" {
        let (conversations, per) = bootstrap::sizes();
        match std::env::args().nth(2).as_deref() {
            Some("serve") => bootstrap::serve(conversations, per).await,
            Some("client") => bootstrap::client(conversations).await,
            _ => {
                let shaped = !std::env::args().any(|a| a == "--no-shaped");
                bootstrap::bootstrap(conversations, per, shaped).await;
            }
        }
    }
}

/// An entity written as its JSON, read into its type as a feed page is.
fn typed(kind: EntityKind, data: serde_json::Value) -> stepup_protocol::Entity {
    stepup_protocol::Entity::deserialize_kind(kind, data).expect("a well-formed entity")
}
