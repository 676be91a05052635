use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use stepup_cloud::clock::ManualClock;
use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_protocol::{
    Change, Channel, Conversation, Direction, EntityKind, Message, SyncResponse,
};

const NOW: i64 = 1_772_352_000_000;

async fn demo_server(dir: &std::path::Path) -> RunningServer {
    let mut c = Config::demo();
    crate::common::use_database(&mut c, dir);
    c.clock = Arc::new(ManualClock::new(NOW));
    c.compaction_interval = None;
    // No background sender: the demo's scheduled broadcast is due at once, and a tick landing
    // during one server's seeding but not the other's would make the two differ.
    c.broadcast_tick = None;
    Server::start(c).await.unwrap()
}

/// One stored entity of the workspace (it must be there).
async fn entity<T: serde::de::DeserializeOwned>(
    server: &RunningServer,
    ws: &str,
    kind: EntityKind,
    id: &str,
) -> T {
    let mut conn = server.state.pool().acquire().await.unwrap();
    stepup_cloud::store::get(&mut conn, ws, kind, id)
        .await
        .unwrap()
        .unwrap()
}

async fn snapshot(server: &RunningServer, email: &str) -> Vec<Change> {
    let http = reqwest::Client::new();
    let t: Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({"email": email, "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["access_token"].as_str().unwrap().to_owned();
    let mut cursor = "0".to_owned();
    let mut all = Vec::new();
    loop {
        let r: SyncResponse = http
            .get(format!(
                "{}/v1/sync?after={cursor}&limit=1000",
                server.url()
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        all.extend(r.changes);
        cursor = r.next_cursor;
        if !r.has_more {
            return all;
        }
    }
}

#[tokio::test]
async fn demo_seed_is_realistic_and_deterministic() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let s1 = demo_server(d1.path()).await;
    let s2 = demo_server(d2.path()).await;
    let info = demo::seed(&s1.state, 7).await.unwrap();
    let info2 = demo::seed(&s2.state, 7).await.unwrap();
    assert_eq!(info, info2);
    assert!(info.conversations >= 300);
    assert_eq!(
        info.logins
            .iter()
            .filter(|l| l.role == stepup_protocol::Role::Agent)
            .count(),
        5
    );
    assert_eq!(
        info.logins
            .iter()
            .filter(|l| l.role == stepup_protocol::Role::Supervisor)
            .count(),
        1
    );
    // Seeding again on the same database is a no-op.
    assert_eq!(
        demo::seed(&s1.state, 7).await.unwrap().workspace_id,
        info.workspace_id
    );

    let a = snapshot(&s1, "sara@noor.demo").await;
    let b = snapshot(&s2, "sara@noor.demo").await;
    assert_eq!(a, b, "same seed, same workspace");

    let of = |k: EntityKind| a.iter().filter(move |c| c.entity == k);
    let convs: Vec<Conversation> = of(EntityKind::Conversation)
        .map(|c| c.get().cloned().unwrap())
        .collect();
    assert!(convs.len() >= 300, "{}", convs.len());
    let channels: HashSet<Channel> = convs.iter().map(|c| c.channel).collect();
    assert_eq!(channels.len(), 6);
    assert!(
        convs
            .iter()
            .all(|c| c.created_at > NOW - 91 * 86_400_000 && c.last_message_at <= NOW)
    );
    assert!(convs.iter().any(|c| c.csat.is_some()));
    assert!(convs.iter().any(|c| c.assignee_agent_id.is_some()));
    let statuses: HashSet<String> = convs.iter().map(|c| format!("{:?}", c.status)).collect();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(
        convs
            .iter()
            .any(|c| c.reply_window.free_text_until.is_some_and(|t| t > NOW)),
        "some windows open"
    );
    assert_eq!(of(EntityKind::Team).count(), 2);
    assert!(of(EntityKind::Label).count() >= 5);
    assert!(of(EntityKind::Note).count() > 20);
    let canned: Vec<Value> = of(EntityKind::CannedResponse)
        .map(|c| serde_json::to_value(c.data.as_ref().unwrap()).unwrap())
        .collect();
    assert!(
        canned.iter().any(|c| c["language"] == "ar")
            && canned.iter().any(|c| c["language"] == "en")
    );
    let templates: Vec<Value> = of(EntityKind::Template)
        .map(|c| serde_json::to_value(c.data.as_ref().unwrap()).unwrap())
        .collect();
    for (status, lang) in [
        ("approved", "ar"),
        ("approved", "en"),
        ("pending", "ar"),
        ("pending", "en"),
    ] {
        assert!(
            templates
                .iter()
                .any(|t| t["status"] == status && t["language"] == lang),
            "{status} {lang}"
        );
    }
    // Messages in Arabic, English and Arabizi, with attachments (recent ones are in the snapshot).
    let msgs: Vec<Message> = of(EntityKind::Message)
        .map(|c| c.get().cloned().unwrap())
        .collect();
    let texts: Vec<String> = msgs
        .iter()
        .filter_map(|m| match &m.content {
            stepup_protocol::MessageContent::Text { text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)))
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Hi") || t.starts_with("Do you"))
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("3nd") || t.contains("7abibi") || t.contains("se3r"))
    );
    assert!(msgs.iter().any(|m| m.direction == Direction::Outbound));
    // Bot greetings, AI replies (no agent behind them) and timeline events.
    use stepup_protocol::{ConversationEventKind, MessageContent, Origin};
    assert!(msgs.iter().any(|m| m.origin == Origin::Bot));
    assert!(
        msgs.iter()
            .any(|m| m.origin == Origin::Ai && m.sender_agent_id.is_none())
    );
    let events: Vec<_> = msgs
        .iter()
        .filter_map(|m| match &m.content {
            MessageContent::Event { event } => Some((m, event)),
            _ => None,
        })
        .collect();
    assert!(events.iter().all(|(m, _)| m.origin == Origin::System));
    assert!(
        events
            .iter()
            .any(|(_, e)| e.kind == ConversationEventKind::Assigned && e.agent_id.is_some())
    );
    // Every resolved conversation has its resolution in the timeline, at `resolved_at`.
    for c in convs.iter().filter(|c| c.resolved_at.is_some()) {
        if let Some((m, _)) = events
            .iter()
            .find(|(m, e)| m.conversation_id == c.id && e.kind == ConversationEventKind::Resolved)
        {
            assert_eq!(Some(m.created_at), c.resolved_at);
            assert!(c.last_message_at <= m.created_at);
        }
    }
    assert!(
        events
            .iter()
            .any(|(_, e)| e.kind == ConversationEventKind::Resolved)
    );
    let att = msgs.iter().find_map(|m| match &m.content {
        stepup_protocol::MessageContent::Attachment { attachment, .. } => {
            attachment.attachment_id.clone()
        }
        _ => None,
    });
    assert!(att.is_some(), "generated images or voice notes");
    s1.shutdown().await;
    s2.shutdown().await;
}

#[tokio::test]
async fn live_generator_posts_through_the_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = demo_server(dir.path()).await;
    let info = demo::seed(&server.state, 3).await.unwrap();
    let mut rx = server.state.feed_sender(&info.workspace_id).subscribe();
    let task = demo::spawn_generator(server.state.clone(), server.url(), 3, 3000.0).unwrap();
    server.attach(task);
    let mut channels = HashSet::new();
    let mut count = 0;
    while channels.len() < 5
        || !channels.contains(&Channel::Messenger)
        || !channels.contains(&Channel::Instagram)
    {
        let c = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("generator is silent")
            .unwrap();
        if c.entity == EntityKind::Message {
            let m: Message = c.get().cloned().unwrap();
            if m.direction != Direction::Inbound {
                // Seeded replies moving on to delivered/read.
                continue;
            }
            let conv: Conversation = entity(
                &server,
                &info.workspace_id,
                EntityKind::Conversation,
                &m.conversation_id,
            )
            .await;
            // Customers write under their names, also on Messenger and Instagram, whose
            // webhooks carry only the sender's id.
            let contact: stepup_protocol::Contact = entity(
                &server,
                &info.workspace_id,
                EntityKind::Contact,
                &conv.contact_id,
            )
            .await;
            assert!(
                contact.name.chars().any(char::is_alphabetic),
                "{:?} customer named {:?}",
                conv.channel,
                contact.name
            );
            channels.insert(conv.channel);
            count += 1;
        }
    }
    assert!(count >= 5);

    // An agent's reply on WhatsApp goes sent → delivered → read through status webhooks.
    let http = reqwest::Client::new();
    let t: Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({"email": "omar@noor.demo", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["access_token"].as_str().unwrap();
    let wa_conv = loop {
        let c = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if c.entity == EntityKind::Conversation {
            let conv: Conversation = c.get().cloned().unwrap();
            if conv.channel == Channel::Whatsapp
                && conv.reply_window.free_text_until.is_some_and(|t| t > NOW)
            {
                break conv.id;
            }
        }
    };
    let sent: Value = http
        .post(format!(
            "{}/v1/conversations/{wa_conv}/messages",
            server.url()
        ))
        .bearer_auth(token)
        .header("Idempotency-Key", "demo-reply")
        .json(&serde_json::json!({"type": "text", "text": "أهلاً! نعم متوفر"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = sent["id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    while !seen.contains(&stepup_protocol::MessageStatus::Read) {
        let c = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("reply never read")
            .unwrap();
        if c.entity == EntityKind::Message && c.id == id {
            let m: Message = c.get().cloned().unwrap();
            seen.push(m.status);
        }
    }
    assert!(
        seen.contains(&stepup_protocol::MessageStatus::Delivered),
        "{seen:?}"
    );
    assert!(
        demo::spawn_generator(server.state.clone(), server.url(), 3, 0.0).is_none(),
        "rate 0 is off"
    );
    server.shutdown().await;
}
