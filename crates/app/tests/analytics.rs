//! The analytics command on the demo workspace: the cloud in-process, synced into a real
//! encrypted cache, then computed from the cache alone.

use stepup_analytics::{Query, Range};
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
    // The demo's 90 days of history are all in the cache: messages on the first days too.
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
