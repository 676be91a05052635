//! The assistant's help for agents, through the app against the reference cloud and a stand-in
//! model on loopback: suggestions and a summary from the model, kept in the encrypted cache and
//! shown offline once fetched; a summary asked for offline fails as `unreachable` and the kept
//! one stays. And broadcasts: scheduled on the cloud, their reports in every agent's cache.

use std::{sync::Arc, time::Duration};

use stepup_app::{
    App, AppPaths, ErrorCode, IpcError,
    accounts::SignIn,
    assistant::SummaryArgs,
    inbox::{InboxEvent, SyncPhase},
};
use stepup_cloud::model_standin::{Behaviour, StandIn};
use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_protocol::Channel;
use stepup_store::MemorySecrets;
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(20);
const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

async fn wait_until<F: AsyncFn() -> bool>(
    rx: &mut broadcast::Receiver<InboxEvent>,
    what: &str,
    f: F,
) {
    tokio::time::timeout(WAIT, async {
        loop {
            if f().await {
                return;
            }
            let _ = rx.recv().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}"));
}

/// An access token of the demo shop's owner, for what admins do on the cloud.
async fn owner_token(server: &RunningServer) -> String {
    let owner: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({"email": "owner@noor.demo", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    owner["access_token"].as_str().unwrap().to_owned()
}

/// The app in `dir`, signed in as the demo's agent Omar and online, with its events.
async fn omar_online(
    server: &RunningServer,
    dir: &std::path::Path,
) -> (App, broadcast::Receiver<InboxEvent>) {
    let app = App::open(AppPaths::under(dir.to_path_buf()), vec!["en-US".into()]);
    app.inbox().use_secrets(Arc::new(MemorySecrets::default()));
    let mut events = app.inbox().subscribe();
    app.sign_in(SignIn {
        server: server.url(),
        email: "omar@noor.demo".into(),
        password: demo::DEMO_PASSWORD.into(),
        passphrase: None,
    })
    .await
    .unwrap();
    wait_until(&mut events, "online", async || {
        app.status().state == SyncPhase::Online
    })
    .await;
    (app, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_and_summaries_are_kept_and_shown_offline() {
    let model = StandIn::start(None).await.unwrap();
    let mut config = Config::demo();
    config.server_key = Some(stepup_cloud::vault::ServerKey::from_hex(KEY).unwrap());
    config.model_allow_private_hosts = true;
    let mut server = Server::start(config).await.unwrap();
    demo::start_demo(&mut server, 11, 0.0).await.unwrap();
    let token = owner_token(&server).await;
    let r = reqwest::Client::new()
        .put(format!("{}/v1/assistant", server.url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "model_text_allowed": true,
            "base_url": model.base_url,
            "model": "gulf-assist-7b",
        }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;

    let ws = server.state.webhook_workspace().await.unwrap().unwrap();
    let conv = match stepup_cloud::ingest::ingest(
        &server.state,
        &ws,
        stepup_cloud::ingest::Inbound::text(
            Channel::Whatsapp,
            "971509990001",
            "wamid.assist.1",
            "كم مدة التوصيل داخل دبي؟",
            server.state.now(),
        ),
    )
    .await
    .unwrap()
    {
        stepup_cloud::ingest::Outcome::Created {
            conversation_id, ..
        } => conversation_id,
        other => panic!("{other:?}"),
    };
    wait_until(
        &mut events,
        "the customer's message in the cache",
        async || {
            app.open_conversation(conv.clone())
                .await
                .is_ok_and(|c| c.messages.iter().any(|m| m.text.contains("التوصيل")))
        },
    )
    .await;

    // The assistant's settings are the admins': an agent is refused.
    assert_eq!(
        IpcError::from(
            app.inbox()
                .assistant_settings()
                .await
                .expect_err("an agent")
        )
        .code,
        ErrorCode::Rejected
    );

    // Online: the model's suggestions and summary, marked as its.
    model.push(Behaviour::Answer(
        "التوصيل داخل دبي خلال يوم عمل واحد.\nنوصل لكل مناطق دبي مجاناً فوق ٢٠٠ درهم.".into(),
    ));
    let s = app.inbox().suggestions(conv.clone()).await.unwrap();
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s.iter().all(|x| x.by_model && x.language == "ar"));
    assert_eq!(s[0].text, "التوصيل داخل دبي خلال يوم عمل واحد.");
    let none = app
        .conversation_summary(SummaryArgs {
            conversation_id: conv.clone(),
            refresh: false,
        })
        .await
        .unwrap();
    assert!(none.is_none(), "nothing kept before the first summary");
    let sum = app
        .conversation_summary(SummaryArgs {
            conversation_id: conv.clone(),
            refresh: true,
        })
        .await
        .unwrap()
        .unwrap();
    assert!(sum.ai && !sum.stale);
    assert_eq!(sum.model, "gulf-assist-7b");
    assert!(
        sum.text.starts_with("The customer asks about: كم مدة"),
        "{}",
        sum.text
    );
    let asked = model.requests();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[1]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("in English")
    );

    // Offline: what was kept.
    server.shutdown().await;
    wait_until(&mut events, "offline", async || {
        app.status().state != SyncPhase::Online
    })
    .await;
    let s = app.inbox().suggestions(conv.clone()).await.unwrap();
    assert_eq!(s.len(), 2);
    let kept = app
        .conversation_summary(SummaryArgs {
            conversation_id: conv.clone(),
            refresh: false,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.text, sum.text);
    let refresh = app
        .conversation_summary(SummaryArgs {
            conversation_id: conv.clone(),
            refresh: true,
        })
        .await;
    assert_eq!(
        IpcError::from(refresh.expect_err("offline")).code,
        ErrorCode::Unreachable
    );
    assert_eq!(model.requests().len(), 2, "nothing more reached the model");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_and_their_reports_reach_the_app_and_stay_offline() {
    let mut config = Config::demo();
    config.broadcast_tick = None;
    config.broadcast_rate = 10_000.0;
    let mut server = Server::start(config).await.unwrap();
    demo::start_demo(&mut server, 11, 0.0).await.unwrap();
    let http = reqwest::Client::new();
    let token = owner_token(&server).await;
    let templates: Vec<serde_json::Value> = http
        .get(format!("{}/v1/templates", server.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let follow_up = templates
        .iter()
        .find(|t| t["name"] == "follow_up" && t["language"] == "en")
        .unwrap();
    let created: serde_json::Value = http
        .post(format!("{}/v1/broadcasts", server.url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": "Follow-up · متابعة",
            "template_id": follow_up["id"],
            "params": [{"type": "contact_name"}],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let total = created["report"]["total"].as_u64().unwrap();
    assert!(total > 50, "{created}");

    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;
    let scheduled = app.inbox().broadcasts().await.unwrap();
    assert_eq!(scheduled[0].id, id);
    // An agent may not broadcast: the cloud's refusal comes back as `rejected`.
    let args = || stepup_app::broadcasts::NewBroadcastArgs {
        name: "Mine".into(),
        template_id: follow_up["id"].as_str().unwrap().to_owned(),
        params: vec![stepup_protocol::TemplateParam::ContactName],
        audience: stepup_protocol::Audience::default(),
        send_at: None,
    };
    assert_eq!(
        IpcError::from(
            app.inbox()
                .create_broadcast(args())
                .await
                .expect_err("an agent")
        )
        .code,
        ErrorCode::Rejected
    );
    stepup_cloud::broadcasts::tick(&server.state).await.unwrap();
    wait_until(&mut events, "the broadcast done in the cache", async || {
        app.inbox().broadcasts().await.is_ok_and(|b| {
            b[0].state == stepup_protocol::BroadcastState::Done
                && u64::from(b[0].report.sent + b[0].report.opted_out) == total
        })
    })
    .await;
    server.shutdown().await;
    wait_until(&mut events, "offline", async || {
        app.status().state != SyncPhase::Online
    })
    .await;
    let offline = app.inbox().broadcasts().await.unwrap();
    assert_eq!(
        IpcError::from(
            app.inbox()
                .create_broadcast(args())
                .await
                .expect_err("offline")
        )
        .code,
        ErrorCode::Unreachable
    );
    assert_eq!(offline[0].name, "Follow-up · متابعة");
    assert_eq!(offline[0].created_by.as_deref(), Some("Mona Al Falasi"));
    assert_eq!(u64::from(offline[0].report.total), total);
    app.shutdown().await;
}
