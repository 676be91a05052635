//! The assistant against a stand-in of an OpenAI-compatible model on loopback (its real wire
//! format, streamed) and the WhatsApp Cloud API's stand-in: answers from the knowledge, hands
//! off, survives a failing model, sends nothing to a model when the workspace says no, and
//! writes suggestions and summaries.

use crate::common;

use std::time::Duration;

use common::Harness;
use common::recorder::{Recorder, start_recorder};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::model_standin::{Behaviour, StandIn};
use stepup_cloud::vault::ServerKey;
use stepup_protocol::{Change, Channel, Conversation, EntityKind, Message, Origin};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const DELIVERY: &str = "التوصيل داخل دبي خلال يوم عمل واحد، ومجاني للطلبات فوق ٢٠٠ درهم.";
const HANDOFF_AR: &str = "شكراً لك. سأحوّل رسالتك إلى أحد أعضاء فريقنا، وسيرد عليك هنا قريباً.";
const HANDOFF_EN: &str =
    "Thank you. I'm passing your message to a member of our team, who will reply here shortly.";

struct Bed {
    h: Harness,
    model: StandIn,
    wa: Recorder,
    admin: String,
}

async fn bed(tweak: impl FnOnce(&mut stepup_cloud::Config)) -> Bed {
    let model = StandIn::start(Some("sk-test-123")).await.unwrap();
    let (url, wa) = start_recorder().await;
    let h = Harness::start_with(|c| {
        c.outbound = stepup_cloud::OutboundConfig::all_at(&url);
        c.server_key = Some(ServerKey::from_hex(KEY).unwrap());
        c.model_allow_private_hosts = true;
        tweak(c);
    })
    .await;
    let admin = h.token("admin@a.test").await;
    let (s, v) = h
        .post(
            &admin,
            "/v1/canned-responses",
            json!({"shortcut": "delivery", "language": "ar", "title": "مدة التوصيل", "body": DELIVERY}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = h
        .post(
            &admin,
            "/v1/assistant/documents",
            json!({"title": "Returns", "text": "Opening hours: every day from 10:00 to 22:00.\n\nReturns are accepted within 14 days with the receipt, unopened perfume only."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    Bed {
        h,
        model,
        wa,
        admin,
    }
}

impl Bed {
    async fn configure(&self, allowed: bool) -> Value {
        let (s, v) = self
            .h
            .send(
                Method::PUT,
                &self.admin,
                "/v1/assistant",
                json!({
                    "model_text_allowed": allowed,
                    "base_url": self.model.base_url,
                    "model": "gulf-assist-7b",
                    "api_key": "sk-test-123",
                    "auto_reply_channels": ["whatsapp", "instagram"],
                    "handoff_keywords": ["استرجاع", "refund"]
                }),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Scripts the WhatsApp stand-in to accept `n` sends.
    fn accept_sends(&self, n: usize) {
        let mut script = self.wa.script.lock().unwrap();
        for i in 0..n {
            script.push_back((
                200,
                json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.out{i}.{}", rand_id())}]}),
            ));
        }
    }

    async fn messages(&self, conv: &str) -> Vec<Message> {
        let (s, v) = self
            .h
            .get(
                &self.admin,
                &format!("/v1/conversations/{conv}/messages?limit=100"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        serde_json::from_value(v["messages"].clone()).unwrap()
    }

    async fn conversation(&self, conv: &str) -> Conversation {
        let (s, v) = self
            .h
            .get(&self.admin, &format!("/v1/conversations/{conv}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        serde_json::from_value(v).unwrap()
    }

    async fn log(&self) -> Vec<Value> {
        let (s, v) = self.h.get(&self.admin, "/v1/assistant/log").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["entries"].as_array().unwrap().clone()
    }
}

fn rand_id() -> u64 {
    rand::random()
}

/// Waits on the workspace's feed until a conversation's assistant state is settled: a reply sent
/// or a hand-off.
async fn ai_settles(
    rx: &mut tokio::sync::broadcast::Receiver<Change>,
    conv: &str,
    replies: u32,
) -> Conversation {
    loop {
        let c = tokio::time::timeout(Duration::from_secs(15), rx.recv())
            .await
            .expect("the assistant did not settle within 15 s")
            .unwrap();
        if c.entity == EntityKind::Conversation && c.id == conv {
            let conv: Conversation = c.get().cloned().unwrap();
            if let Some(ai) = &conv.ai
                && (ai.replies >= replies || ai.state == stepup_protocol::AiState::HandedOff)
            {
                return conv;
            }
        }
    }
}

fn texts_of(ms: &[Message], origin: Origin) -> Vec<String> {
    ms.iter()
        .filter(|m| m.origin == origin)
        .filter_map(|m| m.content.text().map(str::to_owned))
        .collect()
}

fn events_of(ms: &[Message]) -> Vec<(String, Option<String>)> {
    ms.iter()
        .filter_map(|m| match &m.content {
            stepup_protocol::MessageContent::Event { event } => Some((
                serde_json::to_value(event.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
                event.reason.map(|r| r.as_str().to_owned()),
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_assistant_answers_from_the_knowledge_and_hands_off_when_the_customer_asks() {
    let b = bed(|_| {}).await;
    let s = b.configure(true).await;
    assert_eq!(s["api_key_set"], true);
    assert!(s.get("api_key").is_none(), "the key never comes back: {s}");
    b.accept_sends(2);
    let mut rx = b.h.server.state.feed_sender(&b.h.ws_a).subscribe();
    let conv =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971501110001",
            "wamid.a1",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    let c = ai_settles(&mut rx, &conv, 1).await;
    assert_eq!(
        c.ai.as_ref().unwrap().state,
        stepup_protocol::AiState::Answering
    );
    // The model was asked once, with the key, streamed, with the knowledge and the question.
    let reqs = b.model.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req["model"], "gulf-assist-7b");
    assert_eq!(req["stream"], true);
    let system = req["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains(DELIVERY), "{system}");
    assert!(system.contains("Arabic script"), "{system}");
    assert_eq!(req["messages"][1]["role"], "user");
    assert_eq!(req["messages"][1]["content"], "كم مدة التوصيل داخل دبي؟");
    // The reply is stored as the assistant's and went to the customer on WhatsApp.
    let ms = b.messages(&conv).await;
    assert_eq!(texts_of(&ms, Origin::Ai), [DELIVERY]);
    assert_eq!(events_of(&ms), [("ai_answering".to_owned(), None)]);
    b.wa.wait_for(1).await;
    {
        let sent = b.wa.seen.lock().unwrap();
        assert_eq!(sent[0].body["to"], "971501110001");
        assert_eq!(sent[0].body["text"]["body"], DELIVERY);
    }

    // The customer asks for a person, in Gulf Arabic: handed off at once, no model call.
    b.h.clock.advance_ms(60_000);
    b.h.inbound(
        &b.h.ws_a,
        Channel::Whatsapp,
        "971501110001",
        "wamid.a2",
        "أبي أكلم أحد لو سمحت",
    )
    .await;
    let c = ai_settles(&mut rx, &conv, 99).await;
    let ai = c.ai.unwrap();
    assert_eq!(ai.state, stepup_protocol::AiState::HandedOff);
    assert_eq!(ai.reason, Some(stepup_protocol::HandoffReason::Asked));
    assert_eq!(ai.replies, 1);
    let ms = b.messages(&conv).await;
    assert_eq!(
        texts_of(&ms, Origin::Ai),
        [HANDOFF_AR, DELIVERY],
        "newest first"
    );
    assert_eq!(
        events_of(&ms),
        [
            ("handed_off".to_owned(), Some("asked".to_owned())),
            ("ai_answering".to_owned(), None)
        ]
    );
    b.wa.wait_for(2).await;
    assert_eq!(
        b.wa.seen.lock().unwrap()[1].body["text"]["body"],
        HANDOFF_AR
    );

    // Handed off: what the customer writes next waits for a person. A second customer, asked
    // after, is answered: the first one's message made no call in between.
    b.h.clock.advance_ms(60_000);
    b.h.inbound(
        &b.h.ws_a,
        Channel::Whatsapp,
        "971501110001",
        "wamid.a3",
        "ما زلت أنتظر التوصيل",
    )
    .await;
    b.accept_sends(1);
    let other =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971501110002",
            "wamid.b1",
            "What are your opening hours?",
        )
        .await;
    ai_settles(&mut rx, &other, 1).await;
    let reqs = b.model.requests();
    assert_eq!(reqs.len(), 2, "one call per answered question");
    assert_eq!(
        texts_of(&b.messages(&other).await, Origin::Ai),
        ["Opening hours: every day from 10:00 to 22:00."]
    );

    // The record: what was asked and how it ended, never the text.
    let log = b.log().await;
    assert_eq!(log.len(), 2);
    for e in &log {
        assert_eq!(e["purpose"], "reply");
        assert_eq!(e["outcome"], "answered");
        assert_eq!(e["model"], "gulf-assist-7b");
        assert!(e["chars_sent"].as_u64().unwrap() > 50);
        assert_eq!(e["messages_sent"], 1);
    }
    let raw = serde_json::to_string(&log).unwrap();
    assert!(
        !raw.contains("التوصيل") && !raw.contains("opening"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_model_that_fails_hands_the_customer_to_a_person_never_an_error() {
    let b = bed(|c| {
        c.model_limits = stepup_cloud::llm::Limits {
            first_token: Duration::from_millis(800),
            idle: Duration::from_millis(400),
            total: Duration::from_secs(2),
            ..stepup_cloud::llm::Limits::default()
        };
    })
    .await;
    b.configure(true).await;
    let cases = [
        (Behaviour::Stall, "timeout"),
        (Behaviour::Status(500), "failed"),
        (Behaviour::Empty, "invalid"),
        (Behaviour::Answer("{}{}[]!!! ### ???".into()), "invalid"),
        (
            Behaviour::Answer("Sure, it ships tomorrow.".into()),
            "invalid",
        ),
        (
            Behaviour::RateLimited {
                retry_after_secs: 60,
            },
            "rate_limited",
        ),
        (Behaviour::Knowledge, "unsure"),
    ];
    b.accept_sends(cases.len());
    let mut rx = b.h.server.state.feed_sender(&b.h.ws_a).subscribe();
    for (i, (behaviour, _)) in cases.iter().enumerate() {
        b.model.push(behaviour.clone());
        let conv =
            b.h.inbound(
                &b.h.ws_a,
                Channel::Whatsapp,
                &format!("97150222000{i}"),
                &format!("wamid.f{i}"),
                // Arabic with nothing the knowledge holds.
                "هل عندكم سيارات للإيجار؟",
            )
            .await;
        let c = ai_settles(&mut rx, &conv, 1).await;
        let ai = c.ai.unwrap();
        assert_eq!(ai.state, stepup_protocol::AiState::HandedOff, "case {i}");
        assert_eq!(ai.replies, 0, "case {i}");
        let ms = b.messages(&conv).await;
        assert_eq!(texts_of(&ms, Origin::Ai), [HANDOFF_AR], "case {i}");
    }
    let outcomes: Vec<String> = b
        .log()
        .await
        .iter()
        .rev()
        .map(|e| e["outcome"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, o)| *o).collect();
    assert_eq!(outcomes, expected);
}

#[tokio::test]
async fn nothing_reaches_a_model_when_the_workspace_does_not_allow_it() {
    let b = bed(|_| {}).await;
    b.configure(false).await;
    b.accept_sends(3);
    let mut rx = b.h.server.state.feed_sender(&b.h.ws_a).subscribe();
    // The ranker answers from the canned responses alone.
    let conv =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971503330001",
            "wamid.p1",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    ai_settles(&mut rx, &conv, 1).await;
    assert_eq!(texts_of(&b.messages(&conv).await, Origin::Ai), [DELIVERY]);
    // A question the canned responses do not answer goes to a person, in English for English.
    let other =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971503330002",
            "wamid.p2",
            "Do you rent cars?",
        )
        .await;
    let c = ai_settles(&mut rx, &other, 1).await;
    assert_eq!(
        c.ai.unwrap().reason,
        Some(stepup_protocol::HandoffReason::Unsure)
    );
    assert_eq!(
        texts_of(&b.messages(&other).await, Origin::Ai),
        [HANDOFF_EN]
    );
    // Suggestions and summaries are made in the cloud, without the model.
    let (s, v) =
        b.h.get(&b.admin, &format!("/v1/conversations/{conv}/suggestions"))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["model"], "lexical-v1");
    let (s, v) =
        b.h.post(
            &b.admin,
            &format!("/v1/conversations/{conv}/summary"),
            json!({"locale": "en"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ai"], false);
    assert_eq!(v["model"], "extractive-v1");
    assert!(
        v["text"].as_str().unwrap().contains("كم مدة التوصيل"),
        "{v}"
    );
    assert!(b.model.requests().is_empty(), "the model heard nothing");
    assert!(b.log().await.is_empty());
}

#[tokio::test]
async fn suggestions_and_summaries_come_from_the_model_when_allowed() {
    let b = bed(|_| {}).await;
    b.configure(true).await;
    // Only WhatsApp and Instagram are answered by the assistant: a Telegram customer waits
    // for a person, and agents still get the model's help.
    let conv =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Telegram,
            "5550001",
            "tg.1",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    assert!(b.conversation(&conv).await.ai.is_none());
    let agent = b.h.token("omar@a.test").await;
    let (s, v) =
        b.h.get(&agent, &format!("/v1/conversations/{conv}/suggestions"))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["model"], "gulf-assist-7b");
    assert_eq!(v["suggestions"][0]["text"], DELIVERY);
    assert_eq!(v["suggestions"][0]["source"], "model");
    assert_eq!(v["suggestions"][0]["ai_suggestion"], true);
    let (s, v) =
        b.h.post(
            &agent,
            &format!("/v1/conversations/{conv}/summary"),
            json!({"locale": "ar"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ai"], true);
    assert_eq!(v["locale"], "ar");
    assert_eq!(v["messages"], 1);
    assert!(
        v["text"].as_str().unwrap().starts_with("يسأل العميل"),
        "{v}"
    );
    let reqs = b.model.requests();
    assert_eq!(reqs.len(), 2);
    assert!(
        reqs[1]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("in Arabic")
    );
    let purposes: Vec<String> = b
        .log()
        .await
        .iter()
        .map(|e| e["purpose"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(purposes, ["summary", "suggestions"]);
    // A failing model: suggestions fall back to the ranker, the summary to the extractive one.
    b.model.push(Behaviour::Status(503));
    b.model.push(Behaviour::Status(503));
    let (_, v) =
        b.h.get(&agent, &format!("/v1/conversations/{conv}/suggestions"))
            .await;
    assert_eq!(v["model"], "lexical-v1");
    let (_, v) =
        b.h.post(
            &agent,
            &format!("/v1/conversations/{conv}/summary"),
            json!({"locale": "en"}),
        )
        .await;
    assert_eq!(v["model"], "extractive-v1");
}

#[tokio::test]
async fn an_agents_reply_and_the_workspaces_keywords_hand_off() {
    let b = bed(|_| {}).await;
    b.configure(true).await;
    b.accept_sends(4);
    let mut rx = b.h.server.state.feed_sender(&b.h.ws_a).subscribe();
    let conv =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971504440001",
            "wamid.k1",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    ai_settles(&mut rx, &conv, 1).await;
    let agent = b.h.token("omar@a.test").await;
    b.h.clock.advance_ms(60_000);
    let (s, v) =
        b.h.send_text(&agent, &conv, "k-1", "أهلاً، أنا عمر وأتابع طلبك")
            .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let c = b.conversation(&conv).await;
    assert_eq!(
        c.ai.unwrap().reason,
        Some(stepup_protocol::HandoffReason::AgentReplied)
    );
    // An admin's keyword, in a new conversation: handed off without asking the model.
    let other =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971504440002",
            "wamid.k2",
            "Refund for order 5512 please",
        )
        .await;
    let c = b.conversation(&other).await;
    assert_eq!(
        c.ai.unwrap().reason,
        Some(stepup_protocol::HandoffReason::Keyword)
    );
    assert_eq!(b.model.requests().len(), 1);
    // The other workspace has no assistant: its customers are not answered.
    let theirs =
        b.h.inbound(
            &b.h.ws_b,
            Channel::Whatsapp,
            "971504440003",
            "wamid.k3",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    let admin_b = b.h.token("admin@b.test").await;
    let (_, v) =
        b.h.get(&admin_b, &format!("/v1/conversations/{theirs}"))
            .await;
    assert!(v.get("ai").is_none(), "{v}");
    let (_, v) = b.h.get(&admin_b, "/v1/assistant").await;
    assert_eq!(v["auto_reply_channels"], json!([]));
    assert_eq!(v["api_key_set"], false);
}

#[tokio::test]
async fn settings_are_for_admins_and_checked() {
    let b = bed(|_| {}).await;
    let agent = b.h.token("omar@a.test").await;
    let (s, _) = b.h.get(&agent, "/v1/assistant").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = b.h.get(&agent, "/v1/assistant/log").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (body, why) in [
        (json!({"base_url": "http://models.example.com/v1"}), "https"),
        (json!({"base_url": "ftp://127.0.0.1/v1"}), "http or https"),
        (json!({"base_url": "not a url"}), "not a URL"),
        (
            json!({"handoff_keywords": vec!["x"; 51]}),
            "hand-off keywords",
        ),
    ] {
        let (s, v) = b.h.send(Method::PUT, &b.admin, "/v1/assistant", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["message"].as_str().unwrap().contains(why), "{v}");
    }
    let (s, v) =
        b.h.post(
            &b.admin,
            "/v1/assistant/documents",
            json!({"title": "x", "text": "a".repeat(20_001)}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Without a server key, a key cannot be kept.
    let h = Harness::start().await;
    let admin = h.token("admin@a.test").await;
    let (s, v) = h
        .send(
            Method::PUT,
            &admin,
            "/v1/assistant",
            json!({"api_key": "sk-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("STEPUP_CLOUD_KEY"),
        "{v}"
    );
    // The key is sealed at rest: the database never holds it in the clear.
    b.configure(true).await;
    let rows: Vec<String> = sqlx::query_scalar("SELECT value FROM settings")
        .fetch_all(b.h.server.state.pool())
        .await
        .unwrap();
    assert!(rows.iter().all(|r| !r.contains("sk-test-123")));
    // A model on a private address is refused unless the operator allows it.
    let strict = Harness::start_with(|c| {
        c.server_key = Some(ServerKey::from_hex(KEY).unwrap());
    })
    .await;
    let admin = strict.token("admin@a.test").await;
    let (s, _) = strict
        .send(
            Method::PUT,
            &admin,
            "/v1/assistant",
            json!({"model_text_allowed": true, "base_url": b.model.base_url, "model": "m", "auto_reply_channels": ["whatsapp"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let conv = strict
        .inbound(
            &strict.ws_a,
            Channel::Whatsapp,
            "971505550001",
            "wamid.s1",
            "كم مدة التوصيل؟",
        )
        .await;
    let mut rx = strict.server.state.feed_sender(&strict.ws_a).subscribe();
    let c = loop {
        let c: Conversation = serde_json::from_value(
            strict
                .get(&admin, &format!("/v1/conversations/{conv}"))
                .await
                .1,
        )
        .unwrap();
        if c.ai.as_ref().unwrap().state == stepup_protocol::AiState::HandedOff {
            break c;
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), rx.recv())
            .await
            .unwrap();
    };
    assert_eq!(
        c.ai.unwrap().reason,
        Some(stepup_protocol::HandoffReason::ModelFailed)
    );
    assert!(b.model.requests().is_empty());
}

#[tokio::test]
async fn no_answer_goes_out_once_the_reply_window_has_closed() {
    let b = bed(|_| {}).await;
    b.configure(true).await;
    let mut rx = b.h.server.state.feed_sender(&b.h.ws_a).subscribe();
    // The model takes a moment; meanwhile WhatsApp's 24 hours pass.
    b.model.push(Behaviour::Slow(Duration::from_millis(300)));
    let conv =
        b.h.inbound(
            &b.h.ws_a,
            Channel::Whatsapp,
            "971506660001",
            "wamid.w1",
            "كم مدة التوصيل داخل دبي؟",
        )
        .await;
    b.h.clock.advance_ms(25 * 3_600_000);
    let c = ai_settles(&mut rx, &conv, 1).await;
    let ai = c.ai.unwrap();
    assert_eq!(ai.state, stepup_protocol::AiState::HandedOff);
    assert_eq!(
        ai.reason,
        Some(stepup_protocol::HandoffReason::WindowClosed)
    );
    // (A day later: a new token.)
    let admin = b.h.token("admin@a.test").await;
    let (_, page) =
        b.h.get(
            &admin,
            &format!("/v1/conversations/{conv}/messages?limit=100"),
        )
        .await;
    let ms: Vec<Message> = serde_json::from_value(page["messages"].clone()).unwrap();
    assert!(texts_of(&ms, Origin::Ai).is_empty(), "nothing sent");
    assert_eq!(
        events_of(&ms)[0],
        ("handed_off".to_owned(), Some("window_closed".to_owned()))
    );
    assert!(b.wa.seen.lock().unwrap().is_empty());
}
