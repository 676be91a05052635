//! Wire types of the Stepup sync protocol (`/v1`), shared by the desktop client and the cloud server.
//!
//! Every timestamp is Unix time in milliseconds (UTC). Identifiers are opaque strings with a short
//! prefix (`cnv_`, `msg_`, …). See `docs/protocol.md` for the semantics of each endpoint.

use serde::{Deserialize, Serialize};

/// `as_str` and `parse` with the wire names of a plain enum (the same names serde writes).
macro_rules! wire_names {
    ($ty:ident { $( $variant:ident => $name:literal ),* $(,)? }) => {
        impl $ty {
            pub const ALL: &[$ty] = &[$( $ty::$variant ),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( $ty::$variant => $name, )*
                }
            }

            pub fn parse(s: &str) -> Option<$ty> {
                match s {
                    $( $name => Some($ty::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

pub mod assistant;
pub mod broadcast;
pub mod channel;
pub mod content;
pub mod desktop;
pub mod feed;
pub mod ids;
pub mod webchat;

pub use assistant::{
    AiHandling, AiLogEntry, AiLogPage, AiOutcome, AiPurpose, AiState, ArabiziReply,
    AssistantSettings, ConversationSummary, HandoffReason, KnowledgeDocument, NewKnowledgeDocument,
    SummaryRequest,
};
pub use broadcast::{
    Audience, Broadcast, BroadcastRecipient, BroadcastReport, BroadcastState, NewBroadcast,
    RecipientState, TemplateParam,
};
pub use channel::{Channel, DAY_MS, HOUR_MS, SendMode, SendRefusal, WindowState};
pub use content::{
    AttachmentKind, AttachmentRef, ConversationEvent, ConversationEventKind, MediaProblem,
    MessageContent, MessageKind, Origin, PREVIEW_CHARS, Preview, SharedContact,
};
pub use desktop::{DesktopRelease, INSTALL_ID_HEADER};
pub use feed::{Change, ChangeOp, Entity, EntityKind, EntityType};

/// The protocol version segment used in every path.
pub const VERSION: &str = "v1";

/// Header carrying the client's idempotency key on commands that create something.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// A closed set of error codes; clients match on these, never on the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    TokenExpired,
    InvalidCredentials,
    Forbidden,
    NotFound,
    Conflict,
    /// Free text outside the channel's reply window; send an approved template instead.
    ReplyWindowClosed,
    /// The same `Idempotency-Key` was used with a different request body.
    IdempotencyKeyReused,
    /// The sync cursor is older than what the server keeps: re-bootstrap from cursor `0`.
    CursorExpired,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidSignature,
    RateLimited,
    /// This device's session was revoked by the agent or an admin; the body carries the signed
    /// [`WipeOrder`] that tells the device to erase what it holds.
    DeviceRevoked,
    Internal,
}

/// Body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// With [`ErrorCode::DeviceRevoked`]: the order to erase this device's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe: Option<WipeOrder>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code,
            message: message.into(),
            wipe: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Devices and remote wipe

/// What a device says about itself when it signs in (shown in the list of signed-in devices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The computer's name, e.g. `Fatima's MacBook`.
    pub name: String,
    /// e.g. `macOS 15.1`, `Windows 11`, `Linux`.
    pub os: String,
}

impl DeviceInfo {
    /// Longest name or OS kept, in characters.
    pub const MAX_CHARS: usize = 64;
}

/// Given to a device at sign-in: its id and the key with which the cloud signs an order to
/// erase it. A device obeys only an order signed with its own key, so an error page from a
/// proxy, or anyone else on the network, cannot make it erase anything.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceGrant {
    pub device_id: String,
    /// 32 random bytes, hex.
    pub wipe_key: String,
}

impl std::fmt::Debug for DeviceGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceGrant")
            .field("device_id", &self.device_id)
            .field("wipe_key", &REDACTED)
            .finish()
    }
}

/// The cloud's order to a revoked device: erase the cache, its files and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WipeOrder {
    pub device_id: String,
    pub ordered_at: i64,
    /// HMAC-SHA256 under the device's `wipe_key` of [`WipeOrder::signed_text`], hex.
    pub signature: String,
}

impl WipeOrder {
    /// The text an order's signature covers.
    pub fn signed_text(device_id: &str, ordered_at: i64) -> String {
        format!("stepup-wipe/1\n{device_id}\n{ordered_at}")
    }
}

/// A signed-in device of an agent (`GET /v1/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Device {
    pub id: String,
    pub agent_id: String,
    pub name: String,
    pub os: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub signed_in_at: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_seen_at: Option<i64>,
    /// The device the request came from.
    pub this_device: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}

wire_names!(Role { Agent => "agent", Supervisor => "supervisor", Admin => "admin" });
wire_names!(ConversationStatus {
    Open => "open",
    Pending => "pending",
    Snoozed => "snoozed",
    Resolved => "resolved",
});
wire_names!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });
wire_names!(Direction { Inbound => "inbound", Outbound => "outbound" });
wire_names!(MessageStatus {
    Received => "received",
    Pending => "pending",
    Sent => "sent",
    Delivered => "delivered",
    Read => "read",
    Failed => "failed",
});

// ---------------------------------------------------------------------------------------------
// Auth

#[derive(Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The device signing in, for the agent's list of devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceInfo>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct LogoutRequest {
    /// When given, that session is ended; otherwise the session of the bearer token.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Tokens are opaque. The access token is short-lived; the refresh token rotates on every use.
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub agent: Agent,
    /// At sign-in only: this device's id and key for wipe orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceGrant>,
}

// Credentials never reach logs through Debug.
const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("device", &self.device)
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for LogoutRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutRequest")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &REDACTED)
            .field("refresh_token", &REDACTED)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("agent", &self.agent)
            .field("device", &self.device)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Entities

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// IANA zone the workspace cuts its days in, e.g. `Asia/Dubai`.
    pub time_zone: String,
    #[serde(default)]
    pub privacy: WorkspacePrivacy,
}

/// What a workspace's admins decide about its data on agents' computers
/// (`PUT /v1/workspace/privacy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkspacePrivacy {
    /// Messages older than this many days leave every device's cache at its next sync (the
    /// cloud keeps them by its own policy). `None`: each device's own history setting.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Who may export a device's cache (the whole inbox as a file).
    #[serde(default = "WorkspacePrivacy::default_export_roles")]
    pub export_roles: Vec<Role>,
}

impl WorkspacePrivacy {
    /// Longest retention a workspace may set, in days (ten years).
    pub const MAX_RETENTION_DAYS: u32 = 3650;

    fn default_export_roles() -> Vec<Role> {
        vec![Role::Admin, Role::Supervisor]
    }

    pub fn may_export(&self, role: Role) -> bool {
        self.export_roles.contains(&role)
    }
}

impl Default for WorkspacePrivacy {
    fn default() -> Self {
        WorkspacePrivacy {
            retention_days: None,
            export_roles: WorkspacePrivacy::default_export_roles(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub team_ids: Vec<String>,
    pub presence: Presence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelIdentity {
    pub channel: Channel,
    /// The provider's id of the customer: WhatsApp wa_id, page-scoped id, Telegram chat id, …
    pub external_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// BCP 47 tag of the language the customer writes in, when known (`ar`, `en`).
    #[serde(default)]
    pub language: Option<String>,
    pub identities: Vec<ChannelIdentity>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// What the team keeps about the customer: city, VIP, account number, …
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
}

impl Contact {
    /// At most this many attributes, with keys and values this long (in characters).
    pub const MAX_ATTRIBUTES: usize = 50;
    pub const MAX_KEY: usize = 40;
    pub const MAX_VALUE: usize = 500;
    pub const MAX_NAME: usize = 200;
}

/// Body of `PATCH /v1/contacts/{id}`; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateContactRequest {
    #[serde(default)]
    pub name: Option<String>,
    /// `ar`, `en`, or empty to forget it.
    #[serde(default)]
    pub language: Option<String>,
    /// Empty to forget it.
    #[serde(default)]
    pub email: Option<String>,
    /// Sets each key given; `null` removes it.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, Option<String>>,
}

/// Body of `POST /v1/contacts/{id}/merge`: the other contact becomes part of this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeContactRequest {
    pub from_contact_id: String,
}

/// Body of `POST /v1/contacts/{id}/split`: the identity becomes a contact of its own, with its
/// conversations on that channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitContactRequest {
    pub channel: Channel,
    pub external_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Pending,
    Snoozed,
    Resolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// Who may send what right now, computed by the server from the channel and the customer's last
/// inbound message. Times are absolute, so the client can count down without asking again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyWindow {
    /// `None`: the channel has no window (Telegram, Web Chat).
    pub free_text_until: Option<i64>,
    /// Messenger and Instagram: human agents may still reply with the HUMAN_AGENT tag until then.
    #[serde(default)]
    pub human_agent_until: Option<i64>,
    /// WhatsApp: approved templates may be sent outside the window.
    pub templates_allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub contact_id: String,
    pub channel: Channel,
    pub status: ConversationStatus,
    #[serde(default)]
    pub snoozed_until: Option<i64>,
    #[serde(default)]
    pub assignee_agent_id: Option<String>,
    #[serde(default)]
    pub assignee_team_id: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub priority: Priority,
    pub created_at: i64,
    pub last_message_at: i64,
    #[serde(default)]
    pub last_inbound_at: Option<i64>,
    /// The last message's kind and the start of its text.
    #[serde(default)]
    pub preview: Option<Preview>,
    /// Last message the team has read.
    #[serde(default)]
    pub read_up_to: Option<String>,
    pub unread_count: u32,
    pub reply_window: ReplyWindow,
    /// Customer satisfaction score 1–5 once the customer answered the survey.
    #[serde(default)]
    pub csat: Option<u8>,
    /// When the satisfaction question was last sent (on resolving) or answered: a new one is
    /// asked only after the customer writes again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_asked_at: Option<i64>,
    /// When the conversation was last resolved; cleared when it reopens.
    #[serde(default)]
    pub resolved_at: Option<i64>,
    /// The workspace's service-level targets for the customer's current request, when it has
    /// an SLA policy: due times the cloud computed (in business hours when the policy says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<SlaClock>,
    /// The assistant's part in the current request: answering it, or handed to a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai: Option<AiHandling>,
    /// The broadcast this conversation answers: the customer replied to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broadcast_id: Option<String>,
}

/// The SLA deadlines of one request: from the customer's message that opened (or reopened) the
/// conversation to the first human reply and to resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    pub started_at: i64,
    #[serde(default)]
    pub first_response_due_at: Option<i64>,
    /// The first reply by a person (an agent in the app or on the business's own phone).
    #[serde(default)]
    pub first_response_at: Option<i64>,
    #[serde(default)]
    pub resolution_due_at: Option<i64>,
}

impl SlaClock {
    /// The deadline still running at `now`'s state of the conversation: the first response
    /// until it is given, then the resolution until resolved.
    pub fn pending(&self, resolved_at: Option<i64>) -> Option<(SlaTarget, i64)> {
        if resolved_at.is_some() {
            return None;
        }
        match (self.first_response_due_at, self.first_response_at) {
            (Some(due), None) => Some((SlaTarget::FirstResponse, due)),
            _ => self
                .resolution_due_at
                .map(|due| (SlaTarget::Resolution, due)),
        }
    }

    /// Whether the first response came (or has not come by `now`) after its deadline.
    pub fn first_response_missed(&self, now: i64) -> Option<bool> {
        self.first_response_due_at
            .map(|due| self.first_response_at.unwrap_or(now) > due)
    }

    /// Whether resolution came (or has not come by `now`) after its deadline.
    pub fn resolution_missed(&self, resolved_at: Option<i64>, now: i64) -> Option<bool> {
        self.resolution_due_at
            .map(|due| resolved_at.unwrap_or(now) > due)
    }
}

/// Which SLA deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    FirstResponse,
    Resolution,
}

/// A workspace's SLA policy (`GET`/`PUT /v1/sla`). A target left out is not tracked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    #[serde(default)]
    pub first_response_minutes: Option<u32>,
    #[serde(default)]
    pub resolution_minutes: Option<u32>,
    /// Count only the workspace's business hours (when they are on).
    #[serde(default)]
    pub business_hours_only: bool,
}

impl SlaPolicy {
    /// A target may be at most 90 days.
    pub const MAX_MINUTES: u32 = 90 * 24 * 60;
}

/// A day of the week, in the workspace's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Sunday,
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
    ];

    /// Sunday 0 … Saturday 6.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Sunday => "sunday",
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
        }
    }
}

/// One opening of the week: `opens` and `closes` as `HH:MM` (`closes` may be `24:00`); one
/// that closes at or before it opens runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningInterval {
    pub day: Weekday,
    pub opens: String,
    pub closes: String,
}

/// A workspace's business hours (`GET`/`PUT /v1/business-hours`), in its time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub enabled: bool,
    /// Several a day for split shifts; they may not overlap.
    pub intervals: Vec<OpeningInterval>,
    /// Answer a customer who writes while closed, once per closure, in their language, with
    /// when the business opens again.
    #[serde(default)]
    pub away_reply: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// Delivery state; it only moves forward (`pending < sent < delivered < read`), `failed` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Received,
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub direction: Direction,
    #[serde(default)]
    pub sender_agent_id: Option<String>,
    #[serde(default)]
    pub origin: Origin,
    pub content: MessageContent,
    #[serde(default)]
    pub reply_to_message_id: Option<String>,
    pub status: MessageStatus,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub provider_message_id: Option<String>,
    pub created_at: i64,
    #[serde(default)]
    pub edited_at: Option<i64>,
}

impl Message {
    /// A timeline event (`origin: system`): something that happened to the conversation, not a
    /// message anyone sent.
    pub fn event(
        id: String,
        conversation_id: String,
        event: ConversationEvent,
        at: i64,
    ) -> Message {
        Message {
            id,
            conversation_id,
            direction: Direction::Outbound,
            sender_agent_id: None,
            origin: Origin::System,
            content: MessageContent::Event { event },
            reply_to_message_id: None,
            status: MessageStatus::Sent,
            error: None,
            provider_message_id: None,
            created_at: at,
            edited_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub conversation_id: String,
    pub author_agent_id: String,
    pub body: String,
    pub mentions: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub id: String,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: String,
    pub shortcut: String,
    /// `ar` or `en`.
    pub language: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TemplateStatus {
    Approved,
    Pending,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub channel: Channel,
    pub name: String,
    pub language: String,
    pub category: String,
    /// Body with `{{1}}`, `{{2}}` placeholders.
    pub body: String,
    pub status: TemplateStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub content_type: String,
    pub size: u64,
    pub filename: String,
    pub sha256: String,
    pub created_at: i64,
}

// ---------------------------------------------------------------------------------------------
// Change feed

/// Response of `GET /v1/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub changes: Vec<Change>,
    /// Pass as `after` on the next call. A plain number is a position in the feed; a value starting
    /// with `s` continues a snapshot.
    pub next_cursor: String,
    pub has_more: bool,
    /// True while the client is reading a compacted snapshot.
    pub snapshot: bool,
    /// On the first page of a snapshot: how many changes the whole snapshot
    /// holds, for a progress bar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_total: Option<u64>,
    /// On snapshot pages: the snapshot holds messages from this instant on (the server's message
    /// window, 30 days by default); older ones come only on demand, per conversation. Clients
    /// say so where a figure would need them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_since: Option<i64>,
}

/// Frames the server sends on `GET /v1/stream`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    /// First frame: the feed head when the stream started.
    Hello {
        head: u64,
    },
    Change {
        change: Box<Change>,
    },
    Heartbeat {
        at: i64,
        head: u64,
    },
    /// The server dropped frames for a slow client: resume with `/v1/sync` from your cursor.
    Lagged,
    /// An agent is viewing or typing in a conversation (or has left it); relayed, never stored,
    /// true until `until`.
    Activity {
        activity: Activity,
    },
}

/// What an agent is doing in a conversation, as other agents see it (collision detection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Viewing,
    Typing,
}

impl ActivityKind {
    /// How long a report holds unless repeated: a viewer repeats every half minute, a typist
    /// every few seconds while typing.
    pub fn lasts_ms(self) -> i64 {
        match self {
            ActivityKind::Viewing => 60_000,
            ActivityKind::Typing => 8_000,
        }
    }
}

/// One agent's activity in one conversation; `kind: None` means they left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub conversation_id: String,
    pub agent_id: String,
    pub agent_name: String,
    pub kind: Option<ActivityKind>,
    pub until: i64,
}

/// Body of `POST /v1/conversations/{id}/activity`: viewing, typing, or `null` for "left".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRequest {
    pub kind: Option<ActivityKind>,
}

// ---------------------------------------------------------------------------------------------
// Commands

/// Body of `POST /v1/conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SendMessageRequest {
    Text {
        text: String,
        #[serde(default)]
        reply_to_message_id: Option<String>,
        /// Messenger/Instagram: send with the HUMAN_AGENT tag (allowed up to 7 days).
        #[serde(default)]
        human_agent: bool,
    },
    Template {
        template_id: String,
        #[serde(default)]
        params: Vec<String>,
    },
    Attachment {
        attachment_id: String,
        #[serde(default)]
        caption: Option<String>,
        #[serde(default)]
        human_agent: bool,
    },
}

/// Who a conversation is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Assignee {
    Nobody,
    Agent { id: String },
    Team { id: String },
}

/// Body of `PATCH /v1/conversations/{id}`; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateConversationRequest {
    #[serde(default)]
    pub status: Option<ConversationStatus>,
    /// Required with `status: snoozed`.
    #[serde(default)]
    pub snoozed_until: Option<i64>,
    #[serde(default)]
    pub assignee: Option<Assignee>,
    /// Label ids; replaces the set.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    #[serde(default)]
    pub priority: Option<Priority>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddNoteRequest {
    /// `@mentions` are written as `@<agent id>` or `@<email>`; the server resolves them.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkReadRequest {
    pub message_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetPresenceRequest {
    pub presence: Presence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagesPage {
    /// Newest first.
    pub messages: Vec<Message>,
    pub has_more: bool,
}

/// `GET /v1/history`: the workspace's messages of a period, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// Pass as `after` for the next page; `None`: the period is complete.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCannedResponse {
    pub shortcut: String,
    pub language: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionSource {
    CannedResponse,
    PastReply,
    /// Written by the workspace's language model.
    Model,
}

/// A suggested reply. `ai_suggestion` is always true: the client must mark it as such.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub text: String,
    pub language: String,
    pub source: SuggestionSource,
    #[serde(default)]
    pub canned_response_id: Option<String>,
    pub score: f64,
    pub ai_suggestion: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionsResponse {
    pub suggestions: Vec<Suggestion>,
    /// Which ranker produced them, e.g. `lexical-v1`.
    pub model: String,
}

/// Unicode's explicit directional formatting characters: embeddings and overrides (U+202A–U+202E)
/// and isolates (U+2066–U+2069). In a name or a file name they reorder what follows
/// (`Invoice\u{202E}fdp.exe` shows as `Invoiceexe.pdf`), so they are dropped wherever such text is
/// shown or saved. The marks (U+200E, U+200F, U+061C) only nudge neutral characters and stay.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text fit for one line shown outside the web view (a notification's title, a device's name):
/// control characters and bidi controls dropped, runs of white space made one space, trimmed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

/// Percent-encodes one URL path segment (an id of ours or a provider's), keeping only the
/// unreserved characters of RFC 3986.
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_controls_and_bidi_overrides() {
        assert_eq!(one_line("Invoice\u{202E}fdp.exe"), "Invoicefdp.exe");
        assert_eq!(one_line(" فاطمة\u{2067}\n\tAli\u{7}  "), "فاطمة Ali");
        assert_eq!(one_line("\u{200F}سارة"), "\u{200F}سارة");
    }

    #[test]
    fn error_codes_are_snake_case() {
        let body = ErrorBody::new(ErrorCode::ReplyWindowClosed, "x");
        let v = serde_json::to_value(&body).unwrap();
        assert_eq!(v["code"], "reply_window_closed");
        let back: ErrorBody = serde_json::from_value(v).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn send_request_is_tagged_and_ignores_unknown_fields() {
        let r: SendMessageRequest =
            serde_json::from_str(r#"{"type":"text","text":"مرحبا Hello","future":1}"#).unwrap();
        assert_eq!(
            r,
            SendMessageRequest::Text {
                text: "مرحبا Hello".into(),
                reply_to_message_id: None,
                human_agent: false
            }
        );
        assert!(serde_json::from_str::<SendMessageRequest>(r#"{"type":"fax"}"#).is_err());
    }

    #[test]
    fn credentials_are_redacted_in_debug() {
        let login = LoginRequest {
            email: "sara@noor.demo".into(),
            password: "hunter2".into(),
            device: None,
        };
        let text = format!("{login:?}");
        assert!(text.contains("sara@noor.demo") && !text.contains("hunter2"));
        let r = RefreshRequest {
            refresh_token: "srt_secret".into(),
        };
        assert!(!format!("{r:?}").contains("srt_secret"));
        let s = webchat::StartSessionResponse {
            visitor_id: "vis_1".into(),
            visitor_token: "svt_secret".into(),
        };
        assert!(!format!("{s:?}").contains("svt_secret"));
    }

    #[test]
    fn wire_names_are_serdes() {
        fn check<T: Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), name(*v));
            }
        }
        check(Role::ALL, Role::as_str);
        check(ConversationStatus::ALL, ConversationStatus::as_str);
        check(Priority::ALL, Priority::as_str);
        check(Direction::ALL, Direction::as_str);
        check(MessageStatus::ALL, MessageStatus::as_str);
        assert_eq!(Priority::parse("urgent"), Some(Priority::Urgent));
        assert_eq!(ConversationStatus::parse("closed"), None);
    }

    #[test]
    fn stream_events_round_trip() {
        let e = StreamEvent::Heartbeat { at: 5, head: 9 };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "heartbeat");
        assert_eq!(serde_json::from_value::<StreamEvent>(v).unwrap(), e);
    }
}
