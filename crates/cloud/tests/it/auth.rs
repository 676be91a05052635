use crate::common;

use common::{Harness, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn login_refresh_expiry_and_logout() {
    let h = Harness::start().await;
    let t = h.login("Omar@A.test").await;
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(t.agent.email, "omar@a.test");
    assert_eq!(t.expires_in, 15 * 60);
    let (s, me) = h.get(&t.access_token, "/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["name"], "Omar");

    // Access token expires with the clock.
    h.clock.advance_ms(15 * 60 * 1000);
    let (s, body) = h.get(&t.access_token, "/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "token_expired");

    // Refresh rotates: the new pair works, the old refresh token does not.
    let r = h
        .http
        .post(h.url("/v1/auth/refresh"))
        .json(&json!({"refresh_token": t.refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let t2: stepup_protocol::TokenResponse = r.json().await.unwrap();
    assert_ne!(t2.access_token, t.access_token);
    assert_eq!(h.get(&t2.access_token, "/v1/me").await.0, StatusCode::OK);
    let refresh = |rt: String| {
        let h = &h;
        async move {
            h.http
                .post(h.url("/v1/auth/refresh"))
                .json(&json!({ "refresh_token": rt }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    // Logout ends the session: access and refresh tokens stop working; other sessions live on.
    let t3 = h.login("omar@a.test").await;
    let out = h
        .http
        .post(h.url("/v1/auth/logout"))
        .bearer_auth(&t3.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&t3.access_token, "/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(t3.refresh_token.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(h.get(&t2.access_token, "/v1/me").await.0, StatusCode::OK);

    // Presenting the rotated refresh token again means it leaked: its whole session ends.
    assert_eq!(
        refresh(t.refresh_token.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.get(&t2.access_token, "/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(t2.refresh_token.clone()).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_with_one_token_all_answer_cleanly() {
    let h = Harness::start().await;
    let t = h.login("omar@a.test").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let http = h.http.clone();
        let url = h.url("/v1/auth/refresh");
        let rt = t.refresh_token.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({ "refresh_token": rt }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    // One rotates; the others replay the token the client holds (nothing newer was used) or
    // lose the race to the same rotation with a plain 401: never a server error.
    assert!(answers.contains(&StatusCode::OK), "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|s| [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(s)),
        "{answers:?}"
    );
}

async fn refresh(h: &Harness, rt: &str) -> (StatusCode, Option<stepup_protocol::TokenResponse>) {
    let r = h
        .http
        .post(h.url("/v1/auth/refresh"))
        .json(&json!({ "refresh_token": rt }))
        .send()
        .await
        .unwrap();
    let s = r.status();
    (
        s,
        if s == StatusCode::OK {
            r.json().await.ok()
        } else {
            None
        },
    )
}

#[tokio::test]
async fn a_client_killed_before_keeping_the_new_token_stays_signed_in() {
    let h = Harness::start().await;
    let t1 = h.login("omar@a.test").await;
    // The cloud rotates; the client dies before keeping t2 and comes back with t1, twice.
    let t2 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    h.clock.advance_ms(5_000);
    let (s, t3) = refresh(&h, &t1.refresh_token).await;
    assert_eq!(s, StatusCode::OK, "the token it still holds is honoured");
    let (s, t4) = refresh(&h, &t1.refresh_token).await;
    assert_eq!(s, StatusCode::OK, "again, while nothing newer was used");
    let (t3, t4) = (t3.unwrap(), t4.unwrap());
    // This time it keeps t4 and uses it: now t1 (or the undelivered t2, t3) means a leak.
    assert_eq!(h.get(&t4.access_token, "/v1/me").await.0, StatusCode::OK);
    assert_eq!(
        refresh(&h, &t1.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.get(&t4.access_token, "/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the replay after use ended the session"
    );
    let _ = (t2, t3);

    // A pair that never reached its client is not a token to replay.
    let t1 = h.login("omar@a.test").await;
    let t2 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    let t3 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    assert_eq!(
        refresh(&h, &t2.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&h, &t3.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Once the new pair was used, the old token is a leak even within the interval.
    let t1 = h.login("omar@a.test").await;
    let t2 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    assert_eq!(h.get(&t2.access_token, "/v1/me").await.0, StatusCode::OK);
    assert_eq!(
        refresh(&h, &t1.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.get(&t2.access_token, "/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );

    // After the interval, the same: the session ends.
    let t1 = h.login("omar@a.test").await;
    let t2 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    h.clock.advance_ms(11 * 60 * 1000);
    assert_eq!(
        refresh(&h, &t1.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&h, &t2.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Not a token the client has moved past: t2 was presented, so t1 is behind it.
    let t1 = h.login("omar@a.test").await;
    let t2 = refresh(&h, &t1.refresh_token).await.1.unwrap();
    let _t3 = refresh(&h, &t2.refresh_token).await.1.unwrap();
    assert_eq!(
        refresh(&h, &t1.refresh_token).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn refresh_token_expires() {
    let h = Harness::start().await;
    let t = h.login("omar@a.test").await;
    h.clock.advance_ms(31 * 24 * 3600 * 1000);
    let r = h
        .http
        .post(h.url("/v1/auth/refresh"))
        .json(&json!({"refresh_token": t.refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "token_expired");
}

#[tokio::test]
async fn bad_credentials_and_bad_input() {
    let h = Harness::start().await;
    for (email, pw) in [("omar@a.test", "wrong"), ("nobody@a.test", PASSWORD)] {
        let r = h
            .http
            .post(h.url("/v1/auth/login"))
            .json(&json!({"email": email, "password": pw}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "invalid_credentials");
    }
    let r = h
        .http
        .post(h.url("/v1/auth/login"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "bad_request");
    assert!(v["message"].as_str().unwrap().contains("invalid JSON"));

    let huge = "x".repeat(2 * 1024 * 1024);
    let r = h
        .http
        .post(h.url("/v1/auth/login"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "payload_too_large");

    let r = h.http.get(h.url("/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = h
        .http
        .get(h.url("/v1/me"))
        .bearer_auth("sat_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = h.http.get(h.url("/v1/nope")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn roles_gate_administration() {
    let h = Harness::start().await;
    let agent = h.token("omar@a.test").await;
    let sup = h.token("sara@a.test").await;
    let body = json!({"shortcut": "hi", "language": "ar", "title": "تحية", "body": "أهلاً وسهلاً! كيف نقدر نساعدك؟"});
    let (s, v) = h.post(&agent, "/v1/canned-responses", body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "forbidden");
    let (s, v) = h.post(&sup, "/v1/canned-responses", body).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = v["id"].as_str().unwrap().to_owned();
    let (s, list) = h.get(&agent, "/v1/canned-responses").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = h
        .http
        .delete(h.url(&format!("/v1/canned-responses/{id}")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = h
        .http
        .delete(h.url(&format!("/v1/canned-responses/{id}")))
        .bearer_auth(&sup)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, list) = h.get(&agent, "/v1/canned-responses").await;
    assert!(list.as_array().unwrap().is_empty());
}

async fn try_login(
    h: &Harness,
    email: &str,
    password: &str,
    from: Option<&str>,
) -> reqwest::Response {
    let mut req = h
        .http
        .post(h.url("/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }));
    if let Some(ip) = from {
        req = req.header("x-forwarded-for", ip);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn guessing_a_password_is_throttled_per_account_with_retry_after() {
    let h = Harness::start().await;
    for _ in 0..5 {
        let r = try_login(&h, "omar@a.test", "guess", None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits: the answer says how long, before any check runs.
    let r = try_login(&h, "omar@a.test", PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "30");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Another account from the same address is not held up.
    assert_eq!(
        try_login(&h, "sara@a.test", PASSWORD, None).await.status(),
        StatusCode::OK
    );
    // After the wait the right password works, and clears the account's count.
    h.clock.advance_ms(30_000);
    assert_eq!(
        try_login(&h, "omar@a.test", PASSWORD, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        try_login(&h, "omar@a.test", "guess", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A further run of failures waits longer each time.
    for _ in 0..4 {
        try_login(&h, "omar@a.test", "guess", None).await;
    }
    let r = try_login(&h, "omar@a.test", "guess", None).await;
    assert_eq!(r.headers()["retry-after"], "30");
    h.clock.advance_ms(30_000);
    assert_eq!(
        try_login(&h, "omar@a.test", "guess", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = try_login(&h, "omar@a.test", PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "60", "the wait doubled");
}

#[tokio::test]
async fn one_address_spraying_many_accounts_is_throttled_and_a_proxy_is_believed_only_when_trusted()
{
    let h = Harness::start_with(|c| c.trusted_proxy = Some([127, 0, 0, 1].into())).await;
    for i in 0..20 {
        let r = try_login(&h, &format!("user{i}@a.test"), "guess", Some("203.0.113.5")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = try_login(&h, "omar@a.test", PASSWORD, Some("203.0.113.5")).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "that address waits"
    );
    // Behind the trusted proxy, another client is another address.
    let r = try_login(&h, "omar@a.test", PASSWORD, Some("198.51.100.7")).await;
    assert_eq!(r.status(), StatusCode::OK);

    // Without a trusted proxy, X-Forwarded-For is the client's own claim and is ignored.
    let h = Harness::start().await;
    for i in 0..20 {
        let forged = format!("10.0.0.{i}");
        try_login(&h, &format!("user{i}@a.test"), "guess", Some(&forged)).await;
    }
    let r = try_login(&h, "omar@a.test", PASSWORD, Some("10.9.9.9")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ins_runs_few_password_checks_and_the_rest_is_turned_away_at_once() {
    let h = Harness::start_with(|c| {
        c.trusted_proxy = Some([127, 0, 0, 1].into());
        c.login_limits.hash_workers = 2;
        c.login_limits.hash_queue = 4;
    })
    .await;
    let token = h.token("sara@a.test").await;
    // 60 sign-ins at once from 60 addresses (a botnet), each a different unknown account.
    let mut flood = Vec::new();
    for i in 0..60 {
        let http = h.http.clone();
        let url = h.url("/v1/auth/login");
        flood.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .json(&json!({ "email": format!("nobody{i}@a.test"), "password": "guess" }))
                .send()
                .await
                .unwrap();
            (r.status(), r.headers().get("retry-after").cloned())
        }));
    }
    // Meanwhile the API answers.
    assert_eq!(h.get(&token, "/v1/me").await.0, StatusCode::OK);
    let mut refused = 0;
    let mut checked = 0;
    for f in flood {
        match f.await.unwrap() {
            (StatusCode::TOO_MANY_REQUESTS, Some(retry)) => {
                assert_eq!(retry, "1");
                refused += 1;
            }
            (StatusCode::UNAUTHORIZED, _) => checked += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(refused + checked, 60);
    assert!(
        refused >= 30,
        "at most 2 checks run and 4 wait; the rest are turned away (checked {checked}, refused {refused})"
    );
    // The flood left no debt: a real sign-in goes through.
    assert_eq!(
        try_login(&h, "omar@a.test", PASSWORD, Some("198.51.100.1"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_access_token_in_the_address_works_only_for_the_stream() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let r = h
        .http
        .get(h.url(&format!("/v1/me?access_token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (ws, _) =
        tokio_tungstenite::connect_async(h.ws_url(&format!("/v1/stream?access_token={token}")))
            .await
            .expect("the stream takes it");
    drop(ws);
}
