//! Signed-in devices, revocation with a signed order to erase, removing an agent, and the
//! workspace's privacy settings.

use crate::common;

use common::{Harness, PASSWORD};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_protocol::{DeviceGrant, TokenResponse, WipeOrder};

async fn login_on(h: &Harness, email: &str, name: &str, os: &str) -> TokenResponse {
    let r = h
        .http
        .post(h.url("/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "device": {"name": name, "os": os}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn refresh(h: &Harness, token: &str) -> (StatusCode, Value) {
    let r = h
        .http
        .post(h.url("/v1/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn verifies(order: &WipeOrder, grant: &DeviceGrant) -> bool {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(&grant.wipe_key).unwrap()).unwrap();
    mac.update(WipeOrder::signed_text(&order.device_id, order.ordered_at).as_bytes());
    mac.verify_slice(&hex::decode(&order.signature).unwrap())
        .is_ok()
}

#[tokio::test]
async fn devices_are_listed_revoked_with_a_signed_order_and_their_stream_closes() {
    let h = Harness::start().await;
    let laptop = login_on(&h, "omar@a.test", "Omar's laptop\u{202E}exe", "Windows").await;
    h.clock.advance_ms(120_000);
    let office = login_on(&h, "omar@a.test", "Front desk PC", "Linux").await;
    let grant = laptop.device.clone().expect("a device grant at sign-in");
    assert_eq!(grant.wipe_key.len(), 64);
    assert!(
        format!("{laptop:?}").contains("<redacted>")
            && !format!("{laptop:?}").contains(&grant.wipe_key)
    );

    // Omar sees his two devices, newest first, the one asking marked; names cleaned.
    let (s, list) = h.get(&office.access_token, "/v1/devices").await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Front desk PC", "Omar's laptopexe"]);
    assert_eq!(list[0]["this_device"], true);
    assert_eq!(list[1]["os"], "Windows");
    // Another agent sees only their own; an admin sees the workspace's.
    let sara = login_on(&h, "sara@a.test", "Sara's Mac", "macOS").await;
    let (_, list) = h.get(&sara.access_token, "/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let admin = login_on(&h, "admin@a.test", "Admin", "Linux").await;
    let (_, list) = h.get(&admin.access_token, "/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 4);
    // Nobody outside workspace A sees or revokes them.
    let other = login_on(&h, "admin@b.test", "B", "Linux").await;
    let (_, list) = h.get(&other.access_token, "/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let path = format!("/v1/devices/{}", grant.device_id);
    let (s, _) = h
        .send(Method::DELETE, &other.access_token, &path, Value::Null)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Nor does Sara (a supervisor) revoke Omar's.
    let (s, _) = h
        .send(Method::DELETE, &sara.access_token, &path, Value::Null)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The laptop follows the stream.
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        h.ws_url("/v1/stream"),
    )
    .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", laptop.access_token).parse().unwrap(),
    );
    let (mut stream, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let hello = stream.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("hello"));

    // Omar revokes the laptop from the front desk.
    let (s, _) = h
        .send(Method::DELETE, &office.access_token, &path, Value::Null)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Its stream closes at once; its access token stops working.
    loop {
        match stream.next().await {
            Some(Ok(m)) if m.is_close() => break,
            Some(Ok(_)) => continue,
            None | Some(Err(_)) => break,
        }
    }
    let (s, _) = h.get(&laptop.access_token, "/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Its next refresh is answered with an order to erase, signed with its own key.
    let (s, body) = refresh(&h, &laptop.refresh_token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "device_revoked");
    let order: WipeOrder = serde_json::from_value(body["wipe"].clone()).unwrap();
    assert_eq!(order.device_id, grant.device_id);
    assert!(verifies(&order, &grant));
    assert!(!verifies(&order, office.device.as_ref().unwrap()));
    // The front desk is untouched; the laptop is gone from the list.
    let (s, list) = h.get(&office.access_token, "/v1/devices").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);

    // A plain sign-out ends a session without any order to erase.
    let (s, _) = h
        .post(&sara.access_token, "/v1/auth/logout", json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, ended) = refresh(&h, &sara.refresh_token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(ended["code"], "unauthorized");
    assert!(ended.get("wipe").is_none());
    // Again, later (a device that was offline for days), the same order.
    h.clock.advance_ms(3 * 24 * 3600 * 1000);
    let (_, again) = refresh(&h, &laptop.refresh_token).await;
    assert_eq!(again["wipe"], body["wipe"]);
}

#[tokio::test]
async fn removing_an_agent_revokes_every_device_and_the_login() {
    let h = Harness::start().await;
    let one = login_on(&h, "omar@a.test", "Laptop", "macOS").await;
    let two = login_on(&h, "omar@a.test", "Shop PC", "Windows").await;
    let admin = login_on(&h, "admin@a.test", "Admin", "Linux").await;
    let omar = one.agent.id.clone();
    // Only admins remove agents, and not themselves.
    let (s, _) = h
        .send(
            Method::DELETE,
            &two.access_token,
            &format!("/v1/agents/{}", admin.agent.id),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h
        .send(
            Method::DELETE,
            &admin.access_token,
            &format!("/v1/agents/{}", admin.agent.id),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Workspace B's admin cannot remove A's agent.
    let other = login_on(&h, "admin@b.test", "B", "Linux").await;
    let (s, _) = h
        .send(
            Method::DELETE,
            &other.access_token,
            &format!("/v1/agents/{omar}"),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = h
        .send(
            Method::DELETE,
            &admin.access_token,
            &format!("/v1/agents/{omar}"),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for device in [&one, &two] {
        let (_, body) = refresh(&h, &device.refresh_token).await;
        let order: WipeOrder = serde_json::from_value(body["wipe"].clone()).unwrap();
        assert!(verifies(&order, device.device.as_ref().unwrap()));
    }
    let r = h
        .http
        .post(h.url("/v1/auth/login"))
        .json(&json!({"email": "omar@a.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // His name stays for the conversations he handled, shown offline.
    let (_, list) = h.get(&admin.access_token, "/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn admins_set_the_retention_period_and_who_may_export() {
    let h = Harness::start().await;
    let admin = h.token("admin@a.test").await;
    let agent = h.token("omar@a.test").await;
    let body = json!({"retention_days": 30, "export_roles": ["admin", "agent", "admin"]});
    let (s, _) = h
        .send(Method::PUT, &agent, "/v1/workspace/privacy", body.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h
        .send(
            Method::PUT,
            &admin,
            "/v1/workspace/privacy",
            json!({"retention_days": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, got) = h
        .send(Method::PUT, &admin, "/v1/workspace/privacy", body)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        got,
        json!({"retention_days": 30, "export_roles": ["admin", "agent"]})
    );
    // It reaches every device with the feed.
    let (_, page) = h.get(&agent, "/v1/sync?after=0&limit=500").await;
    let ws = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["entity"] == "workspace")
        .expect("the workspace in the feed");
    assert_eq!(ws["data"]["privacy"]["retention_days"], 30);
}
