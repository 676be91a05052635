mod common;

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
async fn concurrent_refreshes_with_one_token_yield_one_pair() {
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
    let mut ok = 0;
    for task in tasks {
        if task.await.unwrap() == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one refresh wins");
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
