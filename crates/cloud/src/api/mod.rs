//! The HTTP API: the router assembling each resource's routes (this file) and the `/v1`
//! resources, one file each.

mod assistant;
mod attachments;
mod broadcasts;
mod connections;
mod contacts;
mod conversations;
mod devices;
mod directory;
mod feed;
mod messages;
mod suggestions;
mod updates;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::de::DeserializeOwned;
use stepup_protocol::{Conversation, EntityKind};

pub use self::conversations::{conversation_channel, timeline_events};
use crate::auth;
use crate::error::{ApiError, ApiResult};
pub use crate::extract::{JsonBody, Q, RawBody, parse_json};
pub use crate::routes::Routes;
use crate::state::AppState;
use crate::store;
use crate::{webchat, webhooks};

/// Answers `value` as JSON, gzip-compressed when the client accepts it (`Accept-Encoding:
/// gzip`) and the body is worth it. For the large answers (feed and history pages): their JSON
/// shrinks several times, which is most of a first sync on a slow link.
pub(crate) async fn negotiated_json<T: serde::Serialize>(
    headers: &axum::http::HeaderMap,
    value: &T,
) -> ApiResult<Response> {
    use axum::http::header;
    let body = serde_json::to_vec(value)?;
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"))
                && !parts.any(|p| p.replace(' ', "") == "q=0")
        });
    let mut resp = if gzip && body.len() > 1024 {
        let zipped = tokio::task::spawn_blocking(move || {
            use std::io::Write as _;
            let mut enc = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::fast(),
            );
            enc.write_all(&body)?;
            enc.finish()
        })
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
        let mut r = zipped.into_response();
        r.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static("gzip"),
        );
        r
    } else {
        body.into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
    Ok(resp)
}

fn build(body_limit: usize, attachment_limit: usize) -> Routes {
    let r = Routes::new()
        .get("/healthz", || async { "ok" })
        .post("/v1/auth/login", auth::login)
        .post("/v1/auth/refresh", auth::refresh)
        .post("/v1/auth/logout", auth::logout)
        .get("/v1/me", directory::me)
        .get("/v1/devices", devices::list)
        .delete("/v1/devices/{id}", devices::revoke)
        .delete("/v1/agents/{id}", devices::remove_agent)
        .put("/v1/workspace/privacy", devices::set_privacy)
        .get("/v1/sync", feed::sync)
        .get("/v1/stream", feed::stream)
        .get("/v1/conversations/{id}", conversations::get_conversation)
        .patch("/v1/conversations/{id}", conversations::update_conversation)
        .patch("/v1/contacts/{id}", contacts::update_contact)
        .post("/v1/contacts/{id}/merge", contacts::merge_contact)
        .post("/v1/contacts/{id}/split", contacts::split_contact)
        .get("/v1/conversations/{id}/messages", messages::history)
        .get("/v1/history", messages::workspace_history)
        .post("/v1/conversations/{id}/messages", messages::send_message)
        .post("/v1/conversations/{id}/notes", conversations::add_note)
        .post("/v1/conversations/{id}/read", conversations::mark_read)
        .post(
            "/v1/conversations/{id}/activity",
            conversations::report_activity,
        )
        .post("/v1/conversations/{id}/unread", conversations::mark_unread)
        .get(
            "/v1/conversations/{id}/suggestions",
            suggestions::suggestions,
        )
        .post("/v1/conversations/{id}/summary", assistant::summary)
        .get("/v1/assistant", assistant::get_settings)
        .put("/v1/assistant", assistant::set_settings)
        .get("/v1/assistant/documents", assistant::list_documents)
        .post("/v1/assistant/documents", assistant::add_document)
        .delete("/v1/assistant/documents/{id}", assistant::delete_document)
        .get("/v1/assistant/log", assistant::log)
        .post("/v1/broadcasts", broadcasts::create)
        .get("/v1/broadcasts", broadcasts::list)
        .get("/v1/broadcasts/{id}/recipients", broadcasts::recipients)
        .post("/v1/broadcasts/{id}/cancel", broadcasts::cancel)
        .add(
            "post",
            "/v1/attachments",
            post(attachments::upload_attachment).layer(DefaultBodyLimit::max(attachment_limit)),
        )
        .get("/v1/attachments/{id}", attachments::download_attachment)
        .get("/v1/canned-responses", directory::list_canned)
        .post("/v1/canned-responses", directory::create_canned)
        .delete("/v1/canned-responses/{id}", directory::delete_canned)
        .get("/v1/templates", directory::list_templates)
        .post("/v1/templates", directory::create_template)
        .patch("/v1/templates/{id}", directory::update_template)
        .post("/v1/labels", directory::create_label)
        .get("/v1/connections", connections::list)
        .post("/v1/connections", connections::connect)
        .put("/v1/presence", directory::set_presence)
        .get("/v1/routing", directory::get_routing)
        .put("/v1/routing", directory::set_routing)
        .get("/v1/business-hours", directory::get_business_hours)
        .put("/v1/business-hours", directory::set_business_hours)
        .get("/v1/sla", directory::get_sla)
        .put("/v1/sla", directory::set_sla)
        .get(
            "/v1/desktop/updates/{os}/{arch}/{installer}/{current_version}",
            updates::check,
        )
        .get(
            "/v1/desktop/updates/files/{version}/{file}",
            updates::download,
        );
    let mut r = webchat::register(webhooks::register(r));
    r.router = r.router.layer(DefaultBodyLimit::max(body_limit));
    r
}

/// Every `(method, path)` the server answers, methods in lower case, paths in OpenAPI form.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    build(1, 1).list
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.config().body_limit;
    let attachment_limit = state.config().attachment_limit;
    build(body_limit, attachment_limit)
        .router
        .fallback(|| async { ApiError::not_found("route") })
        .layer(axum::middleware::from_fn(run_to_end))
        .layer(axum::middleware::from_fn(access_log))
        .with_state(state)
}

/// Runs the request as a task of its own: a client that goes away mid-request (a killed process,
/// a closed lid, a dropped link) does not cut its handler short, say between a commit and what
/// follows it (the stream's wake-up, the message's send to its channel).
async fn run_to_end(req: Request, next: axum::middleware::Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(resp) => resp,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => ApiError::internal().into_response(),
    }
}

/// One log line per request: method, path (never the query, which may carry a token), status
/// and duration.
async fn access_log(req: Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_millis();
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request failed");
    } else {
        tracing::debug!(%method, %path, status, ms, "request");
    }
    resp
}

/// The entity `id` of a kind in a workspace, or a 404.
async fn load<T: DeserializeOwned>(
    state: &AppState,
    ws: &str,
    kind: EntityKind,
    id: &str,
) -> ApiResult<T> {
    let mut conn = state.pool().acquire().await?;
    store::get(&mut conn, ws, kind, id)
        .await?
        .ok_or_else(|| ApiError::not_found(kind.as_str()))
}

/// The conversation `id` of the writer's workspace, or a 404.
async fn conversation(w: &mut store::Writer, id: &str) -> ApiResult<Conversation> {
    w.get(EntityKind::Conversation, id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}
