//! The workspace's directory: the signed-in agent and their presence, canned responses,
//! templates and labels.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use stepup_protocol::{
    Agent, CannedResponse, Channel, EntityKind, Label, NewCannedResponse, Role, SetPresenceRequest,
    Template, TemplateStatus,
};

use super::load;
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::{self, Placement};

pub(super) async fn me(State(state): State<AppState>, auth: AuthAgent) -> ApiResult<Json<Agent>> {
    Ok(Json(
        load(
            &state,
            &auth.workspace_id,
            EntityKind::Agent,
            &auth.agent_id,
        )
        .await?,
    ))
}

pub(super) async fn list_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<CannedResponse>>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        store::list(&mut conn, &auth.workspace_id, EntityKind::CannedResponse).await?,
    ))
}

pub(super) async fn create_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewCannedResponse>,
) -> ApiResult<(StatusCode, Json<CannedResponse>)> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    if !matches!(req.language.as_str(), "ar" | "en") {
        return Err(ApiError::bad_request("language must be ar or en"));
    }
    if req.body.trim().is_empty() || req.shortcut.trim().is_empty() {
        return Err(ApiError::bad_request("shortcut and body are required"));
    }
    let c = CannedResponse {
        id: state.ids().make("can"),
        shortcut: req.shortcut,
        language: req.language,
        title: req.title,
        body: req.body,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::CannedResponse, &c.id, Placement::default(), &c)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

pub(super) async fn delete_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    let mut w = state.write(&auth.workspace_id).await?;
    if !w.delete(EntityKind::CannedResponse, &id).await? {
        return Err(ApiError::not_found("canned response"));
    }
    state.commit(w).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn list_templates(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<Template>>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        store::list(&mut conn, &auth.workspace_id, EntityKind::Template).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub(super) struct NewTemplate {
    channel: Channel,
    name: String,
    language: String,
    category: String,
    body: String,
}

/// `POST /v1/templates` (admin): a new template starts `pending` until the provider decides.
pub(super) async fn create_template(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewTemplate>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    auth.require(&[Role::Admin])?;
    if req.channel != Channel::Whatsapp {
        return Err(ApiError::bad_request(
            "only WhatsApp uses message templates",
        ));
    }
    let valid_name = !req.name.is_empty()
        && req
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name || req.body.trim().is_empty() {
        return Err(ApiError::bad_request(
            "name must be lower-case letters, digits and underscores; body is required",
        ));
    }
    let t = Template {
        id: state.ids().make("tpl"),
        channel: req.channel,
        name: req.name,
        language: req.language,
        category: req.category,
        body: req.body,
        status: TemplateStatus::Pending,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::Template, &t.id, Placement::default(), &t)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Deserialize)]
pub(super) struct TemplateDecision {
    status: TemplateStatus,
}

/// `PATCH /v1/templates/{id}` (admin): records the provider's decision on a template.
pub(super) async fn update_template(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TemplateDecision>,
) -> ApiResult<Json<Template>> {
    auth.require(&[Role::Admin])?;
    let mut w = state.write(&auth.workspace_id).await?;
    let mut t: Template = w
        .get(EntityKind::Template, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    t.status = req.status;
    w.put(EntityKind::Template, &t.id, Placement::default(), &t)
        .await?;
    state.commit(w).await?;
    Ok(Json(t))
}

#[derive(Debug, Deserialize)]
pub(super) struct NewLabel {
    name: String,
    color: String,
}

pub(super) async fn create_label(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewLabel>,
) -> ApiResult<(StatusCode, Json<Label>)> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    let l = Label {
        id: state.ids().make("lbl"),
        name: req.name,
        color: req.color,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::Label, &l.id, Placement::default(), &l)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(l)))
}

pub(super) async fn set_presence(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<SetPresenceRequest>,
) -> ApiResult<Json<Agent>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut agent: Agent = w
        .get(EntityKind::Agent, &auth.agent_id)
        .await?
        .ok_or_else(|| ApiError::not_found("agent"))?;
    if agent.presence != req.presence {
        agent.presence = req.presence;
        w.put(EntityKind::Agent, &agent.id, Placement::default(), &agent)
            .await?;
    }
    state.commit(w).await?;
    Ok(Json(agent))
}

/// The workspace's routing settings (admins and supervisors read them).
pub(super) async fn get_routing(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<crate::routing::Routing>> {
    auth.require(&[Role::Admin, Role::Supervisor])?;
    Ok(Json(
        crate::routing::routing(&state, &auth.workspace_id).await?,
    ))
}

/// Turns auto-assignment on or off and sets the per-agent cap (admins).
pub(super) async fn set_routing(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<crate::routing::Routing>,
) -> ApiResult<Json<crate::routing::Routing>> {
    auth.require(&[Role::Admin])?;
    if req.max_open_per_agent == 0 || req.max_open_per_agent > crate::routing::Routing::MAX_CAP {
        return Err(ApiError::bad_request(format!(
            "max_open_per_agent must be 1–{}",
            crate::routing::Routing::MAX_CAP
        )));
    }
    crate::routing::set_routing(&state, &auth.workspace_id, req).await?;
    Ok(Json(req))
}

/// The workspace's business hours (the starting ones for its country until an admin sets them).
pub(super) async fn get_business_hours(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<stepup_protocol::BusinessHours>> {
    let mut conn = state.pool().acquire().await?;
    let (hours, _) = crate::hours::business_hours(&mut conn, &auth.workspace_id).await?;
    Ok(Json(hours))
}

/// Sets the business hours (admins); overlapping or malformed openings are refused.
pub(super) async fn set_business_hours(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<stepup_protocol::BusinessHours>,
) -> ApiResult<Json<stepup_protocol::BusinessHours>> {
    auth.require(&[Role::Admin])?;
    if req.intervals.len() > 100 {
        return Err(ApiError::bad_request("at most 100 openings a week"));
    }
    crate::hours::set_business_hours(&state, &auth.workspace_id, &req)
        .await?
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(req))
}

/// The workspace's SLA policy (every agent reads it: the inbox shows its deadlines).
pub(super) async fn get_sla(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<stepup_protocol::SlaPolicy>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        crate::hours::sla_policy(&mut conn, &auth.workspace_id).await?,
    ))
}

/// Sets the SLA policy (admins). It applies to requests customers make from now on.
pub(super) async fn set_sla(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<stepup_protocol::SlaPolicy>,
) -> ApiResult<Json<stepup_protocol::SlaPolicy>> {
    auth.require(&[Role::Admin])?;
    let max = stepup_protocol::SlaPolicy::MAX_MINUTES;
    for (name, v) in [
        ("first_response_minutes", req.first_response_minutes),
        ("resolution_minutes", req.resolution_minutes),
    ] {
        if v.is_some_and(|m| m == 0 || m > max) {
            return Err(ApiError::bad_request(format!("{name} must be 1–{max}")));
        }
    }
    crate::hours::set_sla_policy(&state, &auth.workspace_id, &req).await?;
    Ok(Json(req))
}
