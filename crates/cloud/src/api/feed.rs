//! The change feed: `GET /v1/sync` (snapshot pages, then the raw log by cursor) and
//! `GET /v1/stream` (the WebSocket that pushes each committed change).

use axum::Json;
use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use stepup_protocol::{ErrorCode, StreamEvent, SyncResponse};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::Q;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Deserialize)]
pub(super) struct SyncQuery {
    after: Option<String>,
    limit: Option<u32>,
}

enum Cursor {
    Snapshot(u64),
    Log(u64),
}

fn parse_cursor(s: Option<&str>) -> ApiResult<Cursor> {
    let bad = || ApiError::bad_request("cursor must be a number or a snapshot cursor");
    match s.map(str::trim) {
        None | Some("") | Some("0") => Ok(Cursor::Snapshot(0)),
        Some(s) => match s.strip_prefix('s') {
            Some(rest) => rest.parse().map(Cursor::Snapshot).map_err(|_| bad()),
            None => s.parse().map(Cursor::Log).map_err(|_| bad()),
        },
    }
}

pub(super) async fn sync(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<SyncQuery>,
) -> ApiResult<Json<SyncResponse>> {
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let cursor = parse_cursor(q.after.as_deref())?;
    // One read transaction: head, horizon and rows come from the same snapshot.
    let mut tx = state.pool().begin().await?;
    let (head, horizon) = store::feed_bounds(&mut tx, &auth.workspace_id)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    let resp = match cursor {
        Cursor::Log(after) => {
            if after < horizon || after > head {
                return Err(ApiError::new(
                    StatusCode::GONE,
                    ErrorCode::CursorExpired,
                    "cursor is outside the kept history: sync again from 0",
                ));
            }
            let mut changes =
                store::changes_after(&mut tx, &auth.workspace_id, after, limit + 1).await?;
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next = changes.last().map_or(after, |c| c.seq);
            SyncResponse {
                changes,
                next_cursor: next.to_string(),
                has_more,
                snapshot: false,
                snapshot_total: None,
                messages_since: None,
            }
        }
        Cursor::Snapshot(after) => {
            let window = i64::try_from(state.config().snapshot_message_window.as_millis())
                .unwrap_or(i64::MAX);
            let since = state.now().saturating_sub(window);
            let snapshot_total = if after == 0 {
                Some(store::snapshot_size(&mut tx, &auth.workspace_id, since).await?)
            } else {
                None
            };
            let mut changes =
                store::snapshot_after(&mut tx, &auth.workspace_id, after, limit + 1, since).await?;
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next_cursor = if has_more {
                format!("s{}", changes.last().map_or(after, |c| c.seq))
            } else {
                head.to_string()
            };
            SyncResponse {
                changes,
                next_cursor,
                has_more,
                snapshot: true,
                snapshot_total,
                messages_since: Some(since),
            }
        }
    };
    tx.commit().await?;
    Ok(Json(resp))
}

/// Largest frame an agent's stream accepts.
const STREAM_FRAME_LIMIT: usize = 64 * 1024;

pub(super) async fn stream(
    State(state): State<AppState>,
    auth: AuthAgent,
    ws: WebSocketUpgrade,
) -> Response {
    // The app only sends small activity frames up this stream.
    ws.max_message_size(STREAM_FRAME_LIMIT)
        .max_frame_size(STREAM_FRAME_LIMIT)
        .on_upgrade(move |socket| run_stream(state, auth, socket))
}

async fn run_stream(state: AppState, auth: AuthAgent, mut socket: WebSocket) {
    let mut stopping = state.stopping();
    // Subscribe before reading the head so nothing committed after the hello is lost.
    let mut rx = state.feed_sender(&auth.workspace_id).subscribe();
    let mut activity = state.activity_sender(&auth.workspace_id).subscribe();
    let mut ended = state.ended_sessions();
    let head = match state.pool().acquire().await {
        Ok(mut c) => store::feed_bounds(&mut c, &auth.workspace_id)
            .await
            .ok()
            .flatten()
            .map_or(0, |b| b.0),
        Err(_) => 0,
    };
    let send = |ev: &StreamEvent| serde_json::to_string(ev).map(|s| WsMessage::Text(s.into()));
    let Ok(hello) = send(&StreamEvent::Hello { head }) else {
        return;
    };
    if socket.send(hello).await.is_err() {
        return;
    }
    let mut last = head;
    let mut beat = tokio::time::interval(state.config().heartbeat_interval);
    beat.tick().await;
    loop {
        tokio::select! {
            () = async {
                let _ = stopping.wait_for(|stop| *stop).await;
            } => {
                let _ = socket.send(WsMessage::Close(None)).await;
                break;
            }
            msg = rx.recv() => {
                let ev = match msg {
                    Ok(change) => {
                        if change.seq <= head { continue; }
                        last = change.seq;
                        StreamEvent::Change { change: Box::new(change) }
                    }
                    Err(RecvError::Lagged(_)) => StreamEvent::Lagged,
                    Err(RecvError::Closed) => break,
                };
                let lagged = matches!(ev, StreamEvent::Lagged);
                let Ok(frame) = send(&ev) else { break };
                if socket.send(frame).await.is_err() || lagged { break; }
            }
            id = ended.recv() => {
                // Signed out or revoked: the stream ends with the session.
                if matches!(&id, Ok(id) if *id == auth.session_id) {
                    let _ = socket.send(WsMessage::Close(None)).await;
                    break;
                }
            }
            a = activity.recv() => {
                // Short-lived news: one missed under load is replaced by the next report.
                let Ok(a) = a else { continue };
                if a.agent_id == auth.agent_id { continue; }
                let Ok(frame) = send(&StreamEvent::Activity { activity: a }) else { break };
                if socket.send(frame).await.is_err() { break; }
            }
            _ = beat.tick() => {
                let Ok(frame) = send(&StreamEvent::Heartbeat { at: state.now(), head: last }) else { break };
                if socket.send(frame).await.is_err() { break; }
            }
            incoming = socket.recv() => {
                match incoming {
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}
