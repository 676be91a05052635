//! Broadcasts: a supervisor picks an approved WhatsApp template, fills its parameters per
//! contact, chooses an audience among the workspace's contacts and a time in the workspace's
//! zone. The cloud sends it at the configured pace (`Config::broadcast_rate`, messages a
//! second, a few in flight), never to a customer who opted out, and keeps a report per recipient:
//! sent, delivered, read, failed (the provider's statuses) and replied. The broadcast is an
//! entity of the feed, so every agent's app has it and its report offline; a reply links the
//! customer's conversation to it (`broadcasts_in`).
//!
//! Templates are the only thing sent: WhatsApp allows a business to start a conversation (or
//! write after the 24-hour window) only with an approved template, so a broadcast never sends
//! free text.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use stepup_protocol::{
    Audience, Broadcast, BroadcastReport, BroadcastState, Channel, Contact, Conversation,
    EntityKind, Message, MessageContent, MessageStatus, NewBroadcast, Origin, Template,
    TemplateParam, TemplateStatus, Workspace,
};

use crate::error::ServerError;
use crate::state::AppState;
use crate::store::{self, Placement, broadcasts::NewRecipient};

/// How many sends may be in flight at once.
const IN_FLIGHT: usize = 16;

fn invalid(why: impl Into<String>) -> ServerError {
    ServerError::Invalid(why.into())
}

/// The number of `{{n}}` placeholders a template body uses (the highest n).
pub fn placeholders(body: &str) -> usize {
    let mut max = 0;
    let mut rest = body;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        if let Some(j) = rest.find("}}")
            && let Ok(n) = rest[..j].trim().parse::<usize>()
        {
            max = max.max(n);
        }
    }
    max
}

fn fill(params: &[TemplateParam], contact: &Contact) -> Vec<String> {
    params
        .iter()
        .map(|p| match p {
            TemplateParam::Text { value } => value.clone(),
            TemplateParam::ContactName => contact.name.clone(),
            TemplateParam::Attribute { key, default } => contact
                .attributes
                .get(key)
                .cloned()
                .unwrap_or_else(|| default.clone()),
        })
        .collect()
}

/// `send_at` as a wall-clock time in `zone`, to Unix ms.
pub fn local_to_ms(local: &str, zone: &str) -> Result<i64, ServerError> {
    let dt: jiff::civil::DateTime = local
        .trim()
        .parse()
        .map_err(|_| invalid("send_at is a local time like 2026-12-05T10:00"))?;
    let tz = jiff::tz::TimeZone::get(zone).map_err(|_| invalid("the workspace's time zone"))?;
    let ts = tz
        .to_timestamp(dt)
        .map_err(|_| invalid("send_at is not a time in the workspace's zone"))?;
    Ok(ts.as_millisecond())
}

/// The contacts an audience names, with their WhatsApp numbers, in a stable order.
async fn audience(
    conn: &mut sqlx::AnyConnection,
    ws: &str,
    a: &Audience,
) -> Result<Vec<(Contact, String)>, sqlx::Error> {
    let contacts: Vec<Contact> = store::list(conn, ws, EntityKind::Contact).await?;
    let conversations: Vec<Conversation> = store::list(conn, ws, EntityKind::Conversation).await?;
    let mut last: HashMap<&str, i64> = HashMap::new();
    let mut labelled: HashSet<&str> = HashSet::new();
    for c in &conversations {
        let e = last.entry(c.contact_id.as_str()).or_insert(i64::MIN);
        *e = (*e).max(c.last_message_at);
        if c.labels.iter().any(|l| a.labels.contains(l)) {
            labelled.insert(c.contact_id.as_str());
        }
    }
    let mut out = Vec::new();
    for c in &contacts {
        let Some(wa) = c
            .identities
            .iter()
            .find(|i| i.channel == Channel::Whatsapp)
            .map(|i| i.external_id.clone())
        else {
            continue;
        };
        if !a.labels.is_empty() && !labelled.contains(c.id.as_str()) {
            continue;
        }
        if let Some(lang) = &a.language
            && c.language.as_deref() != Some(lang.as_str())
        {
            continue;
        }
        let seen = last.get(c.id.as_str()).copied();
        if a.last_contact_after
            .is_some_and(|t| seen.is_none_or(|s| s < t))
            || a.last_contact_before
                .is_some_and(|t| seen.is_none_or(|s| s >= t))
        {
            continue;
        }
        out.push((c.clone(), wa));
    }
    Ok(out)
}

/// Checks and stores a new broadcast with its recipients (opted-out customers counted, not
/// sent to), scheduled for its time.
pub async fn create(
    state: &AppState,
    ws: &str,
    agent_id: &str,
    req: NewBroadcast,
) -> Result<Broadcast, ServerError> {
    create_with_id(state, ws, agent_id, req, state.ids().make("bc")).await
}

/// [`create`] with the broadcast's id given (the demo's, made from its seed).
pub async fn create_with_id(
    state: &AppState,
    ws: &str,
    agent_id: &str,
    req: NewBroadcast,
    id: String,
) -> Result<Broadcast, ServerError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > Broadcast::MAX_NAME {
        return Err(invalid(format!(
            "a broadcast's name is 1–{} characters",
            Broadcast::MAX_NAME
        )));
    }
    let mut w = state.write(ws).await?;
    let template: Template = w
        .get(EntityKind::Template, &req.template_id)
        .await?
        .ok_or_else(|| invalid("no such template"))?;
    if template.channel != Channel::Whatsapp {
        return Err(invalid("broadcasts send WhatsApp templates"));
    }
    if template.status != TemplateStatus::Approved {
        return Err(invalid("the template is not approved"));
    }
    let wanted = placeholders(&template.body);
    if req.params.len() != wanted {
        return Err(invalid(format!(
            "the template takes {wanted} parameters, {} given",
            req.params.len()
        )));
    }
    let workspace: Workspace = w
        .get(EntityKind::Workspace, ws)
        .await?
        .ok_or_else(|| invalid("no such workspace"))?;
    let now = w.now();
    let send_at = match &req.send_at {
        Some(local) => {
            let at = local_to_ms(local, &workspace.time_zone)?;
            if at < now - 60_000 {
                return Err(invalid("send_at is in the past"));
            }
            at.max(now)
        }
        None => now,
    };
    let people = audience(w.conn(), ws, &req.audience).await?;
    if people.is_empty() {
        return Err(invalid(
            "no contact with a WhatsApp number is in this audience",
        ));
    }
    let out = store::broadcasts::opted_out(w.conn(), ws, Channel::Whatsapp).await?;
    let recipients: Vec<NewRecipient> = people
        .iter()
        .map(|(c, wa)| NewRecipient {
            contact_id: c.id.clone(),
            name: c.name.clone(),
            params: fill(&req.params, c),
            opted_out: out.contains(wa),
            wa_id: wa.clone(),
        })
        .collect();
    let mut b = Broadcast {
        id,
        name: name.to_owned(),
        template_id: template.id.clone(),
        template_name: template.name.clone(),
        language: template.language.clone(),
        params: req.params,
        audience: req.audience,
        send_at,
        time_zone: workspace.time_zone,
        state: BroadcastState::Scheduled,
        created_by_agent_id: agent_id.to_owned(),
        created_at: now,
        finished_at: None,
        report: BroadcastReport::default(),
    };
    store::broadcasts::insert_recipients(w.conn(), &b.id, ws, &recipients).await?;
    store::broadcasts::schedule(w.conn(), &b.id, ws, send_at, b.state).await?;
    b.report = store::broadcasts::report(w.conn(), &b.id).await?;
    put(&mut w, &b).await?;
    state.commit(w).await?;
    tracing::info!(workspace_id = ws, broadcast_id = %b.id, recipients = b.report.total, "broadcast scheduled");
    Ok(b)
}

async fn put(w: &mut store::Writer, b: &Broadcast) -> Result<(), sqlx::Error> {
    w.put(
        EntityKind::Broadcast,
        &b.id,
        Placement {
            parent_id: None,
            sort_at: b.created_at,
        },
        b,
    )
    .await
    .map(|_| ())
}

/// Cancels a broadcast not yet done: what was not sent is not sent.
pub async fn cancel(state: &AppState, ws: &str, id: &str) -> Result<Broadcast, ServerError> {
    let mut w = state.write(ws).await?;
    let mut b: Broadcast = w
        .get(EntityKind::Broadcast, id)
        .await?
        .ok_or(ServerError::Api(crate::error::ApiError::not_found(
            "broadcast",
        )))?;
    if matches!(b.state, BroadcastState::Done | BroadcastState::Cancelled) {
        return Err(invalid("the broadcast is over"));
    }
    b.state = BroadcastState::Cancelled;
    b.finished_at = Some(w.now());
    store::broadcasts::schedule(w.conn(), id, ws, b.send_at, b.state).await?;
    b.report = store::broadcasts::report(w.conn(), id).await?;
    put(&mut w, &b).await?;
    state.commit(w).await?;
    Ok(b)
}

/// Writes the broadcast's report (and state) to the feed.
async fn refresh(
    state: &AppState,
    ws: &str,
    id: &str,
    set: Option<BroadcastState>,
) -> Result<Option<Broadcast>, sqlx::Error> {
    let mut w = state.write(ws).await?;
    let Some(mut b) = w.get::<Broadcast>(EntityKind::Broadcast, id).await? else {
        return Ok(None);
    };
    let report = store::broadcasts::report(w.conn(), id).await?;
    let changed_state = set.filter(|s| *s != b.state && b.state != BroadcastState::Cancelled);
    if report == b.report && changed_state.is_none() {
        return Ok(Some(b));
    }
    b.report = report;
    if let Some(s) = changed_state {
        b.state = s;
        if s == BroadcastState::Done {
            b.finished_at = Some(w.now());
        }
        store::broadcasts::schedule(w.conn(), id, ws, b.send_at, s).await?;
    }
    put(&mut w, &b).await?;
    state.commit(w).await?;
    Ok(Some(b))
}

/// Recipients read (and sent to) between two renewals of a node's claim.
const BATCH: u32 = 100;

/// One pass of the sender: reports that changed are written, and each broadcast that is due is
/// sent to its end (one after another).
pub async fn tick(state: &AppState) -> Result<(), ServerError> {
    for (ws, id) in store::broadcasts::take_dirty(state.pool()).await? {
        refresh(state, &ws, &id, None).await?;
    }
    for (ws, id) in store::broadcasts::due(state.pool(), state.now()).await? {
        send(state, &ws, &id).await?;
    }
    Ok(())
}

/// Sends a due broadcast to its queued recipients at the configured pace. Several nodes run
/// this: the one that claims the broadcast sends it, renewing its claim before each batch of
/// recipients; another takes over (from the recipients still queued) only if that node stops
/// renewing it.
async fn send(state: &AppState, ws: &str, id: &str) -> Result<(), ServerError> {
    let node = state.node_id();
    let rate = state.config().broadcast_rate.max(0.1);
    // Long enough for a batch at the configured pace, with room to spare.
    let lease = 60_000 + (BATCH as f64 * 1000.0 / rate) as i64 * 2;
    let claimed =
        || store::broadcasts::claim(state.pool(), id, node, state.now(), state.now() + lease);
    if !claimed().await? {
        return Ok(());
    }
    let sent = send_claimed(state, ws, id, rate, &claimed).await;
    store::broadcasts::release(state.pool(), id, node).await?;
    sent
}

async fn send_claimed<F: std::future::Future<Output = Result<bool, sqlx::Error>>>(
    state: &AppState,
    ws: &str,
    id: &str,
    rate: f64,
    claimed: &impl Fn() -> F,
) -> Result<(), ServerError> {
    let Some(b) = refresh(state, ws, id, Some(BroadcastState::Sending)).await? else {
        return Ok(());
    };
    if b.state == BroadcastState::Cancelled {
        return Ok(());
    }
    let mut conn = state.pool().acquire().await?;
    let body = store::get::<Template>(&mut conn, ws, EntityKind::Template, &b.template_id)
        .await?
        .map(|t| t.body)
        .unwrap_or_default();
    drop(conn);
    let gap = Duration::from_secs_f64(1.0 / rate);
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut next = tokio::time::Instant::now();
    let mut last_report = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        if store::broadcasts::cancelled(state.pool(), id).await? {
            break;
        }
        if !claimed().await? {
            // Another node took it over (this one stalled past its claim): it goes on from the
            // recipients still queued.
            return Ok(());
        }
        let batch = store::broadcasts::queued(state.pool(), id, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            tokio::time::sleep_until(next).await;
            next = next.max(tokio::time::Instant::now() - gap * 4) + gap;
            let permit = slots.clone().acquire_owned().await;
            let (st, ws, id) = (state.clone(), ws.to_owned(), id.to_owned());
            let (template, name, language, body) = (
                b.template_id.clone(),
                b.template_name.clone(),
                b.language.clone(),
                body.clone(),
            );
            tasks.spawn(async move {
                let _permit = permit;
                let msg = Message {
                    id: format!("{id}.{}", r.contact_id),
                    conversation_id: String::new(),
                    direction: stepup_protocol::Direction::Outbound,
                    sender_agent_id: None,
                    origin: Origin::Bot,
                    content: MessageContent::Template {
                        rendered: crate::broadcasts_in::render(&body, &r.params),
                        template_id: template,
                        name,
                        language,
                        params: r.params.clone(),
                    },
                    reply_to_message_id: None,
                    status: MessageStatus::Pending,
                    error: None,
                    provider_message_id: None,
                    created_at: st.now(),
                    edited_at: None,
                };
                let result = match st.outbound_for(&ws, Channel::Whatsapp, &r.wa_id).await {
                    Err(e) => Err(format!("reading the channel connection: {e}")),
                    Ok(cfg) => match crate::outbound::build_request(
                        cfg.as_ref(),
                        Channel::Whatsapp,
                        &r.wa_id,
                        &msg,
                        false,
                        None,
                        None,
                    ) {
                        Some(req) => crate::outbound::send(&st, Channel::Whatsapp, &req)
                            .await
                            .map_err(|e| e.to_string()),
                        // No WhatsApp credentials (the demo): simulated.
                        None => Ok(Some(format!("sim.{}", msg.id))),
                    },
                };
                if let Err(e) =
                    store::broadcasts::record_send(st.pool(), &id, &r.contact_id, result, st.now())
                        .await
                {
                    tracing::warn!(error = %e, "recording a broadcast send failed");
                }
            });
            while tasks.try_join_next().is_some() {}
        }
        // The batch's sends are recorded before the next batch is read: a recipient still
        // `queued` is one not sent to.
        while tasks.join_next().await.is_some() {}
        if last_report.elapsed() >= Duration::from_secs(1) {
            refresh(state, ws, id, None).await?;
            last_report = tokio::time::Instant::now();
        }
    }
    while tasks.join_next().await.is_some() {}
    refresh(state, ws, id, Some(BroadcastState::Done)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_local_times() {
        assert_eq!(placeholders("Hi {{1}}, {{2}} off until {{3}}"), 3);
        assert_eq!(placeholders("No parameters"), 0);
        assert_eq!(placeholders("{{2}} then {{1}}"), 2);
        // 10:00 in Dubai is 06:00 UTC; in Riyadh 07:00 UTC.
        assert_eq!(
            local_to_ms("2026-12-05T10:00", "Asia/Dubai").unwrap(),
            1_796_450_400_000
        );
        assert_eq!(
            local_to_ms("2026-12-05T10:00", "Asia/Riyadh").unwrap(),
            1_796_454_000_000
        );
        assert!(local_to_ms("tomorrow", "Asia/Dubai").is_err());
    }
}
