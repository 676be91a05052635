//! A workspace's business hours and SLA policy (settings the admins set, the cloud applies), the
//! automatic reply to a customer who writes while the business is closed, and the SLA clock of
//! each customer request.

use stepup_calendar::{Country, Digits, HoursError, Schedule};
use stepup_i18n::{Args, Locale};
use stepup_protocol::{
    BusinessHours, Contact, Conversation, Direction, EntityKind, Message, MessageContent,
    MessageStatus, Origin, SlaClock, SlaPolicy, Workspace,
};

use crate::state::AppState;
use crate::store::{self, Outgoing, Writer};

fn hours_key(workspace_id: &str) -> String {
    format!("hours:{workspace_id}")
}

fn sla_key(workspace_id: &str) -> String {
    format!("sla:{workspace_id}")
}

async fn time_zone(conn: &mut sqlx::AnyConnection, workspace_id: &str) -> String {
    store::get::<Workspace>(conn, workspace_id, EntityKind::Workspace, workspace_id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| "Asia/Dubai".to_owned(), |w| w.time_zone)
}

async fn read<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    key: &str,
) -> Result<Option<T>, sqlx::Error> {
    Ok(store::workspaces::setting_in(conn, key)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok()))
}

/// The workspace's business hours, or the starting ones for its country (switched off).
pub async fn business_hours(
    conn: &mut sqlx::AnyConnection,
    workspace_id: &str,
) -> Result<(BusinessHours, String), sqlx::Error> {
    let zone = time_zone(conn, workspace_id).await;
    let hours = read(conn, &hours_key(workspace_id))
        .await?
        .unwrap_or_else(|| stepup_calendar::default_hours(&zone));
    Ok((hours, zone))
}

/// Checks and stores the business hours; an invalid schedule is refused with what is wrong.
pub async fn set_business_hours(
    state: &AppState,
    workspace_id: &str,
    hours: &BusinessHours,
) -> Result<Result<(), HoursError>, sqlx::Error> {
    let mut conn = state.pool().acquire().await?;
    let zone = time_zone(&mut conn, workspace_id).await;
    drop(conn);
    if let Err(e) = Schedule::new(hours, &zone) {
        return Ok(Err(e));
    }
    let value = serde_json::to_string(hours).unwrap_or_default();
    store::workspaces::set_setting(state.pool(), &hours_key(workspace_id), &value).await?;
    Ok(Ok(()))
}

pub async fn sla_policy(
    conn: &mut sqlx::AnyConnection,
    workspace_id: &str,
) -> Result<SlaPolicy, sqlx::Error> {
    Ok(read(conn, &sla_key(workspace_id))
        .await?
        .unwrap_or_default())
}

pub async fn set_sla_policy(
    state: &AppState,
    workspace_id: &str,
    policy: &SlaPolicy,
) -> Result<(), sqlx::Error> {
    let value = serde_json::to_string(policy).unwrap_or_default();
    store::workspaces::set_setting(state.pool(), &sla_key(workspace_id), &value).await
}

/// The schedule in force and the zone it runs in: `None` when business hours are off (always
/// open).
async fn schedule_in(
    w: &mut Writer,
) -> Result<Option<(BusinessHours, Schedule, String)>, sqlx::Error> {
    // Every customer message asks: the setting alone answers when hours are off (the default).
    let ws = w.workspace_id().to_owned();
    let Some(hours) = read::<BusinessHours>(w.conn(), &hours_key(&ws)).await? else {
        return Ok(None);
    };
    if !hours.enabled {
        return Ok(None);
    }
    let zone = time_zone(w.conn(), &ws).await;
    Ok(Schedule::new(&hours, &zone).ok().map(|s| (hours, s, zone)))
}

/// Starts the SLA clock of a request the customer just made (a new conversation, or one they
/// reopened), when the workspace has a policy.
pub async fn start_sla(
    w: &mut Writer,
    conv: &mut Conversation,
    at: i64,
) -> Result<(), sqlx::Error> {
    let ws = w.workspace_id().to_owned();
    let policy = sla_policy(w.conn(), &ws).await?;
    if policy.first_response_minutes.is_none() && policy.resolution_minutes.is_none() {
        conv.sla = None;
        return Ok(());
    }
    let schedule = if policy.business_hours_only {
        schedule_in(w).await?.map(|(_, s, _)| s)
    } else {
        None
    };
    let due = |minutes: Option<u32>| {
        minutes.and_then(|m| match &schedule {
            Some(s) => s.add_open_minutes(at, m),
            None => Some(at + i64::from(m) * 60_000),
        })
    };
    conv.sla = Some(SlaClock {
        started_at: at,
        first_response_due_at: due(policy.first_response_minutes),
        first_response_at: None,
        resolution_due_at: due(policy.resolution_minutes),
    });
    Ok(())
}

/// A person answered: the first-response deadline of the running request is met (or missed)
/// now.
pub fn responded(conv: &mut Conversation, at: i64) {
    if let Some(clock) = &mut conv.sla
        && clock.first_response_at.is_none()
        && conv.resolved_at.is_none()
    {
        clock.first_response_at = Some(at);
    }
}

/// When a customer writes while the business is closed, answers once per closure, in their
/// language, with when it opens again. Stored in the transaction; sent after it commits. The
/// customer still waits for a person: the conversation's preview and activity stay theirs.
pub async fn away_reply(
    state: &AppState,
    w: &mut Writer,
    conv: &Conversation,
    recipient: &str,
    text: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    let Some((hours, schedule, zone)) = schedule_in(w).await? else {
        return Ok(());
    };
    if !hours.away_reply || schedule.is_open(at) {
        return Ok(());
    }
    let Some(opens) = schedule.next_open(at) else {
        return Ok(());
    };
    let last: Option<i64> = w
        .lookup("away", &conv.id)
        .await?
        .and_then(|v| v.parse().ok());
    let closed_since = schedule.last_close(at).unwrap_or(i64::MIN);
    if last.is_some_and(|l| l >= closed_since) {
        return Ok(());
    }
    let contact: Option<Contact> = w.get(EntityKind::Contact, &conv.contact_id).await?;
    let locale = crate::csat::locale_for(contact.and_then(|c| c.language).as_deref(), text);
    let message = Message {
        id: state.message_id(),
        conversation_id: conv.id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: None,
        origin: Origin::Bot,
        content: MessageContent::Text {
            text: away_text(locale, &schedule, Country::from_time_zone(&zone), at, opens),
        },
        reply_to_message_id: None,
        status: MessageStatus::Pending,
        error: None,
        provider_message_id: None,
        created_at: at,
        edited_at: None,
    };
    w.put_message(&message).await?;
    w.set_lookup("away", &conv.id, &at.to_string()).await?;
    w.send_after_commit(Outgoing {
        channel: conv.channel,
        recipient: recipient.to_owned(),
        message,
    });
    Ok(())
}

/// "… we open today/tomorrow/on Sunday at 09:00", in the customer's language; Arabic with the
/// country's usual digits.
pub fn away_text(
    locale: Locale,
    schedule: &Schedule,
    country: Country,
    now: i64,
    opens: i64,
) -> String {
    let (day, time) = schedule.wall_clock(opens);
    let when = match schedule.days_between(now, opens) {
        0 => "today",
        1 => "tomorrow",
        _ => "later",
    };
    let catalog = crate::widget::catalog();
    let weekday = stepup_i18n::strip_isolation(&catalog.format(
        locale,
        &format!("away-weekday-{}", day.as_str()),
        None,
    ));
    let digits = match locale {
        Locale::Ar => country.default_digits(),
        _ => Digits::Latin,
    };
    let mut args = Args::new();
    args.set("when", when);
    args.set("weekday", weekday);
    args.set("time", digits.apply(&time));
    stepup_i18n::strip_isolation(&catalog.format(locale, "away-reply", Some(&args)))
}
