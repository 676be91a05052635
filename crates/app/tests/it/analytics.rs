//! The analytics command on the demo workspace: the cloud in-process, synced into a real
//! encrypted cache, then computed from the cache alone.

use stepup_analytics::{Query, Range};
use stepup_app::analytics::FetchHistory;
use stepup_app::{
    App, AppPaths, ErrorCode, IpcError,
    inbox::{InboxEvent, SyncPhase},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_see_the_dashboard_from_the_cache_and_export_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(
        AppPaths::under(dir.path().to_path_buf()),
        vec!["ar-AE".into()],
    );
    // Before signing in there is nothing to compute.
    let err = app.analytics(Query::default()).await.unwrap_err();
    assert_eq!(IpcError::from(err).code, ErrorCode::NotSignedIn);

    let mut events = app.inbox().subscribe();
    app.inbox()
        .start_demo(app.paths().data_dir(), 0.0)
        .await
        .unwrap();
    // Wait until the initial sync is done (the engine says so).
    while app.status().state != SyncPhase::Online {
        match events.recv().await.unwrap() {
            InboxEvent::Status { status } if status.state == SyncPhase::Online => break,
            _ => {}
        }
    }
    let query = Query {
        range: Range::Last90,
        ..Query::default()
    };
    let view = app.analytics(query.clone()).await.unwrap();
    assert_eq!(view.role, stepup_protocol::Role::Supervisor);
    assert!(view.allowed);
    let d = view.dashboard.unwrap();
    // The same count straight from the cache.
    let expected = app
        .inbox()
        .with_session(async |s| {
            let rows = s
                .store
                .conversations(&stepup_store::ConversationFilter {
                    limit: 10_000,
                    ..Default::default()
                })
                .await
                .unwrap();
            Ok(rows
                .iter()
                .filter(|r| (d.from..d.to).contains(&r.conversation.created_at))
                .count())
        })
        .await
        .unwrap();
    let opened = d.figure("opened").unwrap();
    assert!(expected >= 300, "{expected}");
    assert_eq!(opened.value, Some(expected as f64));
    assert_eq!(opened.conversations.len(), expected);
    // The drill-down names every conversation behind the figure, latest first; ids not in the
    // cache are left out.
    let mut ids = opened.conversations.clone();
    ids.push("cnv_not_cached".into());
    let rows = app.inbox_rows(ids).await.unwrap();
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| !r.contact_name.is_empty()));
    assert!(
        rows.windows(2)
            .all(|w| w[0].last_message_at >= w[1].last_message_at)
    );
    // The demo's 90 days of history are all in the cache: messages on the first days too, and
    // nothing says otherwise.
    assert_eq!(view.messages_complete_from, None);
    assert!(d.days[..30].iter().map(|day| day.messages_in).sum::<u32>() > 50);
    assert!(d.figure("ai_share").unwrap().value.unwrap() > 5.0);
    assert!(d.figure("window_closed").unwrap().value.unwrap() > 0.0);
    assert!(!d.agents.is_empty());
    assert_eq!(d.time_zone, "Asia/Dubai");

    // The CSV lands in the exports folder, with a BOM and headings in the UI's language.
    let file = app.export_analytics_csv(query).await.unwrap();
    assert!(
        file.path
            .starts_with(&dir.path().join("exports").display().to_string())
    );
    let text = std::fs::read_to_string(&file.path).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains(&format!("المحادثات المفتوحة,{expected},عدد")));
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_over_days_the_cache_lacks_say_from_when_they_are_complete() {
    // The real cloud's settings: the sign-in snapshot holds the last 30 days of messages.
    let mut server = stepup_cloud::Server::start(stepup_cloud::Config::demo())
        .await
        .unwrap();
    stepup_cloud::demo::start_demo(&mut server, 5, 0.0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(
        AppPaths::under(dir.path().to_path_buf()),
        vec!["en-US".into()],
    );
    app.inbox()
        .use_secrets(std::sync::Arc::new(stepup_store::MemorySecrets::default()));
    let mut events = app.inbox().subscribe();
    app.sign_in(stepup_app::accounts::SignIn {
        server: server.url(),
        email: "sara@noor.demo".into(),
        password: stepup_cloud::demo::DEMO_PASSWORD.into(),
        passphrase: None,
    })
    .await
    .unwrap();
    while app.status().state != SyncPhase::Online {
        if let InboxEvent::Status { status } = events.recv().await.unwrap()
            && status.state == SyncPhase::Online
        {
            break;
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let day = 24 * 3_600_000;
    let over = |range| Query {
        range,
        ..Query::default()
    };
    // 90 days: the figures say from when they are complete, about 30 days ago; the days before
    // hold no messages in this cache (what the label warns about).
    let view = app.analytics_at(over(Range::Last90), now).await.unwrap();
    let from = view
        .messages_complete_from
        .expect("the 90 days start before the cached messages");
    assert!(
        (now - 30 * day - 60_000..=now - 30 * day + 60_000).contains(&from),
        "{}",
        (now - from) as f64 / day as f64
    );
    let d = view.dashboard.unwrap();
    assert_eq!(
        d.days[..50].iter().map(|day| day.messages_in).sum::<u32>(),
        0
    );
    // Conversations are all there (only messages are windowed): more over 90 days than 30.
    let month = app.analytics_at(over(Range::Last30), now).await.unwrap();
    let opened = |d: &stepup_analytics::Dashboard| d.figure("opened").unwrap().value.unwrap();
    assert!(opened(&d) > opened(month.dashboard.as_ref().unwrap()));
    // 7 days: complete, nothing to say.
    let week = app.analytics_at(over(Range::Last7), now).await.unwrap();
    assert_eq!(week.messages_complete_from, None);

    // Fetching the older history (never before what the history setting keeps): the 90 days
    // become complete, the old days with their messages; progress is reported on the way.
    let mut progress = events.resubscribe();
    let fetched = app
        .fetch_history(FetchHistory {
            from: now - 120 * day,
        })
        .await
        .unwrap();
    assert!(fetched.messages > 100, "{fetched:?}");
    assert_eq!(
        fetched.complete_from,
        now - 120 * day,
        "within the 180 days kept"
    );
    let mut last = 0;
    while let Ok(ev) = progress.try_recv() {
        if let InboxEvent::HistoryProgress { fetched } = ev {
            assert!(fetched >= last, "progress only grows");
            last = fetched;
        }
    }
    assert_eq!(last, fetched.messages);
    let view = app.analytics_at(over(Range::Last90), now).await.unwrap();
    assert_eq!(view.messages_complete_from, None);
    let d = view.dashboard.unwrap();
    assert!(d.days[..50].iter().map(|day| day.messages_in).sum::<u32>() > 50);
    // Nothing left to fetch.
    let again = app
        .fetch_history(FetchHistory {
            from: now - 120 * day,
        })
        .await
        .unwrap();
    assert_eq!(again.messages, 0);
    // The cache closes before the process exits.
    app.shutdown().await;
    server.shutdown().await;
}
