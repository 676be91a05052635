//! The app's commands, generated from their declaration in `crates/app/src/commands.rs`
//! (through [`stepup_app::for_each_command!`]): each delegates in one line to the method of
//! the same name on [`stepup_app::App`] (or on its inbox). Only the commands that need the
//! window itself are written here.

use stepup_app::{App, IpcError, ipc::Answer};
use tauri::State;

/// The `#[tauri::command]` function of every command and [`handler`], which registers them.
macro_rules! tauri_commands {
    ($( $kind:ident $([$on:ident])? $name:ident ($($arg:ident: $args:ty)?) -> $result:ty; )*) => {
        $( tauri_command!($kind $([$on])? $name ($($arg: $args)?) -> $result); )*

        /// Registers every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// The commands [`handler`] registers, by name.
        pub const REGISTERED: &[&str] = &[$(stringify!($name)),*];
    };
}

/// One command, as its kind says (see `crates/app/src/commands.rs`).
macro_rules! tauri_command {
    (sync $([$on:ident])? $name:ident ($($arg:ident: $args:ty)?) -> $result:ty) => {
        #[tauri::command]
        #[tracing::instrument(skip_all, err(Debug))]
        fn $name(app: State<'_, App>, $($arg: $args)?) -> Result<$result, IpcError> {
            app$(.$on())?.$name($($arg)?).answer()
        }
    };
    (async $([$on:ident])? $name:ident ($($arg:ident: $args:ty)?) -> $result:ty) => {
        #[tauri::command]
        #[tracing::instrument(skip_all, err(Debug))]
        async fn $name(app: State<'_, App>, $($arg: $args)?) -> Result<$result, IpcError> {
            app$(.$on())?.$name($($arg)?).await.answer()
        }
    };
    // Written below.
    (shell $name:ident ($($arg:ident: $args:ty)?) -> $result:ty) => {};
}

stepup_app::for_each_command!(tauri_commands);

/// The page has laid out its first screen: the window, created hidden, shows.
#[tauri::command]
fn show_window(handle: tauri::AppHandle) {
    crate::desktop::first_show(&handle);
}

/// Downloads the update on offer, checks its signature (the core), installs it with the
/// system's installer and starts the new version (the shell).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
async fn install_update(handle: tauri::AppHandle, app: State<'_, App>) -> Result<(), IpcError> {
    let update = app.download_update().await.map_err(IpcError::from)?;
    crate::updater::install(&handle, &app, update).map_err(|e| {
        IpcError::from(stepup_app::AppError::Rejected(format!(
            "the update did not install: {e}"
        )))
    })
}
