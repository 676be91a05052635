//! Broadcasts: one approved WhatsApp template sent to an audience of the workspace's contacts,
//! scheduled in the workspace's time zone, with a report per recipient.

use serde::{Deserialize, Serialize};

/// Who receives a broadcast: contacts with a WhatsApp number, narrowed by these (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Audience {
    /// Contacts with a conversation carrying any of these labels.
    #[serde(default)]
    pub labels: Vec<String>,
    /// The contact's language (`ar`, `en`).
    #[serde(default)]
    pub language: Option<String>,
    /// Last contact (their latest conversation's activity) at or after, Unix ms.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_contact_after: Option<i64>,
    /// … and before, Unix ms.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_contact_before: Option<i64>,
}

/// A template parameter, filled per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateParam {
    /// The same text for everyone.
    Text { value: String },
    /// The contact's name.
    ContactName,
    /// One of the contact's attributes (a default when the contact has none).
    Attribute { key: String, default: String },
}

/// `POST /v1/broadcasts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBroadcast {
    pub name: String,
    pub template_id: String,
    #[serde(default)]
    pub params: Vec<TemplateParam>,
    #[serde(default)]
    pub audience: Audience,
    /// When to send, as a wall-clock time in the workspace's zone (`2026-12-05T10:00`); absent:
    /// now.
    #[serde(default)]
    pub send_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BroadcastState {
    Scheduled,
    Sending,
    Done,
    Cancelled,
}

/// Every recipient is counted in exactly one of `opted_out`, `queued`, `sent`, `delivered`,
/// `read` and `failed`; `replied` counts those who answered (whatever their delivery state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BroadcastReport {
    pub total: u32,
    pub opted_out: u32,
    pub queued: u32,
    pub sent: u32,
    pub delivered: u32,
    pub read: u32,
    pub failed: u32,
    pub replied: u32,
}

/// A broadcast, as the feed carries it (its report updated as it sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub id: String,
    pub name: String,
    pub template_id: String,
    pub template_name: String,
    pub language: String,
    pub params: Vec<TemplateParam>,
    pub audience: Audience,
    /// Unix ms.
    pub send_at: i64,
    /// The zone `send_at` was given in.
    pub time_zone: String,
    pub state: BroadcastState,
    pub created_by_agent_id: String,
    pub created_at: i64,
    #[serde(default)]
    pub finished_at: Option<i64>,
    pub report: BroadcastReport,
}

impl Broadcast {
    pub const MAX_NAME: usize = 120;
}

/// A recipient's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientState {
    OptedOut,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

wire_names!(RecipientState {
    OptedOut => "opted_out",
    Queued => "queued",
    Sent => "sent",
    Delivered => "delivered",
    Read => "read",
    Failed => "failed",
});

/// One recipient's line of the report (`GET /v1/broadcasts/{id}/recipients`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastRecipient {
    pub contact_id: String,
    pub name: String,
    pub wa_id: String,
    pub state: RecipientState,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub sent_at: Option<i64>,
    #[serde(default)]
    pub replied_at: Option<i64>,
    /// The conversation the reply opened or continued.
    #[serde(default)]
    pub conversation_id: Option<String>,
}
