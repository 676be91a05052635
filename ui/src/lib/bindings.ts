// Generated from the Rust types in crates/app (src/ipc.rs). Do not edit.
// Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings

export type Locale = "en" | "ar";
export type Direction = "ltr" | "rtl";
export type ThemePreference = "system" | "light" | "dark";
export type Settings = { 
/**
 * The chosen UI language; `null` follows the OS.
 */
locale: Locale | null, theme: ThemePreference, };
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
export type Range = { "kind": "today" } | { "kind": "last7" } | { "kind": "last30" } | { "kind": "last90" } | { "kind": "this_week" } | { "kind": "custom", from: string, to: string, };
export type Filters = { channel?: string, 
/**
 * Team id.
 */
team?: string, 
/**
 * Agent id (the assignee).
 */
agent?: string, 
/**
 * Label id.
 */
label?: string, };
export type Targets = { firstResponseMinutes: number, resolutionHours: number, };
export type Country = "AE" | "SA" | "QA" | "KW" | "BH" | "OM";
export type Digits = "latin" | "arabic_indic";
export type Query = { range: Range, filters: Filters, targets: Targets, 
/**
 * Overrides the country derived from the workspace's time zone.
 */
country?: Country, 
/**
 * Overrides the country's default digits.
 */
digits?: Digits, 
/**
 * Label days with their Umm al-Qura Hijri date too.
 */
hijri: boolean, };
export type Unit = "count" | "duration" | "percent" | "score";
export type Figure = { 
/**
 * `opened`, `resolved`, `messages_in`, …; its title is `analytics-fig-<id>`.
 */
id: string, 
/**
 * `None` when there is nothing to measure (no responses yet, no surveys).
 */
value: number | null, unit: Unit, 
/**
 * The Fluent id of its definition.
 */
definition: string, 
/**
 * The conversations behind it.
 */
conversations: Array<string>, };
export type HijriDate = { year: number, 
/**
 * 1 (Muharram) to 12 (Dhu al-Hijjah).
 */
month: number, day: number, };
export type Day = { 
/**
 * `YYYY-MM-DD`, in the workspace's time zone.
 */
date: string, 
/**
 * ISO weekday, Monday 1 … Sunday 7.
 */
weekday: number, weekend: boolean, hijri: HijriDate | null, opened: number, resolved: number, messagesIn: number, };
export type Heatmap = { 
/**
 * ISO weekdays of the rows, from the week start.
 */
weekdays: Array<number>, 
/**
 * `cells[row][hour]`, hours 0–23 local.
 */
cells: Array<Array<number>>, max: number, };
export type ChannelRow = { channel: string, opened: number, resolved: number, messagesIn: number, messagesOut: number, medianFirstResponseMs: number | null, conversations: Array<string>, };
export type AgentRow = { agentId: string, name: string, 
/**
 * Replies the agent wrote in the range.
 */
replies: number, 
/**
 * Conversations resolved in the range, assigned to the agent.
 */
resolved: number, 
/**
 * Of the conversations opened in the range that the agent answered first.
 */
medianFirstResponseMs: number | null, csatAverage: number | null, conversations: Array<string>, };
export type Csat = { average: number | null, 
/**
 * Responses scoring 1, 2, 3, 4 and 5.
 */
distribution: [number, number, number, number, number], responses: number, };
export type Choice = { id: string, name: string, };
export type Dashboard = { 
/**
 * Unix ms, inclusive.
 */
from: number, 
/**
 * Unix ms, exclusive.
 */
to: number, timeZone: string, country: Country, 
/**
 * ISO weekday the week starts on.
 */
weekStart: number, 
/**
 * ISO weekdays of the weekend.
 */
weekend: Array<number>, digits: Digits, targets: Targets, figures: Array<Figure>, days: Array<Day>, heatmap: Heatmap, channels: Array<ChannelRow>, agents: Array<AgentRow>, csat: Csat, teams: Array<Choice>, labels: Array<Choice>, agentChoices: Array<Choice>, };
export type AnalyticsView = { 
/**
 * The signed-in agent's role in the workspace (from the cloud): `agent`, `supervisor`
 * or `admin`.
 */
role: string, 
/**
 * Only supervisors and admins see the dashboard.
 */
allowed: boolean, dashboard: Dashboard | null, };
export type ExportedFile = { path: string, };

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
  analytics: { args: Query; result: AnalyticsView };
  export_analytics_csv: { args: Query; result: ExportedFile };
};

/** Every backend event and its payload. */
export type Events = {
  "settings-changed": Settings;
  "inbox": InboxEvent;
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
  "analytics",
  "export_analytics_csv",
] as const;
