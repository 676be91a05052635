### Stepup Desktop: the app shell (window, navigation, language, theme).

app-name = Stepup
app-tagline = Every customer conversation, one inbox
window-title = Stepup

## Navigation
nav-label = Main navigation
nav-inbox = Inbox
nav-analytics = Analytics
nav-broadcasts = Broadcasts
nav-settings = Settings

## Language switch (each language is named in its own script on purpose)
language-label = Language
language-system = Follow the system
language-en = English
language-ar = العربية
language-switch-to = { $target ->
   *[ar] Switch to Arabic
    [en] Switch to English
  }

## Theme
theme-label = Theme
theme-system = Follow the system
theme-light = Light
theme-dark = Dark

## Screens the next releases fill
inbox-title = Inbox
inbox-empty-title = No conversations yet
inbox-empty-body = Conversations from WhatsApp, Instagram, Messenger, Telegram, TikTok and Web Chat will appear here.
inbox-open-count = { $count ->
    [one] One open conversation
   *[other] { $count } open conversations
  }
analytics-title = Analytics
analytics-empty-body = Team performance, computed on this computer from the encrypted cache, will appear here.
settings-title = Settings
settings-general = General
settings-about = About

## About
about-version = Version { $version }
about-data-dir = Local data folder
about-locale = Interface language

## Updates of the app
# The quiet button in the app bar once an update is ready.
update-ready = Update ready: { $version }
update-title = Stepup { $version } is ready
update-current = You have { $version }.
update-size = { $mb } MB
update-whats-new = What's new
update-install = Install and restart
update-later = Later
update-replying = Send or clear the reply you are writing first: Stepup restarts to install.
update-downloading = Downloading… { $percent }%
update-installing = Installing… Stepup will start again.
update-failed-check = Could not check for updates. Try again when you are online.
update-failed-download = The update did not download completely. Try again.
update-failed-signature = Update { $version } was refused: it is not signed by Stepup. Nothing was installed.
update-failed-install = The update did not install. Stepup is unchanged; try again.
update-status-current = Stepup is up to date.
update-status-available = Version { $version } is ready to install.
update-status-checking = Checking for updates…
update-status-from-source = This copy was built from source: update it the way it was built.
update-status-unsigned = This build has no update key, so it cannot update itself.
update-check = Check for updates
update-show = See what's new

## Errors the app can show
error-title = Something went wrong
error-invalid-input = That value is not accepted: { $detail }
error-io = The app could not read or write its files: { $detail }
error-internal = An unexpected error occurred: { $detail }
error-unavailable = This works in the desktop app only.
error-dismiss = Dismiss
error-rate-limited = Too many attempts; wait a moment and try again.
error-not-allowed = Your workspace does not allow this for your role. Ask an admin.
# $when is a relative time such as "in 2 minutes".
signin-rate-limited = Too many sign-in attempts. Try again { $when }.

## Settings: accounts and privacy
settings-accounts = Accounts
settings-privacy = Privacy and data
account-active = In use
account-switch = Switch
account-none = No account on this computer yet.
account-demo = The demo workspace (nothing of it is kept).
account-add = Add an account
signin-adding = Add another account; the one in use stays signed in.
account-switcher = Account
account-switch-option = { $name } · { $workspace } ({ $unread } unread)
account-sign-out = Sign out
account-sign-out-wipe = Sign out and wipe this computer's copy
account-sign-out-wipe-confirm = This deletes this account's local cache, its attachments and its keys from this computer. Unsent messages are lost.
privacy-history = History kept on this computer
privacy-history-days = { $days ->
    [one] One day
   *[other] { $days } days
  }
privacy-history-hint = Older messages stay in the cloud and load when you scroll to them. Applies the next time the account opens.
privacy-export = Export my data (JSON)
privacy-exported = Saved to
privacy-wipe = Wipe the local cache
privacy-wipe-confirm = Everything synced is deleted from this computer and downloaded again. Unsent messages stay queued.
privacy-export-not-allowed = Your workspace does not allow exporting data for your role. Ask an admin.
privacy-export-encrypt = Encrypt the file with a passphrase
privacy-export-passphrase = Passphrase for the file
# $command is privacy-export-passphrase-command, shown as code.
privacy-export-passphrase-hint = At least 8 characters. Open the file with the age tool: { $command }. Without the passphrase nobody can read it, not even us.
# A command line, shown left to right: keep "age -d"; FILE stands for the exported file.
privacy-export-passphrase-command = age -d FILE
privacy-export-passphrase-too-short = The passphrase must have at least 8 characters.

## Settings: the devices signed in to the account
settings-devices = Signed-in devices
devices-this = This computer
devices-unnamed = Unnamed device
# $when is a relative time such as "5 minutes ago" or "yesterday".
devices-last-active = Last active { $when }
# When the device has not been seen since it signed in; $when as above.
devices-signed-in = Signed in { $when }
devices-sign-out = Sign out
devices-sign-out-confirm = Sign out { $name }? Its copy of the inbox will be erased the next time it connects.
devices-none = No devices are signed in.
devices-offline = Devices can be managed when you are online.

## The workspace signed this computer out and its copy of the account was erased
erased-title = This computer was signed out
# $account is the account's email address.
erased-body = Your workspace signed this computer out of { $account }. Its conversations, files and keys were erased from it.
erased-body-no-account = Your workspace signed this computer out. Its conversations, files and keys were erased from it.
erased-why = This happens when you or an admin sign this computer out from another device, or when your account is removed from the workspace.
# $file is the path of the file the unsent messages were written to.
erased-unsent = { $count ->
    [one] One unsent message was saved to { $file }
   *[other] { $count } unsent messages were saved to { $file }
  }
erased-sign-in = Sign in again

## Settings → the workspace's AI assistant (admins).
assistant-settings = AI assistant
assistant-settings-offline = Offline: the assistant's settings are kept on the cloud. Try again when connected.
assistant-settings-allowed = Customers' messages may be sent to a language model
assistant-settings-allowed-hint = Off, nothing of a conversation leaves Stepup: the assistant answers from your canned responses only, and summaries quote the customer. Every call to a model is recorded without its content.
assistant-settings-url = Model server (OpenAI-compatible API)
assistant-settings-url-example = https://api.example.com/v1
assistant-settings-model = Model
assistant-settings-key = API key
assistant-settings-key-set = A key is stored; type a new one to replace it
assistant-settings-channels = Answers new customers itself on
assistant-settings-arabizi = Customers who write Arabic in Latin letters get answers
assistant-settings-arabizi-arabic = In Arabic script
assistant-settings-arabizi-as-written = As they wrote
assistant-settings-keywords = Words that hand a customer to the team (one per line)
assistant-settings-save = Save
assistant-settings-saved = Saved
