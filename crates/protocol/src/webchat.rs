//! The public Web Chat API used by the website widget (`/webchat/v1`). Visitors authenticate with a
//! per-visitor token returned when the session starts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StartSessionRequest {
    /// The shop's public widget key (its Web Chat connection). Needed once the cloud serves
    /// more than one shop's widget; without one, a single-shop cloud takes the visitor.
    #[serde(default)]
    pub widget_key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StartSessionResponse {
    pub visitor_id: String,
    /// Bearer token for the other visitor endpoints.
    pub visitor_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorSendRequest {
    /// Client-generated id; a retry with the same id is stored once.
    pub client_message_id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorSendResponse {
    pub message_id: String,
    pub duplicate: bool,
}

/// Who wrote a message of the visitor's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitorSide {
    Visitor,
    Agent,
}

/// One message of the visitor's own conversation, as text (`GET /webchat/v1/messages`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorMessage {
    pub message_id: String,
    pub from: VisitorSide,
    pub text: String,
    pub at: i64,
}

/// The visitor's conversation so far, oldest first (at most the latest 200 messages).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitorHistory {
    pub messages: Vec<VisitorMessage>,
}

/// Frames pushed to the visitor's WebSocket (`/webchat/v1/stream`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorEvent {
    Reply {
        message_id: String,
        text: String,
        at: i64,
    },
    Heartbeat {
        at: i64,
    },
}

impl std::fmt::Debug for StartSessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartSessionResponse")
            .field("visitor_id", &self.visitor_id)
            .field("visitor_token", &"<redacted>")
            .finish()
    }
}
