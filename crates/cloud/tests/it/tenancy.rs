//! Many shops on one cloud: two workspaces, each with its own WhatsApp number, Facebook page and
//! Telegram bot, connected with their own credentials. Each sees only its own customers, each
//! reply leaves with its own credentials, and a delivery for an account neither has connected
//! reaches neither.

use crate::common;

use common::Harness;
use common::recorder::{Recorder, start_recorder};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stepup_cloud::connections::{Credentials, NewConnection};
use stepup_cloud::vault::ServerKey;
use stepup_cloud::webhooks::meta_signature;
use stepup_protocol::Channel;

const KEY: &str = "5f0c1b2a3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
const PUBLIC: &str = "https://cloud.souq.example";

struct Shop {
    ws: String,
    token: String,
    phone_id: &'static str,
    page: &'static str,
    app_secret: &'static str,
    wa_token: &'static str,
    telegram: String,
    telegram_secret: String,
}

fn creds(access: &str, app_secret: &str) -> Credentials {
    Credentials {
        access_token: Some(access.into()),
        app_secret: Some(app_secret.into()),
        ..Credentials::default()
    }
}

async fn connect_shop(
    h: &Harness,
    rec: &Recorder,
    ws: &str,
    email: &str,
    (phone_id, page, bot): (&'static str, &'static str, &str),
    (app_secret, wa_token): (&'static str, &'static str),
) -> Shop {
    let st = &h.server.state;
    st.connect(
        ws,
        NewConnection {
            channel: Channel::Whatsapp,
            account_id: phone_id.into(),
            name: format!("WhatsApp {phone_id}"),
            credentials: creds(wa_token, app_secret),
        },
    )
    .await
    .unwrap();
    st.connect(
        ws,
        NewConnection {
            channel: Channel::Messenger,
            account_id: page.into(),
            name: format!("Page {page}"),
            credentials: creds(&format!("page-{wa_token}"), app_secret),
        },
    )
    .await
    .unwrap();
    // Connecting a bot points its webhook at its own door, with a secret token of its own.
    rec.script
        .lock()
        .unwrap()
        .push_back((200, json!({"ok": true, "result": true})));
    let before = rec.seen.lock().unwrap().len();
    let bot_conn = st
        .connect(
            ws,
            NewConnection {
                channel: Channel::Telegram,
                account_id: String::new(),
                name: "Bot".into(),
                credentials: Credentials {
                    bot_token: Some(bot.into()),
                    ..Credentials::default()
                },
            },
        )
        .await
        .unwrap();
    let set = rec.seen.lock().unwrap()[before].clone();
    assert_eq!(set.path, format!("/bot{bot}/setWebhook"));
    assert_eq!(
        set.body["url"],
        format!("{PUBLIC}/webhooks/telegram/{}", bot_conn.id)
    );
    let telegram_secret = set.body["secret_token"].as_str().unwrap().to_owned();
    assert!(telegram_secret.len() >= 32, "a strong secret token");
    assert_eq!(bot_conn.account_id, bot.split(':').next().unwrap());
    Shop {
        ws: ws.to_owned(),
        token: h.token(email).await,
        phone_id,
        page,
        app_secret,
        wa_token,
        telegram: bot_conn.id,
        telegram_secret,
    }
}

fn whatsapp_delivery(entries: &[(&str, &str, &str)]) -> Vec<u8> {
    let changes: Vec<Value> = entries
        .iter()
        .map(|(phone_id, from, wamid)| {
            json!({"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "97140000000", "phone_number_id": phone_id},
                "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from}],
                "messages": [{"from": from, "id": wamid, "timestamp": "1772352000", "type": "text",
                              "text": {"body": "السلام عليكم، is my order ready?"}}]
            }})
        })
        .collect();
    serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "waba", "changes": changes}]}))
        .unwrap()
}

async fn post(
    h: &Harness,
    path: &str,
    body: &[u8],
    headers: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut r = h
        .http
        .post(h.url(path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn post_whatsapp(h: &Harness, body: &[u8], secret: &str) -> (StatusCode, Value) {
    post(
        h,
        "/webhooks/whatsapp",
        body,
        &[("x-hub-signature-256", meta_signature(secret, body))],
    )
    .await
}

/// The customers (external ids) whose messages this shop's agents can see.
async fn customers_seen(h: &Harness, shop: &Shop) -> Vec<String> {
    // Oldest first: the shop's first conversation on that channel.
    let (all, _) = h.drain(&shop.token, "s0", 1000).await;
    let mut seen: Vec<String> = all
        .iter()
        .filter(|c| c["entity"] == "contact")
        .flat_map(|c| {
            c["data"]["identities"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|i| i["external_id"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    seen.sort();
    seen
}

async fn conversation_of(h: &Harness, shop: &Shop, channel: &str) -> String {
    // Oldest first: the shop's first conversation on that channel.
    let (all, _) = h.drain(&shop.token, "s0", 1000).await;
    all.iter()
        .find(|c| c["entity"] == "conversation" && c["data"]["channel"] == channel)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("a {channel} conversation"))
}

#[tokio::test]
async fn two_shops_on_one_cloud_each_with_its_own_accounts_and_credentials() {
    let (provider, rec) = start_recorder().await;
    let h = Harness::start_with(|c| {
        c.outbound = stepup_cloud::OutboundConfig::all_at(&provider);
        c.server_key = Some(ServerKey::from_hex(KEY).unwrap());
        c.public_url = Some(PUBLIC.into());
    })
    .await;
    let a = connect_shop(
        &h,
        &rec,
        &h.ws_a,
        "admin@a.test",
        ("111000111", "PAGE_A", "1001:AAA-bot-token"),
        ("secret-a", "token-a"),
    )
    .await;
    let b = connect_shop(
        &h,
        &rec,
        &h.ws_b,
        "admin@b.test",
        ("222000222", "PAGE_B", "2002:BBB-bot-token"),
        ("secret-b", "token-b"),
    )
    .await;

    // Each number's customers reach only their own shop.
    let (s, v) = post_whatsapp(
        &h,
        &whatsapp_delivery(&[(a.phone_id, "971500000001", "wamid.a1")]),
        a.app_secret,
    )
    .await;
    assert_eq!((s, &v["received"]), (StatusCode::OK, &json!(1)));
    let (s, _) = post_whatsapp(
        &h,
        &whatsapp_delivery(&[(b.phone_id, "971500000002", "wamid.b1")]),
        b.app_secret,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let page_b = serde_json::to_vec(
        &json!({"object": "page", "entry": [{"id": b.page, "time": 1, "messaging": [
        {"sender": {"id": "PSID_B1"}, "recipient": {"id": b.page}, "timestamp": 1772352000000_i64,
         "message": {"mid": "m_b1", "text": "مرحبا"}}]}]}),
    )
    .unwrap();
    let (s, _) = post(
        &h,
        "/webhooks/messenger",
        &page_b,
        &[("x-hub-signature-256", meta_signature(b.app_secret, &page_b))],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(customers_seen(&h, &a).await, ["971500000001"]);
    assert_eq!(customers_seen(&h, &b).await, ["971500000002", "PSID_B1"]);
    // B's new customer is named from the profile with B's own page token (the stand-in answers
    // 500 here: the contact keeps its id until a later message asks again).
    let lookup = loop {
        let notified = rec.arrived.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(r) = rec
            .seen
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.path.contains("/PSID_B1?fields="))
            .cloned()
        {
            break r;
        }
        notified.await;
    };
    assert_eq!(lookup.method, "GET");
    assert_eq!(lookup.headers["authorization"], "Bearer page-token-b");

    // Another shop's secret, alone or with an entry of its own riding along: refused whole.
    let (s, v) = post_whatsapp(
        &h,
        &whatsapp_delivery(&[(b.phone_id, "971500000003", "wamid.x1")]),
        a.app_secret,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("invalid_signature"))
    );
    let mixed = whatsapp_delivery(&[
        (a.phone_id, "971500000004", "wamid.x2"),
        (b.phone_id, "971500000005", "wamid.x3"),
    ]);
    let (s, _) = post_whatsapp(&h, &mixed, a.app_secret).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(customers_seen(&h, &a).await, ["971500000001"]);
    assert_eq!(customers_seen(&h, &b).await, ["971500000002", "PSID_B1"]);

    // A number no shop connected: acknowledged so Meta stops retrying, counted, delivered nowhere.
    for _ in 0..2 {
        let (s, v) = post_whatsapp(
            &h,
            &whatsapp_delivery(&[("999999999", "971500000009", "wamid.u1")]),
            "whatever",
        )
        .await;
        assert_eq!((s, &v["received"]), (StatusCode::OK, &json!(0)));
    }
    assert_eq!(
        h.server
            .state
            .unrouted_deliveries(Channel::Whatsapp, "999999999")
            .await
            .unwrap(),
        2
    );
    assert_eq!(customers_seen(&h, &a).await, ["971500000001"]);
    assert_eq!(customers_seen(&h, &b).await, ["971500000002", "PSID_B1"]);

    // Telegram: each bot at its own door with its own secret token; the shared door is closed
    // to deliveries once bots are connected.
    let update = |chat: i64, id: i64| {
        serde_json::to_vec(&json!({"update_id": id, "message": {"message_id": id, "date": 1772352000,
            "chat": {"id": chat, "type": "private"}, "from": {"id": chat, "first_name": "Noor"}, "text": "هلا"}}))
        .unwrap()
    };
    let tg = |conn: &str| format!("/webhooks/telegram/{conn}");
    let (s, _) = post(
        &h,
        &tg(&a.telegram),
        &update(7001, 1),
        &[("x-telegram-bot-api-secret-token", a.telegram_secret.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(
        &h,
        &tg(&a.telegram),
        &update(7002, 2),
        &[("x-telegram-bot-api-secret-token", b.telegram_secret.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = post(
        &h,
        "/webhooks/telegram/con_nope",
        &update(7003, 3),
        &[("x-telegram-bot-api-secret-token", a.telegram_secret.clone())],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = post(
        &h,
        "/webhooks/telegram",
        &update(7004, 4),
        &[(
            "x-telegram-bot-api-secret-token",
            stepup_cloud::config::demo_secrets::TELEGRAM_SECRET_TOKEN.into(),
        )],
    )
    .await;
    assert_eq!((s, &v["received"]), (StatusCode::OK, &json!(0)));
    assert_eq!(customers_seen(&h, &a).await, ["7001", "971500000001"]);
    assert_eq!(customers_seen(&h, &b).await, ["971500000002", "PSID_B1"]);

    // Shop A's second number: its customers are answered from it, not from the first.
    h.server
        .state
        .connect(
            &a.ws,
            NewConnection {
                channel: Channel::Whatsapp,
                account_id: "111000222".into(),
                name: "WhatsApp, second branch".into(),
                credentials: creds("token-a2", a.app_secret),
            },
        )
        .await
        .unwrap();
    let (s, _) = post_whatsapp(
        &h,
        &whatsapp_delivery(&[("111000222", "971500000022", "wamid.a2")]),
        a.app_secret,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (all, _) = h.drain(&a.token, "0", 1000).await;
    let second_branch = all
        .iter()
        .find(|c| c["entity"] == "message" && c["data"]["provider_message_id"] == "wamid.a2")
        .map(|c| c["data"]["conversation_id"].as_str().unwrap().to_owned())
        .unwrap();
    rec.script
        .lock()
        .unwrap()
        .push_back((200, json!({"messages": [{"id": "wamid.out.a2"}]})));
    let before = rec.seen.lock().unwrap().len();
    let (s, _) = h
        .send_text(&a.token, &second_branch, "branch-2", "أهلاً من فرعنا الثاني")
        .await;
    assert_eq!(s, StatusCode::CREATED);
    rec.wait_for(before + 1).await;
    let sent = rec.seen.lock().unwrap()[before].clone();
    assert_eq!(sent.path, "/v21.0/111000222/messages");
    assert_eq!(sent.headers["authorization"], "Bearer token-a2");

    // Replies leave with each shop's own number and token.
    let before = rec.seen.lock().unwrap().len();
    let replies = [
        (&a, "whatsapp", json!({"messages": [{"id": "wamid.out.a"}]})),
        (&b, "whatsapp", json!({"messages": [{"id": "wamid.out.b"}]})),
        (
            &a,
            "telegram",
            json!({"ok": true, "result": {"message_id": 55}}),
        ),
    ];
    for (i, (shop, channel, answer)) in replies.iter().enumerate() {
        rec.script.lock().unwrap().push_back((200, answer.clone()));
        let conv = conversation_of(&h, shop, channel).await;
        let (s, _) = h
            .send_text(
                &shop.token,
                &conv,
                &format!("reply-{i}"),
                "تم، shipped today",
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        rec.wait_for(before + i + 1).await;
    }
    let seen = rec.seen.lock().unwrap()[before..].to_vec();
    assert_eq!(seen[0].path, format!("/v21.0/{}/messages", a.phone_id));
    assert_eq!(
        seen[0].headers["authorization"],
        format!("Bearer {}", a.wa_token)
    );
    assert_eq!(seen[1].path, format!("/v21.0/{}/messages", b.phone_id));
    assert_eq!(
        seen[1].headers["authorization"],
        format!("Bearer {}", b.wa_token)
    );
    assert_eq!(seen[2].path, "/bot1001:AAA-bot-token/sendMessage");
    assert_eq!(seen[2].body["chat_id"], "7001");

    // The connections list never carries credentials, and none is stored in clear.
    let listed = serde_json::to_string(&h.server.state.connections(&a.ws).await.unwrap()).unwrap();
    assert!(
        listed.contains("111000111") && !listed.contains("token-a") && !listed.contains("secret-a"),
        "{listed}"
    );
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT sealed FROM connections")
        .fetch_all(h.server.state.pool())
        .await
        .unwrap();
    assert_eq!(sealed.len(), 7);
    for secret in [&b"token-a"[..], b"secret-b", b"AAA-bot-token"] {
        assert!(
            !sealed
                .iter()
                .any(|s| s.windows(secret.len()).any(|w| w == secret))
        );
    }
    assert_eq!(b.ws, h.ws_b);
}

#[tokio::test]
async fn connecting_needs_the_server_key_and_one_workspace_per_account() {
    let h = Harness::start().await;
    let new = || NewConnection {
        channel: Channel::Whatsapp,
        account_id: "111000111".into(),
        name: "WhatsApp".into(),
        credentials: creds("token-a", "secret-a"),
    };
    let err = h.server.state.connect(&h.ws_a, new()).await.unwrap_err();
    assert!(err.to_string().contains("STEPUP_CLOUD_KEY"), "{err}");

    let h = Harness::start_with(|c| c.server_key = Some(ServerKey::from_hex(KEY).unwrap())).await;
    h.server.state.connect(&h.ws_a, new()).await.unwrap();
    let err = h.server.state.connect(&h.ws_b, new()).await.unwrap_err();
    assert!(err.to_string().contains("already connected"), "{err}");
    let err = h
        .server
        .state
        .connect(
            "ws_nope",
            NewConnection {
                account_id: "333".into(),
                ..new()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no workspace"), "{err}");
    // A bot token without its id is refused before anything is stored.
    let err = h
        .server
        .state
        .connect(
            &h.ws_a,
            NewConnection {
                channel: Channel::Telegram,
                account_id: String::new(),
                credentials: Credentials {
                    bot_token: Some("nonsense".into()),
                    ..Credentials::default()
                },
                ..new()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bot token"), "{err}");
    assert_eq!(h.server.state.connections(&h.ws_a).await.unwrap().len(), 1);
    assert!(
        h.server
            .state
            .connections(&h.ws_b)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn admins_connect_accounts_over_the_api_and_never_read_a_credential_back() {
    let h = Harness::start_with(|c| c.server_key = Some(ServerKey::from_hex(KEY).unwrap())).await;
    let admin = h.token("admin@a.test").await;
    let agent = h.token("omar@a.test").await;
    let body = json!({"channel": "whatsapp", "account_id": "111000111", "name": "فرع دبي Dubai",
                      "credentials": {"access_token": "EAAB-secret", "app_secret": "app-secret-a"}});
    let (s, v) = h.post(&agent, "/v1/connections", body.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, created) = h.post(&admin, "/v1/connections", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["account_id"], "111000111");
    assert_eq!(created["workspace_id"], h.ws_a.as_str());
    let (s, again) = h.post(&admin, "/v1/connections", body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already connected"),
        "{again}"
    );
    let (s, bad) = h
        .post(
            &admin,
            "/v1/connections",
            json!({"channel": "fax", "name": "x", "credentials": {}}),
        )
        .await;
    assert_eq!(
        (s, bad["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, listed) = h.get(&admin, "/v1/connections").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let text = listed.to_string();
    assert!(
        !text.contains("EAAB-secret") && !text.contains("app-secret-a"),
        "{text}"
    );
    // Another workspace's admin sees none of it.
    let other = h.token("admin@b.test").await;
    let (_, theirs) = h.get(&other, "/v1/connections").await;
    assert_eq!(theirs, json!([]));
}
