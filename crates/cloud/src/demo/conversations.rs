//! One seeded conversation: a customer on a channel, the messages back and forth (replies,
//! greetings, AI answers, photos and voice notes, reactions), notes and timeline events.

use rand::Rng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};
use stepup_protocol::{
    Attachment, AttachmentKind, AttachmentRef, Channel, ChannelIdentity, Contact, Conversation,
    ConversationEvent, ConversationEventKind, ConversationStatus, Direction, EntityKind, Label,
    Message, MessageContent, MessageStatus, Note, Origin, Priority, Team,
};

use super::media::{png, voice_note};
use super::{FIRST, LAST, OPENERS, RETURNING_CUSTOMERS, id, returning_customer_id};
use crate::error::ServerError;
use crate::state::AppState;
use crate::store::{self, Placement};
use crate::window::{DAY_MS, reply_window};

const REPLIES_AR: [[&str; 3]; 2] = [
    [
        "أهلاً وسهلاً! نعم متوفر، السعر 4,999 درهم مع توصيل مجاني.",
        "نعتذر عن الإزعاج، راح نبدل لك الجهاز مجاناً خلال 24 ساعة.",
        "طلبك في الطريق وبيوصلك اليوم قبل الساعة 9 مساءً.",
    ],
    [
        "أهلاً وسهلاً! العطر متوفر في فرع دبي مول، السعر 350 درهم.",
        "عندنا طقم هدايا العيد بـ 480 درهم ويشمل تغليف مجاني.",
        "أكيد، العينات متوفرة في جميع فروعنا مجاناً.",
    ],
];
const REPLIES_EN: [[&str; 3]; 2] = [
    [
        "Hello! Yes, it's in stock at 4,999 AED with free delivery.",
        "Sorry about that! We'll replace it free of charge within 24 hours.",
        "Your order is out for delivery and will arrive today before 9 pm.",
    ],
    [
        "Hello! It's available at our Dubai Mall branch for 350 AED.",
        "Our Eid gift set is 480 AED and includes free gift wrapping.",
        "Of course, samples are free at all our branches.",
    ],
];
/// The automated greeting some channels send as soon as a customer writes.
const GREETINGS: [&str; 2] = [
    "أهلاً بك في نور! سيرد عليك أحد موظفينا خلال دقائق.",
    "Welcome to Noor! One of our team will be with you in a few minutes.",
];
/// Replies the AI assistant wrote and sent by itself.
const AI_REPLIES: [[&str; 2]; 2] = [
    [
        "مرحباً! التوصيل مجاني داخل دبي خلال 24 ساعة، ويمكنك تتبع طلبك من رابط الرسالة النصية.",
        "Hi! Delivery is free within Dubai in 24 hours; you can track your order from the SMS link.",
    ],
    [
        "مرحباً! جميع عطورنا أصلية ومتوفرة في فروعنا، والعينات مجانية.",
        "Hi! All our perfumes are original and in stock at our branches; samples are free.",
    ],
];
const FOLLOW_UPS: &[&str] = &[
    "شكراً",
    "Thanks!",
    "tamam, shukran",
    "👍",
    "تمام، بمر عليكم بكرة",
    "Perfect, I'll order now",
    "ok 7abibi",
];
const NOTES: &[&str] = &[
    "Customer is VIP, offer free gift wrapping",
    "Checked stock at Mall of the Emirates: 2 units left",
    "عميل دائم، أعطه خصم 10٪",
    "Asked the warehouse to prioritise this delivery",
    "@sara@noor.demo please approve the refund",
];

fn external_id(rng: &mut StdRng, channel: Channel) -> String {
    match channel {
        Channel::Whatsapp => format!(
            "9715{}{:07}",
            rng.random_range(0..9),
            rng.random_range(0..10_000_000)
        ),
        Channel::Messenger | Channel::Instagram => format!(
            "{}",
            rng.random_range(1_000_000_000_000_000u64..9_999_999_999_999_999)
        ),
        Channel::Telegram => format!("{}", rng.random_range(100_000_000u64..999_999_999)),
        Channel::Tiktok => format!("conv-{:08x}", rng.random::<u32>()),
        Channel::Webchat => format!("vis_{:016x}", rng.random::<u64>()),
    }
}

/// Where the demo's customers live.
const CITIES: [&str; 8] = [
    "Dubai · دبي",
    "Abu Dhabi · أبوظبي",
    "Sharjah · الشارقة",
    "Riyadh · الرياض",
    "Doha · الدوحة",
    "Kuwait City · مدينة الكويت",
    "Muscat · مسقط",
    "Manama · المنامة",
];

#[allow(clippy::too_many_arguments)]
pub(super) async fn seed_conversation(
    state: &AppState,
    ws: &str,
    rng: &mut StdRng,
    channel: Channel,
    serial: u64,
    start: i64,
    now: i64,
    agents: &[(String, usize)],
    teams: &[Team; 2],
    labels: &[Label],
    supervisor_id: &str,
) -> Result<(), ServerError> {
    let name = format!(
        "{} {}",
        FIRST[rng.random_range(0..FIRST.len())],
        LAST[rng.random_range(0..LAST.len())]
    );
    let mut ext = external_id(rng, channel);
    if matches!(channel, Channel::Messenger | Channel::Instagram) && serial < RETURNING_CUSTOMERS {
        ext = returning_customer_id(serial);
    }
    let (topic, lang, opener) = OPENERS[rng.random_range(0..OPENERS.len())];
    let contact = Contact {
        id: id(rng, "ct"),
        name: name.clone(),
        phone: (channel == Channel::Whatsapp).then(|| format!("+{ext}")),
        language: Some(if lang == "en" { "en" } else { "ar" }.into()),
        identities: vec![ChannelIdentity {
            channel,
            external_id: ext.clone(),
        }],
        created_at: start,
        email: None,
        attributes: {
            // What a shop notes about its customers: where they are, and who is a regular
            // (from the serial, not the generator: the rest of the demo stays as it was).
            let mut a = std::collections::BTreeMap::new();
            if serial % 5 < 3 {
                a.insert("city".to_owned(), CITIES[(serial % 8) as usize].to_owned());
            }
            if serial % 7 == 3 {
                a.insert("VIP".to_owned(), "✓".to_owned());
            }
            a
        },
    };
    let conv_id = id(rng, "cnv");
    let mut w = state.write(ws).await?;
    w.put(
        EntityKind::Contact,
        &contact.id,
        Placement {
            parent_id: None,
            sort_at: start,
        },
        &contact,
    )
    .await?;
    w.set_lookup(
        "identity",
        &format!("{}:{ext}", channel.as_str()),
        &contact.id,
    )
    .await?;
    w.set_lookup(
        "conversation",
        &format!("{}:{}", channel.as_str(), contact.id),
        &conv_id,
    )
    .await?;

    let team = topic;
    let team_agents: Vec<&(String, usize)> = agents.iter().filter(|(_, t)| *t == team).collect();
    let assignee = if rng.random_bool(0.85) && !team_agents.is_empty() {
        Some(
            team_agents[rng.random_range(0..team_agents.len())]
                .0
                .clone(),
        )
    } else {
        None
    };
    let mut t = start;
    let mut messages: Vec<Message> = Vec::new();
    let mut last_inbound = start;
    let mut push = |rng: &mut StdRng,
                    t: i64,
                    direction: Direction,
                    content: MessageContent,
                    sender: Option<String>,
                    origin: Origin| {
        let outbound = direction == Direction::Outbound;
        let m = Message {
            id: id(rng, "msg"),
            conversation_id: conv_id.clone(),
            direction,
            sender_agent_id: sender,
            origin,
            content,
            reply_to_message_id: None,
            status: if outbound {
                [
                    MessageStatus::Read,
                    MessageStatus::Read,
                    MessageStatus::Delivered,
                    MessageStatus::Sent,
                ][rng.random_range(0..4)]
            } else {
                MessageStatus::Received
            },
            error: None,
            provider_message_id: Some(format!("demo.{:016x}", rng.random::<u64>())),
            created_at: t,
            edited_at: None,
        };
        messages.push(m);
    };
    push(
        rng,
        t,
        Direction::Inbound,
        MessageContent::Text {
            text: opener.into(),
        },
        None,
        Origin::Human,
    );
    let english = lang == "en";
    // WhatsApp, Instagram and Web Chat greet new customers automatically.
    if matches!(
        channel,
        Channel::Whatsapp | Channel::Instagram | Channel::Webchat
    ) && rng.random_bool(0.7)
    {
        let at = t + rng.random_range(1_000..5_000);
        push(
            rng,
            at,
            Direction::Outbound,
            MessageContent::Text {
                text: GREETINGS[usize::from(english)].into(),
            },
            None,
            Origin::Bot,
        );
    }
    // Some customers add a photo or a voice note.
    let media_roll = rng.random_range(0..10);
    if media_roll < 2 {
        t += rng.random_range(10_000..120_000);
        let (bytes, kind, ct, filename) = if media_roll == 0 {
            let rgb = [rng.random(), rng.random(), rng.random()];
            (
                png(32, 32, rgb),
                AttachmentKind::Image,
                "image/png",
                "photo.png",
            )
        } else {
            (
                voice_note(rng.random_range(600..1500), rng.random_range(180.0..320.0)),
                AttachmentKind::Voice,
                "audio/wav",
                "voice-note.wav",
            )
        };
        let att_id = id(rng, "att");
        let stored = Attachment {
            id: att_id.clone(),
            content_type: ct.into(),
            size: bytes.len() as u64,
            filename: filename.into(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            created_at: t,
        };
        store::attachments::insert(w.conn(), ws, &stored, &bytes).await?;
        push(
            rng,
            t,
            Direction::Inbound,
            MessageContent::Attachment {
                attachment: AttachmentRef {
                    attachment_id: Some(att_id),
                    kind,
                    content_type: Some(ct.into()),
                    filename: Some(filename.into()),
                    provider_media_id: None,
                    fetch_failed: None,
                },
                caption: None,
            },
            None,
            Origin::Human,
        );
    }
    last_inbound = last_inbound.max(t);
    let exchanges = rng.random_range(1..=3);
    let replies = if lang == "en" {
        REPLIES_EN[topic]
    } else {
        REPLIES_AR[topic]
    };
    // The AI assistant answers some conversations by itself: all of them, or the first reply
    // before an agent takes over.
    let ai = match rng.random_range(0..10) {
        0 | 1 => 2,
        2 => 1,
        _ => 0,
    };
    for e in 0..exchanges {
        let by_ai = ai == 2 || (ai == 1 && e == 0);
        let reply_at = if by_ai {
            t + rng.random_range(5_000..30_000)
        } else {
            t + rng.random_range(60_000..3_600_000)
        };
        if reply_at >= now {
            break;
        }
        t = reply_at;
        let pick = (e + rng.random_range(0..3)) % 3;
        if by_ai {
            push(
                rng,
                t,
                Direction::Outbound,
                MessageContent::Text {
                    text: AI_REPLIES[topic][usize::from(english)].into(),
                },
                None,
                Origin::Ai,
            );
        } else {
            push(
                rng,
                t,
                Direction::Outbound,
                MessageContent::Text {
                    text: replies[pick].into(),
                },
                assignee.clone(),
                Origin::Human,
            );
        }
        let follow_at = t + rng.random_range(60_000..7_200_000);
        if follow_at >= now || rng.random_bool(0.3) {
            break;
        }
        t = follow_at;
        last_inbound = t;
        let pick = rng.random_range(0..FOLLOW_UPS.len());
        push(
            rng,
            t,
            Direction::Inbound,
            MessageContent::Text {
                text: FOLLOW_UPS[pick].into(),
            },
            None,
            Origin::Human,
        );
    }
    let recent = now - t < DAY_MS;
    let status = if recent {
        [
            ConversationStatus::Open,
            ConversationStatus::Open,
            ConversationStatus::Pending,
        ][rng.random_range(0..3)]
    } else {
        match rng.random_range(0..10) {
            0 => ConversationStatus::Pending,
            1 => ConversationStatus::Snoozed,
            2 => ConversationStatus::Open,
            _ => ConversationStatus::Resolved,
        }
    };
    let last = messages.last().map_or(start, |m| m.created_at);
    let unread = messages
        .iter()
        .rev()
        .take_while(|m| m.direction == Direction::Inbound)
        .count();
    let conv = Conversation {
        id: conv_id.clone(),
        contact_id: contact.id.clone(),
        channel,
        status,
        snoozed_until: (status == ConversationStatus::Snoozed)
            .then(|| now + rng.random_range(1..72) * 3_600_000),
        assignee_agent_id: assignee.clone(),
        assignee_team_id: Some(teams[team].id.clone()),
        labels: if rng.random_bool(0.4) {
            vec![labels[rng.random_range(0..labels.len())].id.clone()]
        } else {
            vec![]
        },
        priority: [
            Priority::Low,
            Priority::Normal,
            Priority::Normal,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ][rng.random_range(0..6)],
        created_at: start,
        last_message_at: last,
        last_inbound_at: Some(last_inbound),
        preview: messages.last().map(|m| m.content.preview()),
        read_up_to: if status == ConversationStatus::Resolved || unread == 0 {
            messages.last().map(|m| m.id.clone())
        } else {
            None
        },
        unread_count: if status == ConversationStatus::Resolved {
            0
        } else {
            u32::try_from(unread).unwrap_or(0)
        },
        reply_window: reply_window(channel, Some(last_inbound), start),
        csat: (status == ConversationStatus::Resolved && rng.random_bool(0.5))
            .then(|| [5u8, 5, 4, 4, 3, 2][rng.random_range(0..6)]),
        csat_asked_at: None,
        resolved_at: (status == ConversationStatus::Resolved)
            .then(|| (last + rng.random_range(60_000..86_400_000)).min(now)),
        sla: None,
        ai: None,
        broadcast_id: None,
    };
    // The demo's SLA policy, as the cloud would have clocked this request.
    let policy = super::seed::DEMO_SLA;
    let minutes = |m: Option<u32>| m.map(|m| start + i64::from(m) * 60_000);
    let conv = Conversation {
        sla: Some(stepup_protocol::SlaClock {
            started_at: start,
            first_response_due_at: minutes(policy.first_response_minutes),
            first_response_at: messages
                .iter()
                .find(|m| m.direction == Direction::Outbound && m.origin == Origin::Human)
                .map(|m| m.created_at),
            resolution_due_at: minutes(policy.resolution_minutes),
        }),
        ..conv
    };
    // The timeline: who the conversation was assigned to, and when it was resolved. Events are
    // system messages: they leave the last activity, the preview and the unread count alone.
    let event = |rng: &mut StdRng, at: i64, kind: ConversationEventKind| Message {
        id: id(rng, "msg"),
        conversation_id: conv_id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: None,
        origin: Origin::System,
        content: MessageContent::Event {
            event: ConversationEvent {
                kind,
                actor_agent_id: Some(supervisor_id.to_owned()),
                agent_id: (kind == ConversationEventKind::Assigned)
                    .then(|| assignee.clone())
                    .flatten(),
                team_id: (kind == ConversationEventKind::Assigned).then(|| teams[team].id.clone()),
                reason: None,
            },
        },
        reply_to_message_id: None,
        status: MessageStatus::Sent,
        error: None,
        provider_message_id: None,
        created_at: at,
        edited_at: None,
    };
    if assignee.is_some() {
        let at = (start + rng.random_range(20_000..300_000)).min(now);
        messages.push(event(rng, at, ConversationEventKind::Assigned));
    }
    if let Some(at) = conv.resolved_at {
        let mut resolved = event(rng, at, ConversationEventKind::Resolved);
        if let MessageContent::Event { event } = &mut resolved.content {
            event.actor_agent_id = assignee.clone().or(event.actor_agent_id.take());
        }
        messages.push(resolved);
    }
    // The assistant's part: it took the request, and handed it over when an agent replied.
    // (Ids made from the conversation's: the random sequence, and so the rest of the demo,
    // stays as it was.)
    let mut conv = conv;
    let first_ai = messages
        .iter()
        .find(|m| m.origin == Origin::Ai)
        .map(|m| m.created_at);
    if let Some(first_ai) = first_ai {
        let handed = messages
            .iter()
            .find(|m| m.origin == Origin::Human && m.direction == Direction::Outbound)
            .map(|m| m.created_at);
        let ai_event = |suffix: &str, at: i64, kind, reason| {
            Message::event(
                format!("msg_{}{suffix}", conv_id.trim_start_matches("cnv_")),
                conv_id.clone(),
                ConversationEvent::by_system(kind, reason),
                at,
            )
        };
        messages.push(ai_event(
            "ai",
            first_ai - 1,
            ConversationEventKind::AiAnswering,
            None,
        ));
        if let Some(at) = handed {
            messages.push(ai_event(
                "ho",
                at - 1,
                ConversationEventKind::HandedOff,
                Some(stepup_protocol::HandoffReason::AgentReplied),
            ));
        }
        conv.ai = Some(stepup_protocol::AiHandling {
            state: if handed.is_some() {
                stepup_protocol::AiState::HandedOff
            } else {
                stepup_protocol::AiState::Answering
            },
            since: first_ai - 1,
            replies: u32::try_from(messages.iter().filter(|m| m.origin == Origin::Ai).count())
                .unwrap_or(0),
            handed_off_at: handed.map(|at| at - 1),
            reason: handed.map(|_| stepup_protocol::HandoffReason::AgentReplied),
            awaiting_message_id: None,
        });
    }
    for m in &messages {
        if let Some(p) = &m.provider_message_id {
            w.set_lookup("pmid", &format!("{}:{p}", channel.as_str()), &m.id)
                .await?;
        }
        w.put_message(m).await?;
    }
    if rng.random_bool(0.25) {
        let body = NOTES[rng.random_range(0..NOTES.len())];
        let note = Note {
            id: id(rng, "note"),
            conversation_id: conv_id.clone(),
            author_agent_id: assignee.clone().unwrap_or_else(|| supervisor_id.to_owned()),
            body: body.into(),
            mentions: if body.contains("@sara@noor.demo") {
                vec![supervisor_id.to_owned()]
            } else {
                vec![]
            },
            created_at: last,
        };
        w.put(
            EntityKind::Note,
            &note.id,
            Placement {
                parent_id: Some(&conv_id),
                sort_at: note.created_at,
            },
            &note,
        )
        .await?;
    }
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    Ok(())
}
