//! A workspace's channel connections, for its admins: list them (never their credentials) and
//! connect an account. The credentials go in once and are sealed; nothing reads them back.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use stepup_protocol::{Channel, Role};

use crate::auth::AuthAgent;
use crate::connections::{Connection, Credentials, NewConnection};
use crate::error::{ApiError, ApiResult, ServerError};
use crate::extract::JsonBody;
use crate::state::AppState;

pub(super) async fn list(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<Connection>>> {
    auth.require(&[Role::Admin])?;
    Ok(Json(state.connections(&auth.workspace_id).await?))
}

#[derive(Deserialize)]
pub(super) struct ConnectRequest {
    channel: Channel,
    /// Empty for a Telegram bot (its id comes from the token) and a Web Chat widget (its key is
    /// made).
    #[serde(default)]
    account_id: String,
    name: String,
    /// None for a Web Chat widget.
    #[serde(default)]
    credentials: Credentials,
}

pub(super) async fn connect(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<ConnectRequest>,
) -> ApiResult<(StatusCode, Json<Connection>)> {
    auth.require(&[Role::Admin])?;
    let connection = state
        .connect(
            &auth.workspace_id,
            NewConnection {
                channel: req.channel,
                account_id: req.account_id,
                name: req.name,
                credentials: req.credentials,
            },
        )
        .await
        .map_err(|e| match e {
            ServerError::Invalid(why) => ApiError::bad_request(why),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(connection)))
}
