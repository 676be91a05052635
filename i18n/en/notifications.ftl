### Native notifications, the tray, presence and their settings.

## Notifications (shown by the OS: no markup)
notify-messages-title = { $count ->
    [one] New message from { $name }
   *[other] { $count } new messages from { $name }
  }
notify-burst-title = { $count ->
    [one] One new message
   *[other] { $count } new messages
  }
notify-burst-body = { $customers ->
    [one] From one customer
   *[other] From { $customers } customers
  }
notify-preview-hidden = Open Stepup to read it
notify-assigned-title = Assigned to you
notify-assigned-body = Conversation with { $name }
notify-mention-title = { $author } mentioned you
notify-mention-body = In the conversation with { $name }
notify-failed-title = Message not sent
notify-failed-body = To { $name }. Open the conversation to try again.
notify-action-open = Open

## Tray
tray-tooltip = { $count ->
    [one] Stepup: one unread message
   *[other] Stepup: { $count } unread messages
  }
tray-open = Open Stepup
tray-availability = Availability
tray-dnd = Do not disturb
tray-quit = Quit Stepup
window-title-unread = ({ $count }) Stepup

## Availability
presence-online = Online
presence-away = Away
presence-offline = Offline

## Settings → Notifications
settings-notifications = Notifications
notifications-enabled = Show notifications
notifications-hide-previews = Hide message text in notifications
notifications-previews-unassigned = Show message text for unassigned conversations
notifications-previews-unassigned-hint = Off unless you choose: anyone, such as a website visitor, can write into an unassigned conversation.
notifications-sound = Play a sound
notifications-dnd = Do not disturb
notifications-dnd-schedule = Do not disturb every day
notifications-dnd-from = From
notifications-dnd-to = To
notifications-muted = { $count ->
    [one] One muted conversation
   *[other] { $count } muted conversations
  }
notifications-unmute-all = Unmute all
settings-desktop = Desktop
desktop-close-to-tray = Keep running in the tray when the window closes
desktop-start-at-login = Start Stepup when I sign in to this computer
desktop-availability = Availability
desktop-away-after = Away after this many idle minutes
