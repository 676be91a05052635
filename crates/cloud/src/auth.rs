//! Login, token refresh and logout; the bearer-token extractor every `/v1` handler uses.
//!
//! Access and refresh tokens are opaque random strings stored only as SHA-256 digests. Refresh
//! tokens rotate on every use; presenting a rotated one again revokes the whole session, except
//! the newest one its client is known to hold, shortly after, while nothing issued since was
//! used: a client killed between the rotation and keeping the new token stays signed in.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use stepup_protocol::{
    Agent, DeviceGrant, DeviceInfo, EntityKind, ErrorCode, LoginRequest, LogoutRequest,
    RefreshRequest, Role, TokenResponse, WipeOrder,
};

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, RawBody, parse_json};
use crate::ids::{token, token_hash};
use crate::limits::ClientIp;
pub use crate::password::hash_password;
use crate::password::{DUMMY_HASH, verify_password};
use crate::state::AppState;
use crate::store;
use crate::store::auth::NewTokens;
pub use crate::store::auth::role_str;

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

/// The only route that takes its token from the address: a WebSocket (browsers cannot set
/// headers on one). Elsewhere a token in a URL would end up in logs and histories.
const QUERY_TOKEN_ROUTE: &str = "/v1/stream";

/// Token from `?access_token=`, on [`QUERY_TOKEN_ROUTE`] only.
fn query_token(parts: &Parts) -> Option<String> {
    if parts.uri.path() != QUERY_TOKEN_ROUTE {
        return None;
    }
    parts
        .uri
        .query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token=").map(str::to_owned))
}

pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<AuthAgent> {
    let row = store::auth::session_of_access_token(state.pool(), &token_hash(token)).await?;
    let Some(row) = row else {
        return Err(ApiError::unauthorized("unknown access token"));
    };
    if row.revoked_at.is_some() {
        return Err(ApiError::unauthorized("session ended"));
    }
    if row.expires_at <= state.now() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpired,
            "access token expired; refresh it",
        ));
    }
    if row.first_use_of_pair {
        // The client has the newest pair: the previous refresh token may no longer be replayed.
        store::auth::mark_pair_used(state.pool(), &row.session_id).await?;
    }
    store::auth::touch_session(state.pool(), &row.session_id, state.now()).await;
    Ok(AuthAgent {
        session_id: row.session_id,
        agent_id: row.agent_id,
        workspace_id: row.workspace_id,
        role: row.role,
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
    confirmed: Option<&str>,
) -> ApiResult<TokenResponse> {
    let access = token("sat");
    let refresh = token("srt");
    let now = state.now();
    let cfg = state.config();
    let access_ttl = i64::try_from(cfg.access_token_ttl.as_millis()).unwrap_or(i64::MAX);
    let refresh_ttl = i64::try_from(cfg.refresh_token_ttl.as_millis()).unwrap_or(i64::MAX);
    let tokens = NewTokens {
        access_hash: &token_hash(&access),
        access_expires_at: now.saturating_add(access_ttl),
        refresh_hash: &token_hash(&refresh),
        refresh_expires_at: now.saturating_add(refresh_ttl),
    };
    if !store::auth::issue_tokens(state.pool(), session_id, &tokens, rotating, confirmed, now)
        .await?
    {
        return Err(ApiError::unauthorized("refresh token already used"));
    }
    Ok(TokenResponse {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: cfg.access_token_ttl.as_secs(),
        agent,
        device: None,
    })
}

/// What a device may call itself: one line without bidi controls, at most
/// [`DeviceInfo::MAX_CHARS`] characters; `fallback` when nothing is left.
fn device_label(text: Option<&str>, fallback: &str) -> String {
    let clean: String = stepup_protocol::one_line(text.unwrap_or_default())
        .chars()
        .take(DeviceInfo::MAX_CHARS)
        .collect();
    if clean.is_empty() {
        fallback.to_owned()
    } else {
        clean
    }
}

/// The signed order to erase a revoked device, answered instead of new tokens.
fn wipe_order(session_id: &str, ordered_at: i64, key_hex: &str) -> ApiError {
    use hmac::Mac;
    let key = hex::decode(key_hex).unwrap_or_default();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(WipeOrder::signed_text(session_id, ordered_at).as_bytes());
    let mut err = ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::DeviceRevoked,
        "this device was signed out by the workspace; erase its data",
    );
    err.wipe = Some(WipeOrder {
        device_id: session_id.to_owned(),
        ordered_at,
        signature: hex::encode(mac.finalize().into_bytes()),
    });
    err
}

/// `POST /v1/auth/login`
///
/// Guessing is throttled: after a few wrong passwords for one account, or many from one address,
/// attempts get a `429` with `Retry-After` (a wait that doubles with each further failure) before
/// any password is checked; and only a few Argon2 checks run at once, with a short queue, so a
/// flood of bogus sign-ins can neither exhaust memory nor starve the other requests.
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let email = req.email.trim().to_lowercase();
    let guard = state.logins();
    guard.check(&email, ip, state.now()).await?;
    let row = store::auth::credential_by_email(state.pool(), &email).await?;
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "wrong email or password",
        )
    };
    let slot = guard.hash_slot(&email, ip, state.now()).await?;
    let Some(row) = row else {
        // Same cost as a real check, so timing does not reveal which emails exist.
        let _ = verify_password(req.password, DUMMY_HASH.to_owned()).await;
        drop(slot);
        guard.failed(&email, ip, state.now()).await;
        return Err(bad());
    };
    let (agent_id, ws, hash) = row;
    let right = verify_password(req.password, hash).await;
    drop(slot);
    if !right {
        tracing::info!(agent_id = %agent_id, "login refused");
        guard.failed(&email, ip, state.now()).await;
        return Err(bad());
    }
    guard.succeeded(&email, ip, state.now()).await;
    let mut conn = state.pool().acquire().await?;
    let agent: Agent = store::get(&mut conn, &ws, EntityKind::Agent, &agent_id)
        .await?
        .ok_or_else(bad)?;
    drop(conn);
    let session_id = state.ids().make("ses");
    let wipe_key = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    let device = req.device.as_ref();
    store::auth::insert_session(
        state.pool(),
        &store::auth::NewSession {
            id: &session_id,
            workspace_id: &ws,
            agent_id: &agent_id,
            placeholder_refresh_hash: &token_hash(&token("pending")),
            device_name: &device_label(device.map(|d| d.name.as_str()), "Unknown device"),
            device_os: &device_label(device.map(|d| d.os.as_str()), ""),
            wipe_key: &wipe_key,
            now: state.now(),
        },
    )
    .await?;
    tracing::info!(agent_id = %agent_id, "login");
    let mut tokens = issue(&state, &session_id, agent, None, None).await?;
    tokens.device = Some(DeviceGrant {
        device_id: session_id,
        wipe_key,
    });
    Ok(Json(tokens))
}

/// `POST /v1/auth/refresh`
pub async fn refresh(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let row = store::auth::session_of_refresh_token(state.pool(), &token_hash(&req.refresh_token))
        .await?;
    let presented = token_hash(&req.refresh_token);
    let Some(row) = row else {
        let Some(retired) = store::auth::retired_token(state.pool(), &presented).await? else {
            return Err(ApiError::unauthorized("unknown refresh token"));
        };
        // The client that rotated it was killed before it kept the new pair: honoured again,
        // shortly after, while nothing issued since was used.
        let grace =
            i64::try_from(state.config().refresh_reuse_interval.as_millis()).unwrap_or(i64::MAX);
        if retired.replayable && state.now() - retired.retired_at <= grace {
            tracing::info!(
                "a rotated refresh token its client still holds was presented before anything newer was used; renewed"
            );
            return Ok(Json(
                renew(&state, retired.session, &retired.current, None).await?,
            ));
        }
        if let Some((at, key)) = &retired.session.wipe {
            return Err(wipe_order(&retired.session.session_id, *at, key));
        }
        // Otherwise a rotated-away token presented again has leaked: end its session.
        revoke(&state, &retired.session.session_id).await?;
        tracing::warn!("a rotated refresh token was presented again; session ended");
        return Err(ApiError::unauthorized(
            "refresh token reused; session ended",
        ));
    };
    Ok(Json(
        renew(&state, row, &presented, Some(&presented)).await?,
    ))
}

/// A new pair for a live session, rotating the refresh token whose digest is `rotating`;
/// `confirmed` is the token the client is now known to hold.
async fn renew(
    state: &AppState,
    row: store::auth::RefreshSession,
    rotating: &str,
    confirmed: Option<&str>,
) -> ApiResult<TokenResponse> {
    if let Some((at, key)) = &row.wipe {
        return Err(wipe_order(&row.session_id, *at, key));
    }
    if row.revoked_at.is_some() {
        return Err(ApiError::unauthorized("session ended"));
    }
    if row.refresh_expires_at <= state.now() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpired,
            "refresh token expired; log in again",
        ));
    }
    let mut conn = state.pool().acquire().await?;
    let agent: Agent = store::get(
        &mut conn,
        &row.workspace_id,
        EntityKind::Agent,
        &row.agent_id,
    )
    .await?
    .ok_or_else(|| ApiError::unauthorized("agent no longer exists"))?;
    drop(conn);
    issue(state, &row.session_id, agent, Some(rotating), confirmed).await
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
        let other = store::auth::agent_session_of_refresh_token(
            state.pool(),
            &token_hash(&rt),
            &auth.agent_id,
            &auth.workspace_id,
        )
        .await?;
        session_id = other.ok_or_else(|| ApiError::not_found("session"))?;
    }
    revoke(&state, &session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a session: its refresh token and every access token stop working.
async fn revoke(state: &AppState, session_id: &str) -> ApiResult<()> {
    store::auth::revoke_session(state.pool(), session_id, state.now()).await?;
    state.sessions_ended(&[session_id.to_owned()]);
    Ok(())
}
