//! The workspace's assistant: the language model it may talk to, what it may do, how a
//! conversation it answers is handed to a person, and the summaries it writes.

use serde::{Deserialize, Serialize};

use crate::Channel;

/// How the assistant answers a customer who writes Arabic in Latin letters (Arabizi).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ArabiziReply {
    /// In Arabic script: what most Gulf shops prefer to send.
    #[default]
    Arabic,
    /// As the customer wrote.
    AsWritten,
}

/// A workspace's assistant settings (`GET`/`PUT /v1/assistant`, admins).
///
/// Nothing of a conversation goes to a model unless `model_text_allowed` is on and a model is
/// set; otherwise the cloud's own deterministic ranker answers (from canned responses only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistantSettings {
    /// The workspace's choice that customers' messages may be sent to the model at all.
    #[serde(default)]
    pub model_text_allowed: bool,
    /// An OpenAI-compatible API's base, e.g. `https://api.openai.com/v1` or a local
    /// `http://127.0.0.1:8080/v1` (llama.cpp, vLLM, Ollama).
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    /// Write only: a new key (kept sealed like channel credentials); `""` removes it; absent
    /// keeps the one stored.
    #[serde(default, skip_serializing)]
    pub api_key: Option<String>,
    /// Read only: whether a key is stored.
    #[serde(default)]
    pub api_key_set: bool,
    /// The channels where the assistant answers new customers itself.
    #[serde(default)]
    pub auto_reply_channels: Vec<Channel>,
    #[serde(default)]
    pub arabizi_reply: ArabiziReply,
    /// Words or phrases that hand a conversation to a person at once, beside the built-in ones
    /// ("agent", «موظف», «أبي أكلم أحد», …).
    #[serde(default)]
    pub handoff_keywords: Vec<String>,
}

impl AssistantSettings {
    pub const MAX_KEYWORDS: usize = 50;
    pub const MAX_KEYWORD_CHARS: usize = 60;

    /// Whether a model may be asked: allowed by the workspace and configured.
    pub fn model_usable(&self) -> bool {
        self.model_text_allowed && self.base_url.is_some() && self.model.is_some()
    }

    pub fn answers_on(&self, channel: Channel) -> bool {
        self.auto_reply_channels.contains(&channel)
    }
}

/// Whether the assistant is answering a conversation or has handed it to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AiState {
    Answering,
    HandedOff,
}

/// Why the assistant handed a conversation to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    Asked,
    /// The customer wrote one of the workspace's hand-off keywords.
    Keyword,
    /// The knowledge did not hold the answer, or the model said it was unsure.
    Unsure,
    /// The model failed, timed out, was rate limited or answered nonsense.
    ModelFailed,
    /// The reply window was closing or closed.
    WindowClosed,
    /// A person replied in the conversation.
    AgentReplied,
}

wire_names!(HandoffReason {
    Asked => "asked",
    Keyword => "keyword",
    Unsure => "unsure",
    ModelFailed => "model_failed",
    WindowClosed => "window_closed",
    AgentReplied => "agent_replied",
});

/// The assistant's part in a conversation's current request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiHandling {
    pub state: AiState,
    /// When the assistant took the request.
    pub since: i64,
    /// Replies the assistant sent in this request.
    #[serde(default)]
    pub replies: u32,
    #[serde(default)]
    pub handed_off_at: Option<i64>,
    #[serde(default)]
    pub reason: Option<HandoffReason>,
    /// The customer message the assistant is answering: a newer one takes its place, and an
    /// answer is written only for the message still awaited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_message_id: Option<String>,
}

/// `POST /v1/conversations/{id}/summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRequest {
    /// The agent's language: `ar` or `en`.
    pub locale: String,
}

/// A summary of a conversation, in the agent's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub text: String,
    pub locale: String,
    /// The model that wrote it, or `extractive-v1` when no model may be asked (then the text
    /// is the customer's own first and latest requests, quoted).
    pub model: String,
    /// Written by a language model.
    pub ai: bool,
    /// The newest message it covers.
    #[serde(default)]
    pub upto_message_id: Option<String>,
    pub messages: u32,
    pub generated_at: i64,
}

/// A document the assistant may answer from (`/v1/assistant/documents`): a price list, a
/// returns policy, opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeDocument {
    pub id: String,
    pub title: String,
    pub text: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKnowledgeDocument {
    pub title: String,
    pub text: String,
}

impl KnowledgeDocument {
    pub const MAX_DOCUMENTS: usize = 20;
    pub const MAX_CHARS: usize = 20_000;
    pub const MAX_TITLE_CHARS: usize = 120;
}

/// What a model was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiPurpose {
    Reply,
    Suggestions,
    Summary,
}

wire_names!(AiPurpose { Reply => "reply", Suggestions => "suggestions", Summary => "summary" });

/// How a call to the model ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiOutcome {
    Answered,
    Unsure,
    Timeout,
    RateLimited,
    Refused,
    Failed,
    Invalid,
}

wire_names!(AiOutcome {
    Answered => "answered",
    Unsure => "unsure",
    Timeout => "timeout",
    RateLimited => "rate_limited",
    Refused => "refused",
    Failed => "failed",
    Invalid => "invalid",
});

/// One call to a model, as the admins see it (`GET /v1/assistant/log`): what was sent is
/// counted, never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiLogEntry {
    pub at: i64,
    pub purpose: AiPurpose,
    #[serde(default)]
    pub conversation_id: Option<String>,
    pub model: String,
    /// Messages of the conversation included.
    pub messages_sent: u32,
    /// Characters sent in all (instructions, knowledge and messages).
    pub chars_sent: u32,
    pub outcome: AiOutcome,
    pub latency_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiLogPage {
    pub entries: Vec<AiLogEntry>,
}
