### The inbox: list, conversation, composer, sync state.

inbox-try-demo = Try the demo
inbox-demo-starting = Starting the demo…
inbox-select = Choose a conversation to read and reply.
inbox-no-match = No conversations here.
inbox-all-channels = All
inbox-filter-channel = Filter by channel
inbox-unread = { $count ->
    [one] One unread message
   *[other] { $count } unread messages
  }

channel-whatsapp = WhatsApp
channel-instagram = Instagram
channel-messenger = Messenger
channel-telegram = Telegram
channel-tiktok = TikTok
channel-webchat = Web Chat

status-open = Open
status-pending = Pending
status-snoozed = Snoozed
status-resolved = Resolved

window-closing = Window closing
window-closed = Window closed

sync-signed_out = Not signed in
sync-bootstrapping = Downloading conversations…
sync-syncing = Syncing…
sync-online = Up to date
sync-offline = Offline
sync-erased = Signed out by the workspace

delivery-received = Received
delivery-pending = Sending…
delivery-sent = Sent
delivery-delivered = Delivered
delivery-read = Read
delivery-failed = Not sent

kind-template = Template
kind-image = Photo
kind-audio = Audio
kind-voice = Voice note
kind-video = Video
kind-document = Document
kind-sticker = Sticker
kind-location = Location
kind-contacts = Contact card
kind-reaction = Reaction
kind-reply = Button reply
kind-story_reply = Story reply
kind-unsupported = Unsupported message

composer-placeholder = Write a reply (Enter sends, Shift+Enter adds a line)
composer-send = Send

error-not-signed-in = Sign in, or try the demo, first.
error-not-found = This conversation is no longer in the local cache.

search-placeholder = Search messages, customers and notes
search-in-list = Only in this list
search-none = Nothing found in this computer's cache.
search-period = Period
search-period-any = Any time
search-period-week = Last 7 days
search-period-month = Last 30 days
search-period-year = Last 12 months
search-group-message = { $count ->
    [one] One message
   *[other] { $count } messages
  }
search-group-contact = { $count ->
    [one] One customer
   *[other] { $count } customers
  }
search-group-note = { $count ->
    [one] One note
   *[other] { $count } notes
  }

## Start: sign in, accounts, demo
signin-title = Sign in to Stepup
signin-accounts = Accounts on this computer
signin-server = Server address
signin-email = Email
signin-password = Password
signin-use-passphrase = Protect the local cache with a passphrase instead of the system keyring
signin-passphrase = Passphrase for the local cache
signin-passphrase-hint = At least 8 characters. It is never stored; you enter it when the app starts.
signin-submit = Sign in
signin-unlock = Unlock
signin-demo-body = No account yet? Explore a demo shop with conversations on all six channels.
signin-wrong-password = The email or password is wrong.
signin-unreachable = The server cannot be reached. Check the address and your connection.
signin-insecure = This address starts with { $plain }, which would send your password and messages unencrypted. Use the { $secure } address of your Stepup cloud.
signin-untrusted-certificate = This computer does not trust the server's certificate. If your company uses its own certificate authority, ask your administrator to install it on this computer.
signin-no-keyring = This computer has no usable keyring. Choose a passphrase to protect the local cache.
signin-wrong-key = The local cache cannot be opened with this key. Sign out and wipe it, then sign in again.

## The list
inbox-count = { $count ->
    [one] One conversation
   *[other] { $count } conversations
  }
inbox-help-hint = Press ? for keyboard shortcuts, Ctrl+K for the command palette.
view-label = Views
view-all = All
view-mine = Mine
view-unassigned = Unassigned
view-my_teams = My teams
status-label = Status
status-any = Any status
status-change = Change status…
labels-title = Labels
labels-any = Any label
sort-label = Sort
sort-latest = Latest first
sort-waiting = Waiting longest
sort-priority = Most urgent first
sort-sla_due = SLA deadline first
filter-assignee = Assigned to
filter-assignee-any = Any agent or team
filter-unread = Unread
filters = Filters
filters-count = { $count ->
    [one] One filter on
   *[other] { $count } filters on
  }
filters-active = Active filters
filter-remove = Remove the filter “{ $name }”
filters-clear = Clear all
filter-label-unknown = A label no longer in use
filter-assignee-unknown = Someone no longer in the team
views-saved = Saved views
views-save = Save view
views-save-placeholder = Name this view
views-delete = Delete the saved view “{ $name }”
views-delete-short = Delete view
assignee = Assignee
assignee-nobody = Unassigned
assignee-me = Me
assignee-agents = Agents
assignee-teams = Teams
priority-label = Priority
priority-low = Low
priority-normal = Normal
priority-high = High
priority-urgent = Urgent

## Sync state
sync-progress = Syncing { $percent }%
offline-since = Offline. Showing what was synced at { $time }; replies are queued and sent when the connection returns.
offline-never = Offline, and nothing is synced yet. Replies are queued.

## The conversation
action-resolve = Resolve
action-reopen = Reopen
snooze-hours = { $hours ->
    [one] Snooze for an hour
   *[other] Snooze for { $hours } hours
  }
snooze-tomorrow = Snooze until tomorrow morning
snooze-custom = Snooze until…
snooze-until = Snooze until
snooze-confirm = Snooze
snooze-in-past = Choose a time after now.
action-mark-unread = Mark unread
action-cancel = Cancel
conversation-more = More
card-open-map = Open the map
day-today = Today
day-yesterday = Yesterday
note-private = Private note
origin-ai = AI
origin-bot = Bot
quote-unavailable = An earlier message
message-show-whole = Show the whole message
reactions = Reactions
message-reply = Reply
message-retry = Retry
message-discard = Discard
event-system = The system
event-assigned = { $actor } assigned this to { $subject }
event-unassigned = { $actor } unassigned this conversation
event-resolved = { $actor } resolved this conversation
event-reopened = { $actor } reopened this conversation
event-snoozed = { $actor } snoozed this conversation
event-window_closed = The reply window closed
event-ai_answering = The assistant is answering this customer
event-handed_off = { $reason ->
    [asked] The assistant handed this to the team: the customer asked for a person
    [keyword] The assistant handed this to the team: the customer wrote a hand-off word
    [unsure] The assistant handed this to the team: what it knows does not answer this
    [model_failed] The assistant handed this to the team: the model gave no usable answer
    [window_closed] The assistant handed this to the team: the reply window is closed
   *[agent_replied] The assistant stepped back: an agent replied
}
kind-note = Note
kind-event = Event

## Composer
composer-reply = Reply
composer-note = Private note
composer-note-placeholder = Write a note for your team; @ mentions a colleague
composer-add-note = Add note
composer-replying-to = Replying to
composer-cancel = Cancel
window-left = Reply window: { $hours } h { $minutes } min left
window-left-human-agent = Human-agent reply window (7 days): { $hours } h { $minutes } min left
window-closed-templates = The 24-hour window has closed. Only an approved template can be sent until the customer writes again.
window-closed-wait = The reply window has closed. You can reply once the customer writes again.
templates-none = No approved templates for this channel.
templates-choose = Choose a template
templates-param = Value { $n }
templates-send = Send template
suggestions-label = Suggested replies
canned-title = Canned responses
canned-none = No canned response matches.
mention-title = Mention a colleague

## Contact panel
contact-title = Customer
contact-show = Show or hide the customer’s details
timeline-label = Messages
announce-message = New message from { $name } on { $channel }
contact-phone = Phone
contact-language = Language
contact-csat = Satisfaction
contact-csat-value = { $score } of 5
contact-identities = On each channel
contact-previous = Other conversations, every channel
contact-previous-none = None
contact-notes = Notes
contact-notes-none = No notes yet
contact-name = Name
contact-email = Email
contact-language-unknown = Not known
contact-edit = Edit
contact-save = Save
contact-cancel = Cancel
contact-attributes = Details
contact-attribute-name = Detail (e.g. city)
contact-attribute-value = Value
contact-attribute-add = Add
contact-attribute-remove = Remove { $name }
contact-split = Split off
contact-split-confirm = Make a separate customer
contact-merge = Same person as another customer?
contact-merge-hint = Merging brings their channels, conversations and details into this customer. Every agent sees the change.
contact-merge-search = Search customers by name or number
contact-merge-none = No other customer matches.
contact-merge-confirm = Merge { $other } into { $name }?
contact-merge-do = Merge

## Keyboard
shortcuts-title = Keyboard shortcuts
palette-title = Command palette
palette-placeholder = Type a customer's name or an action
palette-none = Nothing matches.
palette-go = Go to { $screen }
dialog-close = Close
shortcut-next = Next conversation
shortcut-previous = Previous conversation
shortcut-reply = Reply
shortcut-note = Write a private note
shortcut-assign-me = Assign to me
shortcut-resolve = Resolve
shortcut-unread = Mark unread
shortcut-search = Search
shortcut-palette = Command palette
shortcut-help = Show the shortcuts
shortcut-send = Send
shortcut-newline = New line
shortcut-canned = Canned responses (at the start of a reply)

## Errors
error-unauthorized = The email or password is wrong.
error-unreachable = The server cannot be reached; nothing was changed. Try again when you are online. ({ $detail })
error-rejected = The server refused: { $detail }
error-insecure-server = Plain http:// is only for this computer's own address; use https://. ({ $detail })
error-untrusted-certificate = The server's certificate is not trusted: { $detail }
error-keyring-unavailable = The system keyring is not available: { $detail }
error-passphrase-required = Enter this account's passphrase.
error-wrong-key = The local cache cannot be opened with this key: wipe it and sync again.

## Attachments and links
media-view = View the image
media-save = Save to Downloads
media-saved = Saved to
media-unavailable = The file is not available yet.
media-failed-too-large = The customer's file is too large to fetch from the channel.
media-failed-gone = The channel no longer has this file.
media-failed-corrupt = The file arrived damaged from the channel and was not kept.
media-failed-refused = The file's link points to a private address; it was not fetched.
media-failed-provider-down = The channel kept failing to send this file; it was tried several times.
link-title = Open this link?
link-body = A customer sent this link. Check the address before opening it in your browser.
link-open = Open in browser
link-site = Opens the site
link-address = Full address
link-warning-alphabet = This address holds letters from other alphabets: it opens { $host }. Make sure that is the site the customer meant.
link-warning-mismatch = This address is not the one the text shows: it opens { $host }.
link-warning-both = This address holds letters from other alphabets and is not the one the text shows: it opens { $host }.
link-invalid = This link cannot be opened: only web addresses (http or https) open from messages.
composer-attach = Attach a file (or paste or drop one here)
composer-uploading = Sending the file…
voice-record = Record a voice note (hold while you speak, or select to start and again to stop)
voice-recording = Recording
voice-hint-hold = Release to stop · Esc to cancel
voice-hint-tap = Select Stop when you are done · Esc to cancel
voice-level = Microphone level
voice-stop = Stop
voice-cancel = Cancel
voice-preview = Listen before sending
voice-send = Send voice note
voice-discard = Discard
voice-sending = Sending the voice note…
voice-unsupported = Voice notes cannot be recorded in this window.
voice-blocked = Microphone access is blocked. Allow it for Stepup in your system settings, then try again.
voice-none = No microphone was found. Connect one and try again.
voice-busy = The microphone is in use by another app. Close it and try again.
voice-failed = The microphone could not be started.
voice-short = Too short to send: hold the button while you speak.
voice-dismiss = Dismiss
conversation-mute = Mute
conversation-unmute = Unmute

## Another agent in the same conversation (viewing, typing).
activity-typing = Typing now: { $names }
activity-viewing = Viewing now: { $names }
collision-warning = { $names } is answering this customer right now. Send yours as well?
collision-send = Send anyway
collision-wait = Wait

# SLA deadlines the workspace's policy set, counted down on rows and in the header.
sla-first_response-due = Reply due in { $duration }
sla-first_response-overdue = Reply overdue by { $duration }
sla-resolution-due = Resolve within { $duration }
sla-resolution-overdue = Resolution overdue by { $duration }
sla-duration = { $span ->
    [minutes] { $minutes } min
    [hours] { $hours } h { $minutes } min
    [days] { $days } d
   *[days-hours] { $days } d { $hours } h
}
sla-title = SLA deadline at { $time }

## The assistant: who is answering, and its summary of a conversation (never sent).
ai-answering = AI answering
ai-answering-title = The assistant is answering this customer. Your reply takes the conversation over.
summary-title = Summary
summary-button = Summarize
summary-show = Show summary
summary-refresh = Summarize again
summary-busy = Summarizing…
summary-hide = Hide
summary-by-ai = AI summary
summary-extractive = In the customer's words
summary-meta = { $count ->
    [one] Of { $count } message, { $time }
   *[other] Of { $count } messages, { $time }
}
summary-stale = New messages since
summary-offline = Offline: the summary kept on this computer is shown. Try again when connected.
