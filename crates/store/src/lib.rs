//! The encrypted local cache of one account.
//!
//! SQLite through sqlx, encrypted with SQLCipher (linked through
//! libsqlite3-sys's bundled SQLCipher, at the version sqlx uses). Every
//! connection sets the raw 256-bit key with `PRAGMA key` before anything else;
//! opening refuses a build whose `PRAGMA cipher_version` is empty, so a build
//! that would silently store plaintext fails. WAL, foreign keys, a large page
//! cache for ranked search. Statement logging is off: it would log the key.

pub mod account;
pub mod age;
pub mod analytics;
mod apply;
pub mod arabizi;
mod assistant;
mod attachments;
mod export;
pub mod keys;
pub mod normalize;
mod outbox;
pub mod private;
mod queries;
mod saved_views;
mod search;
pub mod secret;
pub mod stem;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    ConnectOptions, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use apply::{Applied, CACHE_FORMAT, SyncCursor};
pub use assistant::AssistKind;
pub use attachments::CachedAttachment;
pub use keys::{
    DbKey, KeyError, MIN_PASSPHRASE_CHARS, MemorySecrets, OsKeyring, SecretStore,
    check_new_passphrase,
};
pub use outbox::{OutboxEntry, OutboxState, TimelineSnapshot};
pub use queries::{AssigneeFilter, ConversationFilter, ConversationRow, ListSort};
pub use saved_views::StoredView;
pub use search::{Matched, Matching, SearchFilter, SearchHit, SearchKind, Snippet, snippet};
pub use secret::Secret;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not open this cache (a lost or replaced keyring entry, a
    /// wrong passphrase). The cache is derived data: wipe it and sync again,
    /// after listing the outbox's unsent messages (`Store::unsent_after_wrong_key`
    /// cannot read them either, so the app shows the count it last knew).
    #[error("the local cache cannot be opened with this key; wipe the local cache and sync again")]
    WrongKey,
    /// The SQLite library in this build has no encryption.
    #[error("this build's SQLite has no SQLCipher: refusing to store data unencrypted")]
    NoEncryption,
    #[error("the local cache is damaged: {0}")]
    Corrupt(String),
    #[error("the local cache's schema cannot be updated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("malformed data in the cache or the feed: {0}")]
    Data(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            match db.code().as_deref() {
                // SQLITE_NOTADB: wrong key (or not a database at all).
                Some("26") => return StoreError::WrongKey,
                // SQLITE_CORRUPT
                Some("11") => return StoreError::Corrupt(db.message().to_owned()),
                _ => {}
            }
        }
        StoreError::Db(err)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Data(err.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Once per process, before SQLCipher touches OpenSSL:
/// - OpenSSL is initialised without its `atexit` clean-up, which otherwise
///   races with database threads still finishing at exit and crashes the
///   process now and then (the same choice rust-openssl makes);
/// - SQLCipher's own error logging to stderr (a wrong key's failed HMAC,
///   say) is turned off; our errors are typed instead. Its level is
///   process-wide.
async fn quiet_sqlcipher() {
    // On macOS SQLCipher uses CommonCrypto, which needs no start.
    #[cfg(not(target_vendor = "apple"))]
    openssl_sys::init();
    static QUIET: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    QUIET
        .get_or_init(|| async {
            let Ok(options) = SqliteConnectOptions::from_str("sqlite::memory:")
                .map(|o| o.disable_statement_logging())
            else {
                return;
            };
            if let Ok(mut conn) = options
                .connect()
                .await
                .map_err(|e| tracing::debug!(error = %e, "no in-memory database"))
            {
                let _ = sqlx::query("PRAGMA cipher_log_level = NONE")
                    .execute(&mut conn)
                    .await;
                let _ = sqlx::Connection::close(conn).await;
            }
        })
        .await;
}

/// Names of the database threads (one per connection), so that a process
/// can wait for them to finish before it exits.
const DB_THREAD_PREFIX: &str = "stepup-db-";

/// Waits (up to `timeout`) until every database thread of this process has
/// ended. Closing a store returns before its threads have finished closing
/// SQLite; a process that exits meanwhile runs its exit handlers under them
/// and can crash. Call after closing every store, before exiting. Returns
/// whether they all ended. (Linux; elsewhere it returns at once.)
pub async fn wait_for_database_threads(timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if database_threads() == 0 {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn database_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(DB_THREAD_PREFIX))
        .count()
}

/// Page size of new caches (SQLCipher's and SQLite's alike).
const PAGE_SIZE: u32 = 16_384;

/// An open, encrypted cache.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// How an open store is configured (`Store::open_with`).
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// `None` opens without encryption: only for the plain-SQLite baseline
    /// of the benchmark.
    pub encrypted: bool,
    pub max_connections: u32,
    /// Page cache per connection, in KiB: the most it grows to, as pages are read, and
    /// keeps for as long as the connection lives. A scan of the whole cache (the analytics)
    /// reads each page once, and the operating system keeps the file's pages anyway, so a
    /// bigger cache only keeps memory busy in an app that runs all day.
    pub cache_kib: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            encrypted: true,
            max_connections: 4,
            // 256 pages each: the list's and an open conversation's stay cached, and a
            // bootstrap writes as fast as with 16 MiB (`stepup-bench bootstrap`).
            cache_kib: 4 * 1024,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the encrypted cache at `path` with `key`.
    pub async fn open(path: &Path, key: &DbKey) -> Result<Store> {
        Store::open_with(path, Some(key), &OpenOptions::default()).await
    }

    pub async fn open_with(
        path: &Path,
        key: Option<&DbKey>,
        options: &OpenOptions,
    ) -> Result<Store> {
        quiet_sqlcipher().await;
        if let Some(dir) = path.parent() {
            private::create_dir(dir).map_err(|source| StoreError::Io {
                context: format!("cannot create {}", dir.display()),
                source,
            })?;
        }
        // SQLite gives its WAL and shared-memory files the database file's mode: create the
        // database private, before SQLite does.
        if !path.exists() {
            private::create_file(path).map_err(|source| StoreError::Io {
                context: format!("cannot create {}", path.display()),
                source,
            })?;
        } else {
            private::restrict_file(path).map_err(|source| StoreError::Io {
                context: format!("cannot protect {}", path.display()),
                source,
            })?;
        }
        let mut connect = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::Db)?
            .filename(path)
            .create_if_missing(true);
        if options.encrypted {
            let key = key.ok_or(StoreError::WrongKey)?;
            // Must be the first statement on every connection; sqlx sends `key` first.
            connect = connect
                .pragma("key", key.pragma_value())
                // Larger pages: fewer per-page HMACs and IVs for the same data.
                .pragma("cipher_page_size", PAGE_SIZE.to_string())
                .pragma("cipher_hmac_algorithm", "HMAC_SHA256");
        }
        let connect = connect
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .page_size(PAGE_SIZE)
            .pragma("cache_size", format!("-{}", options.cache_kib))
            .pragma("temp_store", "memory")
            // What is deleted is overwritten with zeros, so a wiped or expired message leaves
            // nothing readable in freed pages (nor in the WAL), even to someone with the key.
            .pragma("secure_delete", "ON")
            .disable_statement_logging()
            .thread_name(|id| format!("{DB_THREAD_PREFIX}{id}"));
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect)
            .await?;

        let cipher: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
            .fetch_optional(&pool)
            .await?;
        if options.encrypted && cipher.as_deref().unwrap_or_default().is_empty() {
            pool.close().await;
            return Err(StoreError::NoEncryption);
        }
        // Reading the schema is what fails with a wrong key.
        sqlx::query("SELECT count(*) FROM sqlite_master")
            .execute(&pool)
            .await?;
        MIGRATOR.run(&pool).await?;
        let store = Store { pool };
        store.settle_format().await?;
        store.settle_search().await?;
        Ok(store)
    }

    /// The SQLCipher version in use, e.g. `4.6.1 community`.
    pub async fn cipher_version(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("PRAGMA cipher_version")
            .fetch_optional(&self.pool)
            .await?)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound.
    pub async fn integrity_check(&self) -> Result<()> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        if rows == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt(rows.join("; ")))
        }
    }

    /// `PRAGMA secure_delete` on a connection of this store (`true` when freed content is zeroed).
    pub async fn secure_delete(&self) -> Result<bool> {
        let on: i64 = sqlx::query_scalar("PRAGMA secure_delete")
            .fetch_one(&self.pool)
            .await?;
        Ok(on == 1)
    }

    /// After a large deletion: rebuilds the file without its free pages and empties the WAL,
    /// so the file shrinks and no copy of what was deleted is left in it.
    pub(crate) async fn compact(&self) -> Result<()> {
        sqlx::query("VACUUM").execute(&self.pool).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes every connection and checkpoints the WAL.
    pub async fn close(self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await;
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes the write lock up front, so a
    /// concurrent writer makes it wait (busy timeout) instead of failing
    /// with "database is locked" when a deferred reader tries to write.
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// From when this cache holds every message of the workspace (the bootstrap snapshot's
    /// message window); `None` when the server did not say.
    pub async fn messages_complete_from(&self) -> Result<Option<i64>> {
        Ok(self
            .meta(MESSAGES_COMPLETE_FROM_KEY)
            .await?
            .and_then(|v| v.parse().ok()))
    }

    pub async fn set_messages_complete_from(&self, at: i64) -> Result<()> {
        self.set_meta(MESSAGES_COMPLETE_FROM_KEY, &at.to_string())
            .await
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The meta key of [`Store::messages_complete_from`].
const MESSAGES_COMPLETE_FROM_KEY: &str = "messages_complete_from";
