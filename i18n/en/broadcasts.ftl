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
