### Broadcasts: one approved WhatsApp template sent to many customers, and its report.

broadcasts-title = Broadcasts
broadcasts-hint = Approved WhatsApp templates sent to a list of customers. Customers who wrote “STOP” or «إيقاف» are never sent to. Replies come to the inbox.
broadcasts-none = No broadcasts yet.
broadcast-state-scheduled = Scheduled
broadcast-state-sending = Sending
broadcast-state-done = Sent
broadcast-state-cancelled = Cancelled
# $template is the template's name, $language its language code, $when the time it goes out.
broadcast-meta = { $template } ({ $language }) · { $when } · { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}
broadcast-sent = Sent
broadcast-delivered = Delivered
broadcast-read = Read
broadcast-replied = Replied
broadcast-failed = Failed
broadcast-queued = Waiting
broadcast-opted-out = Opted out

## A new broadcast (supervisors and admins).
broadcast-new = New broadcast
broadcast-new-name = Name (only your team sees it)
broadcast-new-template = Approved WhatsApp template
broadcast-new-template-pick = Choose a template
broadcast-new-param = Parameter { $n }
broadcast-new-param-name = The customer's name
broadcast-new-param-text = This text
broadcast-new-audience = Who receives it
broadcast-new-label = Label
broadcast-new-anyone = Anyone
broadcast-new-language = Language
broadcast-new-language-ar = Arabic
broadcast-new-language-en = English
broadcast-new-last = Last contact
broadcast-new-anytime = Any time
broadcast-new-last-days = { $days ->
    [one] In the last day
   *[other] In the last { $days } days
}
broadcast-new-when = When
broadcast-new-now = Now
broadcast-new-later = At (the shop's local time)
broadcast-new-send = Send now
broadcast-new-schedule = Schedule
broadcast-new-offline = Offline: broadcasts are scheduled on the cloud. Try again when connected.
