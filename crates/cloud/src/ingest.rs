//! Inbound traffic from any channel: find or create the contact and conversation, store the
//! message once (providers retry), and apply delivery statuses that only move forward.

use stepup_protocol::{
    Channel, ChannelIdentity, Conversation, ConversationStatus, Direction, EntityKind, Message,
    MessageContent, MessageStatus, Priority,
};

use crate::state::AppState;
use crate::store::{self, Placement, Writer};
use crate::window::reply_window;

/// One inbound message as a webhook parser understood it.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub channel: Channel,
    /// Provider's id of the customer (wa_id, PSID, IGSID, chat id, …).
    pub external_user_id: String,
    pub user_name: Option<String>,
    pub phone: Option<String>,
    /// Provider's id of this message, the dedupe key.
    pub provider_message_id: String,
    pub content: MessageContent,
    pub reply_to_provider_id: Option<String>,
    pub at: i64,
    /// An edit of an earlier message (Telegram `edited_message`).
    pub edit: bool,
    /// A message the business sent from elsewhere (Messenger/Instagram echoes): stored outbound.
    pub echo: bool,
}

impl Inbound {
    /// A plain text message from a customer.
    pub fn text(
        channel: Channel,
        user: &str,
        provider_message_id: &str,
        text: &str,
        at: i64,
    ) -> Self {
        Self {
            channel,
            external_user_id: user.to_owned(),
            user_name: None,
            phone: None,
            provider_message_id: provider_message_id.to_owned(),
            content: MessageContent::Text {
                text: text.to_owned(),
            },
            reply_to_provider_id: None,
            at,
            edit: false,
            echo: false,
        }
    }
}

/// A delivery status from a provider.
#[derive(Debug, Clone)]
pub struct StatusUpdate {
    pub channel: Channel,
    pub provider_message_id: String,
    pub status: MessageStatus,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created {
        message_id: String,
        conversation_id: String,
    },
    Duplicate,
    Updated {
        message_id: String,
    },
    Ignored,
}

pub(crate) use crate::contacts::pmid_key;

/// Finds (or creates) the contact and the conversation for a customer on a channel.
pub async fn contact_and_conversation(
    state: &AppState,
    w: &mut Writer,
    channel: Channel,
    external_user_id: &str,
    user_name: Option<&str>,
    phone: Option<&str>,
    at: i64,
) -> Result<Conversation, sqlx::Error> {
    let contact_id = crate::contacts::contact_for(
        w,
        ChannelIdentity {
            channel,
            external_id: external_user_id.to_owned(),
        },
        user_name,
        phone,
        || state.ids().make("ct"),
        at,
    )
    .await
    .map_err(|e| match e {
        crate::contacts::ContactError::Db(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    })?;
    let conv_key = pmid_key(channel, &contact_id);
    if let Some(cid) = w.lookup("conversation", &conv_key).await?
        && let Some(c) = w
            .get::<Conversation>(EntityKind::Conversation, &cid)
            .await?
    {
        return Ok(c);
    }
    let mut conv = Conversation {
        id: state.ids().make("cnv"),
        contact_id: contact_id.clone(),
        channel,
        status: ConversationStatus::Open,
        snoozed_until: None,
        assignee_agent_id: None,
        assignee_team_id: None,
        labels: vec![],
        priority: Priority::Normal,
        created_at: at,
        last_message_at: at,
        last_inbound_at: None,
        preview: None,
        read_up_to: None,
        unread_count: 0,
        reply_window: reply_window(channel, None, at),
        csat: None,
        csat_asked_at: None,
        resolved_at: None,
        sla: None,
        ai: None,
        broadcast_id: None,
    };
    crate::routing::auto_assign(state, w, &mut conv).await?;
    w.put_conversation(&conv).await?;
    w.set_lookup("conversation", &conv_key, &conv.id).await?;
    Ok(conv)
}

/// Stores an inbound message inside an open write transaction.
pub async fn ingest_in(
    state: &AppState,
    w: &mut Writer,
    mut m: Inbound,
) -> Result<Outcome, sqlx::Error> {
    if m.content.cap_text(MessageContent::MAX_TEXT_CHARS) {
        tracing::info!(
            channel = m.channel.as_str(),
            "an inbound message's text was cut to its cap"
        );
    }
    if let Some(name) = &mut m.user_name
        && name.chars().count() > stepup_protocol::Contact::MAX_NAME
    {
        *name = name
            .chars()
            .take(stepup_protocol::Contact::MAX_NAME)
            .collect();
    }
    let key = pmid_key(m.channel, &m.provider_message_id);
    if let Some(existing) = w.lookup("pmid", &key).await? {
        if !m.edit {
            return Ok(Outcome::Duplicate);
        }
        let Some(mut msg) = w.get::<Message>(EntityKind::Message, &existing).await? else {
            return Ok(Outcome::Ignored);
        };
        msg.content = m.content;
        msg.edited_at = Some(m.at);
        w.put(
            EntityKind::Message,
            &msg.id,
            Placement {
                parent_id: Some(&msg.conversation_id),
                sort_at: msg.created_at,
            },
            &msg,
        )
        .await?;
        return Ok(Outcome::Updated { message_id: msg.id });
    }
    let mut conv = contact_and_conversation(
        state,
        w,
        m.channel,
        &m.external_user_id,
        m.user_name.as_deref(),
        m.phone.as_deref(),
        m.at,
    )
    .await?;
    let reply_to = match &m.reply_to_provider_id {
        Some(p) => w.lookup("pmid", &pmid_key(m.channel, p)).await?,
        None => None,
    };
    let mut content = m.content;
    if let MessageContent::Reaction {
        target_message_id, ..
    } = &mut content
        && let Some(local) = w
            .lookup("pmid", &pmid_key(m.channel, target_message_id))
            .await?
    {
        *target_message_id = local;
    }
    let msg = Message {
        id: state.message_id(),
        conversation_id: conv.id.clone(),
        direction: if m.echo {
            Direction::Outbound
        } else {
            Direction::Inbound
        },
        sender_agent_id: None,
        origin: stepup_protocol::Origin::Human,
        content,
        reply_to_message_id: reply_to,
        status: if m.echo {
            MessageStatus::Sent
        } else {
            MessageStatus::Received
        },
        error: None,
        provider_message_id: Some(m.provider_message_id.clone()),
        created_at: m.at,
        edited_at: None,
    };
    w.put(
        EntityKind::Message,
        &msg.id,
        Placement {
            parent_id: Some(&conv.id),
            sort_at: msg.created_at,
        },
        &msg,
    )
    .await?;
    w.set_lookup("pmid", &key, &msg.id).await?;
    let is_reaction = matches!(msg.content, MessageContent::Reaction { .. });
    conv.last_message_at = conv.last_message_at.max(m.at);
    if m.echo {
        // Someone answered from the business's own phone or inbox: a person's reply.
        crate::hours::responded(&mut conv, m.at);
        conv.preview = Some(msg.content.preview());
        w.put_conversation(&conv).await?;
        return Ok(Outcome::Created {
            message_id: msg.id,
            conversation_id: conv.id,
        });
    }
    let first_inbound = conv.last_inbound_at.is_none();
    conv.last_inbound_at = Some(conv.last_inbound_at.map_or(m.at, |t| t.max(m.at)));
    if let MessageContent::Text { text } = &msg.content
        && let Some(out) = crate::broadcasts_in::opt_out_request(text)
    {
        let ws = w.workspace_id().to_owned();
        store::broadcasts::set_opt_out(w.conn(), &ws, m.channel, &m.external_user_id, out, m.at)
            .await?;
    }
    if m.channel == Channel::Whatsapp && !is_reaction_content(&msg.content) {
        crate::broadcasts_in::link_reply(state, w, &mut conv, &m.external_user_id, m.at).await?;
    }
    conv.reply_window = reply_window(conv.channel, conv.last_inbound_at, conv.created_at);
    // The answer to the satisfaction question: kept as the rating, the conversation stays
    // resolved. Anything else is a message like any other.
    let rating = match (&msg.content, conv.csat_asked_at) {
        (MessageContent::Text { text }, Some(asked))
            if conv.status == ConversationStatus::Resolved
                && conv.csat.is_none()
                && (asked..=asked + crate::csat::ANSWER_WITHIN_MS).contains(&m.at) =>
        {
            crate::csat::rating(text)
        }
        _ => None,
    };
    if let Some(r) = rating {
        conv.csat = Some(r);
        // The round ends with the answer: resolving again asks only after the customer writes.
        conv.csat_asked_at = Some(m.at);
        conv.preview = Some(msg.content.preview());
        w.put_conversation(&conv).await?;
        return Ok(Outcome::Created {
            message_id: msg.id,
            conversation_id: conv.id,
        });
    }
    if !is_reaction {
        conv.preview = Some(msg.content.preview());
        conv.unread_count += 1;
    }
    // A new request: the customer's first message, or one that reopens a resolved conversation.
    let new_request = first_inbound || conv.status == ConversationStatus::Resolved;
    if new_request {
        crate::hours::start_sla(w, &mut conv, m.at).await?;
    }
    if matches!(
        conv.status,
        ConversationStatus::Resolved | ConversationStatus::Snoozed
    ) {
        conv.status = ConversationStatus::Open;
        conv.snoozed_until = None;
        conv.resolved_at = None;
    }
    let assistant_answers =
        crate::assistant::on_inbound(state, w, &mut conv, &msg, &m.external_user_id, new_request)
            .await?;
    w.put_conversation(&conv).await?;
    if !is_reaction && !assistant_answers {
        let text = match &msg.content {
            MessageContent::Text { text } => Some(text.as_str()),
            _ => None,
        };
        crate::hours::away_reply(state, w, &conv, &m.external_user_id, text, m.at).await?;
    }
    Ok(Outcome::Created {
        message_id: msg.id,
        conversation_id: conv.id,
    })
}

fn is_reaction_content(c: &MessageContent) -> bool {
    matches!(c, MessageContent::Reaction { .. })
}

/// Applies a delivery status. Statuses only move forward (`sent < delivered < read`, a skipped
/// `delivered` is fine); `failed` only replaces `pending` or `sent`.
pub async fn status_in(w: &mut Writer, s: StatusUpdate) -> Result<Outcome, sqlx::Error> {
    let Some(id) = w
        .lookup("pmid", &pmid_key(s.channel, &s.provider_message_id))
        .await?
    else {
        // A broadcast's message has no message of its own until the customer replies.
        let state = match s.status {
            MessageStatus::Delivered => Some(stepup_protocol::RecipientState::Delivered),
            MessageStatus::Read => Some(stepup_protocol::RecipientState::Read),
            MessageStatus::Failed => Some(stepup_protocol::RecipientState::Failed),
            _ => None,
        };
        if let Some(state) = state
            && store::broadcasts::recipient_status(w.conn(), &s.provider_message_id, state, s.error)
                .await?
                .is_some()
        {
            return Ok(Outcome::Updated {
                message_id: s.provider_message_id,
            });
        }
        return Ok(Outcome::Ignored);
    };
    let Some(mut msg) = w.get::<Message>(EntityKind::Message, &id).await? else {
        return Ok(Outcome::Ignored);
    };
    let apply = match (msg.status, s.status) {
        (MessageStatus::Failed, _) => false,
        (cur, MessageStatus::Failed) => cur <= MessageStatus::Sent,
        (cur, new) => new > cur,
    };
    if !apply {
        return Ok(Outcome::Duplicate);
    }
    msg.status = s.status;
    if s.status == MessageStatus::Failed {
        msg.error = s.error;
    }
    w.put(
        EntityKind::Message,
        &msg.id,
        Placement {
            parent_id: Some(&msg.conversation_id),
            sort_at: msg.created_at,
        },
        &msg,
    )
    .await?;
    Ok(Outcome::Updated { message_id: msg.id })
}

/// Registers the provider's id of an outbound message so later statuses find it.
pub async fn remember_provider_id(
    w: &mut Writer,
    channel: Channel,
    provider_id: &str,
    message_id: &str,
) -> Result<(), sqlx::Error> {
    w.set_lookup("pmid", &pmid_key(channel, provider_id), message_id)
        .await
}

/// One-shot helper: ingest in its own transaction.
pub async fn ingest(
    state: &AppState,
    workspace_id: &str,
    m: Inbound,
) -> Result<Outcome, sqlx::Error> {
    let mut w = state.write(workspace_id).await?;
    let out = ingest_in(state, &mut w, m).await?;
    state.commit(w).await?;
    Ok(out)
}

/// Messenger delivery/read watermarks and Instagram seen: every outbound message of the
/// customer's conversation created at or before `watermark` moves forward to `status`.
pub async fn watermark_in(
    w: &mut Writer,
    channel: Channel,
    external_user_id: &str,
    watermark: i64,
    status: MessageStatus,
) -> Result<usize, sqlx::Error> {
    let Some(contact_id) = w
        .lookup("identity", &pmid_key(channel, external_user_id))
        .await?
    else {
        return Ok(0);
    };
    let Some(conv_id) = w
        .lookup("conversation", &pmid_key(channel, &contact_id))
        .await?
    else {
        return Ok(0);
    };
    let ws = w.workspace_id().to_owned();
    let messages = store::messages::outbound_up_to(w.conn(), &ws, &conv_id, watermark).await?;
    let mut n = 0;
    for mut msg in messages {
        if status > msg.status {
            msg.status = status;
            w.put(
                EntityKind::Message,
                &msg.id,
                Placement {
                    parent_id: Some(&msg.conversation_id),
                    sort_at: msg.created_at,
                },
                &msg,
            )
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// The creation time of a message known by its provider id.
pub async fn provider_message_time(
    w: &mut Writer,
    channel: Channel,
    provider_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let Some(id) = w.lookup("pmid", &pmid_key(channel, provider_id)).await? else {
        return Ok(None);
    };
    Ok(w.get::<Message>(EntityKind::Message, &id)
        .await?
        .map(|m| m.created_at))
}
