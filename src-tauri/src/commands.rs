//! The app's commands. Each delegates to [`stepup_app::App`] in one line;
//! names and types are declared in `crates/app/src/ipc.rs`, which generates
//! the UI's TypeScript bindings.

use stepup_app::{
    App, AppInfo, DesktopSettings, IpcError, NotificationSettings, Settings, SettingsPatch,
    accounts::{AccountView, OpenAccount, SignIn, SignOut},
    actions::{AddNote, ConversationAction, SendTemplate, SuggestionView},
    analytics::{AnalyticsView, ExportedFile},
    inbox::{
        ConversationView, Directory, FirstScreen, InboxPage, InboxQuery, InboxRow, SearchResult,
        SendText, SyncStatus,
    },
    media::{InlineMedia, SaveAttachment, SendAttachment},
    notifications::MuteConversation,
    saved_views::SavedView,
    settings::AnalyticsSettings,
};
use tauri::State;

type Result<T> = std::result::Result<T, IpcError>;

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn app_info(app: State<'_, App>) -> Result<AppInfo> {
    Ok(app.app_info())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn get_settings(app: State<'_, App>) -> Result<Settings> {
    Ok(app.settings())
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn update_settings(app: State<'_, App>, args: SettingsPatch) -> Result<Settings> {
    app.update_settings(args).map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn start_demo(app: State<'_, App>) -> Result<SyncStatus> {
    app.start_demo().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn sync_status(app: State<'_, App>) -> Result<SyncStatus> {
    Ok(app.sync_status_when_started().await)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn inbox_list(app: State<'_, App>, args: InboxQuery) -> Result<InboxPage> {
    app.inbox_list(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn first_screen(app: State<'_, App>, args: InboxQuery) -> Result<FirstScreen> {
    app.first_screen(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn open_conversation(app: State<'_, App>, args: String) -> Result<ConversationView> {
    app.open_conversation(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn send_text(app: State<'_, App>, args: SendText) -> Result<()> {
    app.send_text(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn search(app: State<'_, App>, args: String) -> Result<Vec<SearchResult>> {
    app.search(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn directory(app: State<'_, App>) -> Result<Directory> {
    app.directory().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn conversation_action(app: State<'_, App>, args: ConversationAction) -> Result<()> {
    app.conversation_action(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn add_note(app: State<'_, App>, args: AddNote) -> Result<()> {
    app.add_note(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn send_template(app: State<'_, App>, args: SendTemplate) -> Result<()> {
    app.send_template(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn retry_message(app: State<'_, App>, args: String) -> Result<()> {
    app.retry_message(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn discard_message(app: State<'_, App>, args: String) -> Result<()> {
    app.discard_message(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn suggestions(app: State<'_, App>, args: String) -> Result<Vec<SuggestionView>> {
    app.suggestions(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn mark_read(app: State<'_, App>, args: String) -> Result<()> {
    app.mark_read(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn mark_unread(app: State<'_, App>, args: String) -> Result<()> {
    app.mark_unread(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn inbox_rows(app: State<'_, App>, args: Vec<String>) -> Result<Vec<InboxRow>> {
    app.inbox_rows(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn saved_views(app: State<'_, App>) -> Result<Vec<SavedView>> {
    app.saved_views().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_view(app: State<'_, App>, args: SavedView) -> Result<Vec<SavedView>> {
    app.save_view(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn delete_view(app: State<'_, App>, args: String) -> Result<Vec<SavedView>> {
    app.delete_view(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn load_older(app: State<'_, App>, args: String) -> Result<bool> {
    app.load_older(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn accounts(app: State<'_, App>) -> Result<Vec<AccountView>> {
    app.accounts().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn sign_in(app: State<'_, App>, args: SignIn) -> Result<SyncStatus> {
    app.sign_in(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn open_account(app: State<'_, App>, args: OpenAccount) -> Result<SyncStatus> {
    app.open_account(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn sign_out(app: State<'_, App>, args: SignOut) -> Result<()> {
    app.sign_out(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn export_data(app: State<'_, App>) -> Result<String> {
    app.export_data().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn wipe_cache(app: State<'_, App>) -> Result<SyncStatus> {
    app.wipe_cache().await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn inline_media(app: State<'_, App>, args: String) -> Result<InlineMedia> {
    app.inline_media(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_attachment(app: State<'_, App>, args: SaveAttachment) -> Result<String> {
    app.save_attachment(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn open_link(app: State<'_, App>, args: String) -> Result<()> {
    app.open_link(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn send_attachment(app: State<'_, App>, args: SendAttachment) -> Result<()> {
    app.send_attachment(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn ui_ready(app: State<'_, App>, args: String) -> Result<()> {
    app.ui_ready(args).await.map_err(Into::into)
}

/// The page has laid out its first screen: the window, created hidden, shows.
#[tauri::command]
pub fn show_window(handle: tauri::AppHandle) {
    crate::desktop::first_show(&handle);
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn update_notification_settings(
    app: State<'_, App>,
    args: NotificationSettings,
) -> Result<Settings> {
    app.update_notification_settings(args).map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn update_desktop_settings(app: State<'_, App>, args: DesktopSettings) -> Result<Settings> {
    app.update_desktop_settings(args).map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn mute_conversation(app: State<'_, App>, args: MuteConversation) -> Result<Settings> {
    app.mute_conversation(args).map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn analytics(
    app: State<'_, App>,
    args: stepup_analytics::Query,
) -> Result<AnalyticsView> {
    app.analytics(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn export_analytics_csv(
    app: State<'_, App>,
    args: stepup_analytics::Query,
) -> Result<ExportedFile> {
    app.export_analytics_csv(args).await.map_err(Into::into)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn update_analytics_settings(app: State<'_, App>, args: AnalyticsSettings) -> Result<Settings> {
    app.update_analytics_settings(args).map_err(Into::into)
}
