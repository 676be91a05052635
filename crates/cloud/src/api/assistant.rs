//! The assistant's settings, knowledge and record of model calls (admins), and conversation
//! summaries (any agent). See `crate::assistant`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use stepup_i18n::Locale;
use stepup_protocol::{
    AiLogPage, AssistantSettings, Conversation, ConversationSummary, EntityKind, KnowledgeDocument,
    NewKnowledgeDocument, Role, SummaryRequest,
};

use super::Q;
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult, ServerError};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store;

fn invalid_is_bad_request(e: ServerError) -> ApiError {
    match e {
        ServerError::Invalid(why) => ApiError::bad_request(why),
        other => other.into(),
    }
}

/// `GET /v1/assistant`.
pub(super) async fn get_settings(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<AssistantSettings>> {
    auth.require(&[Role::Admin])?;
    Ok(Json(
        crate::assistant::settings(&state, &auth.workspace_id).await?,
    ))
}

/// `PUT /v1/assistant`.
pub(super) async fn set_settings(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<AssistantSettings>,
) -> ApiResult<Json<AssistantSettings>> {
    auth.require(&[Role::Admin])?;
    let s = crate::assistant::set_settings(&state, &auth.workspace_id, req)
        .await
        .map_err(invalid_is_bad_request)?;
    tracing::info!(
        workspace_id = %auth.workspace_id,
        model_text_allowed = s.model_text_allowed,
        "assistant settings changed"
    );
    Ok(Json(s))
}

/// `GET /v1/assistant/documents`.
pub(super) async fn list_documents(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<KnowledgeDocument>>> {
    auth.require(&[Role::Admin])?;
    Ok(Json(
        store::assistant::documents(state.pool(), &auth.workspace_id).await?,
    ))
}

/// `POST /v1/assistant/documents`.
pub(super) async fn add_document(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewKnowledgeDocument>,
) -> ApiResult<(StatusCode, Json<KnowledgeDocument>)> {
    auth.require(&[Role::Admin])?;
    let d = crate::assistant::add_document(&state, &auth.workspace_id, &req.title, &req.text)
        .await
        .map_err(invalid_is_bad_request)?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// `DELETE /v1/assistant/documents/{id}`.
pub(super) async fn delete_document(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth.require(&[Role::Admin])?;
    if store::assistant::delete_document(state.pool(), &auth.workspace_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("document"))
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

/// `GET /v1/assistant/log`: calls to the model, newest first (no content is kept).
pub(super) async fn log(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<LogQuery>,
) -> ApiResult<Json<AiLogPage>> {
    auth.require(&[Role::Admin])?;
    let entries = store::assistant::calls(
        state.pool(),
        &auth.workspace_id,
        q.before,
        q.limit.unwrap_or(100).clamp(1, 500),
    )
    .await?;
    Ok(Json(AiLogPage { entries }))
}

/// `POST /v1/conversations/{id}/summary`: a summary in the agent's language.
pub(super) async fn summary(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SummaryRequest>,
) -> ApiResult<Json<ConversationSummary>> {
    let ws = &auth.workspace_id;
    let mut conn = state.pool().acquire().await?;
    store::get::<Conversation>(&mut conn, ws, EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    drop(conn);
    let locale = Locale::negotiate(&[req.locale.as_str()]);
    Ok(Json(
        crate::assistant::summary(&state, ws, &id, locale).await?,
    ))
}
