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
kind-event = Timeline
event-assigned = Assigned
event-unassigned = Unassigned
event-resolved = Resolved
event-reopened = Reopened
event-snoozed = Snoozed
event-window_closed = Reply window closed

composer-placeholder = Write a reply (Enter sends, Shift+Enter adds a line)
composer-send = Send

error-not-signed-in = Sign in, or try the demo, first.
error-not-found = This conversation is no longer in the local cache.

search-placeholder = Search messages, customers and notes
search-none = Nothing found in this computer's cache.
search-kind-message = Message
search-kind-contact = Customer
search-kind-note = Note
