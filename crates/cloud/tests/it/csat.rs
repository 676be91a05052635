//! Customer satisfaction asked for real: resolving asks the customer on their channel, in their
//! language; their answer (digits in either script, a word) becomes the conversation's rating
//! without reopening it; anything else is a message that reopens it as usual; a closed reply
//! window is not spent on the question.

use crate::common;

use common::Harness;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stepup_protocol::Channel;

async fn resolve(h: &Harness, token: &str, conv: &str) -> Value {
    let (s, v) = h
        .send(
            reqwest::Method::PATCH,
            token,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn conversation(h: &Harness, token: &str, conv: &str) -> Value {
    h.get(token, &format!("/v1/conversations/{conv}")).await.1
}

/// The satisfaction questions sent in a conversation, newest first.
async fn questions(h: &Harness, token: &str, conv: &str) -> Vec<Value> {
    let (_, page) = h
        .get(
            token,
            &format!("/v1/conversations/{conv}/messages?limit=100"),
        )
        .await;
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["origin"] == "bot")
        .cloned()
        .collect()
}

#[tokio::test]
async fn resolving_asks_for_a_rating_and_the_answer_is_kept_without_reopening() {
    let h = Harness::start().await;
    let token = h.token("admin@a.test").await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971501112222",
            "wamid.c1",
            "السلام عليكم، وين طلبي؟",
        )
        .await;
    h.clock.advance_ms(60_000);
    let resolved = resolve(&h, &token, &conv).await;
    assert!(resolved["csat_asked_at"].is_i64(), "{resolved}");
    let asked = questions(&h, &token, &conv).await;
    assert_eq!(asked.len(), 1);
    let question = &asked[0];
    assert_eq!(question["direction"], "outbound");
    assert!(
        question["content"]["text"]
            .as_str()
            .unwrap()
            .contains("كيف تقيّم خدمتنا اليوم؟"),
        "{question}"
    );

    // "٤" in Arabic-Indic digits: a 4, and the conversation stays resolved.
    h.clock.advance_ms(60_000);
    h.inbound(&h.ws_a, Channel::Whatsapp, "971501112222", "wamid.c2", "٤")
        .await;
    let c = conversation(&h, &token, &conv).await;
    assert_eq!(c["csat"], 4);
    assert_eq!(c["status"], "resolved");
    assert!(c["csat_asked_at"].as_i64() > resolved["csat_asked_at"].as_i64());

    // The next message is a message: it reopens the conversation, the rating stays.
    h.inbound(
        &h.ws_a,
        Channel::Whatsapp,
        "971501112222",
        "wamid.c3",
        "4 pieces more please",
    )
    .await;
    let c = conversation(&h, &token, &conv).await;
    assert_eq!(
        (c["status"].as_str(), c["csat"].as_i64()),
        (Some("open"), Some(4))
    );
}

#[tokio::test]
async fn an_answer_that_is_no_rating_is_a_message_and_english_customers_are_asked_in_english() {
    let h = Harness::start().await;
    let token = h.token("admin@a.test").await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Telegram,
            "5550001",
            "tg.1",
            "Where is my order?",
        )
        .await;
    resolve(&h, &token, &conv).await;
    let question = questions(&h, &token, &conv).await[0].clone();
    assert!(
        question["content"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Thank you for contacting us! How would you rate our help today?"),
        "{question}"
    );
    // "9" is not a rating on a 1–5 scale: an ordinary message, the conversation reopens.
    h.clock.advance_ms(60_000);
    h.inbound(&h.ws_a, Channel::Telegram, "5550001", "tg.2", "9")
        .await;
    let c = conversation(&h, &token, &conv).await;
    assert_eq!(
        (c["status"].as_str(), c["csat"].is_null()),
        (Some("open"), true)
    );
    // Resolved again after that message: asked again, and a word answers it.
    h.clock.advance_ms(60_000);
    resolve(&h, &token, &conv).await;
    h.clock.advance_ms(60_000);
    h.inbound(&h.ws_a, Channel::Telegram, "5550001", "tg.3", "ممتاز")
        .await;
    let c = conversation(&h, &token, &conv).await;
    assert_eq!(
        (c["status"].as_str(), c["csat"].as_i64()),
        (Some("resolved"), Some(5))
    );
    // Resolving with nothing new from the customer does not ask twice.
    let (s, _) = h
        .send(
            reqwest::Method::PATCH,
            &token,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(questions(&h, &token, &conv).await.len(), 2);
    resolve(&h, &token, &conv).await;
    assert_eq!(questions(&h, &token, &conv).await.len(), 2);
}

#[tokio::test]
async fn a_closed_reply_window_is_not_spent_on_the_question() {
    let h = Harness::start().await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971503334444",
            "wamid.w1",
            "hello",
        )
        .await;
    h.clock.advance_ms(25 * 3_600_000);
    // (a new sign-in: the access token has expired meanwhile too)
    let token = h.token("admin@a.test").await;
    let resolved = resolve(&h, &token, &conv).await;
    assert!(resolved["csat_asked_at"].is_null());
    assert!(questions(&h, &token, &conv).await.is_empty());
}
