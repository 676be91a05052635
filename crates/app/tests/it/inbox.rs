//! The inbox behind the UI, against the real reference cloud on a loopback
//! port with real SQLCipher caches: signing in (and its errors), the list's
//! views, the timeline, actions, notes, templates, sending, accounts,
//! export and sign-out with wipe.

use std::{sync::Arc, time::Duration};

use stepup_app::{
    App, AppPaths, ErrorCode, IpcError,
    accounts::{SignIn, SignOut},
    actions::{
        Action, AddNote, ConversationAction, MergeContacts, SendTemplate, SplitContact,
        UpdateContact,
    },
    inbox::{
        EntryDirection, InboxEvent, InboxQuery, InboxRow, OpenAt, ReportActivity, SearchQuery,
        SendText, SyncPhase,
    },
    saved_views::{ListFilters, ListSort, ListView, SavedView},
};
use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_protocol::{ActivityKind, Channel, ConversationStatus, MessageStatus, WindowState};
use stepup_store::{KeyError, MemorySecrets, SearchKind, Secret, SecretStore};
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(20);

async fn demo_server() -> RunningServer {
    let mut server = Server::start(Config::demo()).await.unwrap();
    demo::start_demo(&mut server, 11, 0.0).await.unwrap();
    server
}

fn app_in(dir: &std::path::Path) -> App {
    app_with(dir, Arc::new(MemorySecrets::default()))
}

/// The app on `dir` with its keys in `secrets` (a restart keeps the same ones).
fn app_with(dir: &std::path::Path, secrets: Arc<MemorySecrets>) -> App {
    let app = App::open(AppPaths::under(dir.to_path_buf()), vec!["en-US".into()]);
    app.inbox().use_secrets(secrets);
    app
}

fn sign_in(server: &RunningServer, email: &str, password: &str) -> SignIn {
    SignIn {
        server: server.url(),
        email: email.into(),
        password: password.into(),
        passphrase: None,
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, stepup_app::AppError>) -> ErrorCode {
    IpcError::from(r.expect_err("an error")).code
}

/// Waits until the inbox reports `state`.
async fn wait_state(rx: &mut broadcast::Receiver<InboxEvent>, app: &App, state: SyncPhase) {
    tokio::time::timeout(WAIT, async {
        loop {
            if app.status().state == state {
                return;
            }
            let _ = rx.recv().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the inbox reached {state:?}"));
}

/// The app in `dir`, signed in to `server` as the demo's agent Omar and online, with its events.
async fn omar_online(
    server: &RunningServer,
    dir: &std::path::Path,
) -> (App, broadcast::Receiver<InboxEvent>) {
    let app = app_in(dir);
    let events = sign_omar_in(server, &app).await;
    (app, events)
}

/// Signs Omar in on `app` and waits until it is online.
async fn sign_omar_in(server: &RunningServer, app: &App) -> broadcast::Receiver<InboxEvent> {
    let mut events = app.inbox().subscribe();
    app.sign_in(sign_in(server, "omar@noor.demo", demo::DEMO_PASSWORD))
        .await
        .unwrap();
    wait_state(&mut events, app, SyncPhase::Online).await;
    events
}

/// The whole list for `query`, read window by window as the UI scrolls it; checks that the
/// windows fit together (offsets, one total) on the way.
async fn list(app: &App, query: InboxQuery) -> Vec<InboxRow> {
    let mut rows: Vec<InboxRow> = Vec::new();
    let mut total = None;
    loop {
        let page = app
            .inbox_list(InboxQuery {
                offset: Some(rows.len() as u32),
                limit: Some(37),
                ..query.clone()
            })
            .await
            .unwrap();
        assert_eq!(page.offset as usize, rows.len());
        assert_eq!(*total.get_or_insert(page.total), page.total, "one total");
        if page.rows.is_empty() {
            break;
        }
        rows.extend(page.rows);
    }
    assert_eq!(
        rows.len(),
        total.unwrap_or(0) as usize,
        "the windows add up to the total"
    );
    rows
}

/// Polls the cache after each change event until `pick` accepts a row.
async fn wait_row(
    rx: &mut broadcast::Receiver<InboxEvent>,
    app: &App,
    id: &str,
    pick: impl Fn(&InboxRow) -> bool,
) -> InboxRow {
    wait_view(rx, app, id, |v| pick(&v.row)).await.row
}

/// Omar and Aisha, two agents of the demo shop, each in an app of their own, both online.
struct TwoAgents {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    omar: App,
    aisha: App,
    /// Aisha's events, from before she signed in.
    ev_aisha: broadcast::Receiver<InboxEvent>,
}

async fn two_agents(server: &RunningServer) -> TwoAgents {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (omar, aisha) = (app_in(dirs.0.path()), app_in(dirs.1.path()));
    let (mut ev_omar, mut ev_aisha) = (omar.inbox().subscribe(), aisha.inbox().subscribe());
    omar.sign_in(sign_in(server, "omar@noor.demo", demo::DEMO_PASSWORD))
        .await
        .unwrap();
    aisha
        .sign_in(sign_in(server, "aisha@noor.demo", demo::DEMO_PASSWORD))
        .await
        .unwrap();
    wait_state(&mut ev_omar, &omar, SyncPhase::Online).await;
    wait_state(&mut ev_aisha, &aisha, SyncPhase::Online).await;
    TwoAgents {
        _dirs: dirs,
        omar,
        aisha,
        ev_aisha,
    }
}

#[derive(Debug)]
struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: &str) -> Result<Option<Secret<String>>, KeyError> {
        Err(KeyError::KeyringUnavailable("no Secret Service".into()))
    }
    fn set(&self, _: &str, _: &Secret<String>) -> Result<(), KeyError> {
        Err(KeyError::KeyringUnavailable("no Secret Service".into()))
    }
    fn delete(&self, _: &str) -> Result<(), KeyError> {
        Err(KeyError::KeyringUnavailable("no Secret Service".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_errors_are_codes_the_ui_branches_on() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());

    let wrong = sign_in(&server, "omar@noor.demo", "not-the-password");
    assert_eq!(code(app.sign_in(wrong).await), ErrorCode::Unauthorized);

    let down = SignIn {
        server: "http://127.0.0.1:9".into(),
        ..sign_in(&server, "omar@noor.demo", demo::DEMO_PASSWORD)
    };
    assert_eq!(code(app.sign_in(down).await), ErrorCode::Unreachable);

    let garbage = SignIn {
        server: "not a url at all".into(),
        ..sign_in(&server, "omar@noor.demo", demo::DEMO_PASSWORD)
    };
    assert_eq!(code(app.sign_in(garbage).await), ErrorCode::InvalidInput);

    // No keyring: a clear code, then the passphrase path works.
    app.inbox().use_secrets(Arc::new(NoKeyring));
    let ok = sign_in(&server, "omar@noor.demo", demo::DEMO_PASSWORD);
    assert_eq!(
        code(app.sign_in(ok.clone()).await),
        ErrorCode::KeyringUnavailable
    );
    let mut events = app.inbox().subscribe();
    app.sign_in(SignIn {
        passphrase: Some("a long local passphrase".into()),
        ..ok
    })
    .await
    .unwrap();
    wait_state(&mut events, &app, SyncPhase::Online).await;
    let accounts = app.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].passphrase && accounts[0].active && accounts[0].last);
    app.shutdown().await;

    // On the next start the account behind a passphrase waits for it on the start screen
    // (and the UI is not told an inbox is coming).
    let app = app_in(dir.path());
    tokio::spawn(app.startup(false));
    assert!(!app.app_info().opening);
    assert_eq!(app.sync_status().await.state, SyncPhase::SignedOut);
    app.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_signed_in_before_the_window_asks() {
    // `--demo`: the window's first status is the demo's, not the start screen's.
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    tokio::spawn(app.startup(true));
    assert!(
        app.app_info().opening,
        "the UI may lay out the inbox meanwhile"
    );
    let status = app.sync_status().await;
    assert_ne!(status.state, SyncPhase::SignedOut);
    assert!(status.account.is_some());
    assert!(!app.app_info().opening);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_opens_the_account_used_last_before_the_window_asks() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let app = app_with(dir.path(), secrets.clone());
    sign_omar_in(&server, &app).await;
    app.shutdown().await;

    // Restarted with its key still in the keyring: the status asked for while the account
    // opens is the opened account's, never the start screen's.
    let app = app_with(dir.path(), secrets);
    let query = InboxQuery {
        limit: Some(5),
        ..Default::default()
    };
    assert_eq!(app.sync_status().await.state, SyncPhase::SignedOut);
    let screen = app.first_screen(query.clone()).await.unwrap();
    assert_eq!(screen.status.state, SyncPhase::SignedOut);
    assert!(screen.page.is_none(), "no list without an account");
    assert!(!app.app_info().opening);
    // Set as the start is asked for, before its task runs (which may finish at once on a
    // busy machine).
    let start = app.startup(false);
    assert!(app.app_info().opening);
    tokio::spawn(start);
    // The inbox's first call: the status and the list's top in one answer.
    let screen = app.first_screen(query.clone()).await.unwrap();
    assert!(!app.app_info().opening);
    assert_ne!(screen.status.state, SyncPhase::SignedOut);
    assert!(screen.status.account.is_some());
    let page = screen.page.expect("the account's list");
    assert_eq!(page.rows.len(), 5, "the cached list is there at once");
    assert!(page.total > 5, "{}", page.total);
    let again = app.inbox_list(query).await.unwrap();
    assert_eq!(
        again.rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
        page.rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
        "the same window as the list's own"
    );
    app.shutdown().await;
    server.shutdown().await;
}

/// A window's start shows the cache first and syncs once that first screen is painted: what
/// came in while the app was closed arrives after the page says so, not while it paints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_syncs_once_its_first_screen_is_painted() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let app = app_with(dir.path(), secrets.clone());
    sign_omar_in(&server, &app).await;
    app.shutdown().await;

    // While the app is closed, a customer writes.
    let st = &server.state;
    let ws = stepup_cloud::store::workspaces::setting(st.pool(), "demo_workspace")
        .await
        .unwrap()
        .expect("the demo workspace");
    stepup_cloud::ingest::ingest(
        st,
        &ws,
        stepup_cloud::ingest::Inbound::text(
            Channel::Telegram,
            "8001",
            "closed.1",
            "وصلني الطلب ناقص قطعة",
            st.now(),
        ),
    )
    .await
    .unwrap();

    let app = app_with(dir.path(), secrets.clone());
    // Any request to the cloud begins by trading the refresh token for a new one.
    let account = app.accounts().await.unwrap().remove(0).id;
    let refresh = || {
        secrets
            .get(&format!("{account}/refresh-token"))
            .unwrap()
            .expect("the refresh token is kept")
            .expose()
            .to_owned()
    };
    let before_start = refresh();
    let mut events = app.inbox().subscribe();
    // Held longer than the app holds (2 s), so that a slow machine's start cannot outlast the
    // hold while the test watches.
    app.inbox().hold_sync_until_shown(Duration::from_secs(600));
    tokio::spawn(app.startup(false));
    let query = InboxQuery {
        limit: Some(20),
        ..Default::default()
    };
    let screen = app.first_screen(query.clone()).await.unwrap();
    // The customer is new: their conversation is one more in the list once it arrives.
    let cached = screen.page.expect("the cached list").total;
    let total = || async { app.inbox_list(query.clone()).await.unwrap().total };
    // Held: half a second later nothing has been fetched (unheld, the demo's catch-up on
    // loopback takes a few milliseconds).
    let online = tokio::time::timeout(
        Duration::from_millis(500),
        wait_state(&mut events, &app, SyncPhase::Online),
    )
    .await;
    assert!(online.is_err(), "no sync before the first screen");
    assert_eq!(total().await, cached);
    // Nor anything else of the start that the first screen does not need (telling the cloud
    // the agent is online): nothing has asked the cloud anything yet.
    assert_eq!(
        refresh(),
        before_start,
        "no request before the first screen"
    );

    app.ui_ready("inbox".into()).await.unwrap();
    wait_state(&mut events, &app, SyncPhase::Online).await;
    tokio::time::timeout(WAIT, async {
        while total().await != cached + 1 {
            let _ = events.recv().await;
        }
    })
    .await
    .expect("what came in while closed, once the screen is painted");
    app.shutdown().await;

    // A new cache has nothing to show: a first sign-in is never held (nor is the demo's cache,
    // made anew at every start).
    let fresh = tempfile::tempdir().unwrap();
    let app = app_in(fresh.path());
    app.inbox().hold_sync_until_shown(Duration::from_secs(600));
    sign_omar_in(&server, &app).await;
    app.shutdown().await;

    // A page that never reports its first screen holds the sync only up to the hold's end.
    let app = app_with(dir.path(), secrets);
    let mut events = app.inbox().subscribe();
    app.inbox()
        .hold_sync_until_shown(Duration::from_millis(200));
    tokio::spawn(app.startup(false));
    wait_state(&mut events, &app, SyncPhase::Online).await;
    app.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_day_views_actions_notes_templates_and_sending() {
    let server = demo_server().await;
    // This shop lets its agents export their cache (by default only admins and supervisors).
    set_privacy(
        &server,
        serde_json::json!({"export_roles": ["admin", "supervisor", "agent"]}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;

    let dir_ = app.inbox().directory().await.unwrap();
    let me = dir_.me.clone().expect("the directory knows who I am");
    assert_eq!(me.email, "omar@noor.demo");
    assert!(dir_.agents.len() >= 7 && !dir_.teams.is_empty());
    assert!(!dir_.templates.is_empty());
    assert!(!dir_.canned.is_empty());

    // Views.
    let all = list(&app, InboxQuery::default()).await;
    assert!(all.len() > 100, "{}", all.len());
    // A window from the middle is that part of the list.
    let window = app
        .inbox_list(InboxQuery {
            offset: Some(100),
            limit: Some(20),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((window.offset, window.total), (100, all.len() as u32));
    assert_eq!(
        window.rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
        all[100..120].iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    assert!(
        all.windows(2)
            .all(|w| w[0].last_message_at >= w[1].last_message_at)
    );
    let mine = list(
        &app,
        InboxQuery {
            view: Some(ListView::Mine),
            ..Default::default()
        },
    )
    .await;
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|r| r.assignee_agent_id.as_deref() == Some(me.id.as_str()))
    );
    assert!(
        mine.iter()
            .all(|r| r.assignee_name.as_deref() == Some(me.name.as_str()))
    );
    let unassigned = list(
        &app,
        InboxQuery {
            view: Some(ListView::Unassigned),
            ..Default::default()
        },
    )
    .await;
    assert!(unassigned.iter().all(|r| r.assignee_agent_id.is_none()));
    let teams = list(
        &app,
        InboxQuery {
            view: Some(ListView::MyTeams),
            ..Default::default()
        },
    )
    .await;
    assert!(!teams.is_empty());
    assert!(
        teams
            .iter()
            .all(|r| r.team_id.as_ref().is_some_and(|t| me.team_ids.contains(t)))
    );
    let waiting = list(
        &app,
        InboxQuery {
            sort: Some(ListSort::Waiting),
            ..Default::default()
        },
    )
    .await;
    let first_answered = waiting
        .iter()
        .position(|r| !r.waiting)
        .unwrap_or(waiting.len());
    assert!(first_answered > 0, "someone is waiting");
    assert!(
        waiting[first_answered..].iter().all(|r| !r.waiting),
        "waiting ones first"
    );
    let unread = list(
        &app,
        InboxQuery {
            unread: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert!(unread.iter().all(|r| r.unread > 0));
    // A view that does not exist never reaches the app: the query does not decode.
    assert!(
        serde_json::from_value::<InboxQuery>(serde_json::json!({ "view": "everything" })).is_err()
    );

    // A conversation of my team that is still open, with a free-text window,
    // on a channel that takes files (TikTok replies are text only).
    let files = |r: &&InboxRow| r.channel != Channel::Tiktok;
    let target = teams
        .iter()
        .filter(files)
        .find(|r| {
            r.status == ConversationStatus::Open
                && r.reply_window != WindowState::Closed
                && r.reply_window != WindowState::None
        })
        .or_else(|| {
            teams
                .iter()
                .filter(files)
                .find(|r| r.status == ConversationStatus::Open)
        })
        .expect("an open conversation")
        .clone();
    let view = app.open_conversation(target.id.clone()).await.unwrap();
    assert!(!view.messages.is_empty());
    assert!(
        view.messages
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );
    assert_eq!(view.contact.name, target.contact_name);
    assert!(!view.contact.identities.is_empty());

    // Assign to me, then resolve; both come back through the feed.
    app.conversation_action(ConversationAction {
        conversation_id: target.id.clone(),
        action: Action::AssignAgent {
            agent_id: me.id.clone(),
        },
    })
    .await
    .unwrap();
    wait_row(&mut events, &app, &target.id, |r| {
        r.assignee_agent_id.as_deref() == Some(me.id.as_str())
    })
    .await;
    app.conversation_action(ConversationAction {
        conversation_id: target.id.clone(),
        action: Action::Labels {
            label_ids: vec![dir_.labels[0].id.clone()],
        },
    })
    .await
    .unwrap();
    let row = wait_row(&mut events, &app, &target.id, |r| {
        r.labels.len() == 1 && r.labels[0].id == dir_.labels[0].id
    })
    .await;
    assert_eq!(
        row.labels[0].name, dir_.labels[0].name,
        "labels carry their names"
    );
    app.conversation_action(ConversationAction {
        conversation_id: target.id.clone(),
        action: Action::Status {
            status: ConversationStatus::Resolved,
            snoozed_until: None,
        },
    })
    .await
    .unwrap();
    wait_row(&mut events, &app, &target.id, |r| {
        r.status == ConversationStatus::Resolved
    })
    .await;

    // Read, then put back as unread for later: the team sees it unread again.
    app.inbox().mark_read(target.id.clone()).await.unwrap();
    wait_row(&mut events, &app, &target.id, |r| r.unread == 0).await;
    app.inbox().mark_unread(target.id.clone()).await.unwrap();
    wait_row(&mut events, &app, &target.id, |r| r.unread == 1).await;
    assert_eq!(
        code(app.inbox().mark_unread("cnv_nope".into()).await),
        ErrorCode::NotFound
    );

    // A private note shows in the timeline as a note, with its author.
    app.inbox()
        .add_note(AddNote {
            conversation_id: target.id.clone(),
            body: "ملاحظة: العميل يفضل التوصيل مساءً".into(),
        })
        .await
        .unwrap();
    let note = tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation(target.id.clone()).await.unwrap();
            if let Some(n) = v
                .messages
                .into_iter()
                .find(|m| m.direction == EntryDirection::Note && m.text.starts_with("ملاحظة"))
            {
                return n;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the note arrived");
    assert_eq!(note.author.as_deref(), Some(me.name.as_str()));

    // Sending: pending at once, then sent.
    app.inbox()
        .send_text(SendText {
            conversation_id: target.id.clone(),
            text: "  شكراً Thank you  ".into(),
            reply_to: None,
        })
        .await
        .unwrap();
    let pending = app.open_conversation(target.id.clone()).await.unwrap();
    // Pending from the outbox at once, unless the cloud already took it.
    assert!(
        pending
            .messages
            .iter()
            .any(|m| m.text == "شكراً Thank you" && (!m.local || m.status == MessageStatus::Pending))
    );
    tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation(target.id.clone()).await.unwrap();
            if v.messages
                .iter()
                .any(|m| !m.local && m.text == "شكراً Thank you")
            {
                assert!(
                    !v.messages.iter().any(|m| m.local),
                    "the outbox entry is gone"
                );
                return;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the message was sent");
    assert_eq!(
        code(
            app.inbox()
                .send_text(SendText {
                    conversation_id: target.id.clone(),
                    text: "   ".into(),
                    reply_to: None,
                })
                .await
        ),
        ErrorCode::InvalidInput
    );

    // A photo: uploaded, sent, shown inline from the cache; an SVG that
    // claims to be a PNG is never shown, only saved under a clean name.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let b64 = |bytes: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    for (name, bytes) in [
        ("receipt.png", PNG),
        (
            "../../evil.png",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".as_slice(),
        ),
    ] {
        app.inbox()
            .send_attachment(stepup_app::media::SendAttachment {
                conversation_id: target.id.clone(),
                filename: name.into(),
                data_base64: b64(bytes),
                caption: None,
            })
            .await
            .unwrap();
    }
    let attachments = tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation(target.id.clone()).await.unwrap();
            let sent: Vec<_> = v
                .messages
                .iter()
                .filter(|m| !m.local)
                .filter_map(|m| m.attachment.clone())
                .filter(|a| a.filename.as_deref().is_some_and(|f| f.ends_with(".png")))
                .collect();
            if sent.len() >= 2 {
                return sent;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("both attachments were sent");
    let photo = attachments
        .iter()
        .find(|a| a.filename.as_deref() == Some("receipt.png"))
        .unwrap();
    let shown = app
        .inbox()
        .inline_media(photo.id.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(shown.content_type, "image/png");
    assert!(
        shown
            .data_url
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );
    let fake = attachments
        .iter()
        .find(|a| a.filename.as_deref() != Some("receipt.png"))
        .unwrap();
    assert_eq!(
        code(app.inbox().inline_media(fake.id.clone().unwrap()).await),
        ErrorCode::InvalidInput,
        "an SVG is never rendered"
    );
    let saved = app
        .save_attachment(stepup_app::media::SaveAttachment {
            id: fake.id.clone().unwrap(),
            filename: Some("../../evil.png".into()),
        })
        .await
        .unwrap();
    let saved = std::path::Path::new(&saved);
    assert_eq!(saved.parent().unwrap(), dir.path().join("exports"));
    assert_eq!(saved.file_name().unwrap(), "evil.png");
    // Marked as downloaded from the internet (freedesktop's origin attribute, on a file system
    // that keeps user attributes), naming where it came from.
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").unwrap();
    if xattr::set(&probe, "user.probe", b"1").is_ok() {
        let origin = xattr::get(saved, "user.xdg.origin.url").unwrap().unwrap();
        let origin = String::from_utf8(origin).unwrap();
        assert!(
            origin.starts_with(&server.url()) && origin.contains("/v1/attachments/att_"),
            "{origin}"
        );
    }
    assert_eq!(
        code(
            app.inbox()
                .send_attachment(stepup_app::media::SendAttachment {
                    conversation_id: target.id.clone(),
                    filename: "x.bin".into(),
                    data_base64: "%%%not base64".into(),
                    caption: None,
                })
                .await
        ),
        ErrorCode::InvalidInput
    );

    // A recorded voice note (a laptop microphone's 44.1 kHz PCM): encoded to Opus in Ogg, sent,
    // and the cloud takes it as a voice message the player can play.
    let pcm: Vec<u8> = (0..44_100u32)
        .flat_map(|i| {
            let t = f64::from(i) / 44_100.0;
            ((6_000.0 * (2.0 * std::f64::consts::PI * 220.0 * t).sin()) as i16).to_le_bytes()
        })
        .collect();
    app.inbox()
        .send_voice_note(stepup_app::media::SendVoiceNote {
            conversation_id: target.id.clone(),
            pcm_base64: b64(&pcm),
            sample_rate: 44_100,
        })
        .await
        .unwrap();
    let voice = tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation(target.id.clone()).await.unwrap();
            if let Some(a) = v
                .messages
                .iter()
                .filter(|m| !m.local)
                .filter_map(|m| m.attachment.clone())
                .find(|a| a.kind == stepup_protocol::AttachmentKind::Voice)
            {
                return a;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the voice note was sent");
    assert_eq!(voice.content_type.as_deref(), Some("audio/ogg"));
    let played = app
        .inbox()
        .inline_media(voice.id.clone().unwrap())
        .await
        .unwrap();
    assert_eq!(played.content_type, "audio/ogg");
    assert!(played.data_url.starts_with("data:audio/ogg;base64,T2dnUw"));
    for (pcm, rate) in [(String::new(), 48_000), (b64(&[0, 0, 0, 0]), 1_000)] {
        assert_eq!(
            code(
                app.inbox()
                    .send_voice_note(stepup_app::media::SendVoiceNote {
                        conversation_id: target.id.clone(),
                        pcm_base64: pcm,
                        sample_rate: rate,
                    })
                    .await
            ),
            ErrorCode::InvalidInput,
            "an empty recording or a strange rate is refused"
        );
    }

    // A template with an empty parameter is refused before it is queued.
    let template = dir_
        .templates
        .iter()
        .find(|t| t.params > 0)
        .expect("a template with parameters");
    assert_eq!(
        code(
            app.inbox()
                .send_template(SendTemplate {
                    conversation_id: target.id.clone(),
                    template_id: template.id.clone(),
                    params: vec![" ".into(); template.params as usize],
                })
                .await
        ),
        ErrorCode::InvalidInput
    );

    // A supervisor's list: a given agent's or team's conversations, and the most urgent first.
    let all = list(&app, InboxQuery::default()).await;
    let (agent, team) = (
        all.iter()
            .find_map(|r| r.assignee_agent_id.clone())
            .expect("an assigned conversation"),
        all.iter()
            .find_map(|r| r.team_id.clone())
            .expect("a team's conversation"),
    );
    let theirs = list(
        &app,
        InboxQuery {
            agent: Some(agent.clone()),
            ..InboxQuery::default()
        },
    )
    .await;
    assert!(!theirs.is_empty());
    assert!(
        theirs
            .iter()
            .all(|r| r.assignee_agent_id.as_ref() == Some(&agent))
    );
    let team_rows = list(
        &app,
        InboxQuery {
            team: Some(team.clone()),
            ..InboxQuery::default()
        },
    )
    .await;
    assert!(!team_rows.is_empty());
    assert!(team_rows.iter().all(|r| r.team_id.as_ref() == Some(&team)));
    let by_priority = list(
        &app,
        InboxQuery {
            sort: Some(ListSort::Priority),
            ..InboxQuery::default()
        },
    )
    .await;
    let rank = |p: stepup_protocol::Priority| match p {
        stepup_protocol::Priority::Urgent => 0,
        stepup_protocol::Priority::High => 1,
        stepup_protocol::Priority::Normal => 2,
        stepup_protocol::Priority::Low => 3,
    };
    assert!(
        by_priority
            .windows(2)
            .all(|w| rank(w[0].priority) <= rank(w[1].priority))
    );
    assert_eq!(rank(by_priority[0].priority), 0, "urgent on top");
    // The demo workspace's SLA policy clocks every request: the nearest deadline first, the
    // overdue on top, those without a running deadline last.
    let by_due = list(
        &app,
        InboxQuery {
            sort: Some(ListSort::SlaDue),
            ..InboxQuery::default()
        },
    )
    .await;
    let dues: Vec<Option<i64>> = by_due.iter().map(|r| r.sla.map(|s| s.due_at)).collect();
    assert!(dues.iter().filter(|d| d.is_some()).count() >= 2, "{dues:?}");
    assert!(
        dues.windows(2).all(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => a <= b,
            (Some(_), None) | (None, None) => true,
            (None, Some(_)) => false,
        }),
        "{dues:?}"
    );

    // Search limited to the list's filters: only the conversations the list shows.
    let everywhere = app
        .search(SearchQuery {
            text: "delivery".into(),
            within: None,
            days: None,
        })
        .await
        .unwrap();
    let telegram = InboxQuery {
        channel: Some(Channel::Telegram),
        ..InboxQuery::default()
    };
    let in_list = app
        .search(SearchQuery {
            text: "delivery".into(),
            within: Some(telegram.clone()),
            days: None,
        })
        .await
        .unwrap();
    let telegram_ids: std::collections::HashSet<String> = list(&app, telegram)
        .await
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(
        !in_list.is_empty() && in_list.len() < everywhere.len(),
        "{} of {}",
        in_list.len(),
        everywhere.len()
    );
    assert!(
        in_list.iter().all(|r| r
            .conversation_id
            .as_ref()
            .is_some_and(|c| telegram_ids.contains(c))),
        "every hit is in a Telegram conversation"
    );

    // A period: today's search finds no message older than it (customers whatever the period).
    let today = app
        .search(SearchQuery {
            text: "delivery".into(),
            within: None,
            days: Some(0),
        })
        .await
        .unwrap();
    assert!(
        today.iter().all(|r| r.kind == SearchKind::Contact),
        "{today:?}"
    );
    assert!(
        everywhere
            .iter()
            .any(|r| r.kind == SearchKind::Message && r.at.is_some())
    );
    // A result opens its conversation with the message in the timeline.
    let hit = everywhere
        .iter()
        .find(|r| r.kind == SearchKind::Message)
        .unwrap();
    let opened = app
        .open_conversation_at(OpenAt {
            conversation_id: hit.conversation_id.clone().unwrap(),
            message_id: Some(hit.id.clone()),
            messages: None,
        })
        .await
        .unwrap();
    assert!(opened.messages.iter().any(|m| m.id == hit.id));

    // Saved views live in the account's cache: named filters, in the order first saved.
    let filters = |channel: &str, unread| ListFilters {
        view: ListView::Mine,
        status: Some(ConversationStatus::Open),
        channel: Channel::parse(channel),
        label: None,
        agent: None,
        team: None,
        unread,
        sort: ListSort::Waiting,
    };
    let view = |name: &str, query| SavedView {
        name: name.into(),
        query,
    };
    app.save_view(view("  واتساب العاجل ", filters("whatsapp", true)))
        .await
        .unwrap();
    app.save_view(view("Instagram", filters("instagram", false)))
        .await
        .unwrap();
    let views = app
        .save_view(view("واتساب العاجل", filters("whatsapp", false)))
        .await
        .unwrap();
    assert_eq!(
        views,
        [
            view("واتساب العاجل", filters("whatsapp", false)),
            view("Instagram", filters("instagram", false))
        ]
    );
    assert_eq!(
        code(app.save_view(view("   ", filters("tiktok", true))).await),
        ErrorCode::InvalidInput
    );
    let long = "ع".repeat(stepup_app::saved_views::MAX_NAME + 1);
    assert_eq!(
        code(app.save_view(view(&long, filters("tiktok", true))).await),
        ErrorCode::InvalidInput
    );
    assert_eq!(app.delete_view("Instagram".into()).await.unwrap().len(), 1);
    assert_eq!(app.inbox().saved_views().await.unwrap().len(), 1);

    // Export holds the account's data; sign-out with wipe deletes the cache.
    let path = app.export_data(Default::default()).await.unwrap();
    let export = std::fs::read_to_string(&path).unwrap();
    assert!(export.contains("شكراً Thank you"));
    let exported: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert_eq!(exported["saved_views"][0]["name"], "واتساب العاجل");
    assert_eq!(exported["saved_views"][0]["query"]["view"], "mine");
    let accounts = app.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    app.sign_out(SignOut { wipe: true }).await.unwrap();
    assert_eq!(app.status().state, SyncPhase::SignedOut);
    assert!(app.accounts().await.unwrap().is_empty());
    assert_eq!(code(app.inbox().directory().await), ErrorCode::NotSignedIn);
    assert_eq!(
        code(app.inbox().saved_views().await),
        ErrorCode::NotSignedIn
    );
    let leftover: Vec<_> = walk(&dir.path().join("accounts"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    assert!(leftover.is_empty(), "{leftover:?}");
    app.shutdown().await;
    server.shutdown().await;
}

/// An access token of the demo shop's owner, for what admins do on the cloud.
async fn owner_token(server: &RunningServer) -> String {
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({"email": "owner@noor.demo", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// The owner of the demo shop sets its privacy settings.
async fn set_privacy(server: &RunningServer, privacy: serde_json::Value) {
    let r = reqwest::Client::new()
        .put(format!("{}/v1/workspace/privacy", server.url()))
        .bearer_auth(owner_token(server).await)
        .json(&privacy)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_follow_the_workspaces_roles_and_only_their_owner_reads_them() {
    use std::os::unix::fs::PermissionsExt;
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;
    // An agent may not export the shop's inbox unless the workspace says so.
    assert_eq!(
        code(app.export_data(Default::default()).await),
        ErrorCode::NotAllowed
    );
    app.sign_out(SignOut { wipe: true }).await.unwrap();
    // A supervisor may; the file and the data folder are for their owner only.
    app.sign_in(sign_in(&server, "sara@noor.demo", demo::DEMO_PASSWORD))
        .await
        .unwrap();
    wait_state(&mut events, &app, SyncPhase::Online).await;
    let path = app.export_data(Default::default()).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(std::path::Path::new(&path)), 0o600);
    let plain = std::fs::read(&path).unwrap();
    // With a passphrase: an age file that the age tool opens (it asks on a terminal: `script`
    // gives it one), holding the same export. A short passphrase is refused.
    let weak = stepup_app::accounts::ExportOptions {
        passphrase: Some("short".into()),
    };
    assert_eq!(code(app.export_data(weak).await), ErrorCode::InvalidInput);
    let secret = "تصدير آمن 2026 safe";
    let sealed = app
        .export_data(stepup_app::accounts::ExportOptions {
            passphrase: Some(secret.into()),
        })
        .await
        .unwrap();
    assert!(sealed.ends_with(".json.age"), "{sealed}");
    assert_eq!(mode(std::path::Path::new(&sealed)), 0o600);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    assert!(
        !bytes.windows(8).any(|w| w == b"messages"),
        "nothing readable"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let opened = elsewhere.path().join("opened.json");
    let mut age = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!("age -d -o {} {}", opened.display(), sealed))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("script(1) and age(1) are installed (./dev setup)");
    std::io::Write::write_all(
        age.stdin.as_mut().unwrap(),
        format!("{secret}\n").as_bytes(),
    )
    .unwrap();
    assert!(age.wait().unwrap().success());
    let opened = std::fs::read(&opened).expect("age decrypted the export");
    let a: serde_json::Value = serde_json::from_slice(&opened).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(a["conversations"], b["conversations"]);
    assert_eq!(
        a["messages"].as_array().unwrap().len(),
        b["messages"].as_array().unwrap().len()
    );
    let data = dir.path().join("data");
    let data = if data.exists() {
        data
    } else {
        app.paths().data_dir().to_path_buf()
    };
    for entry in walk(&data) {
        let m = mode(&entry);
        assert_eq!(m & 0o077, 0, "{} is {m:o}", entry.display());
    }
    app.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_revoked_by_an_admin_erases_itself_and_says_what_it_kept() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let app = app_in(dir.path());
    let mut events = app.inbox().subscribe();
    app.sign_in(sign_in(&server, "layla@noor.demo", demo::DEMO_PASSWORD))
        .await
        .unwrap();
    wait_state(&mut events, &app, SyncPhase::Online).await;
    let devices = app.inbox().devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    assert!(devices[0].this_device && !devices[0].name.is_empty());
    let leftover_dbs = || {
        walk(dir.path())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "db"))
            .count()
    };
    assert_eq!(leftover_dbs(), 1);

    // The owner removes Layla from the workspace.
    let r = reqwest::Client::new()
        .delete(format!(
            "{}/v1/agents/{}",
            server.url(),
            devices[0].agent_id
        ))
        .bearer_auth(owner_token(&server).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);

    wait_state(&mut events, &app, SyncPhase::Erased).await;
    let status = app.status();
    assert_eq!(status.account.as_deref(), Some("layla@noor.demo"));
    assert_eq!(status.erased.as_ref().map(|e| e.unsent), Some(0));
    assert_eq!(leftover_dbs(), 0);
    assert!(app.accounts().await.unwrap().is_empty());
    assert_eq!(code(app.inbox().directory().await), ErrorCode::NotSignedIn);
    app.shutdown().await;
    server.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messenger_and_instagram_replies_after_a_day_go_out_with_the_human_agent_tag() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;

    // A conversation whose 24-hour window has closed, inside the 7 days a human agent may
    // still answer in.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let mut target = None;
    'find: for channel in [Channel::Messenger, Channel::Instagram] {
        let rows = list(
            &app,
            InboxQuery {
                channel: Some(channel),
                ..Default::default()
            },
        )
        .await;
        for row in rows {
            let view = app.open_conversation(row.id.clone()).await.unwrap();
            let w = &view.window;
            if w.free_text_until.is_some_and(|t| t + 3_600_000 < now)
                && w.human_agent_until.is_some_and(|h| h > now + 3_600_000)
            {
                assert_eq!(w.reply_until, w.human_agent_until);
                assert_ne!(view.row.reply_window, WindowState::Closed);
                target = Some(row.id);
                break 'find;
            }
        }
    }
    let target = target
        .expect("the demo has a Messenger or Instagram conversation between 1 and 7 days old");

    app.inbox()
        .send_text(SendText {
            conversation_id: target.clone(),
            text: "Sorry for the wait, your order is ready".into(),
            reply_to: None,
        })
        .await
        .unwrap();
    // The cloud accepts it (with the tag), rather than refusing it as outside the window.
    tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation(target.clone()).await.unwrap();
            if let Some(m) = v
                .messages
                .iter()
                .find(|m| m.text == "Sorry for the wait, your order is ready")
            {
                assert_ne!(m.status, MessageStatus::Failed, "{:?}", m.error);
                if !m.local {
                    return;
                }
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the reply was accepted");
    app.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_in_one_conversation_see_each_other_typing() {
    let server = demo_server().await;
    // Aisha's app runs (and hears Omar) while only her events are read.
    let TwoAgents {
        _dirs,
        omar,
        aisha: _aisha,
        mut ev_aisha,
    } = two_agents(&server).await;
    let conversation = list(&omar, InboxQuery::default()).await[0].id.clone();

    let activity = |rx: &mut broadcast::Receiver<InboxEvent>| {
        let mut rx = rx.resubscribe();
        async move {
            tokio::time::timeout(WAIT, async {
                loop {
                    if let Ok(InboxEvent::Activity { activity }) = rx.recv().await {
                        return activity;
                    }
                }
            })
            .await
            .expect("an activity event")
        }
    };
    let seen = activity(&mut ev_aisha);
    omar.inbox()
        .report_activity(ReportActivity {
            conversation_id: conversation.clone(),
            kind: Some(ActivityKind::Typing),
        })
        .await
        .unwrap();
    let seen = seen.await;
    assert_eq!(seen.conversation_id, conversation);
    assert_eq!(seen.agent_name, "Omar Khalil");
    assert_eq!(seen.kind, Some(ActivityKind::Typing));

    // Offline (the cloud gone), reporting is best effort: nothing fails.
    server.shutdown().await;
    omar.inbox()
        .report_activity(ReportActivity {
            conversation_id: conversation,
            kind: None,
        })
        .await
        .unwrap();
    // The caches close before the process exits.
    omar.shutdown().await;
    _aisha.shutdown().await;
}

/// Polls a conversation after each change event until `pick` accepts its view.
async fn wait_view(
    rx: &mut broadcast::Receiver<InboxEvent>,
    app: &App,
    id: &str,
    pick: impl Fn(&stepup_app::inbox::ConversationView) -> bool,
) -> stepup_app::inbox::ConversationView {
    tokio::time::timeout(WAIT, async {
        loop {
            let view = app.open_conversation(id.to_owned()).await.unwrap();
            if pick(&view) {
                return view;
            }
            let _ = rx.recv().await;
        }
    })
    .await
    .expect("the change arrived")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_customer_across_channels_in_every_agents_cache() {
    let server = demo_server().await;
    let TwoAgents {
        _dirs,
        omar,
        aisha,
        mut ev_aisha,
    } = two_agents(&server).await;
    let first = |channel| {
        let omar = &omar;
        async move {
            list(
                omar,
                InboxQuery {
                    channel: Some(channel),
                    ..Default::default()
                },
            )
            .await[0]
                .clone()
        }
    };
    let (wa, ig) = (
        first(Channel::Whatsapp).await,
        first(Channel::Instagram).await,
    );
    assert_ne!(wa.contact_id, ig.contact_id);
    omar.inbox()
        .add_note(AddNote {
            conversation_id: ig.id.clone(),
            body: "Asked for the gold edition".into(),
        })
        .await
        .unwrap();

    // Omar: the Instagram customer is the WhatsApp one.
    assert_eq!(
        code(
            omar.inbox()
                .merge_contacts(MergeContacts {
                    contact_id: wa.contact_id.clone(),
                    from_contact_id: wa.contact_id.clone(),
                })
                .await
        ),
        ErrorCode::InvalidInput
    );
    omar.inbox()
        .merge_contacts(MergeContacts {
            contact_id: wa.contact_id.clone(),
            from_contact_id: ig.contact_id.clone(),
        })
        .await
        .unwrap();
    // Aisha's cache follows: one customer, both channels, both conversations, every note.
    let view = wait_view(&mut ev_aisha, &aisha, &wa.id, |v| {
        v.contact.identities.len() == 2 && v.previous.iter().any(|p| p.id == ig.id)
    })
    .await;
    assert!(
        view.contact.notes.iter().any(
            |n| n.text == "Asked for the gold edition" && n.channel == Some(Channel::Instagram)
        )
    );
    let ig_view = aisha.open_conversation(ig.id.clone()).await.unwrap();
    assert_eq!(ig_view.contact.id, wa.contact_id);

    // Details typed in the app reach the other agent.
    omar.inbox()
        .update_contact(UpdateContact {
            contact_id: wa.contact_id.clone(),
            name: Some("Maryam Al Kaabi · مريم الكعبي".into()),
            language: Some("ar".into()),
            email: None,
            attributes: [("city".to_owned(), Some("Al Ain · العين".to_owned()))].into(),
        })
        .await
        .unwrap();
    let view = wait_view(&mut ev_aisha, &aisha, &ig.id, |v| {
        v.contact
            .attributes
            .iter()
            .any(|a| a.key == "city" && a.value == "Al Ain · العين")
    })
    .await;
    assert_eq!(view.contact.name, "Maryam Al Kaabi · مريم الكعبي");
    assert_eq!(view.row.contact_name, "Maryam Al Kaabi · مريم الكعبي");
    assert_eq!(
        code(
            omar.inbox()
                .update_contact(UpdateContact {
                    contact_id: wa.contact_id.clone(),
                    name: None,
                    language: Some("fr".into()),
                    email: None,
                    attributes: Default::default(),
                })
                .await
        ),
        ErrorCode::Rejected,
        "the cloud's refusal reaches the UI"
    );

    // Split the Instagram identity off again: two customers.
    let ig_identity = view
        .contact
        .identities
        .iter()
        .find(|i| i.channel == Channel::Instagram)
        .unwrap()
        .external_id
        .clone();
    omar.inbox()
        .split_contact(SplitContact {
            contact_id: wa.contact_id.clone(),
            channel: Channel::Instagram,
            external_id: ig_identity,
        })
        .await
        .unwrap();
    let view = wait_view(&mut ev_aisha, &aisha, &ig.id, |v| {
        v.contact.id != wa.contact_id
    })
    .await;
    assert_eq!(view.contact.identities.len(), 1);
    assert!(view.previous.iter().all(|p| p.id != wa.id));
    omar.shutdown().await;
    aisha.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_on_two_workspaces_sync_at_once_and_switch() {
    let server = demo_server().await;
    let st = &server.state;
    let oud = st
        .create_workspace("Oud House · بيت العود", "Asia/Riyadh")
        .await
        .unwrap();
    st.create_agent(
        &oud.id,
        "Hessa",
        "hessa@oud.test",
        "oud-password-1",
        stepup_protocol::Role::Agent,
        vec![],
    )
    .await
    .unwrap();
    let demo_ws = stepup_cloud::store::workspaces::setting(st.pool(), "demo_workspace")
        .await
        .unwrap()
        .expect("the demo workspace");
    let customer = |ws: String, user: &'static str, pmid: &'static str, text: &'static str| async move {
        stepup_cloud::ingest::ingest(
            st,
            &ws,
            stepup_cloud::ingest::Inbound::text(Channel::Telegram, user, pmid, text, st.now()),
        )
        .await
        .unwrap();
    };
    customer(oud.id.clone(), "7001", "oud.1", "عندكم دهن عود كمبودي؟").await;

    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;
    let noor_total = list(&app, InboxQuery::default()).await.len();
    // Adding Hessa's account keeps Omar's signed in and syncing.
    app.sign_in(sign_in(&server, "hessa@oud.test", "oud-password-1"))
        .await
        .unwrap();
    wait_state(&mut events, &app, SyncPhase::Online).await;
    assert_eq!(app.status().account.as_deref(), Some("hessa@oud.test"));
    let oud_rows = list(&app, InboxQuery::default()).await;
    assert_eq!(oud_rows.len(), 1, "only the Oud House's conversation");
    let accounts = app.accounts().await.unwrap();
    assert_eq!(accounts.len(), 2);
    assert!(accounts.iter().all(|a| a.running));
    let omar = accounts
        .iter()
        .find(|a| a.email == "omar@noor.demo")
        .unwrap()
        .clone();
    assert!(!omar.active);
    assert!(
        omar.workspace.as_deref().is_some_and(|w| w.contains("نور")),
        "{omar:?}"
    );
    let hessa = accounts
        .iter()
        .find(|a| a.email == "hessa@oud.test")
        .unwrap();
    assert_eq!(hessa.workspace.as_deref(), Some("Oud House · بيت العود"));

    // A customer writes to Omar's shop: his cache, in the background, has it, and says so.
    let unread_before = omar.unread;
    let changed = {
        let mut rx = events.resubscribe();
        let id = omar.id.clone();
        async move {
            tokio::time::timeout(WAIT, async {
                loop {
                    if let Ok(InboxEvent::AccountChanged { account_id }) = rx.recv().await
                        && account_id == id
                    {
                        return;
                    }
                }
            })
            .await
            .expect("the background account reports the change")
        }
    };
    customer(
        demo_ws.clone(),
        "7002",
        "noor.bg.1",
        "Is the perfume gift box back?",
    )
    .await;
    changed.await;
    tokio::time::timeout(WAIT, async {
        loop {
            let a = app.accounts().await.unwrap();
            if a.iter()
                .any(|a| a.id == omar.id && a.unread > unread_before)
            {
                return;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("the unread count of the background account grew");
    assert_eq!(
        list(&app, InboxQuery::default()).await.len(),
        1,
        "Hessa's list unchanged"
    );

    // Back to Omar: at once, online, with the new conversation and none of Hessa's.
    let status = app
        .open_account(stepup_app::accounts::OpenAccount {
            id: omar.id.clone(),
            passphrase: None,
        })
        .await
        .unwrap();
    assert_eq!(status.account.as_deref(), Some("omar@noor.demo"));
    assert_eq!(status.state, SyncPhase::Online);
    let rows = list(&app, InboxQuery::default()).await;
    assert_eq!(rows.len(), noor_total + 1);
    assert!(rows.iter().all(|r| !oud_rows.iter().any(|o| o.id == r.id)));

    // Omar signs out with wipe: Hessa's account comes into the window; his cache is gone.
    app.sign_out(SignOut { wipe: true }).await.unwrap();
    assert_eq!(app.status().account.as_deref(), Some("hessa@oud.test"));
    let accounts = app.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].active);
    assert_eq!(list(&app, InboxQuery::default()).await.len(), 1);
    let dbs: Vec<_> = walk(&dir.path().join("accounts"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    assert_eq!(dbs.len(), 1, "only Hessa's cache is left: {dbs:?}");
    app.shutdown().await;
    // The cloud's database threads stop before the process exits, as in the other tests.
    server.shutdown().await;
}

/// A conversation longer than the timeline's first window opens with its newest messages and says
/// the cache holds older ones; asked to reach further back, it gives them from the cache, up to
/// all of them (before, a timeline stopped at its first 500 messages however many were cached).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_conversation_opens_with_its_newest_and_reaches_back_through_the_cache() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let (app, mut events) = omar_online(&server, dir.path()).await;
    let target = list(
        &app,
        InboxQuery {
            channel: Some(Channel::Telegram),
            ..InboxQuery::default()
        },
    )
    .await[0]
        .clone();
    assert!(
        !app.open_conversation(target.id.clone())
            .await
            .unwrap()
            .older_cached,
        "a demo conversation fits its first window"
    );
    for i in 0..150 {
        app.inbox()
            .send_text(SendText {
                conversation_id: target.id.clone(),
                text: format!("رسالة {i} message"),
                reply_to: None,
            })
            .await
            .unwrap();
    }
    let everything = OpenAt {
        conversation_id: target.id.clone(),
        messages: Some(100_000),
        ..OpenAt::default()
    };
    let all = tokio::time::timeout(WAIT, async {
        loop {
            let v = app.open_conversation_at(everything.clone()).await.unwrap();
            if !v.messages.iter().any(|m| m.local)
                && v.messages.iter().any(|m| m.text == "رسالة 149 message")
            {
                return v;
            }
            let _ = events.recv().await;
        }
    })
    .await
    .expect("all 150 sent and back from the cloud");
    assert!(!all.older_cached);
    let ids = |v: &stepup_app::inbox::ConversationView| {
        v.messages.iter().map(|m| m.id.clone()).collect::<Vec<_>>()
    };
    let sent = |v: &stepup_app::inbox::ConversationView| {
        v.messages
            .iter()
            .filter(|m| m.text.starts_with("رسالة "))
            .count()
    };
    assert_eq!(sent(&all), 150);

    // Opened: the newest, the latest send last (the cloud's ids rise with arrival, so sends
    // stamped in one millisecond keep their order), and the cache holds more.
    let first = app.open_conversation(target.id.clone()).await.unwrap();
    assert!(first.older_cached);
    assert_eq!(
        first.messages.last().map(|m| m.id.as_str()),
        all.messages.last().map(|m| m.id.as_str())
    );
    assert_eq!(
        first.messages.last().map(|m| m.text.as_str()),
        Some("رسالة 149 message"),
        "the latest send closes the timeline"
    );
    assert!((100..=120).contains(&sent(&first)), "{}", sent(&first));
    let all_ids = ids(&all);
    assert!(
        all_ids.ends_with(&ids(&first)),
        "the newest, in the same order"
    );

    // Scrolled up: further back from the cache, still ending with the newest.
    let further = app
        .open_conversation_at(OpenAt {
            conversation_id: target.id.clone(),
            messages: Some(140),
            ..OpenAt::default()
        })
        .await
        .unwrap();
    assert!(further.older_cached && further.messages.len() > first.messages.len());
    assert!(all_ids.ends_with(&ids(&further)));
    let total = all.messages.len() as u32;
    let whole = app
        .open_conversation_at(OpenAt {
            conversation_id: target.id.clone(),
            messages: Some(total * 2),
            ..OpenAt::default()
        })
        .await
        .unwrap();
    assert!(!whole.older_cached);
    assert_eq!(ids(&whole), all_ids);
    app.shutdown().await;
    server.shutdown().await;
}
