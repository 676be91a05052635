//! The app's commands. Each delegates to [`stepup_app::App`] in one line;
//! names and types are declared in `crates/app/src/ipc.rs`, which generates
//! the UI's TypeScript bindings.

use stepup_app::{
    App, AppInfo, IpcError, Settings, SettingsPatch,
    analytics::{AnalyticsView, ExportedFile},
    inbox::{ConversationView, InboxQuery, InboxRow, SearchResult, SendText, SyncStatus},
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
pub fn sync_status(app: State<'_, App>) -> Result<SyncStatus> {
    Ok(app.sync_status())
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn inbox_list(app: State<'_, App>, args: InboxQuery) -> Result<Vec<InboxRow>> {
    app.inbox_list(args).await.map_err(Into::into)
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
