//! The assistant through a stand-in of an OpenAI-compatible model on loopback (the
//! chat-completions API's real format, streamed).
//!
//! - Suggestions for an agent (`GET /v1/conversations/{id}/suggestions`), p50/p99, beside the
//!   same chat-completions request sent straight to the stand-in (the model's own time): the
//!   difference is the cloud's overhead (the agent's token, reading the conversation and the
//!   knowledge, writing the prompt, recording the call).
//! - An AI reply: a customer's message committed → the assistant's reply committed, p50/p99.
//!
//! Each with a model that streams at once, and with one that waits 20 ms between pieces (a
//! small local model's pace).

use std::time::{Duration, Instant};

use serde_json::json;
use stepup_cloud::ingest::{Inbound, Outcome, ingest};
use stepup_cloud::llm::{self, ChatMessage, Endpoint};
use stepup_cloud::model_standin::StandIn;
use stepup_cloud::{RunningServer, Server};
use stepup_protocol::{Channel, EntityKind, Message, Origin};

use crate::{EMAIL, PASSWORD, bench_cloud_config, bench_workspace};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

const QUESTIONS: [&str; 4] = [
    "كم مدة التوصيل داخل دبي؟",
    "هل عطر العود متوفر في فرع مردف؟",
    "What are your opening hours on Friday?",
    "Do you accept returns of perfume?",
];

const CANNED: [(&str, &str, &str); 6] = [
    (
        "ar",
        "مدة التوصيل",
        "التوصيل داخل دبي خلال يوم عمل واحد، ومجاني للطلبات فوق ٢٠٠ درهم.",
    ),
    (
        "ar",
        "توفر العطور",
        "عطر العود متوفر في جميع فروعنا، ومنها فرع مردف سيتي سنتر.",
    ),
    (
        "ar",
        "ساعات العمل",
        "نفتح يومياً من ١٠ صباحاً حتى ١٠ مساءً، والجمعة من ٢ ظهراً.",
    ),
    (
        "en",
        "Opening hours",
        "We open daily 10:00–22:00, and on Friday from 14:00.",
    ),
    (
        "en",
        "Returns",
        "Returns are accepted within 14 days with the receipt, unopened only.",
    ),
    (
        "en",
        "Delivery",
        "Delivery within Dubai takes one working day, free over 200 AED.",
    ),
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

struct Bed {
    server: RunningServer,
    model: StandIn,
    ws: String,
    token: String,
    http: reqwest::Client,
}

async fn bed(gap: Duration) -> Bed {
    let model = StandIn::start(None).await.expect("the stand-in starts");
    model.set_gap(gap);
    let mut config = bench_cloud_config();
    config.server_key = Some(stepup_cloud::vault::ServerKey::from_hex(KEY).expect("key"));
    config.model_allow_private_hosts = true;
    let server = Server::start(config).await.expect("the cloud starts");
    let ws = bench_workspace(&server).await;
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    let token = login["access_token"].as_str().expect("token").to_owned();
    for (i, (lang, title, body)) in CANNED.iter().enumerate() {
        let r = http
            .post(format!("{}/v1/canned-responses", server.url()))
            .bearer_auth(&token)
            .json(&json!({"shortcut": format!("c{i}"), "language": lang, "title": title, "body": body}))
            .send()
            .await
            .expect("canned");
        assert!(r.status().is_success(), "{}", r.status());
    }
    Bed {
        server,
        model,
        ws,
        token,
        http,
    }
}

impl Bed {
    async fn settings(&self, auto_reply: bool) {
        let r = self
            .http
            .put(format!("{}/v1/assistant", self.server.url()))
            .bearer_auth(&self.token)
            .json(&json!({
                "model_text_allowed": true,
                "base_url": self.model.base_url,
                "model": "gulf-assist-7b",
                "auto_reply_channels": if auto_reply { vec!["whatsapp"] } else { vec![] },
            }))
            .send()
            .await
            .expect("settings");
        assert!(r.status().is_success(), "{}", r.status());
    }

    async fn customer(&self, i: usize) -> String {
        let out = ingest(
            &self.server.state,
            &self.ws,
            Inbound::text(
                Channel::Whatsapp,
                &format!("97156{i:07}"),
                &format!("wamid.assist.{i}"),
                QUESTIONS[i % QUESTIONS.len()],
                self.server.state.now(),
            ),
        )
        .await
        .expect("ingest");
        match out {
            Outcome::Created {
                conversation_id, ..
            } => conversation_id,
            other => panic!("{other:?}"),
        }
    }
}

/// One run with a model that waits `gap` between streamed pieces: (suggestions, straight to
/// the model, AI reply) latencies in ms.
async fn run(n: usize, gap: Duration) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let b = bed(gap).await;
    b.settings(false).await;
    let convs: Vec<String> = customers(&b, 40).await;
    // Suggestions, through the cloud.
    let mut suggestions = Vec::with_capacity(n);
    for i in 0..n {
        let conv = &convs[i % convs.len()];
        let started = Instant::now();
        let r = b
            .http
            .get(format!(
                "{}/v1/conversations/{conv}/suggestions",
                b.server.url()
            ))
            .bearer_auth(&b.token)
            .send()
            .await
            .expect("suggestions");
        let v: serde_json::Value = r.json().await.expect("json");
        suggestions.push(started.elapsed().as_secs_f64() * 1000.0);
        if v["model"] != "gulf-assist-7b" {
            let log: serde_json::Value = b
                .http
                .get(format!("{}/v1/assistant/log?limit=3", b.server.url()))
                .bearer_auth(&b.token)
                .send()
                .await
                .expect("log")
                .json()
                .await
                .expect("json");
            panic!("{i}: {v}\n{log}\n{:?}", b.model.requests().last());
        }
    }
    // The same requests, straight to the model.
    let asked = b.model.requests();
    let endpoint = Endpoint {
        base_url: b.model.base_url.clone(),
        model: "gulf-assist-7b".into(),
        api_key: None,
    };
    let direct_http = reqwest::Client::new();
    let mut direct = Vec::with_capacity(n);
    for req in asked.iter().take(n) {
        let messages: Vec<ChatMessage> =
            serde_json::from_value(req["messages"].clone()).expect("messages");
        let started = Instant::now();
        let answer = llm::complete(&direct_http, &endpoint, &messages, llm::Limits::default())
            .await
            .expect("the model answers");
        direct.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(!answer.is_empty());
    }
    // AI replies: the customer's message committed → the reply committed.
    b.settings(true).await;
    let mut feed = b.server.state.feed_sender(&b.ws).subscribe();
    let mut replies = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        let conv = b.customer(10_000 + i).await;
        loop {
            let c = feed.recv().await.expect("feed");
            if c.entity == EntityKind::Message
                && let Some(m) = c.get::<Message>().cloned()
                && m.conversation_id == conv
                && m.origin == Origin::Ai
            {
                break;
            }
        }
        replies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    b.server.shutdown().await;
    (suggestions, direct, replies)
}

/// `n` customers' conversations, one after another.
async fn customers(b: &Bed, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(b.customer(i).await);
    }
    out
}

pub async fn assistant(n: usize) {
    println!("\n== assistant: suggestions and AI replies through a stand-in model ({n} each) ==");
    println!(
        "{:<34} {:>10} {:>10}",
        "model pace / path", "p50 ms", "p99 ms"
    );
    for (label, gap) in [
        ("at once", Duration::ZERO),
        ("20 ms between pieces", Duration::from_millis(20)),
    ] {
        let (s, d, r) = run(n, gap).await;
        let (s50, s99) = summary(s);
        let (d50, d99) = summary(d);
        let (r50, r99) = summary(r);
        println!(
            "{:<34} {:>10.1} {:>10.1}",
            format!("{label}: model alone"),
            d50,
            d99
        );
        println!(
            "{:<34} {:>10.1} {:>10.1}",
            format!("{label}: suggestions"),
            s50,
            s99
        );
        println!(
            "{:<34} {:>10.1} {:>10.1}",
            format!("{label}: cloud overhead"),
            s50 - d50,
            s99 - d99
        );
        println!(
            "{:<34} {:>10.1} {:>10.1}",
            format!("{label}: AI reply"),
            r50,
            r99
        );
    }
}
