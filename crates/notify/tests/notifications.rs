//! Notifications end to end below the UI: webhooks posted to the reference
//! cloud on a loopback port, the real sync engine and encrypted cache, the
//! notification service with the OS notifier (notify-rust over D-Bus), and
//! the recording server owning `org.freedesktop.Notifications` on the
//! session bus. Run inside a D-Bus session (`./dev test` provides one).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_i18n::{Catalog, Locale};
use stepup_notify::{
    DesktopNotifier, Focus, Notifications, Outcome, PolicyConfig, Prefs,
    policy::Skip,
    testserver::{Call, TestServer},
};
use stepup_protocol::{AddNoteRequest, Assignee, UpdateConversationRequest};
use stepup_store::{MemorySecrets, Secret};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{Accounts, Session},
    client::{ClientOptions, CloudClient},
    engine::{Engine, EngineConfig},
};
use tokio::sync::{broadcast, oneshot};

/// The bound: a webhook is on screen within a second.
const ON_SCREEN: Duration = Duration::from_secs(1);
const WAIT: Duration = Duration::from_secs(20);
const AGENT: &str = "omar@noor.demo";

struct Rig {
    server: RunningServer,
    _dir: tempfile::TempDir,
    session: Session,
    engine: Engine,
    notifications: Notifications,
    bus: TestServer,
    outcomes: broadcast::Receiver<Outcome>,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    serial: u64,
}

impl Rig {
    /// The demo cloud, an agent's new cache and engine, the notification
    /// service and the recording server; returns once the initial sync is over.
    async fn start() -> Rig {
        let bus = TestServer::start(Duration::from_secs(120))
            .await
            .expect("own org.freedesktop.Notifications (run inside dbus-run-session)");
        let mut server = Server::start(Config::demo()).await.unwrap();
        demo::start_demo(&mut server, 7, 0.0).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::new(dir.path().to_path_buf(), Arc::new(MemorySecrets::default()));
        let session = accounts
            .sign_in(
                &server.url(),
                AGENT,
                &Secret::new(demo::DEMO_PASSWORD.to_owned()),
                None,
            )
            .await
            .unwrap();
        let engine = Engine::new(
            &session,
            Arc::new(SystemClock),
            EngineConfig {
                page_size: 500,
                backoff_base: Duration::from_millis(20),
                backoff_max: Duration::from_millis(200),
                seed: Some(1),
                ..EngineConfig::default()
            },
        );
        let notifications = Notifications::new(
            PolicyConfig {
                min_interval_ms: 250,
                burst_gap_ms: 60_000,
            },
            Arc::new(Catalog::embedded()),
            Arc::new(DesktopNotifier::new()),
            Arc::new(SystemClock),
        );
        let outcomes = notifications.outcomes();
        let mut events = engine.subscribe();
        let mut stops = Vec::new();
        let mut tasks = Vec::new();
        {
            let (tx, rx) = oneshot::channel::<()>();
            let (n, e, me) = (
                notifications.clone(),
                engine.clone(),
                session.account.agent_id.clone(),
            );
            tasks.push(tokio::spawn(async move {
                n.run(&e, &me, async {
                    let _ = rx.await;
                })
                .await;
            }));
            stops.push(tx);
        }
        {
            let (tx, rx) = oneshot::channel::<()>();
            let e = engine.clone();
            tasks.push(tokio::spawn(async move {
                e.run(async {
                    let _ = rx.await;
                })
                .await;
            }));
            stops.push(tx);
        }
        tokio::time::timeout(WAIT, async {
            loop {
                if let Ok(SyncEvent::State(SyncState::Online { .. })) = events.recv().await {
                    return;
                }
            }
        })
        .await
        .expect("the initial sync ends");
        Rig {
            server,
            _dir: dir,
            session,
            engine,
            notifications,
            bus,
            outcomes,
            stops,
            tasks,
            serial: 0,
        }
    }

    /// A customer writes on Telegram (a new chat id is a new customer).
    async fn telegram(&mut self, chat: u64, name: &str, text: &str) {
        self.serial += 1;
        let secret = self
            .server
            .state
            .config()
            .secrets
            .telegram_secret_token
            .as_ref()
            .unwrap()
            .expose()
            .to_owned();
        let now = self.server.state.now() / 1000;
        let body = serde_json::json!({
            "update_id": 700_000_000 + self.serial,
            "message": {
                "message_id": self.serial,
                "from": {"id": chat, "is_bot": false, "first_name": name},
                "chat": {"id": chat, "type": "private"},
                "date": now,
                "text": text,
            }
        });
        let resp = reqwest::Client::new()
            .post(format!("{}/webhooks/telegram", self.server.url()))
            .header("x-telegram-bot-api-secret-token", secret)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
    }

    async fn call(&self, what: &str, pick: impl FnMut(&Call) -> bool) -> Call {
        self.bus
            .wait_for(WAIT, pick)
            .await
            .unwrap_or_else(|| panic!("no notification {what}; recorded: {:#?}", self.bus.calls()))
    }

    /// The id and conversation of the next notification shown about `name`.
    async fn shown(&mut self, name: &str) -> (u32, String) {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Ok(Outcome::Shown { id, request }) = self.outcomes.recv().await
                    && request.title.contains(name)
                {
                    return (id, request.conversation_id);
                }
            }
        })
        .await
        .expect("a notification was shown")
    }

    /// Waits until the service decided against a notification for `conversation`.
    async fn skipped(&mut self, conversation: &str) -> Skip {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Ok(Outcome::Skipped {
                    conversation_id,
                    reason,
                }) = self.outcomes.recv().await
                    && conversation_id == conversation
                {
                    return reason;
                }
            }
        })
        .await
        .expect("the message was handled")
    }

    async fn stop(self) {
        for stop in self.stops {
            let _ = stop.send(());
        }
        for task in self.tasks {
            task.await.unwrap();
        }
        drop(self.engine);
        self.session.store.close().await;
        self.server.shutdown().await;
        assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
    }
}

fn expected_title(locale: Locale, n: u32, name: &str) -> String {
    match (locale, n) {
        (Locale::En, 1) => format!("New message from {name}"),
        (Locale::En, n) => format!("{n} new messages from {name}"),
        (Locale::Ar, 1) => format!("رسالة جديدة من {name}"),
        (Locale::Ar, 2) => format!("رسالتان جديدتان من {name}"),
        (Locale::Ar, n) if (3..=10).contains(&(n % 100)) => format!("{n} رسائل جديدة من {name}"),
        (Locale::Ar, n) => format!("{n} رسالة جديدة من {name}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_become_notifications_in_english_and_arabic_with_plurals() {
    let mut rig = Rig::start().await;
    assert!(
        rig.bus.calls().is_empty(),
        "the initial sync notified: {:#?}",
        rig.bus.calls()
    );
    // By default a conversation assigned to nobody (the shared queue, where anyone can write)
    // shows who wrote, not what.
    rig.notifications.set_locale(Locale::En);
    rig.telegram(
        609_999_999,
        "Queue Visitor",
        "<a href=\"https://evil.example\">win</a>",
    )
    .await;
    let hidden = rig
        .call("for the queue's message", |c| {
            c.summary.contains("Queue Visitor")
        })
        .await;
    assert_eq!(hidden.body, "Open Stepup to read it");
    rig.notifications.set_prefs(Prefs {
        previews_unassigned: true,
        ..Default::default()
    });
    let mut chat = 610_000_000;
    for locale in [Locale::En, Locale::Ar] {
        rig.notifications.set_locale(locale);
        for n in [1u32, 2, 3, 11, 100] {
            chat += 1;
            let name = format!("Fatima{chat}");
            rig.notifications.reset_burst();
            let posted = Instant::now();
            rig.telegram(chat, &name, "مرحبا Hello, is the order 4417 ready?")
                .await;
            // The first message of a burst is on screen within a second.
            let first = rig
                .call("for the first message", |c| c.summary.contains(&name))
                .await;
            assert!(
                posted.elapsed() < ON_SCREEN,
                "{:?} from webhook to notification",
                posted.elapsed()
            );
            assert_eq!(first.summary, expected_title(locale, 1, &name));
            assert_eq!(first.body, "مرحبا Hello, is the order 4417 ready?");
            assert_eq!(first.app_name, "Stepup");
            let open = if locale == Locale::En {
                "Open"
            } else {
                "فتح"
            };
            assert_eq!(first.actions, ["default", open, "open", open]);
            assert_eq!(first.hints["category"], "im.received");
            assert_eq!(first.hints["sound-name"], "message-new-instant");
            assert_eq!(first.replaces_id, 0);
            for i in 1..n {
                rig.telegram(chat, &name, &format!("message {i}")).await;
            }
            // The rest of the burst updates that one notification.
            let want = expected_title(locale, n, &name);
            let last = rig
                .call(&format!("saying {want:?}"), |c| c.summary == want)
                .await;
            let all = [&first.summary, &last.summary, &last.body].map(|s| s.to_string());
            for text in all {
                assert!(
                    !text.contains(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']),
                    "isolation marks in {text:?}"
                );
            }
            if n > 1 {
                assert_eq!(
                    last.replaces_id, first.id,
                    "the burst replaces its notification"
                );
                assert_eq!(last.body, format!("message {}", n - 1));
                assert_eq!(
                    last.hints.get("suppress-sound").map(String::as_str),
                    Some("true")
                );
            }
        }
    }
    // Several customers in one burst.
    rig.notifications.set_locale(Locale::En);
    rig.notifications.reset_burst();
    for (chat, name) in [
        (620_000_001, "Reem"),
        (620_000_002, "Hamad"),
        (620_000_003, "Dana"),
    ] {
        rig.telegram(chat, name, "hello").await;
    }
    rig.telegram(620_000_001, "Reem", "again").await;
    rig.telegram(620_000_002, "Hamad", "again").await;
    let c = rig
        .call("for five messages from three customers", |c| {
            c.summary == "5 new messages"
        })
        .await;
    assert_eq!(c.body, "From 3 customers");
    // With several accounts signed in, titles name the workspace.
    rig.notifications
        .set_label(Some("Noor Perfumes · عطور نور".into()));
    rig.notifications.reset_burst();
    rig.telegram(630_000_001, "Salem", "hello").await;
    rig.call("named with its workspace", |c| {
        c.summary == "Noor Perfumes · عطور نور · New message from Salem"
    })
    .await;
    // A server that reads bodies as markup gets a customer's markup as text: no live link that
    // skips the app's link check.
    rig.notifications.set_label(None);
    rig.notifications.reset_burst();
    rig.telegram(
        630_000_002,
        "Nasser",
        "<a href=\"https://evil.example\">win</a> & more",
    )
    .await;
    let c = rig
        .call("with markup", |c| c.summary.ends_with("Nasser"))
        .await;
    assert_eq!(
        c.body,
        "&lt;a href=\"https://evil.example\"&gt;win&lt;/a&gt; &amp; more"
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muted_focused_own_and_initial_sync_messages_stay_silent() {
    let mut rig = Rig::start().await;
    // Nothing for the ~300 conversations of the initial sync.
    rig.telegram(630_000_001, "Control One", "first").await;
    rig.call("for the control", |c| c.summary.contains("Control One"))
        .await;
    assert_eq!(rig.bus.calls().len(), 1, "{:#?}", rig.bus.calls());

    // Muted.
    rig.notifications.reset_burst();
    rig.telegram(630_000_002, "Muted Customer", "one").await;
    let (_, muted) = rig.shown("Muted Customer").await;
    let mut prefs = Prefs::default();
    prefs.muted.insert(muted.clone());
    rig.notifications.set_prefs(prefs);
    rig.notifications.reset_burst();
    rig.telegram(630_000_002, "Muted Customer", "two").await;
    assert_eq!(rig.skipped(&muted).await, Skip::Muted);
    // Focused: the conversation open in a focused window.
    rig.telegram(630_000_003, "Focused Customer", "one").await;
    let (_, focused) = rig.shown("Focused Customer").await;
    rig.notifications.set_focus(Focus {
        window_focused: true,
        conversation: Some(focused.clone()),
    });
    rig.telegram(630_000_003, "Focused Customer", "two").await;
    assert_eq!(rig.skipped(&focused).await, Skip::Focused);
    // My own message in a conversation.
    rig.engine
        .send_text(&focused, "we are on it")
        .await
        .unwrap();
    rig.notifications.set_focus(Focus::default());
    rig.notifications.reset_burst();
    rig.engine
        .send_text(&muted, "thanks for waiting")
        .await
        .unwrap();
    // A control message after all of them: they were handled before it.
    rig.telegram(630_000_004, "Control Two", "second").await;
    rig.call("for the second control", |c| {
        c.summary.contains("Control Two")
    })
    .await;
    let summaries: Vec<String> = rig.bus.calls().into_iter().map(|c| c.summary).collect();
    assert_eq!(
        summaries,
        [
            "New message from Control One",
            "New message from Muted Customer",
            "New message from Focused Customer",
            "New message from Control Two",
        ]
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_mentions_and_clicks() {
    let mut rig = Rig::start().await;
    let mut opened = rig.notifications.opened();
    rig.telegram(640_000_001, "Khalid", "where is my parcel?")
        .await;
    let call = rig
        .call("for Khalid", |c| c.summary.contains("Khalid"))
        .await;
    let (id, conversation) = rig.shown("Khalid").await;
    assert_eq!(id, call.id);

    // Clicking "Open" reports the conversation to open.
    rig.bus.invoke_action(call.id, "open").await.unwrap();
    let got = tokio::time::timeout(WAIT, opened.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, conversation);

    // A supervisor assigns it to me and mentions me in a note.
    let (sara, _) = CloudClient::login(
        &rig.server.url(),
        "sara@noor.demo",
        &Secret::new(demo::DEMO_PASSWORD.to_owned()),
        None,
        &ClientOptions::default(),
    )
    .await
    .unwrap();
    let _: serde_json::Value = sara
        .command(
            reqwest::Method::PATCH,
            &format!("/v1/conversations/{conversation}"),
            &UpdateConversationRequest {
                assignee: Some(Assignee::Agent {
                    id: rig.session.account.agent_id.clone(),
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let assigned = rig
        .call("for the assignment", |c| c.summary == "Assigned to you")
        .await;
    assert_eq!(assigned.body, "Conversation with Khalid");
    let _: serde_json::Value = sara
        .command(
            reqwest::Method::POST,
            &format!("/v1/conversations/{conversation}/notes"),
            &AddNoteRequest {
                body: format!("@{AGENT} can you check the courier?"),
            },
        )
        .await
        .unwrap();
    let mention = rig
        .call("for the mention", |c| {
            c.summary == "Sara Haddad mentioned you"
        })
        .await;
    assert_eq!(mention.body, "In the conversation with Khalid");

    // A click on the body (the `default` action) opens it too.
    rig.bus.invoke_action(mention.id, "default").await.unwrap();
    let got = tokio::time::timeout(WAIT, opened.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, conversation);
    rig.stop().await;
}
