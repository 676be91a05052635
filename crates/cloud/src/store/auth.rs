//! Credentials, sessions, access tokens and retired refresh tokens. Tokens are stored only as
//! digests; roles as `agent`, `supervisor` or `admin`.

use sqlx::{AnyConnection, AnyExecutor, AnyPool};
use stepup_protocol::Role;

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

fn parse_role(s: &str) -> Role {
    match s {
        "admin" => Role::Admin,
        "supervisor" => Role::Supervisor,
        _ => Role::Agent,
    }
}

/// Stores an agent's login.
pub async fn insert_credential(
    conn: &mut AnyConnection,
    agent_id: &str,
    workspace_id: &str,
    email: &str,
    password_hash: &str,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO credentials (agent_id, workspace_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)")
        .bind(agent_id)
        .bind(workspace_id)
        .bind(email)
        .bind(password_hash)
        .bind(role_str(role))
        .execute(conn)
        .await?;
    Ok(())
}

/// The login of an email: `(agent, workspace, password hash)`.
pub async fn credential_by_email(
    pool: &AnyPool,
    email: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT agent_id, workspace_id, password_hash FROM credentials WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// The agent of a workspace whose id is `agent_id` or whose email is `email`.
pub async fn agent_by_id_or_email(
    db: impl AnyExecutor<'_>,
    workspace_id: &str,
    agent_id: &str,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT agent_id FROM credentials WHERE workspace_id = $1 AND (agent_id = $2 OR email = $3)",
    )
    .bind(workspace_id)
    .bind(agent_id)
    .bind(email)
    .fetch_optional(db)
    .await
}

/// The agent whose email is `email` (any workspace); an error when there is none.
pub async fn agent_with_email(
    db: impl AnyExecutor<'_>,
    email: &str,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT agent_id FROM credentials WHERE email = $1")
        .bind(email)
        .fetch_one(db)
        .await
}

/// The session behind an access token.
#[derive(Debug, Clone)]
pub struct TokenSession {
    pub expires_at: i64,
    pub session_id: String,
    pub agent_id: String,
    pub workspace_id: String,
    pub revoked_at: Option<i64>,
    pub role: Role,
    /// Whether this is the session's newest access token, not presented before.
    pub first_use_of_pair: bool,
}

/// `expires_at, session, agent, workspace, revoked_at, role, first use of the pair`.
type AccessRow = (i64, String, String, String, Option<i64>, String, i64);

/// The session (with its agent's role) of an access token's digest.
pub async fn session_of_access_token(
    pool: &AnyPool,
    token_hash: &str,
) -> Result<Option<TokenSession>, sqlx::Error> {
    let row: Option<AccessRow> = sqlx::query_as(
        "SELECT a.expires_at, s.id, s.agent_id, s.workspace_id, s.revoked_at, c.role,
                CASE WHEN s.current_access_hash IS NOT DISTINCT FROM a.token_hash
                      AND s.confirmed_hash IS DISTINCT FROM s.refresh_hash THEN 1 ELSE 0 END
         FROM access_tokens a JOIN sessions s ON s.id = a.session_id
         JOIN credentials c ON c.agent_id = s.agent_id AND c.workspace_id = s.workspace_id
         WHERE a.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(expires_at, session_id, agent_id, workspace_id, revoked_at, role, first_use_of_pair)| {
            TokenSession {
                expires_at,
                session_id,
                agent_id,
                workspace_id,
                revoked_at,
                role: parse_role(&role),
                first_use_of_pair: first_use_of_pair != 0,
            }
        },
    ))
}

/// The session's newest token pair has reached its client (its access token was presented).
pub async fn mark_pair_used(pool: &AnyPool, session_id: &str) -> Result<(), sqlx::Error> {
    // Takes the write lock up front: an update that reads first could find its snapshot stale
    // under concurrent writers (SQLITE_BUSY_SNAPSHOT), which the busy timeout does not retry.
    let mut tx = super::begin_write(pool, super::AUTH_SCOPE).await?;
    sqlx::query("UPDATE sessions SET confirmed_hash = refresh_hash WHERE id = $1")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// A session about to start: one signed-in device.
#[derive(Debug)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub agent_id: &'a str,
    /// The refresh token is a placeholder until [`issue_tokens`] sets one.
    pub placeholder_refresh_hash: &'a str,
    pub device_name: &'a str,
    pub device_os: &'a str,
    /// Hex; signs the order to erase the device.
    pub wipe_key: &'a str,
    pub now: i64,
}

/// Starts a session (see [`NewSession`]).
pub async fn insert_session(pool: &AnyPool, s: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id, workspace_id, agent_id, refresh_hash, refresh_expires_at,
             device_name, device_os, signed_in_at, last_seen_at, wipe_key)
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9)",
    )
    .bind(s.id)
    .bind(s.workspace_id)
    .bind(s.agent_id)
    .bind(s.placeholder_refresh_hash)
    .bind(s.device_name)
    .bind(s.device_os)
    .bind(s.now)
    .bind(s.now)
    .bind(s.wipe_key)
    .execute(pool)
    .await?;
    Ok(())
}

/// How often at most a device's "last seen" is written (ms).
const LAST_SEEN_GRANULARITY: i64 = 60_000;

/// Notes that a session's device was just seen (written at most once a minute). Best effort:
/// a request never fails for it.
pub async fn touch_session(pool: &AnyPool, session_id: &str, now: i64) {
    let stale: Result<Option<i64>, _> = sqlx::query_scalar(
        "SELECT 1 FROM sessions WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)",
    )
    .bind(session_id)
    .bind(now - LAST_SEEN_GRANULARITY)
    .fetch_optional(pool)
    .await;
    if !matches!(stale, Ok(Some(_))) {
        return;
    }
    let write = async {
        let mut tx = super::begin_write(pool, super::AUTH_SCOPE).await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    };
    if let Err(e) = write.await {
        tracing::debug!(error = %e, "could not note when a device was last seen");
    }
}

/// A signed-in device as stored: `id, agent, name, os, signed in, last seen`.
pub type DeviceRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// The live sessions (signed-in devices) of a workspace, or of one agent in it, most recently
/// seen first.
pub async fn devices(
    pool: &AnyPool,
    workspace_id: &str,
    agent_id: Option<&str>,
    now: i64,
) -> Result<Vec<DeviceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, agent_id, device_name, device_os, signed_in_at, last_seen_at FROM sessions
         WHERE workspace_id = $1 AND ($2 IS NULL OR agent_id = $3) AND revoked_at IS NULL
           AND refresh_expires_at > $4
         ORDER BY coalesce(last_seen_at, signed_in_at, 0) DESC, id",
    )
    .bind(workspace_id)
    .bind(agent_id)
    .bind(agent_id)
    .bind(now)
    .fetch_all(pool)
    .await
}

/// Revokes live sessions of a workspace and orders their devices to erase their data: one
/// session (`session_id`), optionally only if it is `agent_id`'s, or every session of
/// `agent_id`. Their access tokens stop working at once; the order is answered at each
/// device's next contact. Returns the sessions revoked.
pub async fn order_wipe(
    pool: &AnyPool,
    workspace_id: &str,
    session_id: Option<&str>,
    agent_id: Option<&str>,
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let mut tx = super::begin_write(pool, super::AUTH_SCOPE).await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "UPDATE sessions SET revoked_at = $1, wipe_ordered_at = $2
         WHERE workspace_id = $3 AND ($4 IS NULL OR id = $5) AND ($6 IS NULL OR agent_id = $7)
           AND revoked_at IS NULL
         RETURNING id",
    )
    .bind(now)
    .bind(now)
    .bind(workspace_id)
    .bind(session_id)
    .bind(session_id)
    .bind(agent_id)
    .bind(agent_id)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        sqlx::query("DELETE FROM access_tokens WHERE session_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// Removes an agent's login (the agent stays in the workspace's history).
pub async fn delete_credential(
    pool: &AnyPool,
    workspace_id: &str,
    agent_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM credentials WHERE workspace_id = $1 AND agent_id = $2")
        .bind(workspace_id)
        .bind(agent_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A new token pair of a session, as digests with their expiry times.
#[derive(Debug, Clone)]
pub struct NewTokens<'a> {
    pub access_hash: &'a str,
    pub access_expires_at: i64,
    pub refresh_hash: &'a str,
    pub refresh_expires_at: i64,
}

/// Gives a live session a new token pair in one transaction, dropping its expired access
/// tokens. With `rotating` (the digest of the refresh token presented) the swap only happens
/// while that token is still the session's, and the old one is kept as retired: of two
/// concurrent refreshes with the same token only one succeeds. False when nothing was swapped.
pub async fn issue_tokens(
    pool: &AnyPool,
    session_id: &str,
    tokens: &NewTokens<'_>,
    rotating: Option<&str>,
    confirmed: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = super::begin_write(pool, super::AUTH_SCOPE).await?;
    let swapped = sqlx::query(
        "UPDATE sessions SET refresh_hash = $1, refresh_expires_at = $2, current_access_hash = $3,
                confirmed_hash = COALESCE($4, confirmed_hash)
         WHERE id = $5 AND revoked_at IS NULL AND ($6 IS NULL OR refresh_hash = $7)",
    )
    .bind(tokens.refresh_hash)
    .bind(tokens.refresh_expires_at)
    .bind(tokens.access_hash)
    .bind(confirmed)
    .bind(session_id)
    .bind(rotating)
    .bind(rotating)
    .execute(&mut *tx)
    .await?;
    if swapped.rows_affected() == 0 {
        return Ok(false);
    }
    if let Some(old) = rotating {
        sqlx::query(
            "INSERT INTO retired_refresh_tokens (token_hash, session_id, retired_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(old)
        .bind(session_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM access_tokens WHERE session_id = $1 AND expires_at <= $2")
        .bind(session_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(tokens.access_hash)
    .bind(session_id)
    .bind(tokens.access_expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The session holding a refresh token.
#[derive(Debug, Clone)]
pub struct RefreshSession {
    pub session_id: String,
    pub workspace_id: String,
    pub agent_id: String,
    pub refresh_expires_at: i64,
    pub revoked_at: Option<i64>,
    /// When the session was revoked with an order to erase its device, and the device's key.
    pub wipe: Option<(i64, String)>,
}

/// `session, workspace, agent, refresh_expires_at, revoked_at, wipe_ordered_at, wipe_key`.
type SessionRow = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

impl RefreshSession {
    fn from_row(
        (session_id, workspace_id, agent_id, refresh_expires_at, revoked_at, ordered, key): SessionRow,
    ) -> RefreshSession {
        RefreshSession {
            session_id,
            workspace_id,
            agent_id,
            refresh_expires_at,
            revoked_at,
            wipe: ordered.zip(key),
        }
    }
}

/// The session whose current refresh token has this digest.
pub async fn session_of_refresh_token(
    pool: &AnyPool,
    token_hash: &str,
) -> Result<Option<RefreshSession>, sqlx::Error> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT id, workspace_id, agent_id, refresh_expires_at, revoked_at, wipe_ordered_at, wipe_key
         FROM sessions WHERE refresh_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(RefreshSession::from_row))
}

/// A rotated-away refresh token presented again.
#[derive(Debug, Clone)]
pub struct RetiredToken {
    pub retired_at: i64,
    /// It is the newest token the session's client is known to hold (so nothing issued since
    /// was used): that client likely never received what came after.
    pub replayable: bool,
    /// The session it belonged to, as it is now.
    pub session: RefreshSession,
    /// The session's current refresh token's digest.
    pub current: String,
}

/// `retired_at, replayable, current`, then the session's row.
type RetiredRow = (i64, i64, String);

/// The session a rotated-away refresh token belonged to, and whether it may be replayed.
pub async fn retired_token(
    pool: &AnyPool,
    token_hash: &str,
) -> Result<Option<RetiredToken>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT r.retired_at, CASE WHEN s.revoked_at IS NULL AND s.confirmed_hash IS NOT DISTINCT FROM r.token_hash
                     THEN 1 ELSE 0 END AS replayable,
                s.refresh_hash, s.id, s.workspace_id, s.agent_id, s.refresh_expires_at, s.revoked_at,
                s.wipe_ordered_at, s.wipe_key
         FROM retired_refresh_tokens r JOIN sessions s ON s.id = r.session_id
         WHERE r.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    use sqlx::Row;
    let (retired_at, replayable, current): RetiredRow =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    let session: SessionRow = (
        row.try_get(3)?,
        row.try_get(4)?,
        row.try_get(5)?,
        row.try_get(6)?,
        row.try_get(7)?,
        row.try_get(8)?,
        row.try_get(9)?,
    );
    Ok(Some(RetiredToken {
        retired_at,
        replayable: replayable != 0,
        session: RefreshSession::from_row(session),
        current,
    }))
}

/// The agent's session whose current refresh token has this digest.
pub async fn agent_session_of_refresh_token(
    pool: &AnyPool,
    token_hash: &str,
    agent_id: &str,
    workspace_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM sessions WHERE refresh_hash = $1 AND agent_id = $2 AND workspace_id = $3",
    )
    .bind(token_hash)
    .bind(agent_id)
    .bind(workspace_id)
    .fetch_optional(pool)
    .await
}

/// Ends a session: marks it revoked and deletes its access tokens, in one transaction.
pub async fn revoke_session(pool: &AnyPool, session_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = super::begin_write(pool, super::AUTH_SCOPE).await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM access_tokens WHERE session_id = $1")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
