//! Updates, as far as they need the shell: what this build is (its version, the installer it
//! came from, its update key), the checks at start and daily, the `update` event, and
//! installing a verified update with Tauri's updater before starting again. What to offer,
//! when, and whether a download may be installed is `stepup_app::updates`'s.

use stepup_app::App;
use stepup_app::updates::{BuildInfo, UpdateFailure, VerifiedUpdate};
use tauri::{AppHandle, Emitter};
use tauri_plugin_updater::UpdaterExt as _;

/// The key this build's updates are signed with: the config's `plugins.updater.pubkey`. A build
/// made without one (development, `./dev demo`) cannot update itself and registers no updater.
pub fn update_key(config: &tauri::Config) -> Option<String> {
    config
        .plugins
        .0
        .get("updater")?
        .get("pubkey")?
        .as_str()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
}

/// What this copy is, for the core: its package version, the installer that put it here (the
/// bundler marks the binary it packs), and its update key.
pub fn build_info(handle: &AppHandle) -> BuildInfo {
    BuildInfo {
        version: handle.package_info().version.to_string(),
        installer: tauri::utils::platform::bundle_type().map(|b| b.to_string()),
        update_key: update_key(handle.config()),
    }
}

/// Forwards the update's state to the UI as `update` events, and checks at start and daily.
pub fn setup(handle: &AppHandle, app: &App) {
    let mut states = app.subscribe_updates();
    let h = handle.clone();
    tauri::async_runtime::spawn(async move {
        while states.changed().await.is_ok() {
            let view = states.borrow_and_update().clone();
            if let Err(err) = h.emit("update", &view) {
                tracing::warn!(error = %err, "cannot emit an update event");
            }
        }
    });
    tauri::async_runtime::spawn(app.clone().run_update_checks());
}

/// Installs a downloaded, verified update with the system's installer, then starts the new
/// version. Tauri's updater verifies the signature again (the key is the same, from the config);
/// it asks nothing of the network here: the core has asked the cloud and downloaded.
pub fn install(handle: &AppHandle, app: &App, update: VerifiedUpdate) -> Result<(), String> {
    let installed = update
        .offer
        .get("url")
        .and_then(|u| u.as_str())
        .ok_or_else(|| "the offer names no installer".to_owned())
        .and_then(|u| tauri::Url::parse(u).map_err(|e| e.to_string()))
        // The updater wants an endpoint to exist; installing from an offer never requests it.
        .and_then(|url| {
            handle
                .updater_builder()
                .endpoints(vec![url])
                .and_then(|b| b.build())
                .map_err(|e| e.to_string())
        })
        .and_then(|u| u.restore_update(update.offer).map_err(|e| e.to_string()))
        .and_then(|u| u.ok_or_else(|| format!("{} is not newer than this copy", update.version)))
        .and_then(|u| u.install(&update.bytes).map_err(|e| e.to_string()));
    match installed {
        Ok(()) => {
            tracing::info!(version = %update.version, "update installed; starting again");
            handle.request_restart();
            Ok(())
        }
        Err(err) => {
            tracing::error!(version = %update.version, error = %err, "the update did not install");
            app.update_failed(UpdateFailure::Install);
            Err(err)
        }
    }
}
