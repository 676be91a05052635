// Generated from the Rust types in crates/app (src/ipc.rs). Do not edit.
// Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings

export type Locale = "en" | "ar";
export type Direction = "ltr" | "rtl";
export type ThemePreference = "system" | "light" | "dark";
export type QuietHours = { from: number, to: number, };
export type NotificationSettings = { enabled: boolean, 
/**
 * Show who wrote but not what (privacy).
 */
hidePreviews: boolean, sound: boolean, 
/**
 * Do Not Disturb, now.
 */
dnd: boolean, 
/**
 * Do Not Disturb every day between these times.
 */
quietHours: QuietHours | null, 
/**
 * Conversations that never notify.
 */
muted: Array<string>, };
export type Availability = "online" | "away" | "offline";
export type DesktopSettings = { 
/**
 * Closing the window keeps the app running in the tray.
 */
closeToTray: boolean, 
/**
 * Start when the user signs in to the computer.
 */
startAtLogin: boolean, 
/**
 * The availability the agent chose (away also comes by itself when idle).
 */
availability: Availability, 
/**
 * Away after this many minutes without input (0: never).
 */
awayAfterMinutes: number, };
export type Settings = { 
/**
 * The chosen UI language; `null` follows the OS.
 */
locale: Locale | null, theme: ThemePreference, notifications: NotificationSettings, desktop: DesktopSettings, };
export type SettingsPatch = { 
/**
 * A shipped locale tag (`"en"`, `"ar"`) or `"system"`.
 */
locale?: string, theme?: ThemePreference, };
export type AppInfo = { name: string, version: string, 
/**
 * The UI language in effect (the saved choice, else the OS's).
 */
locale: Locale, direction: Direction, dataDir: string, };
export type ErrorCode = "invalid_input" | "io" | "not_signed_in" | "not_found" | "internal";
export type IpcError = { code: ErrorCode, message: string, };
export type InboxRow = { id: string, channel: string, contactName: string, preview: string, lastMessageAt: number, unread: number, status: string, assigneeAgentId: string | null, labels: Array<string>, 
/**
 * `none` (no window), `open`, `closing` (under 2 hours left) or `closed`.
 */
replyWindow: string, 
/**
 * When free text stops being allowed, if the channel has a window.
 */
freeTextUntil: number | null, };
export type MessageView = { id: string, 
/**
 * `inbound`, `outbound` or `note`.
 */
direction: string, 
/**
 * `text`, `template`, `image`, `audio`, `voice`, `video`, `document`,
 * `sticker`, `location`, `contacts`, `reaction`, `reply`, `story_reply`, `unsupported`.
 */
kind: string, 
/**
 * Customer text: the UI renders it as text only.
 */
text: string, 
/**
 * `received`, `pending`, `sent`, `delivered`, `read` or `failed`.
 */
status: string, createdAt: number, error: string | null, 
/**
 * An outbox entry not yet accepted by the cloud (its id is local).
 */
local: boolean, };
export type ConversationView = { row: InboxRow, messages: Array<MessageView>, };
export type InboxQuery = { channel?: string, status?: string, limit?: number, };
export type SendText = { conversationId: string, text: string, };
export type SyncStatus = { 
/**
 * `signed_out`, `bootstrapping`, `syncing`, `online` or `offline`.
 */
state: string, account: string | null, lastSyncAt: number | null, error: string | null, 
/**
 * Changes applied so far while bootstrapping.
 */
applied: number, };
export type SnippetPart = { text: string, hit: boolean, };
export type SearchResult = { 
/**
 * `message`, `contact` or `note`.
 */
kind: string, id: string, conversationId: string | null, contactName: string, snippet: Array<SnippetPart>, };
export type InboxEvent = { "type": "changed", ids: Array<string>, } | { "type": "status", status: SyncStatus, };
export type MuteConversation = { conversationId: string, muted: boolean, };
export type NavigateTo = { conversationId: string, };

/** Every backend command: its argument (or `null`) and its result. */
export type Commands = {
  app_info: { args: null; result: AppInfo };
  get_settings: { args: null; result: Settings };
  update_settings: { args: SettingsPatch; result: Settings };
  start_demo: { args: null; result: SyncStatus };
  sync_status: { args: null; result: SyncStatus };
  inbox_list: { args: InboxQuery; result: Array<InboxRow> };
  open_conversation: { args: string; result: ConversationView };
  send_text: { args: SendText; result: null };
  search: { args: string; result: Array<SearchResult> };
  update_notification_settings: { args: NotificationSettings; result: Settings };
  update_desktop_settings: { args: DesktopSettings; result: Settings };
  mute_conversation: { args: MuteConversation; result: Settings };
};

/** Every backend event and its payload. */
export type Events = {
  "settings-changed": Settings;
  "inbox": InboxEvent;
  "navigate": NavigateTo;
};

export const COMMAND_NAMES = [
  "app_info",
  "get_settings",
  "update_settings",
  "start_demo",
  "sync_status",
  "inbox_list",
  "open_conversation",
  "send_text",
  "search",
  "update_notification_settings",
  "update_desktop_settings",
  "mute_conversation",
] as const;
