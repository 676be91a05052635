//! Broadcasts (supervisors and admins create and cancel them; every agent sees them through the
//! feed): `POST /v1/broadcasts`, `GET /v1/broadcasts`, `GET /v1/broadcasts/{id}/recipients`,
//! `POST /v1/broadcasts/{id}/cancel`. See `crate::broadcasts`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use stepup_protocol::{
    Broadcast, BroadcastRecipient, EntityKind, NewBroadcast, RecipientState, Role,
};

use super::Q;
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult, ServerError};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store;

fn bad_request(e: ServerError) -> ApiError {
    match e {
        ServerError::Invalid(why) => ApiError::bad_request(why),
        other => other.into(),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewBroadcast>,
) -> ApiResult<(StatusCode, Json<Broadcast>)> {
    auth.require(&[Role::Admin, Role::Supervisor])?;
    let b = crate::broadcasts::create(&state, &auth.workspace_id, &auth.agent_id, req)
        .await
        .map_err(bad_request)?;
    Ok((StatusCode::CREATED, Json(b)))
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<Broadcast>>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        store::list(&mut conn, &auth.workspace_id, EntityKind::Broadcast).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub(super) struct RecipientsQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

pub(super) async fn recipients(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    Q(q): Q<RecipientsQuery>,
) -> ApiResult<Json<Vec<BroadcastRecipient>>> {
    let mut conn = state.pool().acquire().await?;
    store::get::<Broadcast>(&mut conn, &auth.workspace_id, EntityKind::Broadcast, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("broadcast"))?;
    drop(conn);
    let filter = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => {
            Some(RecipientState::parse(s).ok_or_else(|| ApiError::bad_request("no such state"))?)
        }
    };
    Ok(Json(
        store::broadcasts::recipients(
            state.pool(),
            &id,
            filter,
            q.after.as_deref(),
            q.limit.unwrap_or(500).clamp(1, 1000),
        )
        .await?,
    ))
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Broadcast>> {
    auth.require(&[Role::Admin, Role::Supervisor])?;
    Ok(Json(
        crate::broadcasts::cancel(&state, &auth.workspace_id, &id)
            .await
            .map_err(bad_request)?,
    ))
}
