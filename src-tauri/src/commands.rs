//! The app's commands. Each delegates to [`stepup_app::App`] in one line;
//! names and types are declared in `crates/app/src/ipc.rs`, which generates
//! the UI's TypeScript bindings.

use stepup_app::{App, AppInfo, IpcError, Settings, SettingsPatch};
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
