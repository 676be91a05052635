//! `/v1/contacts/{id}`: an agent edits a customer, merges two contacts into one, or splits an
//! identity off into a contact of its own. The results reach every cache through the feed.

use axum::Json;
use axum::extract::{Path, State};
use stepup_protocol::{Contact, MergeContactRequest, SplitContactRequest, UpdateContactRequest};

use crate::auth::AuthAgent;
use crate::contacts::{self, ContactError};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;

impl From<ContactError> for ApiError {
    fn from(e: ContactError) -> Self {
        match e {
            ContactError::NotFound => ApiError::not_found("contact"),
            ContactError::Db(e) => e.into(),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

pub(super) async fn update_contact(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateContactRequest>,
) -> ApiResult<Json<Contact>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let contact = contacts::update_in(&mut w, &id, req).await?;
    state.commit(w).await?;
    Ok(Json(contact))
}

/// `from_contact_id` becomes part of this contact (another workspace's contact is not found).
pub(super) async fn merge_contact(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<MergeContactRequest>,
) -> ApiResult<Json<Contact>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let contact = contacts::merge_in(&mut w, &id, &req.from_contact_id).await?;
    state.commit(w).await?;
    tracing::info!(into = %id, from = %req.from_contact_id, "contacts merged");
    Ok(Json(contact))
}

/// Answers the new contact the identity now belongs to.
pub(super) async fn split_contact(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SplitContactRequest>,
) -> ApiResult<Json<Contact>> {
    let now = state.now();
    let mut w = state.write(&auth.workspace_id).await?;
    let contact = contacts::split_in(
        &mut w,
        &id,
        req.channel,
        &req.external_id,
        state.ids().make("ct"),
        now,
    )
    .await?;
    state.commit(w).await?;
    Ok(Json(contact))
}
