//! Conversations: reading one, changing it (status, assignee, labels, priority) with the
//! timeline events that records, notes, and the read state.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use stepup_protocol::{
    AddNoteRequest, Agent, Assignee, Channel, Contact, Conversation, ConversationStatus, Direction,
    EntityKind, Label, MarkReadRequest, Message, MessageContent, MessageStatus, Note, Role, Team,
    UpdateConversationRequest,
};

use super::{conversation, load};
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::outbound;
use crate::state::AppState;
use crate::store::{self, Placement};

pub(super) async fn get_conversation(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(
        load(&state, &auth.workspace_id, EntityKind::Conversation, &id).await?,
    ))
}

pub(super) async fn update_conversation(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateConversationRequest>,
) -> ApiResult<Json<Conversation>> {
    let now = state.now();
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let before = conv.clone();
    if let Some(status) = req.status {
        if status == ConversationStatus::Resolved {
            if conv.status != ConversationStatus::Resolved {
                conv.resolved_at = Some(now);
            }
        } else {
            conv.resolved_at = None;
        }
        conv.status = status;
        conv.snoozed_until = None;
        if status == ConversationStatus::Snoozed {
            match req.snoozed_until {
                Some(t) if t > now => conv.snoozed_until = Some(t),
                _ => {
                    return Err(ApiError::bad_request(
                        "snoozed needs `snoozed_until` in the future",
                    ));
                }
            }
        }
    }
    if let Some(assignee) = req.assignee {
        match assignee {
            Assignee::Nobody => {
                conv.assignee_agent_id = None;
                conv.assignee_team_id = None;
            }
            Assignee::Agent { id: agent_id } => {
                if auth.role == Role::Agent && agent_id != auth.agent_id {
                    return Err(ApiError::forbidden(
                        "agents may only assign conversations to themselves",
                    ));
                }
                w.get::<Agent>(EntityKind::Agent, &agent_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("agent"))?;
                conv.assignee_agent_id = Some(agent_id);
            }
            Assignee::Team { id: team_id } => {
                w.get::<Team>(EntityKind::Team, &team_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("team"))?;
                conv.assignee_team_id = Some(team_id);
                conv.assignee_agent_id = None;
            }
        }
    }
    if let Some(labels) = req.labels {
        let mut out = Vec::new();
        for l in labels {
            w.get::<Label>(EntityKind::Label, &l)
                .await?
                .ok_or_else(|| ApiError::not_found("label"))?;
            if !out.contains(&l) {
                out.push(l);
            }
        }
        conv.labels = out;
    }
    if let Some(p) = req.priority {
        conv.priority = p;
    }
    // An agent reopening a resolved conversation starts no request of the customer's: the
    // resolved one's clock stops with it, and the customer's next message starts a new one.
    if before.status == ConversationStatus::Resolved && conv.status != ConversationStatus::Resolved
    {
        conv.sla = None;
    }
    // The timeline records status and assignment changes as system events. They are not
    // messages anyone sent: the conversation's last activity, preview and unread stay.
    for event in timeline_events(&before, &conv, &auth.agent_id) {
        let msg = Message {
            id: state.message_id(),
            conversation_id: id.clone(),
            direction: Direction::Outbound,
            sender_agent_id: None,
            origin: stepup_protocol::Origin::System,
            content: MessageContent::Event { event },
            reply_to_message_id: None,
            status: MessageStatus::Sent,
            error: None,
            provider_message_id: None,
            created_at: now,
            edited_at: None,
        };
        w.put_message(&msg).await?;
    }
    let survey = if before.status != ConversationStatus::Resolved
        && conv.status == ConversationStatus::Resolved
        && state.config().csat_survey
    {
        ask_rating(&state, &mut w, &mut conv, now).await?
    } else {
        None
    };
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    if let Some((recipient, msg)) = survey {
        outbound::dispatch(
            state.clone(),
            auth.workspace_id.clone(),
            conv.channel,
            recipient,
            msg,
            false,
        );
    }
    Ok(Json(conv))
}

/// On resolving: asks the customer for a 1–5 rating on their channel, in their language, when
/// they wrote since the last question and the channel still takes free text (no template is
/// spent on it). Returns the recipient and the stored question, to send after the commit.
async fn ask_rating(
    state: &AppState,
    w: &mut store::Writer,
    conv: &mut Conversation,
    now: i64,
) -> Result<Option<(String, Message)>, ApiError> {
    let Some(last_inbound) = conv.last_inbound_at else {
        return Ok(None);
    };
    if conv
        .csat_asked_at
        .is_some_and(|asked| asked >= last_inbound)
    {
        return Ok(None);
    }
    let text_ok = conv
        .reply_window
        .check(
            &stepup_protocol::SendMessageRequest::Text {
                text: String::new(),
                reply_to_message_id: None,
                human_agent: false,
            },
            now,
        )
        .is_ok();
    if !text_ok {
        return Ok(None);
    }
    let contact: Option<Contact> = w.get(EntityKind::Contact, &conv.contact_id).await?;
    let Some(contact) = contact else {
        return Ok(None);
    };
    let Some(recipient) = contact
        .identities
        .iter()
        .find(|i| i.channel == conv.channel)
        .map(|i| i.external_id.clone())
    else {
        return Ok(None);
    };
    let last_text = conv.preview.as_ref().map(|p| p.text.as_str());
    let locale = crate::csat::locale_for(contact.language.as_deref(), last_text);
    let msg = Message {
        id: state.message_id(),
        conversation_id: conv.id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: None,
        origin: stepup_protocol::Origin::Bot,
        content: MessageContent::Text {
            text: crate::csat::question(locale),
        },
        reply_to_message_id: None,
        status: MessageStatus::Pending,
        error: None,
        provider_message_id: None,
        created_at: now,
        edited_at: None,
    };
    w.put_message(&msg).await?;
    conv.csat_asked_at = Some(now);
    conv.csat = None;
    conv.last_message_at = now;
    conv.preview = Some(msg.content.preview());
    Ok(Some((recipient, msg)))
}

/// The timeline events that take a conversation from `before` to `after`, done by `actor`.
pub fn timeline_events(
    before: &Conversation,
    after: &Conversation,
    actor: &str,
) -> Vec<stepup_protocol::ConversationEvent> {
    use stepup_protocol::{ConversationEvent, ConversationEventKind as Kind};
    let event = |kind, agent_id: Option<&String>, team_id: Option<&String>| ConversationEvent {
        kind,
        actor_agent_id: Some(actor.to_owned()),
        agent_id: agent_id.cloned(),
        team_id: team_id.cloned(),
        reason: None,
    };
    let mut out = Vec::new();
    if before.assignee_agent_id != after.assignee_agent_id
        || before.assignee_team_id != after.assignee_team_id
    {
        if after.assignee_agent_id.is_none() && after.assignee_team_id.is_none() {
            out.push(event(Kind::Unassigned, None, None));
        } else {
            out.push(event(
                Kind::Assigned,
                after.assignee_agent_id.as_ref(),
                after.assignee_team_id.as_ref(),
            ));
        }
    }
    if before.status != after.status {
        let kind = match after.status {
            ConversationStatus::Resolved => Some(Kind::Resolved),
            ConversationStatus::Snoozed => Some(Kind::Snoozed),
            _ if before.status == ConversationStatus::Resolved => Some(Kind::Reopened),
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(event(kind, None, None));
        }
    }
    out
}

pub(super) async fn add_note(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AddNoteRequest>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    if req.body.trim().is_empty() || req.body.chars().count() > 10_000 {
        return Err(ApiError::bad_request("note must be 1–10000 characters"));
    }
    let mut w = state.write(&auth.workspace_id).await?;
    w.get::<Conversation>(EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let mut mentions = Vec::new();
    for word in req.body.split_whitespace() {
        let Some(handle) = word.strip_prefix('@') else {
            continue;
        };
        let handle = handle.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        let by_email = store::auth::agent_by_id_or_email(
            w.conn(),
            &auth.workspace_id,
            handle,
            &handle.to_lowercase(),
        )
        .await?;
        if let Some(a) = by_email
            && !mentions.contains(&a)
        {
            mentions.push(a);
        }
    }
    let note = Note {
        id: state.ids().make("note"),
        conversation_id: id.clone(),
        author_agent_id: auth.agent_id.clone(),
        body: req.body,
        mentions,
        created_at: w.now(),
    };
    w.put(
        EntityKind::Note,
        &note.id,
        Placement {
            parent_id: Some(&id),
            sort_at: note.created_at,
        },
        &note,
    )
    .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// An agent reports viewing or typing in a conversation (or leaving it): relayed to the other
/// agents' streams, true for [`ActivityKind::lasts_ms`] unless repeated, never stored.
pub(super) async fn report_activity(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<stepup_protocol::ActivityRequest>,
) -> ApiResult<StatusCode> {
    let mut conn = state.pool().acquire().await?;
    let exists: Option<Conversation> =
        store::get(&mut conn, &auth.workspace_id, EntityKind::Conversation, &id).await?;
    if exists.is_none() {
        return Err(ApiError::not_found("conversation"));
    }
    let agent: Option<stepup_protocol::Agent> = store::get(
        &mut conn,
        &auth.workspace_id,
        EntityKind::Agent,
        &auth.agent_id,
    )
    .await?;
    drop(conn);
    let now = state.now();
    state
        .report_activity(
            &auth.workspace_id,
            stepup_protocol::Activity {
                conversation_id: id,
                agent_name: agent.map_or_else(|| auth.agent_id.clone(), |a| a.name),
                agent_id: auth.agent_id.clone(),
                kind: req.kind,
                until: req.kind.map_or(now, |k| now + k.lasts_ms()),
            },
        )
        .await;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn mark_read(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<MarkReadRequest>,
) -> ApiResult<Json<Conversation>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let m: Message = w
        .get(EntityKind::Message, &req.message_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    if m.conversation_id != id {
        return Err(ApiError::bad_request("message is not in this conversation"));
    }
    let unread =
        store::messages::inbound_after(w.conn(), &auth.workspace_id, &id, m.created_at, &m.id)
            .await?;
    let receipt = match (&m.direction, &m.provider_message_id) {
        (Direction::Inbound, Some(pid)) => {
            let contact: Option<Contact> = w.get(EntityKind::Contact, &conv.contact_id).await?;
            contact
                .and_then(|c| c.identities.into_iter().find(|i| i.channel == conv.channel))
                .map(|i| (i.external_id, pid.clone()))
        }
        _ => None,
    };
    conv.read_up_to = Some(m.id);
    conv.unread_count = u32::try_from(unread).unwrap_or(0);
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    if let Some((recipient, pid)) = receipt {
        outbound::read_receipt(
            state.clone(),
            auth.workspace_id.clone(),
            conv.channel,
            recipient,
            pid,
        );
    }
    Ok(Json(conv))
}

/// Marks the conversation unread from its latest customer message: an agent puts it back for
/// later (or for a colleague). Read receipts already sent to the customer stay sent.
pub(super) async fn mark_unread(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let last_inbound = store::messages::last_inbound(w.conn(), &auth.workspace_id, &id).await?;
    let Some((last_id, last_at)) = last_inbound else {
        return Err(ApiError::bad_request(
            "the customer has not written in this conversation",
        ));
    };
    let before =
        store::messages::previous(w.conn(), &auth.workspace_id, &id, last_at, &last_id).await?;
    conv.read_up_to = before;
    conv.unread_count = conv.unread_count.max(1);
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    Ok(Json(conv))
}

/// Used by ingest and tests: the channel of a conversation id, scoped to a workspace.
pub async fn conversation_channel(state: &AppState, ws: &str, id: &str) -> ApiResult<Channel> {
    Ok(
        load::<Conversation>(state, ws, EntityKind::Conversation, id)
            .await?
            .channel,
    )
}
