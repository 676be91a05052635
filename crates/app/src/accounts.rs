//! Accounts on this computer: signing in (keyring, or a passphrase when
//! there is no keyring), switching, signing out (and wiping), and the
//! user's rights over their local data: a portable JSON export and wiping
//! the cache.

use std::{path::Path, sync::Arc};

use serde::{Deserialize, Serialize};
use stepup_protocol::Role;
use stepup_store::{OsKeyring, Secret, SecretStore};
use stepup_sync::account::{AccountRecord, Accounts};

use crate::{AppError, inbox::Inbox, inbox::SyncStatus};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub server: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The cache opens with a passphrase (no keyring).
    pub passphrase: bool,
    /// The account in the window.
    pub active: bool,
    /// Signed in and syncing (in the window or in the background).
    pub running: bool,
    /// Its workspace's name, once its cache knows it (running accounts).
    pub workspace: Option<String>,
    /// Unread customer messages in its cache (running accounts).
    pub unread: u32,
    /// The account used last: the app opens it on start.
    pub last: bool,
}

#[derive(Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub server: String,
    pub email: String,
    pub password: String,
    /// Protect the cache with this passphrase instead of the OS keyring.
    #[ts(optional)]
    #[serde(default)]
    pub passphrase: Option<String>,
}

/// The password and passphrase never reach a log.
impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("server", &self.server)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenAccount {
    pub id: String,
    #[ts(optional)]
    #[serde(default)]
    pub passphrase: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignOut {
    /// Also delete this account's cache, attachments and keys.
    pub wipe: bool,
}

/// Where the accounts live, and the key store they use.
pub(crate) fn accounts_in(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Accounts {
    Accounts::new(data_dir.join("accounts"), secrets)
}

fn last_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("accounts").join("last")
}

fn no_blank(p: Option<String>) -> Option<Secret<String>> {
    p.filter(|p| !p.is_empty()).map(Secret::new)
}

/// How to write the data export.
#[derive(Clone, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportOptions {
    /// Encrypt the file with this passphrase (an age file); none or empty: plain JSON.
    #[ts(optional)]
    #[serde(default)]
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Forgets that `id` was the last account open (it signed out or was erased).
pub(crate) fn forget_last(data_dir: &Path, id: &str) {
    if std::fs::read_to_string(last_file(data_dir))
        .unwrap_or_default()
        .trim()
        == id
    {
        let _ = std::fs::remove_file(last_file(data_dir));
    }
}

impl Inbox {
    pub(crate) fn accounts(&self, data_dir: &Path) -> Accounts {
        let secrets: Arc<dyn SecretStore> = self
            .secrets_override()
            .unwrap_or_else(|| Arc::new(OsKeyring::default()));
        accounts_in(data_dir, secrets)
    }

    /// The accounts on this computer.
    pub async fn account_list(&self, data_dir: &Path) -> Vec<AccountView> {
        let active = self.active_account_id().await.unwrap_or_default();
        let last = std::fs::read_to_string(last_file(data_dir)).unwrap_or_default();
        let running = self.running().await;
        self.accounts(data_dir)
            .list()
            .into_iter()
            .map(|a| {
                let live = running.iter().find(|(id, ..)| id == a.id.as_str()).cloned();
                (a, live)
            })
            .map(|(a, live)| AccountView {
                active: a.id.as_str() == active,
                running: live.is_some(),
                workspace: live.as_ref().and_then(|(_, w, _)| w.clone()),
                unread: live.as_ref().map_or(0, |(.., n)| *n),
                last: a.id.as_str() == last.trim(),
                id: a.id.as_str().to_owned(),
                server: a.server,
                email: a.email,
                name: a.name,
                role: a.role,
                passphrase: a.passphrase,
            })
            .collect()
    }

    /// Opens the account used last, unless a passphrase guards it (the start screen asks for
    /// that one). Nothing to open is not an error.
    pub async fn open_last(self: &Arc<Self>, data_dir: &Path) -> Result<(), AppError> {
        if let Some(account) = self.last_to_open(data_dir) {
            let open = OpenAccount {
                id: account.id.as_str().to_owned(),
                passphrase: None,
            };
            self.open_account(data_dir, open).await?;
        }
        Ok(())
    }

    /// The account [`Inbox::open_last`] opens, if any.
    pub fn last_to_open(&self, data_dir: &Path) -> Option<AccountRecord> {
        let last = std::fs::read_to_string(last_file(data_dir)).unwrap_or_default();
        self.accounts(data_dir)
            .list()
            .into_iter()
            .find(|a| a.id.as_str() == last.trim() && !a.passphrase)
    }

    /// Signs in and starts syncing. Without a keyring the error is
    /// `keyring_unavailable`: ask for a passphrase and sign in again with it.
    pub async fn sign_in(
        self: &Arc<Self>,
        data_dir: &Path,
        args: SignIn,
    ) -> Result<SyncStatus, AppError> {
        tracing::debug!(?args, "signing in");
        if args.email.trim().is_empty() || args.password.is_empty() {
            return Err(AppError::InvalidInput(
                "an email and a password are needed".into(),
            ));
        }
        let session = self
            .accounts(data_dir)
            .sign_in(
                args.server.trim(),
                args.email.trim(),
                &Secret::new(args.password),
                no_blank(args.passphrase),
            )
            .await?;
        remember(data_dir, session.account.id.as_str());
        self.activate(session, None).await;
        Ok(self.status())
    }

    /// Opens an account signed in before (switching from the current one).
    pub async fn open_account(
        self: &Arc<Self>,
        data_dir: &Path,
        args: OpenAccount,
    ) -> Result<SyncStatus, AppError> {
        // Already signed in and syncing in the background: into the window as it is.
        if self.switch_to(&args.id).await {
            remember(data_dir, &args.id);
            return Ok(self.status());
        }
        let session = self
            .accounts(data_dir)
            .open(&args.id, no_blank(args.passphrase))
            .await?;
        remember(data_dir, session.account.id.as_str());
        self.activate(session, None).await;
        Ok(self.status())
    }

    /// Signs the current account out; with `wipe`, its cache and keys go too.
    pub async fn sign_out(&self, data_dir: &Path, args: SignOut) -> Result<(), AppError> {
        let Some(mut active) = self.take_active().await else {
            return Err(AppError::NotSignedIn);
        };
        let id = active.session.account.id.as_str().to_owned();
        let result = if let Some(cloud) = active.cloud.take() {
            // The demo: nothing of it outlives the session.
            active.session.store.close().await;
            cloud.shutdown().await;
            Ok(0)
        } else {
            self.accounts(data_dir)
                .sign_out(active.session, args.wipe)
                .await
        };
        forget_last(data_dir, &id);
        self.forget_status(&id);
        // Another account signed in meanwhile comes into the window.
        if self.promote_background().await {
            if let Some(next) = self.active_account_id().await {
                remember(data_dir, &next);
            }
        } else {
            self.set_status(SyncStatus::signed_out());
        }
        let unsent = result?;
        if unsent > 0 {
            tracing::info!(unsent, "unsent messages discarded with the cache");
        }
        Ok(())
    }

    /// Writes all local data of the account (the user's portable copy) as
    /// JSON into `dir`; returns the file's path.
    pub async fn export_data(
        &self,
        dir: &Path,
        options: ExportOptions,
        now: i64,
    ) -> Result<String, AppError> {
        let passphrase = no_blank(options.passphrase);
        if let Some(p) = &passphrase {
            stepup_store::check_new_passphrase(p.expose())
                .map_err(|e| AppError::InvalidInput(e.to_string()))?;
        }
        self.with(async |a| {
            stepup_sync::account::check_export(&a.session.account, &a.session.store).await?;
            std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
                context: format!("creating {}", dir.display()),
                source,
            })?;
            let name = format!(
                "stepup-export-{}-{now}.json{}",
                a.session
                    .account
                    .email
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
                if passphrase.is_some() { ".age" } else { "" }
            );
            let path = dir.join(name);
            let io = |source| AppError::Io {
                context: format!("writing {}", path.display()),
                source,
            };
            // Only its owner may read it: it holds the customers' messages.
            let file = stepup_store::private::create_file(&path).map_err(io)?;
            let out = std::io::BufWriter::new(file);
            match &passphrase {
                // An age file: `age -d` opens it with the passphrase.
                Some(p) => {
                    let mut age = stepup_store::age::AgeWriter::new(
                        out,
                        p,
                        stepup_store::age::SCRYPT_LOG_N,
                        &mut rand::rng(),
                    )
                    .map_err(io)?;
                    a.session.store.export_json(&mut age, now).await?;
                    let mut out = age.finish().map_err(io)?;
                    std::io::Write::flush(&mut out).map_err(io)?;
                }
                None => {
                    let mut out = out;
                    a.session.store.export_json(&mut out, now).await?;
                    std::io::Write::flush(&mut out).map_err(io)?;
                }
            }
            Ok(path.display().to_string())
        })
        .await
    }

    /// This agent's signed-in devices (an admin's: the workspace's), from the cloud.
    pub async fn devices(&self) -> Result<Vec<stepup_protocol::Device>, AppError> {
        let client = self.with(async |a| Ok(a.session.client.clone())).await?;
        Ok(client.devices().await?)
    }

    /// Signs a device out, ordering it to erase its data; returns the devices left.
    pub async fn revoke_device(
        &self,
        device_id: String,
    ) -> Result<Vec<stepup_protocol::Device>, AppError> {
        let client = self.with(async |a| Ok(a.session.client.clone())).await?;
        client.revoke_device(&device_id).await?;
        Ok(client.devices().await?)
    }

    /// Forgets everything synced and every cached file (the outbox stays), leaves nothing
    /// readable in freed pages, and syncs again: the cache is derived data.
    pub async fn wipe_cache(&self) -> Result<SyncStatus, AppError> {
        self.with(async |a| {
            a.session.store.wipe_synced().await?;
            a.engine.nudge();
            Ok(())
        })
        .await?;
        Ok(self.status())
    }
}

fn remember(data_dir: &Path, id: &str) {
    if let Err(e) = stepup_store::private::write_file(&last_file(data_dir), id.as_bytes()) {
        tracing::warn!(error = %e, "could not remember the last account");
    }
}
