//! Broadcasts' schedule and recipients, and customers' opt-outs.

use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};

use super::Dialect;
use stepup_protocol::{
    BroadcastRecipient, BroadcastReport, BroadcastState, Channel, RecipientState,
};

/// A recipient as inserted.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    pub contact_id: String,
    pub name: String,
    pub wa_id: String,
    /// The template's parameters filled for them.
    pub params: Vec<String>,
    pub opted_out: bool,
}

/// A recipient the sender sends to.
#[derive(Debug, Clone)]
pub struct Queued {
    pub contact_id: String,
    pub wa_id: String,
    pub params: Vec<String>,
}

fn state_name(s: BroadcastState) -> &'static str {
    match s {
        BroadcastState::Scheduled => "scheduled",
        BroadcastState::Sending => "sending",
        BroadcastState::Done => "done",
        BroadcastState::Cancelled => "cancelled",
    }
}

pub async fn schedule(
    conn: &mut AnyConnection,
    id: &str,
    workspace_id: &str,
    send_at: i64,
    state: BroadcastState,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO broadcast_schedule (id, workspace_id, send_at, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET send_at = excluded.send_at, state = excluded.state",
    )
    .bind(id)
    .bind(workspace_id)
    .bind(send_at)
    .bind(state_name(state))
    .execute(conn)
    .await?;
    Ok(())
}

/// Says the broadcast's report changed (a status, a reply): the sender refreshes it.
pub async fn touch(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE broadcast_schedule SET dirty = 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Broadcasts whose report changed: `(workspace, id)`; the mark is cleared.
pub async fn take_dirty(pool: &AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "UPDATE broadcast_schedule SET dirty = 0 WHERE dirty = 1 RETURNING workspace_id, id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Whether the broadcast was cancelled.
pub async fn cancelled(pool: &AnyPool, id: &str) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT state FROM broadcast_schedule WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .is_some_and(|s| s == "cancelled"),
    )
}

/// Claims the broadcast for `node` until `until` (or renews its claim): false when another node
/// holds a claim that has not lapsed at `now`. One node sends a broadcast at a time.
pub async fn claim(
    pool: &AnyPool,
    id: &str,
    node: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE broadcast_schedule SET claimed_by = $2, claimed_until = $3
         WHERE id = $1 AND (claimed_by IS NULL OR claimed_by = $2 OR claimed_until < $4)
         RETURNING id",
    )
    .bind(id)
    .bind(node)
    .bind(until)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// Gives up `node`'s claim on the broadcast.
pub async fn release(pool: &AnyPool, id: &str, node: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE broadcast_schedule SET claimed_by = NULL, claimed_until = 0
         WHERE id = $1 AND claimed_by = $2",
    )
    .bind(id)
    .bind(node)
    .execute(pool)
    .await?;
    Ok(())
}

/// Broadcasts due at `now` (scheduled, or sending when the server stopped): `(workspace, id)`.
pub async fn due(pool: &AnyPool, now: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT workspace_id, id FROM broadcast_schedule
         WHERE state IN ('scheduled', 'sending') AND send_at <= $1 ORDER BY send_at, id",
    )
    .bind(now)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub async fn insert_recipients(
    conn: &mut AnyConnection,
    broadcast_id: &str,
    workspace_id: &str,
    recipients: &[NewRecipient],
) -> Result<(), sqlx::Error> {
    // Seven values a row, 500 rows a statement: under both databases' parameter limits.
    const COLUMNS: usize = 7;
    for chunk in recipients.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO broadcast_recipients (broadcast_id, workspace_id, contact_id, name, wa_id, params, state) VALUES ",
        );
        for row in 0..chunk.len() {
            if row > 0 {
                sql.push_str(", ");
            }
            let first = row * COLUMNS + 1;
            let params: Vec<String> = (first..first + COLUMNS).map(|n| format!("${n}")).collect();
            sql.push('(');
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        // Only numbered placeholders were added to the literal above.
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(broadcast_id)
                .bind(workspace_id)
                .bind(&r.contact_id)
                .bind(&r.name)
                .bind(&r.wa_id)
                .bind(serde_json::to_string(&r.params).unwrap_or_default())
                .bind(if r.opted_out {
                    RecipientState::OptedOut.as_str()
                } else {
                    RecipientState::Queued.as_str()
                });
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The next queued recipients, at most `limit`, in the order they were added.
pub async fn queued(
    pool: &AnyPool,
    broadcast_id: &str,
    limit: u32,
) -> Result<Vec<Queued>, sqlx::Error> {
    let sql = match Dialect::of_pool(pool) {
        Dialect::Sqlite => {
            "SELECT contact_id, wa_id, params FROM broadcast_recipients
             WHERE broadcast_id = $1 AND state = 'queued' ORDER BY rowid LIMIT $2"
        }
        Dialect::Postgres => {
            "SELECT contact_id, wa_id, params FROM broadcast_recipients
             WHERE broadcast_id = $1 AND state = 'queued' ORDER BY pos LIMIT $2"
        }
    };
    let rows = sqlx::query(sql)
        .bind(broadcast_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Queued {
            contact_id: r.get(0),
            wa_id: r.get(1),
            params: serde_json::from_str(r.get::<&str, _>(2)).unwrap_or_default(),
        })
        .collect())
}

/// Records a send: accepted with the provider's id, or failed with why.
pub async fn record_send(
    pool: &AnyPool,
    broadcast_id: &str,
    contact_id: &str,
    result: Result<Option<String>, String>,
    at: i64,
) -> Result<(), sqlx::Error> {
    let (state, pid, error) = match result {
        Ok(pid) => (RecipientState::Sent, pid, None),
        Err(e) => (RecipientState::Failed, None, Some(e)),
    };
    sqlx::query(
        "UPDATE broadcast_recipients SET state = $1, provider_message_id = $2, error = $3, sent_at = $4
         WHERE broadcast_id = $5 AND contact_id = $6 AND state = 'queued'",
    )
    .bind(state.as_str())
    .bind(pid)
    .bind(error)
    .bind(at)
    .bind(broadcast_id)
    .bind(contact_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A provider's delivery status for a broadcast's message: statuses only move forward, and
/// `failed` only replaces `sent`. Returns the broadcast when a recipient was found.
pub async fn recipient_status(
    conn: &mut AnyConnection,
    provider_message_id: &str,
    state: RecipientState,
    error: Option<String>,
) -> Result<Option<String>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT broadcast_id, contact_id, state FROM broadcast_recipients WHERE provider_message_id = $1",
    )
    .bind(provider_message_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let broadcast_id: String = row.get(0);
    let contact_id: String = row.get(1);
    let current = RecipientState::parse(row.get::<&str, _>(2)).unwrap_or(RecipientState::Sent);
    let apply = match (current, state) {
        (RecipientState::Failed, _) => false,
        (cur, RecipientState::Failed) => cur == RecipientState::Sent,
        (cur, new) => new > cur,
    };
    if apply {
        sqlx::query(
            "UPDATE broadcast_recipients SET state = $1, error = coalesce($2, error)
             WHERE broadcast_id = $3 AND contact_id = $4",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(&broadcast_id)
        .bind(&contact_id)
        .execute(&mut *conn)
        .await?;
    }
    touch(conn, &broadcast_id).await?;
    Ok(Some(broadcast_id))
}

/// The broadcast a customer's message answers: the latest one sent to their number within
/// `since` and not yet answered. It is marked replied, with the conversation.
pub async fn mark_replied(
    conn: &mut AnyConnection,
    workspace_id: &str,
    wa_id: &str,
    since: i64,
    at: i64,
    conversation_id: &str,
) -> Result<Option<(String, Vec<String>, i64)>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "SELECT broadcast_id, contact_id, params, sent_at FROM broadcast_recipients
         WHERE workspace_id = $1 AND wa_id = $2 AND sent_at >= $3 AND sent_at <= $4 AND replied_at IS NULL
           AND state IN ('sent', 'delivered', 'read')
         ORDER BY sent_at DESC LIMIT 1",
    )
    .bind(workspace_id)
    .bind(wa_id)
    .bind(since)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let broadcast_id: String = row.get(0);
    let contact_id: String = row.get(1);
    let params: Vec<String> = serde_json::from_str(row.get::<&str, _>(2)).unwrap_or_default();
    let sent_at: i64 = row.get(3);
    sqlx::query(
        "UPDATE broadcast_recipients SET replied_at = $1, conversation_id = $2
         WHERE broadcast_id = $3 AND contact_id = $4",
    )
    .bind(at)
    .bind(conversation_id)
    .bind(&broadcast_id)
    .bind(&contact_id)
    .execute(&mut *conn)
    .await?;
    touch(conn, &broadcast_id).await?;
    Ok(Some((broadcast_id, params, sent_at)))
}

pub async fn report(
    conn: &mut AnyConnection,
    broadcast_id: &str,
) -> Result<BroadcastReport, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT state, count(*), count(replied_at) FROM broadcast_recipients
         WHERE broadcast_id = $1 GROUP BY state",
    )
    .bind(broadcast_id)
    .fetch_all(conn)
    .await?;
    let mut r = BroadcastReport::default();
    for row in rows {
        let n = u32::try_from(row.get::<i64, _>(1)).unwrap_or(0);
        r.total += n;
        r.replied += u32::try_from(row.get::<i64, _>(2)).unwrap_or(0);
        match RecipientState::parse(row.get::<&str, _>(0)) {
            Some(RecipientState::OptedOut) => r.opted_out += n,
            Some(RecipientState::Queued) => r.queued += n,
            Some(RecipientState::Sent) => r.sent += n,
            Some(RecipientState::Delivered) => r.delivered += n,
            Some(RecipientState::Read) => r.read += n,
            Some(RecipientState::Failed) | None => r.failed += n,
        }
    }
    Ok(r)
}

pub async fn recipients(
    pool: &AnyPool,
    broadcast_id: &str,
    state: Option<RecipientState>,
    after_contact: Option<&str>,
    limit: u32,
) -> Result<Vec<BroadcastRecipient>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT contact_id, name, wa_id, state, error, sent_at, replied_at, conversation_id
         FROM broadcast_recipients
         WHERE broadcast_id = $1 AND ($2 IS NULL OR state = $3) AND contact_id > $4
         ORDER BY contact_id LIMIT $5",
    )
    .bind(broadcast_id)
    .bind(state.map(RecipientState::as_str))
    .bind(state.map(RecipientState::as_str))
    .bind(after_contact.unwrap_or(""))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BroadcastRecipient {
            contact_id: r.get(0),
            name: r.get(1),
            wa_id: r.get(2),
            state: RecipientState::parse(r.get::<&str, _>(3)).unwrap_or(RecipientState::Failed),
            error: r.get(4),
            sent_at: r.get(5),
            replied_at: r.get(6),
            conversation_id: r.get(7),
        })
        .collect())
}

/// A customer asked to receive no more broadcasts (`out`), or to receive them again.
pub async fn set_opt_out(
    conn: &mut AnyConnection,
    workspace_id: &str,
    channel: Channel,
    external_id: &str,
    out: bool,
    at: i64,
) -> Result<(), sqlx::Error> {
    if out {
        sqlx::query(
            "INSERT INTO opt_outs (workspace_id, channel, external_id, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(workspace_id)
        .bind(channel.as_str())
        .bind(external_id)
        .bind(at)
        .execute(conn)
        .await?;
    } else {
        sqlx::query(
            "DELETE FROM opt_outs WHERE workspace_id = $1 AND channel = $2 AND external_id = $3",
        )
        .bind(workspace_id)
        .bind(channel.as_str())
        .bind(external_id)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The numbers of a channel that opted out, in a workspace.
pub async fn opted_out(
    conn: &mut AnyConnection,
    workspace_id: &str,
    channel: Channel,
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    Ok(sqlx::query_scalar(
        "SELECT external_id FROM opt_outs WHERE workspace_id = $1 AND channel = $2",
    )
    .bind(workspace_id)
    .bind(channel.as_str())
    .fetch_all(conn)
    .await?
    .into_iter()
    .collect())
}
