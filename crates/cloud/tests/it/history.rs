//! `GET /v1/history`: a period's messages of the workspace, oldest first, page by page, for
//! supervisors and admins; refusals say why.

use crate::common;

use common::Harness;
use reqwest::StatusCode;
use stepup_protocol::Channel;

#[tokio::test]
async fn a_period_page_by_page_oldest_first() {
    let h = Harness::start().await;
    let t0 = h.clock_now();
    for i in 0..7 {
        h.clock.advance_ms(60_000);
        h.inbound(
            &h.ws_a,
            Channel::Telegram,
            &format!("90{}", i % 3),
            &format!("tg.h{i}"),
            &format!("message {i}"),
        )
        .await;
    }
    // Another workspace's message is never in A's history.
    h.inbound(&h.ws_b, Channel::Telegram, "999", "tg.b", "other shop")
        .await;
    let sara = h.token("sara@a.test").await;
    let (from, to) = (t0 + 2 * 60_000, t0 + 7 * 60_000);
    let mut texts = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/v1/history?from={from}&to={to}&limit=2");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let (s, page) = h.get(&sara, &path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        pages += 1;
        for m in page["messages"].as_array().unwrap() {
            texts.push(m["content"]["text"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    // Minutes 2 to 6: messages 1 to 5, in order, in pages of two.
    assert_eq!(
        texts,
        [
            "message 1",
            "message 2",
            "message 3",
            "message 4",
            "message 5"
        ]
    );
    assert_eq!(pages, 3);

    let omar = h.token("omar@a.test").await;
    assert_eq!(
        h.get(&omar, &format!("/v1/history?from={from}")).await.0,
        StatusCode::FORBIDDEN,
        "agents do not read the whole workspace's history"
    );
    for bad in [
        format!("/v1/history?from={to}&to={from}"),
        format!("/v1/history?from={from}&after=nonsense"),
        "/v1/history".to_owned(),
    ] {
        assert_eq!(h.get(&sara, &bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
}
