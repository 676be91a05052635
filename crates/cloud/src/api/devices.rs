//! Signed-in devices and remote wipe; removing an agent; the workspace's privacy settings.
//!
//! Each session is one device. Revoking one (the agent their own, an admin any) ends it at once
//! and orders the device to erase its cache, files and keys: the order, signed with the key the
//! device got at sign-in, is the answer to its next refresh. Removing an agent revokes all of
//! theirs and their login.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use stepup_protocol::{Agent, Device, EntityKind, Presence, Role, Workspace, WorkspacePrivacy};

use super::Q;
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::{self, Placement};

#[derive(Debug, Deserialize)]
pub(super) struct DevicesQuery {
    /// Admins: one agent's devices (default: every device of the workspace).
    agent_id: Option<String>,
}

/// `GET /v1/devices`: the caller's signed-in devices; for admins, the workspace's (or one
/// agent's with `?agent_id=`).
pub(super) async fn list(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<DevicesQuery>,
) -> ApiResult<Json<Vec<Device>>> {
    let agent = if auth.role == Role::Admin {
        q.agent_id
    } else {
        Some(auth.agent_id.clone())
    };
    let rows = store::auth::devices(
        state.pool(),
        &auth.workspace_id,
        agent.as_deref(),
        state.now(),
    )
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(
                |(id, agent_id, name, os, signed_in_at, last_seen_at)| Device {
                    this_device: id == auth.session_id,
                    id,
                    agent_id,
                    name: name.unwrap_or_default(),
                    os: os.unwrap_or_default(),
                    signed_in_at: signed_in_at.unwrap_or_default(),
                    last_seen_at,
                },
            )
            .collect(),
    ))
}

/// `DELETE /v1/devices/{id}`: signs a device out and orders it to erase its data. Agents
/// revoke their own devices; admins any in the workspace.
pub(super) async fn revoke(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let only_agent = (auth.role != Role::Admin).then_some(auth.agent_id.as_str());
    let ended = store::auth::order_wipe(
        state.pool(),
        &auth.workspace_id,
        Some(&id),
        only_agent,
        state.now(),
    )
    .await?;
    if ended.is_empty() {
        return Err(ApiError::not_found("device"));
    }
    tracing::info!(by = %auth.agent_id, "device revoked with a wipe order");
    state.sessions_ended(&ended);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /v1/agents/{id}` (admins): removes an agent from the workspace. Their login goes,
/// every device of theirs is revoked and ordered to erase its data; their name stays on the
/// conversations they handled.
pub(super) async fn remove_agent(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth.require(&[Role::Admin])?;
    if id == auth.agent_id {
        return Err(ApiError::bad_request("admins cannot remove themselves"));
    }
    if !store::auth::delete_credential(state.pool(), &auth.workspace_id, &id).await? {
        return Err(ApiError::not_found("agent"));
    }
    let ended = store::auth::order_wipe(
        state.pool(),
        &auth.workspace_id,
        None,
        Some(&id),
        state.now(),
    )
    .await?;
    state.sessions_ended(&ended);
    let mut w = state.write(&auth.workspace_id).await?;
    if let Some(mut agent) = w.get::<Agent>(EntityKind::Agent, &id).await?
        && agent.presence != Presence::Offline
    {
        agent.presence = Presence::Offline;
        w.put(EntityKind::Agent, &id, Placement::default(), &agent)
            .await?;
    }
    state.commit(w).await?;
    tracing::info!(by = %auth.agent_id, devices = ended.len(), "agent removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /v1/workspace/privacy` (admins): how long devices keep messages and who may export.
pub(super) async fn set_privacy(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<WorkspacePrivacy>,
) -> ApiResult<Json<WorkspacePrivacy>> {
    auth.require(&[Role::Admin])?;
    let max = WorkspacePrivacy::MAX_RETENTION_DAYS;
    if req.retention_days.is_some_and(|d| d == 0 || d > max) {
        return Err(ApiError::bad_request(format!(
            "retention_days must be 1–{max}"
        )));
    }
    let mut w = state.write(&auth.workspace_id).await?;
    let mut ws: Workspace = w
        .get(EntityKind::Workspace, &auth.workspace_id)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    ws.privacy = WorkspacePrivacy {
        retention_days: req.retention_days,
        export_roles: {
            let mut roles = req.export_roles.clone();
            roles.sort_by_key(|r| r.as_str());
            roles.dedup();
            roles
        },
    };
    w.put(
        EntityKind::Workspace,
        &auth.workspace_id,
        Placement::default(),
        &ws,
    )
    .await?;
    state.commit(w).await?;
    Ok(Json(ws.privacy))
}
