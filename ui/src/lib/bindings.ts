// Generated from the Rust types in crates/app (src/commands.rs, src/ipc.rs). Do not edit.
// Regenerate: STEPUP_UPDATE_BINDINGS=1 cargo test -p stepup-app --test bindings

export type AccountView = { id: string, server: string, email: string, name: string, role: Role, 
/**
 * The cache opens with a passphrase (no keyring).
 */
passphrase: boolean, 
/**
 * The account in the window.
 */
active: boolean, 
/**
 * Signed in and syncing (in the window or in the background).
 */
running: boolean, 
/**
 * Its workspace's name, once its cache knows it (running accounts).
 */
workspace: string | null, 
/**
 * Unread customer messages in its cache (running accounts).
 */
unread: number, 
/**
 * The account used last: the app opens it on start.
 */
last: boolean, };
export type Action = { "type": "assign_agent", agentId: string, } | { "type": "assign_team", teamId: string, } | { "type": "unassign" } | { "type": "status", status: ConversationStatus, snoozedUntil?: number, } | { "type": "labels", labelIds: Array<string>, } | { "type": "priority", priority: Priority, };
export type ActivityKind = "viewing" | "typing";
export type ActivityView = { conversationId: string, agentId: string, agentName: string, 
/**
 * `None`: they left the conversation.
 */
kind: ActivityKind | null, 
/**
 * Until when it holds unless reported again (ms since the epoch).
 */
until: number, };
export type AddNote = { conversationId: string, 
/**
 * `@Name` mentions are resolved to agents by the cloud.
 */
body: string, };
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
export type AgentView = { id: string, name: string, email: string, role: Role, teamIds: Array<string>, presence: Presence, };
export type AiState = "answering" | "handed_off";
export type AnalyticsSettings = { 
/**
 * The SLA targets breaches are counted against.
 */
targets: Targets, 
/**
 * Overrides the country derived from the workspace's time zone.
 */
country: Country | null, 
/**
 * Overrides the country's default digits.
 */
digits: Digits | null, 
/**
 * Label days with their Umm al-Qura Hijri date too.
 */
hijri: boolean, };
export type AnalyticsView = { 
/**
 * The signed-in agent's role in the workspace (from the cloud).
 */
role: Role, 
/**
 * Only supervisors and admins see the dashboard.
 */
allowed: boolean, dashboard: Dashboard | null, 
/**
 * When the period starts before this computer holds every message (the server sends the
 * last 30 days at sign-in; the history setting keeps so many days): from when the figures
 * counted from messages are complete. `None`: the whole period is complete.
 */
messagesCompleteFrom: number | null, };
export type AppInfo = { name: string, version: string, 
/**
 * The UI language in effect (the saved choice, else the OS's).
 */
locale: Locale, direction: Direction, dataDir: string, 
/**
 * The start-up is opening an account (the one used last, or the demo): the inbox, not
 * the start screen, is coming, and the UI can lay it out while it opens.
 */
opening: boolean, };
export type ArabiziReply = "arabic" | "as_written";
export type AssistantSettingsView = { 
/**
 * Customers' messages may be sent to a language model at all.
 */
modelTextAllowed: boolean, baseUrl: string | null, model: string | null, apiKeySet: boolean, autoReplyChannels: Array<Channel>, arabiziReply: ArabiziReply, handoffKeywords: Array<string>, };
export type AttachmentKind = "image" | "audio" | "voice" | "video" | "document" | "sticker";
export type AttachmentView = { 
/**
 * The cloud's id, when it holds the file.
 */
id: string | null, kind: AttachmentKind, filename: string | null, contentType: string | null, 
/**
 * Why the cloud could not fetch it from the channel, when it gave up.
 */
fetchFailed: MediaProblem | null, };
export type AttributeView = { key: string, value: string, };
export type Audience = { 
/**
 * Contacts with a conversation carrying any of these labels.
 */
labels: Array<string>, 
/**
 * The contact's language (`ar`, `en`).
 */
language: string | null, 
/**
 * Last contact (their latest conversation's activity) at or after, Unix ms.
 */
last_contact_after: number | null, 
/**
 * … and before, Unix ms.
 */
last_contact_before: number | null, };
export type Availability = "online" | "away" | "offline";
export type AvailableUpdate = { version: string, 
/**
 * What is new, by language (`en`, `ar`); the UI shows the agent's.
 */
notes: { [key in string]: string }, pubDate: string | null, size: number | null, };
export type Boot = { info: AppInfo, settings: Settings, 
/**
 * Commands the page's start calls, asked for by the boot script as soon as the page
 * begins to load; the page's own first calls with the same arguments take the answers.
 */
ask: Array<BootCall>, };
export type BootCall = { cmd: string, 
/**
 * The command's `args`, as the page's own call passes them (`null`: none).
 */
args: unknown, };
export type BroadcastReport = { total: number, opted_out: number, queued: number, sent: number, delivered: number, read: number, failed: number, replied: number, };
export type BroadcastState = "scheduled" | "sending" | "done" | "cancelled";
export type BroadcastView = { id: string, name: string, templateName: string, language: string, state: BroadcastState, sendAt: number, timeZone: string, 
/**
 * Who scheduled it.
 */
createdBy: string | null, finishedAt: number | null, report: BroadcastReport, };
export type CannedView = { id: string, shortcut: string, language: string, title: string, body: string, };
export type CardView = { "type": "location", latitude: number, longitude: number, name: string | null, address: string | null, 
/**
 * A map of the place, opened in the browser after the usual link check.
 */
mapUrl: string, } | { "type": "contacts", contacts: Array<ContactCardView>, };
export type Channel = "whatsapp" | "messenger" | "instagram" | "telegram" | "tiktok" | "webchat";
export type ChannelRow = { channel: Channel, opened: number, resolved: number, messagesIn: number, messagesOut: number, medianFirstResponseMs: number | null, conversations: Array<string>, };
export type Choice = { id: string, name: string, };
export type ContactCardView = { name: string, phones: Array<string>, };
export type ContactNoteView = { id: string, text: string, author: string | null, createdAt: number, conversationId: string, channel: Channel | null, };
export type ContactView = { id: string, name: string, phone: string | null, language: string | null, email: string | null, 
/**
 * By name.
 */
attributes: Array<AttributeView>, identities: Array<IdentityView>, 
/**
 * The notes on all of the customer's conversations, newest first.
 */
notes: Array<ContactNoteView>, };
export type ConversationAction = { conversationId: string, action: Action, };
export type ConversationEventKind = "assigned" | "unassigned" | "resolved" | "reopened" | "snoozed" | "window_closed" | "ai_answering" | "handed_off";
export type ConversationStatus = "open" | "pending" | "snoozed" | "resolved";
export type ConversationView = { row: InboxRow, contact: ContactView, window: WindowView, 
/**
 * Oldest first; notes and events interleaved by time. The newest messages (see
 * `olderCached`), and with them the conversation's unsent ones.
 */
messages: Array<MessageView>, 
/**
 * The cache holds older messages than these: scrolling up asks for more of them
 * (`open_conversation_at` with `messages`) before asking the cloud (`load_older`).
 */
olderCached: boolean, 
/**
 * The contact's other conversations, latest first.
 */
previous: Array<InboxRow>, csat: number | null, };
export type Country = "AE" | "SA" | "QA" | "KW" | "BH" | "OM";
export type Csat = { average: number | null, 
/**
 * Responses scoring 1, 2, 3, 4 and 5.
 */
distribution: [number, number, number, number, number], responses: number, };
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
export type Day = { 
/**
 * `YYYY-MM-DD`, in the workspace's time zone.
 */
date: string, 
/**
 * ISO weekday, Monday 1 … Sunday 7.
 */
weekday: number, weekend: boolean, hijri: HijriDate | null, opened: number, resolved: number, messagesIn: number, };
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
export type Device = { id: string, agent_id: string, name: string, os: string, signed_in_at: number, last_seen_at: number | null, 
/**
 * The device the request came from.
 */
this_device: boolean, };
export type Digits = "latin" | "arabic_indic";
export type Direction = "ltr" | "rtl";
export type Directory = { me: AgentView | null, agents: Array<AgentView>, teams: Array<TeamView>, labels: Array<LabelView>, canned: Array<CannedView>, 
/**
 * Approved templates only.
 */
templates: Array<TemplateView>, };
export type EntryDirection = "inbound" | "outbound" | "note" | "event";
export type ErasedView = { 
/**
 * Unsent messages of the outbox, written to `unsentFile`.
 */
unsent: number, unsentFile: string | null, };
export type ErrorCode = "invalid_input" | "io" | "not_signed_in" | "not_found" | "unauthorized" | "unreachable" | "insecure_server" | "untrusted_certificate" | "rejected" | "keyring_unavailable" | "passphrase_required" | "wrong_key" | "rate_limited" | "not_allowed" | "internal";
export type ExportOptions = { 
/**
 * Encrypt the file with this passphrase (an age file); none or empty: plain JSON.
 */
passphrase?: string, };
export type ExportedFile = { path: string, };
export type FetchHistory = { from: number, };
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
export type Filters = { channel?: Channel, 
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
export type FirstScreen = { status: SyncStatus, 
/**
 * `null` when no account is open.
 */
page: InboxPage | null, };
export type HandoffReason = "asked" | "keyword" | "unsure" | "model_failed" | "window_closed" | "agent_replied";
export type Heatmap = { 
/**
 * ISO weekdays of the rows, from the week start.
 */
weekdays: Array<number>, 
/**
 * `cells[row][hour]`, hours 0–23 local.
 */
cells: Array<Array<number>>, max: number, };
export type HijriDate = { year: number, 
/**
 * 1 (Muharram) to 12 (Dhu al-Hijjah).
 */
month: number, day: number, };
export type HistoryFetched = { messages: number, 
/**
 * From when the cache now holds every message.
 */
completeFrom: number, };
export type IdentityView = { channel: Channel, externalId: string, };
export type InboxEvent = { "type": "changed", ids: Array<string>, } | { "type": "status", status: SyncStatus, } | { "type": "activity", activity: ActivityView, } | { "type": "historyProgress", fetched: number, } | { "type": "accountChanged", accountId: string, } | { "type": "broadcastsChanged" };
export type InboxPage = { total: number, offset: number, rows: Array<InboxRow>, };
export type InboxQuery = { channel?: Channel, status?: ConversationStatus, 
/**
 * `all` when absent.
 */
view?: ListView, label?: string, 
/**
 * Only this agent's conversations (whatever `view` says about the assignee).
 */
agent?: string, 
/**
 * Only this team's conversations (whatever `view` says about teams).
 */
team?: string, unread?: boolean, 
/**
 * `latest` when absent.
 */
sort?: ListSort, 
/**
 * Rows from this one on (0 is the top of the list).
 */
offset?: number, limit?: number, };
export type InboxRow = { id: string, channel: Channel, contactId: string, contactName: string, 
/**
 * The last message: its kind (the UI names a photo, a place or a contact card in the
 * user's language) and its text. `None` before the first message.
 */
preview: Preview | null, lastMessageAt: number, unread: number, status: ConversationStatus, snoozedUntil: number | null, priority: Priority, assigneeAgentId: string | null, assigneeName: string | null, teamId: string | null, teamName: string | null, labels: Array<LabelView>, 
/**
 * The customer wrote last and waits for an answer.
 */
waiting: boolean, replyWindow: WindowState, 
/**
 * When free text stops being allowed, if the channel has a window.
 */
freeTextUntil: number | null, 
/**
 * The SLA deadline running for the customer's request, as the cloud set it.
 */
sla: SlaView | null, 
/**
 * The assistant's part in the current request: answering it, or handed to a person
 * (`None` once the request is resolved).
 */
ai: AiState | null, };
export type InlineMedia = { contentType: string, 
/**
 * A `data:` URL of the bytes.
 */
dataUrl: string, };
export type IpcError = { code: ErrorCode, message: string, 
/**
 * With `rate_limited`: the seconds to wait.
 */
retry_after_secs: number | null, };
export type LabelView = { id: string, name: string, color: string, };
export type ListFilters = { view: ListView, status: ConversationStatus | null, channel: Channel | null, label: string | null, 
/**
 * A given agent's conversations (views saved before it have none).
 */
agent: string | null, 
/**
 * A given team's conversations.
 */
team: string | null, unread: boolean, sort: ListSort, };
export type ListSort = "latest" | "waiting" | "priority" | "sla_due";
export type ListView = "all" | "mine" | "unassigned" | "my_teams";
export type Locale = "en" | "ar";
export type MediaProblem = "too_large" | "gone" | "corrupt" | "refused" | "provider_down";
export type MergeContacts = { contactId: string, fromContactId: string, };
export type MessageKind = "text" | "template" | "image" | "audio" | "voice" | "video" | "document" | "sticker" | "location" | "contacts" | "reaction" | "reply" | "story_reply" | "unsupported" | "event";
export type MessageStatus = "received" | "pending" | "sent" | "delivered" | "read" | "failed";
export type MessageView = { id: string, direction: EntryDirection, origin: Origin, 
/**
 * Notes are text.
 */
kind: MessageKind, 
/**
 * Customer text: the UI renders it as text only. Empty for events.
 */
text: string, 
/**
 * Events: what happened.
 */
event: ConversationEventKind | null, 
/**
 * The agent who wrote it (outbound, notes) or did it (events).
 */
author: string | null, 
/**
 * Events: the agent or team it concerns (`assigned`).
 */
subject: string | null, 
/**
 * `handed_off` events: why the assistant handed the conversation to a person.
 */
handoff: HandoffReason | null, status: MessageStatus, createdAt: number, error: string | null, 
/**
 * An outbox entry not yet accepted by the cloud (its id is local).
 */
local: boolean, replyTo: QuoteView | null, 
/**
 * The customer's reactions to this message.
 */
reactions: Array<string>, attachment: AttachmentView | null, 
/**
 * A shared location or contact cards, shown as a card.
 */
card: CardView | null, };
export type MuteConversation = { conversationId: string, muted: boolean, };
export type NavigateTo = { conversationId: string, 
/**
 * The signed-in account it belongs to, when it is not necessarily the window's (a
 * notification of an account syncing in the background).
 */
accountId: string | null, };
export type NewBroadcastArgs = { name: string, templateId: string, params: Array<TemplateParam>, audience: Audience, 
/**
 * A wall-clock time in the workspace's zone (`2026-12-05T10:00`); absent: now.
 */
sendAt?: string, };
export type NotificationSettings = { enabled: boolean, 
/**
 * Show who wrote but not what (privacy).
 */
hidePreviews: boolean, 
/**
 * Show what customers wrote in unassigned conversations too (off: an anonymous Web Chat
 * visitor's words do not reach the screen unless chosen).
 */
previewsUnassigned: boolean, sound: boolean, 
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
export type OpenAccount = { id: string, passphrase?: string, };
export type OpenAt = { conversationId: string, messageId?: string, messages?: number, };
export type Origin = "human" | "bot" | "ai" | "system";
export type Presence = "online" | "away" | "offline";
export type Preview = { kind: MessageKind, 
/**
 * At most [`PREVIEW_CHARS`] characters.
 */
text: string, };
export type Priority = "low" | "normal" | "high" | "urgent";
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
export type QuietHours = { from: number, to: number, };
export type QuoteView = { id: string, text: string, };
export type Range = { "kind": "today" } | { "kind": "last7" } | { "kind": "last30" } | { "kind": "last90" } | { "kind": "this_week" } | { "kind": "custom", from: string, to: string, };
export type ReportActivity = { conversationId: string, kind: ActivityKind | null, };
export type Role = "agent" | "supervisor" | "admin";
export type SaveAttachment = { id: string, 
/**
 * The name the customer's file had; cleaned before use.
 */
filename?: string, };
export type SavedView = { name: string, query: ListFilters, };
export type SearchKind = "message" | "contact" | "note";
export type SearchQuery = { text: string, 
/**
 * The list's query: only its conversations (and their customers and notes).
 */
within?: InboxQuery, 
/**
 * Only messages and notes of the last this many days (customers are found whatever
 * the period).
 */
days?: number, };
export type SearchResult = { kind: SearchKind, id: string, conversationId: string | null, contactName: string, snippet: Array<SnippetPart>, 
/**
 * When the message or note was written (Unix ms); contacts have none.
 */
at: number | null, };
export type SendAttachment = { conversationId: string, filename: string, 
/**
 * The file's bytes, base64.
 */
dataBase64: string, caption?: string, };
export type SendTemplate = { conversationId: string, templateId: string, params: Array<string>, };
export type SendText = { conversationId: string, text: string, 
/**
 * The message this one answers (quoted above it).
 */
replyTo?: string, };
export type SendVoiceNote = { conversationId: string, 
/**
 * The samples, base64.
 */
pcmBase64: string, sampleRate: number, };
export type SetAssistantSettings = { modelTextAllowed: boolean, baseUrl: string | null, model: string | null, autoReplyChannels: Array<Channel>, arabiziReply: ArabiziReply, handoffKeywords: Array<string>, 
/**
 * A new key; absent keeps the stored one.
 */
apiKey?: string, };
export type Settings = { 
/**
 * The chosen UI language; `null` follows the OS.
 */
locale: Locale | null, theme: ThemePreference, 
/**
 * How many days of history the local cache keeps; older messages are
 * fetched from the cloud when scrolled to.
 */
historyDays: number, notifications: NotificationSettings, desktop: DesktopSettings, analytics: AnalyticsSettings, };
export type SettingsPatch = { 
/**
 * A shipped locale tag (`"en"`, `"ar"`) or `"system"`.
 */
locale?: string, theme?: ThemePreference, historyDays?: number, };
export type SignIn = { server: string, email: string, password: string, 
/**
 * Protect the cache with this passphrase instead of the OS keyring.
 */
passphrase?: string, };
export type SignOut = { 
/**
 * Also delete this account's cache, attachments and keys.
 */
wipe: boolean, };
export type SlaTarget = "first_response" | "resolution";
export type SlaView = { target: SlaTarget, dueAt: number, 
/**
 * When the request was made: the UI warns in the last quarter of the time given.
 */
startedAt: number, };
export type SnippetPart = { text: string, hit: boolean, };
export type SplitContact = { contactId: string, channel: Channel, externalId: string, };
export type SuggestionView = { text: string, language: string, 
/**
 * Written by the workspace's language model (not a canned response or a past reply).
 */
byModel: boolean, };
export type SummaryArgs = { conversationId: string, 
/**
 * Ask the cloud for a new one; otherwise the kept one (or none).
 */
refresh: boolean, };
export type SummaryView = { text: string, 
/**
 * The model that wrote it, or `extractive-v1`: the customer's own words, quoted.
 */
model: string, 
/**
 * Written by a language model.
 */
ai: boolean, generatedAt: number, messages: number, 
/**
 * Messages arrived since it was written.
 */
stale: boolean, };
export type SyncPhase = "signed_out" | "bootstrapping" | "syncing" | "online" | "offline" | "erased";
export type SyncStatus = { state: SyncPhase, account: string | null, lastSyncAt: number | null, error: string | null, 
/**
 * Changes applied so far while bootstrapping.
 */
applied: number, 
/**
 * Changes the initial sync holds in all, when known.
 */
total: number | null, 
/**
 * With `erased`: what was kept for the agent.
 */
erased: ErasedView | null, };
export type Targets = { firstResponseMinutes: number, resolutionHours: number, };
export type TeamView = { id: string, name: string, };
export type TemplateParam = { "type": "text", value: string, } | { "type": "contact_name" } | { "type": "attribute", key: string, default: string, };
export type TemplateView = { id: string, channel: Channel, name: string, language: string, category: string, 
/**
 * With `{{1}}`, `{{2}}` placeholders.
 */
body: string, params: number, };
export type ThemePreference = "system" | "light" | "dark";
export type Unit = "count" | "duration" | "percent" | "score";
export type UpdateContact = { contactId: string, name?: string, language?: string, email?: string, attributes: { [key in string]: string | null }, };
export type UpdateFailure = "check" | "download" | "signature" | "install";
export type UpdatePhase = "idle" | "checking" | "downloading" | "installing";
export type UpdateUnavailable = "from_source" | "unsigned";
export type UpdateView = { currentVersion: string, 
/**
 * Why this copy cannot update itself; `None` when it can.
 */
unavailable: UpdateUnavailable | null, phase: UpdatePhase, available: AvailableUpdate | null, 
/**
 * The last check that reached the cloud (Unix ms).
 */
checkedAt: number | null, 
/**
 * Downloaded so far, 0 to 1, while downloading.
 */
progress: number | null, failure: UpdateFailure | null, };
export type WindowState = "none" | "open" | "closing" | "closed";
export type WindowView = { freeTextUntil: number | null, humanAgentUntil: number | null, 
/**
 * Until when the agent may answer with text or a file: the free-text window, or the
 * HUMAN_AGENT window where it is later (Messenger, Instagram). `null`: no window.
 */
replyUntil: number | null, templatesAllowed: boolean, };

/** Every backend command: its argument (or `null`) and its result. */
export type Commands = {
  app_info: { args: null; result: AppInfo };
  get_settings: { args: null; result: Settings };
  update_settings: { args: SettingsPatch; result: Settings };
  start_demo: { args: null; result: SyncStatus };
  sync_status: { args: null; result: SyncStatus };
  inbox_list: { args: InboxQuery; result: InboxPage };
  first_screen: { args: InboxQuery; result: FirstScreen };
  inbox_rows: { args: Array<string>; result: Array<InboxRow> };
  open_conversation: { args: string; result: ConversationView };
  open_conversation_at: { args: OpenAt; result: ConversationView };
  send_text: { args: SendText; result: null };
  search: { args: SearchQuery; result: Array<SearchResult> };
  directory: { args: null; result: Directory };
  conversation_action: { args: ConversationAction; result: null };
  add_note: { args: AddNote; result: null };
  update_contact: { args: UpdateContact; result: null };
  merge_contacts: { args: MergeContacts; result: null };
  split_contact: { args: SplitContact; result: null };
  send_template: { args: SendTemplate; result: null };
  retry_message: { args: string; result: null };
  discard_message: { args: string; result: null };
  suggestions: { args: string; result: Array<SuggestionView> };
  conversation_summary: { args: SummaryArgs; result: SummaryView | null };
  assistant_settings: { args: null; result: AssistantSettingsView };
  set_assistant_settings: { args: SetAssistantSettings; result: AssistantSettingsView };
  broadcasts: { args: null; result: Array<BroadcastView> };
  create_broadcast: { args: NewBroadcastArgs; result: BroadcastView };
  mark_read: { args: string; result: null };
  report_activity: { args: ReportActivity; result: null };
  mark_unread: { args: string; result: null };
  load_older: { args: string; result: boolean };
  saved_views: { args: null; result: Array<SavedView> };
  save_view: { args: SavedView; result: Array<SavedView> };
  delete_view: { args: string; result: Array<SavedView> };
  accounts: { args: null; result: Array<AccountView> };
  sign_in: { args: SignIn; result: SyncStatus };
  open_account: { args: OpenAccount; result: SyncStatus };
  sign_out: { args: SignOut; result: null };
  export_data: { args: ExportOptions; result: string };
  wipe_cache: { args: null; result: SyncStatus };
  devices: { args: null; result: Array<Device> };
  revoke_device: { args: string; result: Array<Device> };
  inline_media: { args: string; result: InlineMedia };
  save_attachment: { args: SaveAttachment; result: string };
  open_link: { args: string; result: null };
  send_attachment: { args: SendAttachment; result: null };
  send_voice_note: { args: SendVoiceNote; result: null };
  ui_ready: { args: string; result: null };
  show_window: { args: null; result: null };
  update_notification_settings: { args: NotificationSettings; result: Settings };
  update_desktop_settings: { args: DesktopSettings; result: Settings };
  update_analytics_settings: { args: AnalyticsSettings; result: Settings };
  mute_conversation: { args: MuteConversation; result: Settings };
  analytics: { args: Query; result: AnalyticsView };
  export_analytics_csv: { args: Query; result: ExportedFile };
  fetch_history: { args: FetchHistory; result: HistoryFetched };
  update_status: { args: null; result: UpdateView };
  check_for_update: { args: null; result: UpdateView };
  install_update: { args: null; result: null };
};

/** Every backend event and its payload. */
export type Events = {
  "settings-changed": Settings;
  "inbox": InboxEvent;
  "navigate": NavigateTo;
  "update": UpdateView;
};

export const COMMAND_NAMES = [
  "app_info",
  "get_settings",
  "update_settings",
  "start_demo",
  "sync_status",
  "inbox_list",
  "first_screen",
  "inbox_rows",
  "open_conversation",
  "open_conversation_at",
  "send_text",
  "search",
  "directory",
  "conversation_action",
  "add_note",
  "update_contact",
  "merge_contacts",
  "split_contact",
  "send_template",
  "retry_message",
  "discard_message",
  "suggestions",
  "conversation_summary",
  "assistant_settings",
  "set_assistant_settings",
  "broadcasts",
  "create_broadcast",
  "mark_read",
  "report_activity",
  "mark_unread",
  "load_older",
  "saved_views",
  "save_view",
  "delete_view",
  "accounts",
  "sign_in",
  "open_account",
  "sign_out",
  "export_data",
  "wipe_cache",
  "devices",
  "revoke_device",
  "inline_media",
  "save_attachment",
  "open_link",
  "send_attachment",
  "send_voice_note",
  "ui_ready",
  "show_window",
  "update_notification_settings",
  "update_desktop_settings",
  "update_analytics_settings",
  "mute_conversation",
  "analytics",
  "export_analytics_csv",
  "fetch_history",
  "update_status",
  "check_for_update",
  "install_update",
] as const;

/** Every channel, in the order the app lists them. */
export const CHANNELS: readonly Channel[] = [
  "whatsapp",
  "messenger",
  "instagram",
  "telegram",
  "tiktok",
  "webchat",
];

/** Every priority, lowest first. */
export const PRIORITIES: readonly Priority[] = [
  "low",
  "normal",
  "high",
  "urgent",
];

/** Every conversation status. */
export const STATUSES: readonly ConversationStatus[] = [
  "open",
  "pending",
  "snoozed",
  "resolved",
];

/** Every order of the conversation list. */
export const SORTS: readonly ListSort[] = [
  "latest",
  "waiting",
  "priority",
  "sla_due",
];
