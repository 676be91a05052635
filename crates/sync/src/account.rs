//! Accounts on this machine: signing in and out, and opening an account's
//! encrypted cache. The list (`accounts.json`) holds no secrets; tokens live
//! in the OS keyring, or, in passphrase mode, inside the encrypted cache.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use serde::{Deserialize, Serialize};
use stepup_protocol::{DeviceGrant, DeviceInfo, Role};
use stepup_store::{
    DbKey, KeyError, Secret, SecretStore, Store, StoreError,
    account::{AccountFiles, AccountId},
};

use crate::client::{ClientError, ClientOptions, CloudClient, Timeouts};
use crate::tls::Trust;

const REFRESH_META: &str = "auth.refresh_token";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub id: AccountId,
    pub server: String,
    pub email: String,
    pub name: String,
    pub workspace_id: String,
    pub agent_id: String,
    pub role: Role,
    /// The cache key comes from a passphrase instead of the keyring.
    pub passphrase: bool,
    /// This device's id and key for the cloud's wipe orders (not a secret from this computer's
    /// user: it only lets the cloud, which holds it too, order this copy erased).
    #[serde(default)]
    pub device: Option<DeviceGrant>,
}

/// Whether the workspace lets this account export its cache (the whole inbox as a file): its
/// admins choose the roles; the role is the agent's as last synced.
pub async fn check_export(record: &AccountRecord, store: &Store) -> Result<(), AccountError> {
    let role = store
        .agent_role(&record.agent_id)
        .await?
        .unwrap_or(record.role);
    if store.workspace_privacy().await?.may_export(role) {
        Ok(())
    } else {
        Err(AccountError::ExportNotAllowed {
            role: role.as_str(),
        })
    }
}

/// What a revoked device erased ([`Accounts::erase_revoked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// Unsent messages of the outbox, written to `unsent_file` for the agent.
    pub unsent: usize,
    pub unsent_file: Option<PathBuf>,
}

/// This computer as the cloud's list of devices shows it: its host name and its OS.
pub fn this_device() -> DeviceInfo {
    let name = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| stepup_protocol::one_line(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Stepup Desktop".to_owned());
    let os = match std::env::consts::OS {
        "macos" => "macOS",
        "windows" => "Windows",
        "linux" => "Linux",
        other => other,
    };
    DeviceInfo {
        name,
        os: os.to_owned(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no account {0} on this computer")]
    NotFound(String),
    #[error(
        "this account's cache is protected by a passphrase; enter it (or set STEPUP_PASSPHRASE)"
    )]
    PassphraseRequired,
    #[error("the workspace does not allow exports for the {role} role")]
    ExportNotAllowed { role: &'static str },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl From<KeyError> for AccountError {
    fn from(e: KeyError) -> Self {
        AccountError::Store(StoreError::Key(e))
    }
}

impl AccountError {
    pub fn keyring_unavailable(&self) -> bool {
        matches!(
            self,
            AccountError::Store(StoreError::Key(KeyError::KeyringUnavailable(_)))
        )
    }
}

/// A signed-in account: its record, its open cache and its client.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: AccountRecord,
    pub store: Store,
    pub client: CloudClient,
}

#[derive(Debug, Clone)]
pub struct Accounts {
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    options: ClientOptions,
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> AccountError {
    let context = context.into();
    move |source| AccountError::Io { context, source }
}

/// Reads and keeps one account's refresh token where it lives.
#[derive(Clone)]
struct TokenKeeper {
    store: Store,
    secrets: Arc<dyn SecretStore>,
    name: String,
    in_cache: bool,
}

impl TokenKeeper {
    async fn load(&self) -> Result<Option<Secret<String>>, AccountError> {
        if self.in_cache {
            return Ok(self.store.meta(REFRESH_META).await?.map(Secret::new));
        }
        let (secrets, name) = (self.secrets.clone(), self.name.clone());
        Ok(blocking(move || secrets.get(&name)).await?)
    }

    async fn keep(&self, token: &Secret<String>) -> Result<(), AccountError> {
        if self.in_cache {
            self.store.set_meta(REFRESH_META, token.expose()).await?;
        } else {
            let (secrets, name, token) = (self.secrets.clone(), self.name.clone(), token.clone());
            blocking(move || secrets.set(&name, &token)).await?;
        }
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a keyring call panicked")
}

impl Accounts {
    pub fn new(data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Accounts {
        Accounts {
            data_dir,
            secrets,
            options: ClientOptions::default(),
        }
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Accounts {
        self.options.timeouts = timeouts;
        self
    }

    /// Which certificates to trust (default: the system's and `STEPUP_EXTRA_CA_FILE`).
    pub fn with_trust(mut self, trust: Trust) -> Accounts {
        self.options.trust = trust;
        self
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn list_file(&self) -> PathBuf {
        self.data_dir.join("accounts.json")
    }

    pub fn files(&self, id: &AccountId) -> AccountFiles {
        AccountFiles::new(&self.data_dir, id.clone())
    }

    /// The accounts on this machine. A corrupt list reads as empty (and is
    /// logged); the caches themselves are untouched.
    pub fn list(&self) -> Vec<AccountRecord> {
        match std::fs::read(self.list_file()) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "accounts.json is corrupt; treating it as empty");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    /// Finds an account by id, or by email when that is unique.
    pub fn find(&self, key: &str) -> Result<AccountRecord, AccountError> {
        let list = self.list();
        if let Some(a) = list.iter().find(|a| a.id.as_str() == key) {
            return Ok(a.clone());
        }
        let by_email: Vec<_> = list.iter().filter(|a| a.email == key).collect();
        match by_email.as_slice() {
            [one] => Ok((*one).clone()),
            _ => Err(AccountError::NotFound(key.to_owned())),
        }
    }

    fn save_list(&self, list: &[AccountRecord]) -> Result<(), AccountError> {
        stepup_store::private::create_dir(&self.data_dir)
            .map_err(io("cannot create the data folder"))?;
        let json = serde_json::to_vec_pretty(list)
            .map_err(|e| AccountError::Store(StoreError::Data(e.to_string())))?;
        stepup_store::private::write_file(&self.list_file(), &json)
            .map_err(io("cannot write accounts.json"))
    }

    fn token_name(id: &AccountId) -> String {
        format!("{id}/refresh-token")
    }

    /// Signs in and opens (creating if needed) the account's cache. With a
    /// passphrase, the cache key is derived from it and the token is kept in
    /// the encrypted cache; otherwise both live in the keyring.
    pub async fn sign_in(
        &self,
        server: &str,
        email: &str,
        password: &Secret<String>,
        passphrase: Option<Secret<String>>,
    ) -> Result<Session, AccountError> {
        if let Some(p) = &passphrase {
            // Before anything is asked of the cloud.
            stepup_store::check_new_passphrase(p.expose())?;
        }
        let (client, tokens) =
            CloudClient::login(server, email, password, Some(this_device()), &self.options).await?;
        let agent = tokens.agent;
        let id = AccountId::new(client.base_url(), &agent.workspace_id, &agent.id);
        let record = AccountRecord {
            id: id.clone(),
            server: client.base_url().to_owned(),
            email: agent.email,
            name: agent.name,
            workspace_id: agent.workspace_id,
            agent_id: agent.id,
            role: agent.role,
            passphrase: passphrase.is_some(),
            device: tokens.device,
        };
        let store = self.open_store(&id, passphrase.as_ref()).await?;
        let refresh = Secret::new(tokens.refresh_token);
        self.keep_refresh_token(&record, &store, &refresh).await?;
        let mut list = self.list();
        list.retain(|a| a.id != id);
        list.push(record.clone());
        self.save_list(&list)?;
        let client = client
            .with_refresh_sink(self.refresh_sink(&record, &store))
            .with_shared_refresh(self.shared_refresh(&record, &store));
        Ok(Session {
            account: record,
            store,
            client,
        })
    }

    /// Opens a signed-in account from its stored token.
    pub async fn open(
        &self,
        key: &str,
        passphrase: Option<Secret<String>>,
    ) -> Result<Session, AccountError> {
        let record = self.find(key)?;
        if record.passphrase && passphrase.is_none() {
            return Err(AccountError::PassphraseRequired);
        }
        let store = self.open_store(&record.id, passphrase.as_ref()).await?;
        let refresh = self
            .token_keeper(&record, &store)
            .load()
            .await?
            .ok_or(ClientError::SignedOut)?;
        let client = CloudClient::resume(&record.server, refresh, &self.options)?
            .with_device(record.device.clone())
            .with_refresh_sink(self.refresh_sink(&record, &store))
            .with_shared_refresh(self.shared_refresh(&record, &store));
        Ok(Session {
            account: record,
            store,
            client,
        })
    }

    /// Opens only the cache (offline use: reading, searching, exporting).
    pub async fn open_cache(
        &self,
        key: &str,
        passphrase: Option<Secret<String>>,
    ) -> Result<(AccountRecord, Store), AccountError> {
        let record = self.find(key)?;
        if record.passphrase && passphrase.is_none() {
            return Err(AccountError::PassphraseRequired);
        }
        let store = self.open_store(&record.id, passphrase.as_ref()).await?;
        Ok((record, store))
    }

    async fn open_store(
        &self,
        id: &AccountId,
        passphrase: Option<&Secret<String>>,
    ) -> Result<Store, AccountError> {
        let files = self.files(id);
        let secrets = self.secrets.clone();
        let pass = passphrase.cloned();
        let key: DbKey = {
            let files = files.clone();
            blocking(move || files.obtain_key(secrets.as_ref(), pass.as_ref(), &mut rand::rng()))
                .await?
        };
        Ok(Store::open(&files.database(), &key).await?)
    }

    async fn keep_refresh_token(
        &self,
        record: &AccountRecord,
        store: &Store,
        token: &Secret<String>,
    ) -> Result<(), AccountError> {
        self.token_keeper(record, store).keep(token).await
    }

    /// Where the account's refresh token is kept: in the encrypted cache with a passphrase,
    /// otherwise in the keyring.
    fn token_keeper(&self, record: &AccountRecord, store: &Store) -> TokenKeeper {
        TokenKeeper {
            store: store.clone(),
            secrets: self.secrets.clone(),
            name: Self::token_name(&record.id),
            in_cache: record.passphrase,
        }
    }

    /// The kept refresh token, read again before each refresh, under the account's lock file.
    fn shared_refresh(
        &self,
        record: &AccountRecord,
        store: &Store,
    ) -> crate::client::SharedRefresh {
        let keeper = self.token_keeper(record, store);
        crate::client::SharedRefresh {
            lock_file: self.files(&record.id).dir.join("refresh.lock"),
            source: Arc::new(move || {
                let keeper = keeper.clone();
                Box::pin(async move { keeper.load().await.ok().flatten() })
            }),
        }
    }

    fn refresh_sink(&self, record: &AccountRecord, store: &Store) -> crate::client::RefreshSink {
        let keeper = self.token_keeper(record, store);
        Arc::new(move |token: Secret<String>| {
            let keeper = keeper.clone();
            Box::pin(async move {
                if let Err(e) = keeper.keep(&token).await {
                    tracing::warn!(error = %e, "cannot keep the new refresh token");
                }
            })
        })
    }

    /// Signs out: ends the session on the server when it can be reached,
    /// forgets the token, and with `wipe` deletes the cache, its attachments
    /// and its key. Returns the unsent outbox messages that a wipe discarded.
    pub async fn sign_out(&self, session: Session, wipe: bool) -> Result<usize, AccountError> {
        if let Err(e) = session.client.logout().await {
            tracing::info!(error = %e, "could not end the session on the server; signing out locally");
        }
        let unsent = session.store.outbox().await.map(|o| o.len()).unwrap_or(0);
        session.store.close().await;
        self.forget(&session.account, wipe).await?;
        Ok(if wipe { unsent } else { 0 })
    }

    /// Obeys the cloud's verified order to erase this device (it was revoked, or its agent
    /// removed from the workspace): the unsent messages of the outbox are written for the agent
    /// into `unsent_dir` (only their owner may read the file), then the cache, its files, its
    /// key and the token go, and the account leaves this computer's list.
    pub async fn erase_revoked(
        &self,
        account: &AccountRecord,
        store: Store,
        unsent_dir: &Path,
        now: i64,
    ) -> Result<Erased, AccountError> {
        let unsent = store.outbox().await.unwrap_or_default();
        let mut unsent_file = None;
        if !unsent.is_empty() {
            let entries: Vec<_> = unsent
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "conversation_id": e.conversation_id,
                        "request": e.request,
                        "created_at": e.created_at,
                    })
                })
                .collect();
            let json = serde_json::to_vec_pretty(&serde_json::json!({
                "format": "stepup-unsent/1",
                "account": account.email,
                "erased_at": now,
                "messages": entries,
            }))
            .map_err(|e| AccountError::Store(StoreError::Data(e.to_string())))?;
            stepup_store::private::create_dir(unsent_dir)
                .map_err(io(format!("cannot create {}", unsent_dir.display())))?;
            let path = unsent_dir.join(format!("stepup-unsent-{now}.json"));
            stepup_store::private::write_file(&path, &json)
                .map_err(io(format!("cannot write {}", path.display())))?;
            unsent_file = Some(path);
        }
        store.close().await;
        self.forget(account, true).await?;
        tracing::warn!(
            unsent = unsent.len(),
            "this device was revoked: its cache, files and keys were erased"
        );
        Ok(Erased {
            unsent: unsent.len(),
            unsent_file,
        })
    }

    /// Signs out locally (no server call): the token, and with `wipe` the cache and key.
    pub async fn forget(&self, record: &AccountRecord, wipe: bool) -> Result<(), AccountError> {
        let secrets = self.secrets.clone();
        let name = Self::token_name(&record.id);
        let deleted = blocking(move || secrets.delete(&name)).await;
        if let Err(e) = deleted
            && !matches!(e, KeyError::KeyringUnavailable(_))
        {
            return Err(e.into());
        }
        if wipe {
            let files = self.files(&record.id);
            let secrets = self.secrets.clone();
            blocking(move || files.wipe(secrets.as_ref())).await?;
        }
        let mut list = self.list();
        list.retain(|a| a.id != record.id);
        self.save_list(&list)
    }
}
