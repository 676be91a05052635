//! What the UI shows, built from the cache: list rows, conversation
//! timelines, the workspace directory. Customer text is carried as plain
//! strings; the UI renders it as text only.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use stepup_protocol::{
    Agent, AiState, AttachmentKind, CannedResponse, Channel, Conversation, ConversationEventKind,
    ConversationStatus, Direction, HandoffReason, Label, MediaProblem, Message, MessageContent,
    MessageKind, MessageStatus, Note, Origin, Presence, Preview, Priority, Role, SlaTarget, Team,
    Template, TemplateStatus, WindowState,
};
use stepup_store::ListSort;

use crate::saved_views::ListView;

/// A label as the list and the header show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LabelView {
    pub id: String,
    pub name: String,
    pub color: String,
}

/// One row of the conversation list.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxRow {
    pub id: String,
    pub channel: Channel,
    pub contact_id: String,
    pub contact_name: String,
    /// The last message: its kind (the UI names a photo, a place or a contact card in the
    /// user's language) and its text. `None` before the first message.
    pub preview: Option<Preview>,
    #[ts(type = "number")]
    pub last_message_at: i64,
    pub unread: u32,
    pub status: ConversationStatus,
    #[ts(type = "number | null")]
    pub snoozed_until: Option<i64>,
    pub priority: Priority,
    pub assignee_agent_id: Option<String>,
    pub assignee_name: Option<String>,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub labels: Vec<LabelView>,
    /// The customer wrote last and waits for an answer.
    pub waiting: bool,
    pub reply_window: WindowState,
    /// When free text stops being allowed, if the channel has a window.
    #[ts(type = "number | null")]
    pub free_text_until: Option<i64>,
    /// The SLA deadline running for the customer's request, as the cloud set it.
    pub sla: Option<SlaView>,
    /// The assistant's part in the current request: answering it, or handed to a person
    /// (`None` once the request is resolved).
    pub ai: Option<AiState>,
}

/// A running SLA deadline: the UI counts down to it ("reply due in 12 min") and past it
/// ("reply overdue by 5 min").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SlaView {
    pub target: SlaTarget,
    #[ts(type = "number")]
    pub due_at: i64,
    /// When the request was made: the UI warns in the last quarter of the time given.
    #[ts(type = "number")]
    pub started_at: i64,
}

/// A quoted message above a reply.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct QuoteView {
    pub id: String,
    pub text: String,
}

/// A file, image, voice note, video or sticker in a message.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    /// The cloud's id, when it holds the file.
    pub id: Option<String>,
    pub kind: AttachmentKind,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    /// Why the cloud could not fetch it from the channel, when it gave up.
    pub fetch_failed: Option<MediaProblem>,
}

/// Whose a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EntryDirection {
    /// The customer's.
    Inbound,
    /// The business's: an agent, a bot or the AI.
    Outbound,
    /// A private note, agents only.
    Note,
    /// Something that happened to the conversation.
    Event,
}

/// One entry of a conversation's timeline.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: String,
    pub direction: EntryDirection,
    pub origin: Origin,
    /// Notes are text.
    pub kind: MessageKind,
    /// Customer text: the UI renders it as text only. Empty for events.
    pub text: String,
    /// Events: what happened.
    pub event: Option<ConversationEventKind>,
    /// The agent who wrote it (outbound, notes) or did it (events).
    pub author: Option<String>,
    /// Events: the agent or team it concerns (`assigned`).
    pub subject: Option<String>,
    /// `handed_off` events: why the assistant handed the conversation to a person.
    pub handoff: Option<HandoffReason>,
    pub status: MessageStatus,
    #[ts(type = "number")]
    pub created_at: i64,
    pub error: Option<String>,
    /// An outbox entry not yet accepted by the cloud (its id is local).
    pub local: bool,
    pub reply_to: Option<QuoteView>,
    /// The customer's reactions to this message.
    pub reactions: Vec<String>,
    pub attachment: Option<AttachmentView>,
    /// A shared location or contact cards, shown as a card.
    pub card: Option<CardView>,
}

/// What a customer shared that is neither text nor a file.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum CardView {
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
        /// A map of the place, opened in the browser after the usual link check.
        map_url: String,
    },
    Contacts {
        contacts: Vec<ContactCardView>,
    },
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactCardView {
    pub name: String,
    pub phones: Vec<String>,
}

fn card_view(content: &MessageContent) -> Option<CardView> {
    match content {
        MessageContent::Location {
            latitude,
            longitude,
            name,
            address,
        } if latitude.is_finite() && longitude.is_finite() => Some(CardView::Location {
            latitude: *latitude,
            longitude: *longitude,
            name: name.clone(),
            address: address.clone(),
            map_url: format!(
                "https://www.openstreetmap.org/?mlat={latitude:.6}&mlon={longitude:.6}#map=17/{latitude:.6}/{longitude:.6}"
            ),
        }),
        MessageContent::Contacts { contacts } => Some(CardView::Contacts {
            contacts: contacts
                .iter()
                .map(|c| ContactCardView {
                    name: c.name.clone(),
                    phones: c.phones.clone(),
                })
                .collect(),
        }),
        _ => None,
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IdentityView {
    pub channel: Channel,
    pub external_id: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ContactView {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub email: Option<String>,
    /// By name.
    pub attributes: Vec<AttributeView>,
    pub identities: Vec<IdentityView>,
    /// The notes on all of the customer's conversations, newest first.
    pub notes: Vec<ContactNoteView>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AttributeView {
    pub key: String,
    pub value: String,
}

/// A private note, with the conversation (and its channel) it was written in.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactNoteView {
    pub id: String,
    pub text: String,
    pub author: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    pub conversation_id: String,
    pub channel: Option<Channel>,
}

/// What may be sent right now.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct WindowView {
    #[ts(type = "number | null")]
    pub free_text_until: Option<i64>,
    #[ts(type = "number | null")]
    pub human_agent_until: Option<i64>,
    /// Until when the agent may answer with text or a file: the free-text window, or the
    /// HUMAN_AGENT window where it is later (Messenger, Instagram). `null`: no window.
    #[ts(type = "number | null")]
    pub reply_until: Option<i64>,
    pub templates_allowed: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    pub row: InboxRow,
    pub contact: ContactView,
    pub window: WindowView,
    /// Oldest first; notes and events interleaved by time. The newest messages (see
    /// `olderCached`), and with them the conversation's unsent ones.
    pub messages: Vec<MessageView>,
    /// The cache holds older messages than these: scrolling up asks for more of them
    /// (`open_conversation_at` with `messages`) before asking the cloud (`load_older`).
    pub older_cached: bool,
    /// The contact's other conversations, latest first.
    pub previous: Vec<InboxRow>,
    #[ts(type = "number | null")]
    pub csat: Option<u8>,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InboxQuery {
    #[ts(optional)]
    pub channel: Option<Channel>,
    #[ts(optional)]
    pub status: Option<ConversationStatus>,
    /// `all` when absent.
    #[ts(optional)]
    pub view: Option<ListView>,
    #[ts(optional)]
    pub label: Option<String>,
    /// Only this agent's conversations (whatever `view` says about the assignee).
    #[ts(optional)]
    pub agent: Option<String>,
    /// Only this team's conversations (whatever `view` says about teams).
    #[ts(optional)]
    pub team: Option<String>,
    #[ts(optional)]
    pub unread: Option<bool>,
    /// `latest` when absent.
    #[ts(optional)]
    pub sort: Option<ListSort>,
    /// Rows from this one on (0 is the top of the list).
    #[ts(optional)]
    pub offset: Option<u32>,
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A window of the conversation list: `rows` are the list's rows from
/// `offset` on, out of `total`. The UI asks for the rows in view and keeps
/// only those.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxPage {
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<InboxRow>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team_ids: Vec<String>,
    pub presence: Presence,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TeamView {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CannedView {
    pub id: String,
    pub shortcut: String,
    pub language: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub id: String,
    pub channel: Channel,
    pub name: String,
    pub language: String,
    pub category: String,
    /// With `{{1}}`, `{{2}}` placeholders.
    pub body: String,
    pub params: u32,
}

/// The signed-in agent and the workspace's reference data, for pickers.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub me: Option<AgentView>,
    pub agents: Vec<AgentView>,
    pub teams: Vec<TeamView>,
    pub labels: Vec<LabelView>,
    pub canned: Vec<CannedView>,
    /// Approved templates only.
    pub templates: Vec<TemplateView>,
}

/// Names to show for ids, loaded once per request.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub agents: HashMap<String, String>,
    pub teams: HashMap<String, String>,
    pub labels: HashMap<String, Label>,
}

impl Names {
    pub async fn load(store: &stepup_store::Store) -> Result<Names, stepup_store::StoreError> {
        let agents: Vec<Agent> = store.entities("agent").await?;
        let teams: Vec<Team> = store.entities("team").await?;
        let labels: Vec<Label> = store.entities("label").await?;
        Ok(Names {
            agents: agents.into_iter().map(|a| (a.id, a.name)).collect(),
            teams: teams.into_iter().map(|t| (t.id, t.name)).collect(),
            labels: labels.into_iter().map(|l| (l.id.clone(), l)).collect(),
        })
    }
}

/// A name a customer chose (their profile name, a file's name) without the invisible
/// direction overrides and isolates that would show it reversed or reordered
/// (`Invoice\u{202E}fdp.exe` reads as `Invoiceexe.pdf`); the UI isolates each name itself.
pub fn plain_name(name: &str) -> String {
    name.chars()
        .filter(|c| !stepup_protocol::is_bidi_control(*c))
        .collect()
}

pub(crate) fn row(
    c: &Conversation,
    contact_name: Option<String>,
    names: &Names,
    now: i64,
) -> InboxRow {
    InboxRow {
        id: c.id.clone(),
        channel: c.channel,
        contact_id: c.contact_id.clone(),
        contact_name: plain_name(&contact_name.unwrap_or_default()),
        preview: c.preview.clone(),
        last_message_at: c.last_message_at,
        unread: c.unread_count,
        status: c.status,
        snoozed_until: c.snoozed_until,
        priority: c.priority,
        assignee_agent_id: c.assignee_agent_id.clone(),
        assignee_name: c
            .assignee_agent_id
            .as_ref()
            .and_then(|a| names.agents.get(a).cloned()),
        team_id: c.assignee_team_id.clone(),
        team_name: c
            .assignee_team_id
            .as_ref()
            .and_then(|t| names.teams.get(t).cloned()),
        labels: c
            .labels
            .iter()
            .map(|id| match names.labels.get(id) {
                Some(l) => LabelView {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    color: l.color.clone(),
                },
                None => LabelView {
                    id: id.clone(),
                    name: id.clone(),
                    color: String::new(),
                },
            })
            .collect(),
        waiting: c.last_inbound_at.is_some_and(|t| t >= c.last_message_at),
        reply_window: c.reply_window.state(now),
        free_text_until: c.reply_window.free_text_until,
        sla: c.sla.as_ref().and_then(|clock| {
            clock
                .pending(c.resolved_at)
                .map(|(target, due_at)| SlaView {
                    target,
                    due_at,
                    started_at: clock.started_at,
                })
        }),
        ai: c
            .ai
            .as_ref()
            .filter(|_| c.status != ConversationStatus::Resolved)
            .map(|a| a.state),
    }
}

/// The text a timeline entry shows for a message. Its words where it has them; a place
/// without a name shows its coordinates, shared contacts their numbers, an unsupported
/// message the provider's type; an event has none (its kind is the entry's `event`).
fn entry_text(content: &MessageContent) -> String {
    match content {
        MessageContent::Location {
            name: None,
            address: None,
            latitude,
            longitude,
        } => format!("{latitude:.5}, {longitude:.5}"),
        MessageContent::Contacts { contacts } => contacts
            .iter()
            .map(|c| {
                if c.phones.is_empty() {
                    c.name.clone()
                } else {
                    format!("{} {}", c.name, c.phones.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        MessageContent::Unsupported { provider_type } => provider_type.clone(),
        other => other.text().unwrap_or_default().to_owned(),
    }
}

/// A conversation's timeline: messages (reactions folded into the message
/// they react to, quotes resolved), notes and events, oldest first.
pub(crate) fn timeline(messages: &[Message], notes: &[Note], names: &Names) -> Vec<MessageView> {
    let by_id: HashMap<&str, &Message> = messages.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut reactions: HashMap<&str, Vec<String>> = HashMap::new();
    for m in messages {
        if let MessageContent::Reaction {
            target_message_id,
            emoji,
        } = &m.content
            && !emoji.is_empty()
        {
            reactions
                .entry(target_message_id.as_str())
                .or_default()
                .push(emoji.clone());
        }
    }
    let mut out: Vec<MessageView> = Vec::with_capacity(messages.len() + notes.len());
    for m in messages {
        if matches!(m.content, MessageContent::Reaction { .. }) {
            continue;
        }
        let (kind, text) = (m.content.kind(), entry_text(&m.content));
        let agent_name =
            |id: &Option<String>| id.as_ref().and_then(|a| names.agents.get(a).cloned());
        let (direction, author, subject) = match &m.content {
            MessageContent::Event { event } => (
                EntryDirection::Event,
                agent_name(&event.actor_agent_id),
                agent_name(&event.agent_id).or_else(|| {
                    event
                        .team_id
                        .as_ref()
                        .and_then(|t| names.teams.get(t).cloned())
                }),
            ),
            _ if m.direction == Direction::Inbound => (EntryDirection::Inbound, None, None),
            _ => (
                EntryDirection::Outbound,
                agent_name(&m.sender_agent_id),
                None,
            ),
        };
        let attachment = match &m.content {
            MessageContent::Attachment { attachment, .. } => Some(AttachmentView {
                id: attachment.attachment_id.clone(),
                kind: attachment.kind,
                filename: attachment.filename.as_deref().map(plain_name),
                content_type: attachment.content_type.clone(),
                fetch_failed: attachment.fetch_failed,
            }),
            _ => None,
        };
        out.push(MessageView {
            id: m.id.clone(),
            direction,
            origin: match &m.content {
                MessageContent::Event { .. } => Origin::System,
                _ => m.origin,
            },
            kind,
            text,
            event: match &m.content {
                MessageContent::Event { event } => Some(event.kind),
                _ => None,
            },
            author,
            subject,
            handoff: match &m.content {
                MessageContent::Event { event } => event.reason,
                _ => None,
            },
            status: m.status,
            created_at: m.created_at,
            error: m.error.clone(),
            local: false,
            reply_to: m.reply_to_message_id.as_ref().map(|id| QuoteView {
                id: id.clone(),
                text: by_id
                    .get(id.as_str())
                    .map(|q| entry_text(&q.content))
                    .unwrap_or_default(),
            }),
            reactions: reactions.remove(m.id.as_str()).unwrap_or_default(),
            attachment,
            card: card_view(&m.content),
        });
    }
    for n in notes {
        out.push(MessageView {
            id: n.id.clone(),
            direction: EntryDirection::Note,
            origin: Origin::Human,
            kind: MessageKind::Text,
            text: n.body.clone(),
            event: None,
            author: names.agents.get(&n.author_agent_id).cloned(),
            subject: None,
            handoff: None,
            status: MessageStatus::Sent,
            created_at: n.created_at,
            error: None,
            local: false,
            reply_to: None,
            reactions: vec![],
            attachment: None,
            card: None,
        });
    }
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    out
}

pub(crate) fn agent_view(a: &Agent) -> AgentView {
    AgentView {
        id: a.id.clone(),
        name: a.name.clone(),
        email: a.email.clone(),
        role: a.role,
        team_ids: a.team_ids.clone(),
        presence: a.presence,
    }
}

pub(crate) fn canned_view(c: CannedResponse) -> CannedView {
    CannedView {
        id: c.id,
        shortcut: c.shortcut,
        language: c.language,
        title: c.title,
        body: c.body,
    }
}

/// How many `{{n}}` placeholders a template body has.
pub(crate) fn placeholder_count(body: &str) -> u32 {
    let mut max = 0;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find("}}") {
            if let Ok(n) = rest[..end].trim().parse::<u32>() {
                max = max.max(n);
            }
            rest = &rest[end + 2..];
        } else {
            break;
        }
    }
    max
}

/// A template's body with its parameters filled in.
pub(crate) fn render_template(body: &str, params: &[String]) -> String {
    let mut out = body.to_owned();
    for (i, p) in params.iter().enumerate() {
        out = out.replace(&format!("{{{{{}}}}}", i + 1), p);
    }
    out
}

pub(crate) fn template_view(t: Template) -> Option<TemplateView> {
    (t.status == TemplateStatus::Approved).then(|| TemplateView {
        params: placeholder_count(&t.body),
        id: t.id,
        channel: t.channel,
        name: t.name,
        language: t.language,
        category: t.category,
        body: t.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(v: serde_json::Value) -> Message {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn names_customers_chose_lose_their_direction_overrides() {
        // Shown as "Invoiceexe.pdf" with the override; as written without it.
        assert_eq!(plain_name("Invoice\u{202E}fdp.exe"), "Invoicefdp.exe");
        assert_eq!(
            plain_name("\u{2067}مريم\u{2069} \u{202D}Admin\u{202C}"),
            "مريم Admin"
        );
        // Arabic and the marks that only hint a direction stay.
        assert_eq!(plain_name("عبدالله\u{200F} (VIP)"), "عبدالله\u{200F} (VIP)");
        let t = timeline(
            &[msg(json!({
                "id": "m1", "conversation_id": "c1", "direction": "inbound",
                "content": {"type": "attachment", "attachment": {"kind": "document", "filename": "Invoice\u{202E}fdp.exe"}},
                "status": "received", "created_at": 1
            }))],
            &[],
            &Names::default(),
        );
        assert_eq!(
            t[0].attachment.as_ref().and_then(|a| a.filename.as_deref()),
            Some("Invoicefdp.exe")
        );
    }

    #[test]
    fn timeline_folds_reactions_resolves_quotes_and_interleaves_notes_and_events() {
        let messages = vec![
            msg(
                json!({"id": "m1", "conversation_id": "c", "direction": "inbound",
                "content": {"type": "text", "text": "هل العطر متوفر؟"}, "status": "received", "created_at": 1}),
            ),
            msg(
                json!({"id": "m2", "conversation_id": "c", "direction": "outbound", "origin": "ai",
                "reply_to_message_id": "m1",
                "content": {"type": "text", "text": "Yes, in stock"}, "status": "read", "created_at": 3}),
            ),
            msg(
                json!({"id": "m3", "conversation_id": "c", "direction": "inbound",
                "content": {"type": "reaction", "target_message_id": "m2", "emoji": "❤️"}, "status": "received", "created_at": 4}),
            ),
            msg(
                json!({"id": "m4", "conversation_id": "c", "direction": "outbound", "origin": "system",
                "content": {"type": "event", "event": {"kind": "assigned", "actor_agent_id": "a1", "agent_id": "a2"}},
                "status": "sent", "created_at": 5}),
            ),
        ];
        let notes = vec![Note {
            id: "n1".into(),
            conversation_id: "c".into(),
            author_agent_id: "a1".into(),
            body: "VIP @Sara".into(),
            mentions: vec!["a2".into()],
            created_at: 2,
        }];
        let names = Names {
            agents: [("a1".into(), "Omar".into()), ("a2".into(), "Sara".into())].into(),
            ..Default::default()
        };
        let t = timeline(&messages, &notes, &names);
        let ids: Vec<&str> = t.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["m1", "n1", "m2", "m4"], "the reaction is folded");
        assert_eq!(t[1].direction, EntryDirection::Note);
        assert_eq!(t[1].author.as_deref(), Some("Omar"));
        assert_eq!(t[2].origin, Origin::Ai);
        assert_eq!(t[2].reactions, ["❤️"]);
        assert_eq!(t[2].reply_to.as_ref().unwrap().text, "هل العطر متوفر؟");
        assert_eq!(t[3].direction, EntryDirection::Event);
        assert_eq!(t[3].event, Some(ConversationEventKind::Assigned));
        assert_eq!(t[3].author.as_deref(), Some("Omar"));
        assert_eq!(t[3].subject.as_deref(), Some("Sara"));
    }

    #[test]
    fn templates_count_and_fill_their_placeholders() {
        let body = "Hello {{1}}, your order {{2}} is ready. {{1}}!";
        assert_eq!(placeholder_count(body), 2);
        assert_eq!(
            render_template(body, &["Aisha".into(), "#A-1042".into()]),
            "Hello Aisha, your order #A-1042 is ready. Aisha!"
        );
        assert_eq!(placeholder_count("no params"), 0);
    }
}
