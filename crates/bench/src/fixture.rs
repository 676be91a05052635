//! Workspaces for the benchmarks: conversations and messages as a shop's look (mixed Arabic and
//! English, every channel), written straight into a reference cloud.

use rand::{Rng, SeedableRng, rngs::StdRng};
use stepup_cloud::RunningServer;
use stepup_protocol::{
    Channel, ChannelIdentity, Contact, Conversation, ConversationStatus, Direction, Entity,
    Message, MessageContent, MessageKind, MessageStatus, Origin, Preview, Priority, ReplyWindow,
};

pub const PHRASES: &[&str] = &[
    "مرحبا، هل عطر العود متوفر؟",
    "Hello, is the oud perfume in stock?",
    "أبي أعرف متى يوصل طلبي #A-1042",
    "7abibi 3ndi so2al about my order",
    "شكراً، وصلني الطلب اليوم",
    "Can I pay cash on delivery in Dubai?",
];

pub fn message(conv: &str, i: usize, at: i64, inbound: bool) -> Message {
    Message {
        id: format!("msg_{conv}_{i:06}"),
        conversation_id: conv.to_owned(),
        direction: if inbound {
            Direction::Inbound
        } else {
            Direction::Outbound
        },
        sender_agent_id: None,
        origin: Origin::Human,
        content: MessageContent::Text {
            text: format!("{} ({i})", PHRASES[i % PHRASES.len()]),
        },
        reply_to_message_id: None,
        status: if inbound {
            MessageStatus::Received
        } else {
            MessageStatus::Read
        },
        error: None,
        provider_message_id: None,
        created_at: at,
        edited_at: None,
    }
}

pub fn conversation(
    id: &str,
    contact: &str,
    channel: Channel,
    at: i64,
    last: &str,
) -> Conversation {
    Conversation {
        id: id.to_owned(),
        contact_id: contact.to_owned(),
        channel,
        status: ConversationStatus::Open,
        snoozed_until: None,
        assignee_agent_id: None,
        assignee_team_id: None,
        labels: vec![],
        priority: Priority::Normal,
        created_at: at,
        last_message_at: at,
        last_inbound_at: Some(at),
        preview: Some(Preview {
            kind: MessageKind::Text,
            text: last.to_owned(),
        }),
        read_up_to: None,
        unread_count: 1,
        reply_window: ReplyWindow {
            free_text_until: None,
            human_agent_until: None,
            templates_allowed: false,
        },
        csat: None,
        csat_asked_at: None,
        resolved_at: None,
        sla: None,
        ai: None,
        broadcast_id: None,
    }
}

pub const CHANNELS: [Channel; 6] = [
    Channel::Whatsapp,
    Channel::Instagram,
    Channel::Messenger,
    Channel::Telegram,
    Channel::Tiktok,
    Channel::Webchat,
];

/// A workspace named "Bench" on `server` with one agent, who signs in as `email` and
/// `password` in `role`; its id.
pub async fn workspace_with_agent(
    server: &RunningServer,
    agent: &str,
    email: &str,
    password: &str,
    role: stepup_protocol::Role,
) -> Result<String, stepup_cloud::error::ServerError> {
    let ws = server.state.create_workspace("Bench", "Asia/Dubai").await?;
    server
        .state
        .create_agent(&ws.id, agent, email, password, role, vec![])
        .await?;
    Ok(ws.id)
}

/// The id of the `i`th conversation of [`seed_big`].
pub fn big_conversation_id(i: usize) -> String {
    format!("cnv_{i:06}")
}

/// Fills workspace `ws` with `conversations` conversations of `per` messages each (their
/// contacts too), written in transactions of 500 conversations. The `i`th conversation's last
/// message is the `i`th newest but one: the newest conversations are the highest `i`. Messages
/// are spread over the 20 days before `now`, inside a snapshot's window.
pub async fn seed_big(
    server: &RunningServer,
    ws: &str,
    conversations: usize,
    per: usize,
    now: i64,
) -> Result<(), stepup_cloud::error::ServerError> {
    let span = 20 * 24 * 3600 * 1000_i64;
    let step = span / (conversations.max(1) as i64);
    let ids: Vec<usize> = (0..conversations).collect();
    let mut rng = StdRng::seed_from_u64(7);
    for chunk in ids.chunks(500) {
        let mut w = server.state.write(ws).await?;
        let mut items = Vec::new();
        for &i in chunk {
            let last = now - span + (i as i64) * step;
            let channel = CHANNELS[i % CHANNELS.len()];
            let contact = Contact {
                id: format!("ctc_{i:06}"),
                name: if i % 2 == 0 {
                    format!("عميل {i}")
                } else {
                    format!("Customer {i}")
                },
                phone: Some(format!("+9715{i:08}")),
                language: Some(if i % 2 == 0 { "ar" } else { "en" }.to_owned()),
                identities: vec![ChannelIdentity {
                    channel,
                    external_id: format!("ext{i}"),
                }],
                created_at: last - (per as i64) * 60_000,
                email: None,
                attributes: Default::default(),
            };
            let conv_id = big_conversation_id(i);
            let created = contact.created_at;
            items.push((contact.id.clone(), None, created, Entity::Contact(contact)));
            // As a shop's traffic leaves them: the messages, then the conversation (its latest
            // update comes after its latest message).
            for m in 0..per {
                let at = last - ((per - 1 - m) as i64) * 60_000;
                let mut msg = message(&conv_id, i * per + m, at, m % 2 == 0);
                msg.content = MessageContent::Text {
                    text: words(&mut rng),
                };
                let preview = msg.content.preview().text;
                items.push((
                    msg.id.clone(),
                    Some(conv_id.clone()),
                    at,
                    Entity::Message(msg),
                ));
                if m + 1 == per {
                    let mut conv =
                        conversation(&conv_id, &format!("ctc_{i:06}"), channel, at, &preview);
                    conv.created_at = created;
                    items.push((
                        conv_id.clone(),
                        Some(format!("ctc_{i:06}")),
                        created,
                        Entity::Conversation(conv),
                    ));
                }
            }
        }
        w.put_batch(items).await?;
        server.state.commit(w).await?;
    }
    Ok(())
}

/// Words customers and agents use, Arabic, English and Arabizi mixed, as in a Gulf shop's inbox.
const WORDS: &[&str] = &[
    "مرحبا",
    "السلام",
    "عليكم",
    "هل",
    "عطر",
    "العود",
    "متوفر",
    "طلبي",
    "متى",
    "يوصل",
    "شكراً",
    "الطلب",
    "اليوم",
    "أبي",
    "أعرف",
    "السعر",
    "كم",
    "الشحن",
    "دبي",
    "الرياض",
    "الدوحة",
    "بكرة",
    "إن",
    "شاء",
    "الله",
    "تمام",
    "ممكن",
    "صورة",
    "المقاس",
    "اللون",
    "hello",
    "is",
    "the",
    "oud",
    "in",
    "stock",
    "order",
    "delivery",
    "tomorrow",
    "please",
    "thanks",
    "price",
    "size",
    "colour",
    "cash",
    "on",
    "card",
    "refund",
    "exchange",
    "Dubai",
    "Riyadh",
    "7abibi",
    "3ndi",
    "so2al",
    "inshallah",
    "yalla",
    "ok",
    "#A-1042",
    "AED",
    "SAR",
    "199",
    "350",
    "✓",
    "🙏",
];

/// A message of 3 to 24 words.
fn words(rng: &mut StdRng) -> String {
    let n = rng.random_range(3..25);
    let mut out = String::new();
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    out
}
