//! Web Chat: the small public API the website widget talks to. A visitor starts a session with
//! the shop's widget key and gets a per-visitor token; messages are rate limited per visitor;
//! replies are pushed over a WebSocket; the visitor's own history can be read back (text only,
//! never the agents' notes). The widget itself is served by [`crate::widget`].

use axum::Json;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use stepup_protocol::webchat::{
    StartSessionRequest, StartSessionResponse, VisitorEvent, VisitorHistory, VisitorMessage,
    VisitorSendRequest, VisitorSendResponse, VisitorSide,
};
use stepup_protocol::{Channel, Direction, EntityKind, Message, MessageStatus};
use tokio::sync::broadcast::error::RecvError;

use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::ids::{token, token_hash};
use crate::ingest::{self, Inbound, Outcome};
use crate::limits::{ClientIp, too_many};
use crate::routes::Routes;
use crate::state::AppState;
use crate::store;

pub(crate) fn register(r: Routes) -> Routes {
    crate::widget::register(r)
        .post("/webchat/v1/sessions", start_session)
        .post("/webchat/v1/messages", send)
        .get("/webchat/v1/messages", history)
        .get("/webchat/v1/stream", stream)
}

/// The visitor behind a request (`Authorization: Bearer` or `?visitor_token=`).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub id: String,
    pub workspace_id: String,
    pub name: Option<String>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let from_header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::to_owned);
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("visitor_token=").map(str::to_owned))
        });
        let t = from_header
            .or(from_query)
            .ok_or_else(|| ApiError::unauthorized("missing visitor token"))?;
        let row = store::visitors::by_token(state.pool(), &token_hash(&t)).await?;
        let (id, workspace_id, name) =
            row.ok_or_else(|| ApiError::unauthorized("unknown visitor token"))?;
        Ok(Visitor {
            id,
            workspace_id,
            name,
        })
    }
}

async fn start_session(
    State(state): State<AppState>,
    ip: ClientIp,
    JsonBody(req): JsonBody<StartSessionRequest>,
) -> ApiResult<(StatusCode, Json<StartSessionResponse>)> {
    let limits = &state.config().webchat_limits;
    // One address cannot use up a shop's (or the server's) budget of new visitors.
    state
        .spend(
            &format!("webchat-sessions:{}", ip.key()),
            limits.sessions_per_address_per_minute,
        )
        .await
        .map_err(|wait| {
            too_many(
                "too many new chats from this address; try again later",
                wait,
            )
        })?;
    let ws = match widget(&state, req.widget_key.as_deref()).await? {
        Widget::Shop { workspace_id, .. } => workspace_id,
        Widget::Unknown => return Err(ApiError::not_found("Web Chat widget with this key")),
        Widget::KeyNeeded => {
            return Err(ApiError::bad_request(
                "this cloud serves several shops' widgets: the widget needs its data-key",
            ));
        }
    };
    state
        .spend(
            &format!("webchat-widget:{ws}"),
            limits.sessions_per_widget_per_minute,
        )
        .await
        .map_err(|wait| too_many("this chat is busy; try again in a minute", wait))?;
    let id = state.ids().make("vis");
    let t = token("svt");
    // An anonymous visitor is named in the inbox by the site's language and a short tag, not by
    // an opaque id.
    let name: String = match req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.chars().take(80).collect(),
        None => crate::widget::visitor_name(req.language.as_deref(), &id),
    };
    let name = Some(name);
    store::visitors::insert(
        state.pool(),
        &id,
        &ws,
        &token_hash(&t),
        name.as_deref(),
        req.language.as_deref(),
        state.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(StartSessionResponse {
            visitor_id: id,
            visitor_token: t,
        }),
    ))
}

/// Whose widget a key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Widget {
    /// A shop's widget: its workspace and the name its admin gave the connection.
    Shop {
        workspace_id: String,
        name: Option<String>,
    },
    /// No Web Chat connection has this key.
    Unknown,
    /// No key, on a cloud where shops have connected widgets: nobody to send the visitor to.
    KeyNeeded,
}

/// The shop behind a widget key. Without a key, a cloud on which no shop has connected a widget
/// keeps the single-shop shortcut (the webhook workspace).
pub async fn widget(state: &AppState, key: Option<&str>) -> Result<Widget, ApiError> {
    let key = key.map(str::trim).filter(|k| !k.is_empty());
    if let Some(key) = key {
        return Ok(
            match store::connections::by_account(state.pool(), Channel::Webchat, key).await? {
                Some((c, _)) => Widget::Shop {
                    workspace_id: c.workspace_id,
                    name: Some(c.name).filter(|n| !n.trim().is_empty()),
                },
                None => Widget::Unknown,
            },
        );
    }
    if store::connections::any_for_channel(state.pool(), Channel::Webchat).await? {
        return Ok(Widget::KeyNeeded);
    }
    Ok(match state.webhook_workspace().await? {
        Some(workspace_id) => Widget::Shop {
            workspace_id,
            name: None,
        },
        None => Widget::Unknown,
    })
}

async fn send(
    State(state): State<AppState>,
    visitor: Visitor,
    JsonBody(req): JsonBody<VisitorSendRequest>,
) -> ApiResult<Json<VisitorSendResponse>> {
    let text = req.text.trim();
    if text.is_empty() || text.chars().count() > 4096 {
        return Err(ApiError::bad_request("text must be 1–4096 characters"));
    }
    if req.client_message_id.is_empty() || req.client_message_id.len() > 100 {
        return Err(ApiError::bad_request(
            "client_message_id must be 1–100 characters",
        ));
    }
    state
        .spend(
            &format!("webchat:{}", visitor.id),
            state
                .config()
                .webchat_limits
                .messages_per_visitor_per_minute,
        )
        .await
        .map_err(|wait| too_many("too many messages; slow down", wait))?;
    let mut inbound = Inbound::text(
        Channel::Webchat,
        &visitor.id,
        &format!("{}:{}", visitor.id, req.client_message_id),
        text,
        state.now(),
    );
    inbound.user_name = visitor.name.clone();
    let mut w = state.write(&visitor.workspace_id).await?;
    let out = ingest::ingest_in(&state, &mut w, inbound.clone()).await?;
    let duplicate = !matches!(out, Outcome::Created { .. });
    let message_id = match out {
        Outcome::Created { message_id, .. } => message_id,
        _ => w
            .lookup("pmid", &format!("webchat:{}", inbound.provider_message_id))
            .await?
            .unwrap_or_default(),
    };
    state.commit(w).await?;
    Ok(Json(VisitorSendResponse {
        message_id,
        duplicate,
    }))
}

/// How many of the latest messages the history returns.
const HISTORY_LIMIT: u32 = 200;

async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Json<VisitorHistory>> {
    let mut conn = state.pool().acquire().await?;
    let ws = &visitor.workspace_id;
    let identity = format!("{}:{}", Channel::Webchat.as_str(), visitor.id);
    let Some(contact) = store::lookup(&mut conn, ws, "identity", &identity).await? else {
        return Ok(Json(VisitorHistory::default()));
    };
    let key = format!("{}:{contact}", Channel::Webchat.as_str());
    let Some(conversation) = store::lookup(&mut conn, ws, "conversation", &key).await? else {
        return Ok(Json(VisitorHistory::default()));
    };
    let mut messages: Vec<Message> = store::children(
        &mut conn,
        ws,
        EntityKind::Message,
        &conversation,
        None,
        HISTORY_LIMIT,
    )
    .await?;
    messages.reverse();
    let messages = messages
        .into_iter()
        .filter(|m| m.status != MessageStatus::Failed)
        .filter_map(|m| {
            // What the visitor was sent: the words, or a file's name (as the stream pushes it).
            let text = crate::outbound::text_of(&m.content);
            (!text.is_empty()).then_some(VisitorMessage {
                message_id: m.id,
                from: match m.direction {
                    Direction::Inbound => VisitorSide::Visitor,
                    Direction::Outbound => VisitorSide::Agent,
                },
                text,
                at: m.created_at,
            })
        })
        .collect();
    Ok(Json(VisitorHistory { messages }))
}

async fn stream(
    State(state): State<AppState>,
    visitor: Visitor,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let ticket = state
        .open_visitor_stream(&visitor.id)
        .ok_or_else(|| too_many("too many open chats; close one and try again", 5_000))?;
    // A visitor only reads from the stream: anything larger than a small frame is not a widget.
    let max = state.config().webchat_limits.max_frame;
    Ok(ws
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| run(state, visitor, socket, ticket)))
}

async fn run(
    state: AppState,
    visitor: Visitor,
    mut socket: WebSocket,
    _open: crate::state::VisitorStreamTicket,
) {
    let mut stopping = state.stopping();
    let mut rx = state.visitor_sender(&visitor.id).subscribe();
    let mut beat = tokio::time::interval(state.config().heartbeat_interval);
    beat.tick().await;
    loop {
        let ev = tokio::select! {
            () = async {
                let _ = stopping.wait_for(|stop| *stop).await;
            } => {
                let _ = socket.send(WsMessage::Close(None)).await;
                break;
            }
            m = rx.recv() => match m {
                Ok(ev) => ev,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            },
            _ = beat.tick() => VisitorEvent::Heartbeat { at: state.now() },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => continue,
            },
        };
        let Ok(text) = serde_json::to_string(&ev) else {
            break;
        };
        if socket.send(WsMessage::Text(text.into())).await.is_err() {
            break;
        }
    }
}
