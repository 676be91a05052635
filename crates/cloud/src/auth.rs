//! Login, token refresh and logout; the bearer-token extractor every `/v1` handler uses.
//!
//! Access and refresh tokens are opaque random strings stored only as SHA-256 digests. Refresh
//! tokens rotate on every use; presenting a rotated one again revokes the whole session.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use rand::RngCore;
use sqlx::Row;
use stepup_protocol::{
    Agent, EntityKind, ErrorCode, LoginRequest, LogoutRequest, RefreshRequest, Role, TokenResponse,
};

use crate::error::{ApiError, ApiResult, ServerError};
use crate::extract::{JsonBody, RawBody, parse_json};
use crate::ids::{token, token_hash};
use crate::{AppState, store};

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

fn argon2() -> Argon2<'static> {
    // OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, ServerError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| ServerError::Invalid(e.to_string()))?;
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServerError::Invalid(e.to_string()))
    })
    .await
    .map_err(|e| ServerError::Invalid(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// The authenticated agent behind a request.
#[derive(Debug, Clone)]
pub struct AuthAgent {
    pub agent_id: String,
    pub workspace_id: String,
    pub role: Role,
    pub session_id: String,
}

impl AuthAgent {
    pub fn require(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden("your role may not do this"))
        }
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let h = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let t = h
        .strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))?;
    Some(t.trim().to_owned())
}

/// Token from `?access_token=` (browsers cannot set headers on a WebSocket).
fn query_token(parts: &Parts) -> Option<String> {
    parts
        .uri
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token=").map(str::to_owned))
}

pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<AuthAgent> {
    let row = sqlx::query(
        "SELECT a.expires_at, s.id, s.agent_id, s.workspace_id, s.revoked_at, c.role
         FROM access_tokens a JOIN sessions s ON s.id = a.session_id
         JOIN credentials c ON c.agent_id = s.agent_id AND c.workspace_id = s.workspace_id
         WHERE a.token_hash = ?",
    )
    .bind(token_hash(token))
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else {
        return Err(ApiError::unauthorized("unknown access token"));
    };
    if row.get::<Option<i64>, _>(4).is_some() {
        return Err(ApiError::unauthorized("session ended"));
    }
    if row.get::<i64, _>(0) <= state.now() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpired,
            "access token expired; refresh it",
        ));
    }
    Ok(AuthAgent {
        session_id: row.get(1),
        agent_id: row.get(2),
        workspace_id: row.get(3),
        role: parse_role(row.get::<&str, _>(5)),
    })
}

impl FromRequestParts<AppState> for AuthAgent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .or_else(|| query_token(parts))
            .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        authenticate(state, &token).await
    }
}

/// Issues a new token pair for a session. With `rotating`, the refresh token whose hash is given
/// is swapped atomically: of two concurrent refreshes with the same token only one succeeds.
async fn issue(
    state: &AppState,
    session_id: &str,
    agent: Agent,
    rotating: Option<&str>,
) -> ApiResult<TokenResponse> {
    let access = token("sat");
    let refresh = token("srt");
    let now = state.now();
    let cfg = state.config();
    let access_ttl = i64::try_from(cfg.access_token_ttl.as_millis()).unwrap_or(i64::MAX);
    let refresh_ttl = i64::try_from(cfg.refresh_token_ttl.as_millis()).unwrap_or(i64::MAX);
    let mut tx = state.pool().begin_with("BEGIN IMMEDIATE").await?;
    let swapped = sqlx::query(
        "UPDATE sessions SET refresh_hash = ?, refresh_expires_at = ?
         WHERE id = ? AND revoked_at IS NULL AND (? IS NULL OR refresh_hash = ?)",
    )
    .bind(token_hash(&refresh))
    .bind(now.saturating_add(refresh_ttl))
    .bind(session_id)
    .bind(rotating)
    .bind(rotating)
    .execute(&mut *tx)
    .await?;
    if swapped.rows_affected() == 0 {
        return Err(ApiError::unauthorized("refresh token already used"));
    }
    if let Some(old) = rotating {
        sqlx::query(
            "INSERT INTO retired_refresh_tokens (token_hash, session_id, retired_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(old)
        .bind(session_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM access_tokens WHERE session_id = ? AND expires_at <= ?")
        .bind(session_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO access_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)")
        .bind(token_hash(&access))
        .bind(session_id)
        .bind(now.saturating_add(access_ttl))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: cfg.access_token_ttl.as_secs(),
        agent,
    })
}

/// `POST /v1/auth/login`
pub async fn login(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let email = req.email.trim().to_lowercase();
    let row = sqlx::query(
        "SELECT agent_id, workspace_id, password_hash FROM credentials WHERE email = ?",
    )
    .bind(&email)
    .fetch_optional(state.pool())
    .await?;
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "wrong email or password",
        )
    };
    let Some(row) = row else {
        // Same cost as a real check, so timing does not reveal which emails exist.
        let _ = verify_password(req.password, DUMMY_HASH.to_owned()).await;
        return Err(bad());
    };
    let (agent_id, ws, hash): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    if !verify_password(req.password, hash).await {
        tracing::info!(agent_id = %agent_id, "login refused");
        return Err(bad());
    }
    let mut conn = state.pool().acquire().await?;
    let agent: Agent = store::get(&mut conn, &ws, EntityKind::Agent, &agent_id)
        .await?
        .ok_or_else(bad)?;
    drop(conn);
    let session_id = state.ids().make("ses");
    sqlx::query(
        "INSERT INTO sessions (id, workspace_id, agent_id, refresh_hash, refresh_expires_at) VALUES (?, ?, ?, ?, 0)",
    )
    .bind(&session_id)
    .bind(&ws)
    .bind(&agent_id)
    .bind(token_hash(&token("pending")))
    .execute(state.pool())
    .await?;
    tracing::info!(agent_id = %agent_id, "login");
    Ok(Json(issue(&state, &session_id, agent, None).await?))
}

const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3N8fZ5OB0lUjlB1Cv0WETGEyXNe2HcpTSmGgGjQ1S9U";

/// `POST /v1/auth/refresh`
pub async fn refresh(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let row = sqlx::query(
        "SELECT id, workspace_id, agent_id, refresh_expires_at, revoked_at FROM sessions WHERE refresh_hash = ?",
    )
    .bind(token_hash(&req.refresh_token))
    .fetch_optional(state.pool())
    .await?;
    let presented = token_hash(&req.refresh_token);
    let Some(row) = row else {
        // A rotated-away token presented again has leaked: end its session.
        let reused: Option<String> = sqlx::query_scalar(
            "SELECT session_id FROM retired_refresh_tokens WHERE token_hash = ?",
        )
        .bind(&presented)
        .fetch_optional(state.pool())
        .await?;
        if let Some(session_id) = reused {
            revoke(&state, &session_id).await?;
            tracing::warn!("a rotated refresh token was presented again; session ended");
            return Err(ApiError::unauthorized(
                "refresh token reused; session ended",
            ));
        }
        return Err(ApiError::unauthorized("unknown refresh token"));
    };
    let (session_id, ws, agent_id): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    if row.get::<Option<i64>, _>(4).is_some() {
        return Err(ApiError::unauthorized("session ended"));
    }
    if row.get::<i64, _>(3) <= state.now() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpired,
            "refresh token expired; log in again",
        ));
    }
    let mut conn = state.pool().acquire().await?;
    let agent: Agent = store::get(&mut conn, &ws, EntityKind::Agent, &agent_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("agent no longer exists"))?;
    drop(conn);
    Ok(Json(
        issue(&state, &session_id, agent, Some(&presented)).await?,
    ))
}

/// `POST /v1/auth/logout`: ends the session (its refresh token and every access token).
pub async fn logout(
    State(state): State<AppState>,
    auth: AuthAgent,
    body: RawBody,
) -> ApiResult<StatusCode> {
    let mut session_id = auth.session_id.clone();
    let req: LogoutRequest = if body.0.is_empty() {
        LogoutRequest::default()
    } else {
        parse_json(&body.0)?
    };
    if let Some(rt) = req.refresh_token {
        let other: Option<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE refresh_hash = ? AND agent_id = ? AND workspace_id = ?",
        )
        .bind(token_hash(&rt))
        .bind(&auth.agent_id)
        .bind(&auth.workspace_id)
        .fetch_optional(state.pool())
        .await?;
        session_id = other.ok_or_else(|| ApiError::not_found("session"))?;
    }
    revoke(&state, &session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a session: its refresh token and every access token stop working.
async fn revoke(state: &AppState, session_id: &str) -> ApiResult<()> {
    let mut tx = state.pool().begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(state.now())
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM access_tokens WHERE session_id = ?")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
