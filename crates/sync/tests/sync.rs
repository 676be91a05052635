//! The sync engine against the real reference cloud on a loopback port, with
//! real SQLCipher caches on disk.

mod common;

use std::{sync::Arc, time::Duration};

use common::{answering, demo_server, fast, wait_for};

use rand::SeedableRng;
use stepup_cloud::{RunningServer, demo};
use stepup_protocol::{ActivityKind, Channel, Role, SendMessageRequest};
use stepup_store::{ConversationFilter, MemorySecrets, SearchFilter, Secret};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{Accounts, Session},
    client::{ClientError, ClientOptions, CloudClient, Timeouts},
    engine::{Engine, EngineConfig},
};

async fn sign_in(server: &RunningServer, accounts: &Accounts, email: &str) -> Session {
    let password = Secret::new(demo::DEMO_PASSWORD.to_owned());
    accounts
        .sign_in(&server.url(), email, &password, None)
        .await
        .unwrap()
}

/// Closes stores and waits for their database threads, so the test process
/// does not exit while SQLite is still closing under it.
async fn close_all(stores: Vec<stepup_store::Store>) {
    for store in stores {
        store.close().await;
    }
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}

/// Runs the engine until the returned sender fires; join the handle after.
fn run_in_background(
    engine: &Engine,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let engine = engine.clone();
    let runner = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stop_rx.await;
            })
            .await
    });
    (stop_tx, runner)
}

/// The demo cloud, and its owner signed in to a new cache with an engine.
async fn demo_session(cfg: EngineConfig) -> (RunningServer, tempfile::TempDir, Session, Engine) {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let session = sign_in(&server, &accounts_in(dir.path()), "owner@noor.demo").await;
    let engine = Engine::new(&session, Arc::new(SystemClock), cfg);
    (server, dir, session, engine)
}

/// A second shop on the same cloud, with its admin `huda@gadgets.test`.
async fn another_shop(server: &RunningServer) {
    let other = server
        .state
        .create_workspace("Gulf Gadgets", "Asia/Riyadh")
        .await
        .unwrap();
    server
        .state
        .create_agent(
            &other.id,
            "Huda",
            "huda@gadgets.test",
            demo::DEMO_PASSWORD,
            Role::Admin,
            vec![],
        )
        .await
        .unwrap();
}

fn accounts_in(dir: &std::path::Path) -> Accounts {
    Accounts::new(dir.to_path_buf(), Arc::new(MemorySecrets::default()))
}

/// Every conversation id the server's feed holds for this session.
async fn server_conversations(client: &CloudClient) -> std::collections::BTreeSet<String> {
    let mut cursor = "0".to_owned();
    let mut ids = std::collections::BTreeSet::new();
    loop {
        let page = client.sync(&cursor, 1000).await.unwrap();
        for c in &page.changes {
            if c.entity == stepup_protocol::EntityKind::Conversation {
                ids.insert(c.id.clone());
            }
        }
        cursor = page.next_cursor;
        if !page.has_more {
            return ids;
        }
    }
}

async fn post_webhook(server: &RunningServer, channel: Channel, serial: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(serial);
    let d = demo::webhook_delivery(&server.state, &mut rng, channel, serial).unwrap();
    let mut req = reqwest::Client::new()
        .post(format!("{}{}", server.url(), d.path))
        .body(d.body);
    for (k, v) in d.headers {
        req = req.header(k, v);
    }
    let resp = req
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_sync_is_paginated_complete_and_resumable() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_in(dir.path());
    let session = sign_in(&server, &accounts, "omar@noor.demo").await;
    let engine = Engine::new(&session, Arc::new(SystemClock), fast());
    let mut events = engine.subscribe();

    let applied = engine.catch_up().await.unwrap();
    assert!(applied > 300, "{applied}");
    let mut progress = 0;
    let mut last = 0;
    while let Ok(ev) = events.try_recv() {
        if let SyncEvent::State(SyncState::Bootstrapping {
            applied: so_far,
            total,
        }) = ev
        {
            progress += 1;
            // The first page says how big the snapshot is: a real progress bar. It counts
            // each entity once; a returning customer's contact comes again with each of
            // their conversations.
            let total = total.expect("the snapshot's announced size");
            assert!(
                total <= applied && total * 100 >= applied * 95,
                "{total} announced, {applied} applied"
            );
            assert!(so_far >= last && so_far < applied, "{so_far} of {applied}");
            last = so_far;
        }
        assert!(
            !matches!(ev, SyncEvent::NewInbound { .. }),
            "no notifications for the initial sync"
        );
    }
    assert!(progress > 1, "progress is reported per page");

    let want = server_conversations(&session.client).await;
    let have: std::collections::BTreeSet<String> = session
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.conversation.id)
        .collect();
    assert_eq!(have, want);
    assert!(session.store.sync_cursor().await.unwrap().bootstrapped);

    // A second catch-up has nothing to do.
    assert_eq!(engine.catch_up().await.unwrap(), 0);

    // Resume after a crash part-way through the snapshot: a new cache that
    // stopped after two pages carries on from its cursor.
    let dir2 = tempfile::tempdir().unwrap();
    let accounts2 = accounts_in(dir2.path());
    let s2 = sign_in(&server, &accounts2, "omar@noor.demo").await;
    let first = s2.client.sync("0", 100).await.unwrap();
    s2.store
        .apply_page(&first.changes, &first.next_cursor, false)
        .await
        .unwrap();
    let e2 = Engine::new(&s2, Arc::new(SystemClock), fast());
    e2.catch_up().await.unwrap();
    let have2 = s2
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(have2.len(), want.len());
    server.shutdown().await;
    close_all(vec![session.store.clone(), s2.store.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_webhook_arrives_through_the_stream_and_survives_reconnects() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    let mut events = engine.subscribe();
    let (stop_tx, runner) = run_in_background(&engine);
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Online { .. })).then_some(())
    })
    .await;

    for (i, channel) in [
        Channel::Whatsapp,
        Channel::Telegram,
        Channel::Tiktok,
        Channel::Instagram,
    ]
    .into_iter()
    .enumerate()
    {
        post_webhook(&server, channel, 1000 + i as u64).await;
        let message = wait_for(&mut events, |e| match e {
            SyncEvent::NewInbound { message } => Some(message.clone()),
            _ => None,
        })
        .await;
        let conv = session
            .store
            .conversation(&message.conversation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(conv.channel, channel);
        assert!(
            session
                .store
                .messages(&conv.id, None, 500)
                .await
                .unwrap()
                .iter()
                .any(|m| m.id == message.id)
        );
    }
    stop_tx.send(()).unwrap();
    runner.await.unwrap();

    // While the engine is stopped, more traffic; a new run catches up exactly once.
    post_webhook(&server, Channel::Messenger, 2000).await;
    post_webhook(&server, Channel::Whatsapp, 2001).await;
    let before = session.store.counts().await.unwrap();
    let applied = engine.catch_up().await.unwrap();
    assert!(applied >= 2, "{applied}");
    assert_eq!(engine.catch_up().await.unwrap(), 0);
    let after = session.store.counts().await.unwrap();
    let msgs = |c: &Vec<(String, i64)>| c.iter().find(|(t, _)| t == "messages").unwrap().1;
    assert_eq!(msgs(&after) - msgs(&before), 2);
    server.shutdown().await;
    close_all(vec![session.store.clone()]).await;
}

/// A cached Telegram conversation: Telegram has no reply window, so free text always goes out.
async fn telegram_conversation(session: &Session) -> stepup_protocol::Conversation {
    session
        .store
        .conversations(&ConversationFilter {
            channel: Some(Channel::Telegram),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0)
        .conversation
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_goes_through_the_outbox_exactly_once() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    engine.catch_up().await.unwrap();
    let conv = telegram_conversation(&session).await;

    let entry = engine
        .send_text(&conv.id, "تم شحن طلبك رقم 4471 today ✅")
        .await
        .unwrap();
    assert_eq!(
        session.store.outbox().await.unwrap().len(),
        1,
        "pending at once, before any network"
    );

    // The server accepted it but the app died before recording that: the
    // retry with the same key returns the same message.
    let first = session
        .client
        .send_message(&conv.id, &entry.request, &entry.idempotency_key)
        .await
        .unwrap();
    assert_eq!(engine.flush_outbox().await.unwrap(), 1);
    assert!(session.store.outbox().await.unwrap().is_empty());
    let history = session.client.history(&conv.id, None, 200).await.unwrap();
    let copies = history.messages.iter().filter(|m| matches!(&m.content, stepup_protocol::MessageContent::Text { text } if text == "تم شحن طلبك رقم 4471 today ✅")).count();
    assert_eq!(copies, 1);
    assert!(
        session
            .store
            .messages(&conv.id, None, 500)
            .await
            .unwrap()
            .iter()
            .any(|m| m.id == first.id)
    );

    // Outside a WhatsApp window free text fails permanently, with the reason.
    let closed = session
        .store
        .conversations(&ConversationFilter {
            channel: Some(stepup_protocol::Channel::Whatsapp),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.conversation)
        .find(|c| {
            c.reply_window
                .free_text_until
                .is_some_and(|t| t < SystemClock.now_ms_for_test())
        })
        .expect("the demo has a WhatsApp conversation with a closed window");
    let entry = engine.send_text(&closed.id, "hello").await.unwrap();
    engine.flush_outbox().await.unwrap();
    let failed = session
        .store
        .outbox_entry(&entry.local_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, stepup_store::OutboxState::Failed);
    assert!(failed.error.unwrap().starts_with("reply_window_closed"));
    server.shutdown().await;
    close_all(vec![session.store.clone()]).await;
}

/// A clock that stands still: every send is queued in the same millisecond.
#[derive(Debug)]
struct StillClock(i64);
impl stepup_sync::Clock for StillClock {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// Sends queued in one millisecond leave, and reach the conversation, in the order they were
/// written (with random local ids the outbox sent them shuffled).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_queued_in_one_millisecond_go_out_in_order() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    engine.catch_up().await.unwrap();
    let conv = telegram_conversation(&session).await;
    let still = Engine::new(
        &session,
        Arc::new(StillClock(SystemClock.now_ms_for_test())),
        fast(),
    );
    let texts: Vec<String> = (0..12).map(|i| format!("سطر {i} line")).collect();
    for t in &texts {
        still.send_text(&conv.id, t).await.unwrap();
    }
    assert_eq!(still.flush_outbox().await.unwrap(), texts.len());
    let mut history = session.client.history(&conv.id, None, 200).await.unwrap();
    // In the timeline's order: time, then id.
    history
        .messages
        .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let sent: Vec<&str> = history
        .messages
        .iter()
        .filter_map(|m| match &m.content {
            stepup_protocol::MessageContent::Text { text } if text.starts_with("سطر ") => {
                Some(text.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(sent, texts);
    server.shutdown().await;
    close_all(vec![session.store.clone()]).await;
}

trait NowForTest {
    fn now_ms_for_test(&self) -> i64;
}
impl NowForTest for SystemClock {
    fn now_ms_for_test(&self) -> i64 {
        stepup_sync::Clock::now_ms(self)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_cursor_re_bootstraps_without_losing_the_outbox() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    engine.catch_up().await.unwrap();
    let conversations = session
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    let queued = SendMessageRequest::Text {
        text: "queued".into(),
        reply_to_message_id: None,
        human_agent: false,
    };
    session
        .store
        .enqueue("out_keep", "key_keep", "cnv_unknown", &queued, 0)
        .await
        .unwrap();

    // The cache falls behind, then the server compacts past its cursor.
    let stale = session.store.sync_cursor().await.unwrap().cursor;
    for i in 0..5 {
        post_webhook(&server, Channel::Telegram, 3000 + i).await;
    }
    let workspace = session.account.workspace_id.clone();
    server.state.compact_feed(&workspace, 0).await.unwrap();
    assert!(matches!(
        session.client.sync(&stale, 10).await,
        Err(ClientError::CursorExpired)
    ));

    engine.catch_up().await.unwrap();
    let now = session
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    assert!(now >= conversations, "{now} < {conversations}");
    assert!(
        session
            .store
            .outbox_entry("out_keep")
            .await
            .unwrap()
            .is_some()
    );
    server.shutdown().await;
    close_all(vec![session.store.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_means_offline_with_a_clear_error_and_retries() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    engine.catch_up().await.unwrap();
    let counts = session.store.counts().await.unwrap();
    server.shutdown().await;

    let mut events = engine.subscribe();
    let (stop_tx, runner) = run_in_background(&engine);
    let mut offline = Vec::new();
    while offline.len() < 3 {
        let (error, retry_at) = wait_for(&mut events, |e| match e {
            SyncEvent::State(SyncState::Offline {
                error, retry_at, ..
            }) => Some((error.clone(), *retry_at)),
            _ => None,
        })
        .await;
        assert!(error.contains("cannot reach the server"), "{error}");
        offline.push(retry_at);
    }
    stop_tx.send(()).unwrap();
    runner.await.unwrap();
    assert_eq!(
        session.store.counts().await.unwrap(),
        counts,
        "nothing lost"
    );
    session.store.integrity_check().await.unwrap();
    close_all(vec![session.store.clone()]).await;
}

#[tokio::test]
async fn malformed_answers_and_server_errors_are_transient_and_change_nothing() {
    for (status, body) in [
        (200, "{\"changes\": [oops"),
        (500, "<html>upstream error</html>"),
        (200, "[]"),
    ] {
        let base = answering(status, "", body.into()).await;
        let client = CloudClient::resume(
            &base,
            Secret::new("srt_x".into()),
            &ClientOptions::default(),
        )
        .unwrap();
        // The refresh itself gets the garbage.
        let err = client.sync("0", 10).await.unwrap_err();
        assert!(err.is_transient(), "{status} {body}: {err:?}");
    }
    let base = answering(
        401,
        "",
        b"{\"code\":\"unauthorized\",\"message\":\"revoked\"}".to_vec(),
    )
    .await;
    let client = CloudClient::resume(
        &base,
        Secret::new("srt_x".into()),
        &ClientOptions::default(),
    )
    .unwrap();
    assert!(matches!(
        client.sync("0", 10).await,
        Err(ClientError::SignedOut)
    ));
}

/// A gzip-compressed answer that inflates past the cap on answers (a bomb: 40 MiB of spaces in
/// about 40 kB) is refused as malformed, without inflating it all; one within the cap reads.
#[tokio::test]
async fn a_compressed_answer_is_inflated_within_the_cap_on_answers() {
    async fn gzip_server(status: u16, json: Vec<u8>) -> String {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&json).unwrap();
        answering(status, "content-encoding: gzip\r\n", enc.finish().unwrap()).await
    }
    let client = |base: &str| {
        CloudClient::resume(base, Secret::new("srt_x".into()), &ClientOptions::default()).unwrap()
    };
    // The bomb: the refresh that comes first gets it.
    let mut bomb = b"{\"access_token\": \"".to_vec();
    bomb.resize(40 * 1024 * 1024, b' ');
    let base = gzip_server(200, bomb).await;
    match client(&base).sync("0", 10).await {
        Err(ClientError::Malformed(m)) => assert!(m.contains("larger than"), "{m}"),
        other => panic!("not refused as malformed: {other:?}"),
    }
    // Within the cap: read as any answer (here a refusal of the refresh token).
    let base = gzip_server(
        401,
        br#"{"code":"unauthorized","message":"revoked"}"#.to_vec(),
    )
    .await;
    assert!(matches!(
        client(&base).sync("0", 10).await,
        Err(ClientError::SignedOut)
    ));
}

/// A server whose answer to everything is endless: `{"changes": [` and then spaces forever,
/// announced with a `Content-Length` (`declared`) or streamed in chunks without one.
async fn endless_server(declared: bool) -> (String, Arc<std::sync::atomic::AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let head = if declared {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n".to_owned()
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
                };
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 1 << 20];
                loop {
                    let framed = if declared {
                        chunk.clone()
                    } else {
                        [
                            format!("{:x}\r\n", chunk.len()).into_bytes(),
                            chunk.clone(),
                            b"\r\n".to_vec(),
                        ]
                        .concat()
                    };
                    if sock.write_all(&framed).await.is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    (format!("http://{addr}"), sent)
}

#[tokio::test]
async fn an_endless_answer_is_refused_at_the_cap_not_read_to_the_end() {
    for declared in [true, false] {
        let (base, sent) = endless_server(declared).await;
        let client = CloudClient::resume(
            &base,
            Secret::new("srt_x".into()),
            &ClientOptions::default(),
        )
        .unwrap();
        // The refresh's answer is the endless one.
        let err = client.sync("0", 10).await.unwrap_err();
        assert!(
            matches!(&err, ClientError::Malformed(m) if m.contains("larger than")),
            "{declared}: {err:?}"
        );
        let read = sent.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            read < (stepup_sync::client::JSON_LIMIT as u64) * 2,
            "{declared}: {read} bytes went out before the client stopped"
        );
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _hold = tokio::spawn(async move {
        let mut socks = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            socks.push(s); // accept, never answer
        }
    });
    let timeouts = Timeouts {
        connect: Duration::from_secs(1),
        request: Duration::from_millis(300),
    };
    let client = CloudClient::resume(
        &format!("http://{addr}"),
        Secret::new("srt_x".into()),
        &ClientOptions {
            timeouts,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let err = client.sync("0", 10).await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_on_one_machine_see_only_their_own_data() {
    let server = demo_server().await;
    another_shop(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_in(dir.path());
    let a = sign_in(&server, &accounts, "owner@noor.demo").await;
    let b = sign_in(&server, &accounts, "huda@gadgets.test").await;
    assert_ne!(a.account.id, b.account.id);
    Engine::new(&a, Arc::new(SystemClock), fast())
        .catch_up()
        .await
        .unwrap();
    Engine::new(&b, Arc::new(SystemClock), fast())
        .catch_up()
        .await
        .unwrap();
    let in_a = a
        .store
        .conversations(&ConversationFilter::default())
        .await
        .unwrap();
    assert!(!in_a.is_empty());
    assert!(
        b.store
            .conversations(&ConversationFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let name = in_a[0].contact_name.clone().unwrap();
    assert!(
        !a.store
            .search(&name, &SearchFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        b.store
            .search(&name, &SearchFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(accounts.list().len(), 2);
    assert_ne!(
        accounts.files(&a.account.id).database(),
        accounts.files(&b.account.id).database()
    );

    // Signing one out and wiping it leaves the other whole.
    let a_dir = accounts.files(&a.account.id).dir;
    accounts.sign_out(a, true).await.unwrap();
    assert!(!a_dir.exists());
    assert_eq!(accounts.list().len(), 1);
    let b2 = accounts.open("huda@gadgets.test", None).await.unwrap();
    b2.store.integrity_check().await.unwrap();
    server.shutdown().await;
    close_all(vec![b.store.clone(), b2.store.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unreachable_server_are_clear() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_in(dir.path());
    let bad = Secret::new("nope".to_owned());
    let err = accounts
        .sign_in(&server.url(), "omar@noor.demo", &bad, None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "wrong email or password");
    let url = server.url();
    server.shutdown().await;
    let err = accounts
        .sign_in(&url, "omar@noor.demo", &bad, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("cannot reach the server at"),
        "{err}"
    );
    let err = accounts
        .sign_in("not a url", "omar@noor.demo", &bad, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not a valid server address"),
        "{err}"
    );
    assert!(accounts.list().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_history_and_attachments_on_demand() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let session = sign_in(&server, &accounts_in(dir.path()), "owner@noor.demo").await;
    let cfg = EngineConfig {
        attachment_budget: 64 * 1024,
        ..fast()
    };
    let engine = Engine::new(&session, Arc::new(SystemClock), cfg);
    engine.catch_up().await.unwrap();

    // Attachments referenced by cached messages download once, then come from the cache.
    let mut attachment_ids = Vec::new();
    for row in session
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
    {
        for m in session
            .store
            .messages(&row.conversation.id, None, 500)
            .await
            .unwrap()
        {
            if let stepup_protocol::MessageContent::Attachment { attachment, .. } = &m.content
                && let Some(id) = &attachment.attachment_id
            {
                attachment_ids.push(id.clone());
            }
        }
    }
    assert!(!attachment_ids.is_empty(), "the demo has attachments");
    let first = engine.attachment(&attachment_ids[0]).await.unwrap();
    assert!(!first.bytes.is_empty());
    let again = session
        .store
        .attachment(&attachment_ids[0], 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.bytes, first.bytes);
    for id in attachment_ids.iter().take(20) {
        engine.attachment(id).await.unwrap();
    }
    assert!(
        session.store.attachment_cache_size().await.unwrap()
            <= 64 * 1024 + first.bytes.len() as u64 * 2
    );

    // Retention drops old messages; loading older history brings them back.
    let conv = session
        .store
        .conversations(&ConversationFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|r| r.conversation.unread_count + 1)
        .unwrap()
        .conversation;
    let cached = session.store.messages(&conv.id, None, 1000).await.unwrap();
    let server_page = session.client.history(&conv.id, None, 1000).await.unwrap();
    assert!(!server_page.messages.is_empty());
    session.store.prune_messages_before(i64::MAX).await.unwrap();
    assert!(
        session
            .store
            .messages(&conv.id, None, 1000)
            .await
            .unwrap()
            .is_empty()
    );
    let (loaded, _) = engine.load_older(&conv.id, 1000).await.unwrap();
    assert_eq!(loaded.len(), server_page.messages.len());
    assert!(
        session
            .store
            .messages(&conv.id, None, 1000)
            .await
            .unwrap()
            .len()
            >= cached.len()
    );
    server.shutdown().await;
    close_all(vec![session.store.clone()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_reaches_the_cloud_and_comes_back_through_the_feed() {
    let (server, _dir, session, engine) = demo_session(fast()).await;
    engine.catch_up().await.unwrap();
    let me = session.account.agent_id.clone();
    let agent = session
        .client
        .set_presence(stepup_protocol::Presence::Away)
        .await
        .unwrap();
    assert_eq!(agent.id, me);
    assert_eq!(agent.presence, stepup_protocol::Presence::Away);
    engine.catch_up().await.unwrap();
    let cached: stepup_protocol::Agent = session
        .store
        .entity(stepup_protocol::EntityKind::Agent, &me)
        .await
        .unwrap()
        .expect("the agent is cached");
    assert_eq!(cached.presence, stepup_protocol::Presence::Away);
    drop(engine);
    close_all(vec![session.store]).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_see_each_other_viewing_and_typing_and_nothing_is_stored() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_in(dir.path());
    let omar = sign_in(&server, &accounts, "omar@noor.demo").await;
    let aisha = sign_in(&server, &accounts, "aisha@noor.demo").await;
    // Another shop's agent on the same cloud hears nothing of it.
    another_shop(&server).await;
    let huda = sign_in(&server, &accounts, "huda@gadgets.test").await;
    let engines: Vec<Engine> = [&omar, &aisha, &huda]
        .iter()
        .map(|s| Engine::new(s, Arc::new(SystemClock), fast()))
        .collect();
    let mut events: Vec<_> = engines.iter().map(Engine::subscribe).collect();
    let running: Vec<_> = engines.iter().map(run_in_background).collect();
    for rx in &mut events {
        wait_for(rx, |e| {
            matches!(e, SyncEvent::State(stepup_sync::SyncState::Online { .. })).then_some(())
        })
        .await;
    }
    let conversation = server_conversations(&omar.client)
        .await
        .into_iter()
        .next()
        .unwrap();

    // Omar opens the conversation and starts typing: Aisha sees both, with his name and until
    // when it holds; Omar does not hear himself.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for kind in [ActivityKind::Viewing, ActivityKind::Typing] {
        omar.client
            .report_activity(&conversation, Some(kind))
            .await
            .unwrap();
        let seen = wait_for(&mut events[1], |e| match e {
            SyncEvent::Activity { activity } => Some(activity.clone()),
            _ => None,
        })
        .await;
        assert_eq!(seen.conversation_id, conversation);
        assert_eq!(seen.agent_name, "Omar Khalil");
        assert_eq!(seen.kind, Some(kind));
        assert!(
            seen.until >= before + kind.lasts_ms()
                && seen.until <= before + kind.lasts_ms() + 60_000
        );
    }
    // He leaves.
    omar.client
        .report_activity(&conversation, None)
        .await
        .unwrap();
    let left = wait_for(&mut events[1], |e| match e {
        SyncEvent::Activity { activity } => Some(activity.clone()),
        _ => None,
    })
    .await;
    assert_eq!(left.kind, None);

    // Aisha types back: Omar sees it (so his own reports were not echoed to him before it).
    aisha
        .client
        .report_activity(&conversation, Some(ActivityKind::Typing))
        .await
        .unwrap();
    let to_omar = wait_for(&mut events[0], |e| match e {
        SyncEvent::Activity { activity } => Some(activity.clone()),
        _ => None,
    })
    .await;
    assert_eq!(to_omar.agent_name, "Aisha Rahman");

    // The other workspace heard none of it, and a conversation it does not have is refused.
    assert!(
        std::iter::from_fn(|| events[2].try_recv().ok())
            .all(|e| !matches!(e, SyncEvent::Activity { .. }))
    );
    assert!(matches!(
        huda.client
            .report_activity(&conversation, Some(ActivityKind::Viewing))
            .await,
        Err(stepup_sync::client::ClientError::Server { status: 404, .. })
    ));
    // Never stored: nothing in the feed, nothing in the caches.
    let changes = omar.client.sync("0", 5000).await.unwrap();
    assert!(
        !serde_json::to_string(&changes.changes)
            .unwrap()
            .contains("typing")
    );

    for (stop, runner) in running {
        let _ = stop.send(());
        runner.await.unwrap();
    }
    close_all(vec![omar.store, aisha.store, huda.store]).await;
}
