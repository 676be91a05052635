//! Errors at the IPC edge: a closed set of codes the UI branches on, and a
//! human message. Inside the core, errors are typed with `thiserror`.

use serde::Serialize;

/// The closed set of error codes that cross IPC. The UI switches on these
/// (`ui/src/lib/errors.ts`); adding one means handling it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request carried a value the app does not accept.
    InvalidInput,
    /// Reading or writing the app's own files failed.
    Io,
    /// No account is signed in (nor the demo started).
    NotSignedIn,
    /// The conversation (or other item) is not in the local cache.
    NotFound,
    /// Wrong email or password.
    Unauthorized,
    /// The server cannot be reached (wrong address, no network, down): the
    /// action needs the cloud and was not done; try again when online.
    Unreachable,
    /// The server address uses plain `http://` off this computer: ask for `https://`.
    InsecureServer,
    /// The server's certificate is not trusted (unknown CA, another host, expired): the
    /// message says which; the fix is on the server or in the trusted CAs, not in retrying.
    UntrustedCertificate,
    /// The cloud refused the action (not allowed, the reply window closed…);
    /// the message says why.
    Rejected,
    /// The OS keyring cannot be used: offer a passphrase for the cache.
    KeyringUnavailable,
    /// This account's cache is protected by a passphrase: ask for it.
    PassphraseRequired,
    /// The key does not open the local cache: offer to wipe it and sync
    /// again (listing unsent messages first).
    WrongKey,
    /// Too many attempts (wrong passwords): the server says to wait `retry_after_secs`.
    RateLimited,
    /// The workspace does not allow this for the agent's role (exporting the cache).
    NotAllowed,
    /// A bug or an unexpected state: reported, never expected.
    Internal,
}

/// An error as the UI receives it: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// With `rate_limited`: the seconds to wait.
    pub retry_after_secs: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no account is signed in")]
    NotSignedIn,
    #[error("{0} is not in the local cache")]
    NotFound(String),
    #[error("wrong email or password")]
    Unauthorized,
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    InsecureServer(String),
    #[error("{0}")]
    UntrustedCertificate(String),
    #[error("{0}")]
    Rejected(String),
    #[error("{0}")]
    KeyringUnavailable(String),
    #[error("this account's cache is protected by a passphrase")]
    PassphraseRequired,
    #[error("the local cache cannot be opened with this key")]
    WrongKey,
    #[error("{message}")]
    RateLimited {
        retry_after_secs: u64,
        message: String,
    },
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::InvalidInput(_) => ErrorCode::InvalidInput,
            AppError::Io { .. } => ErrorCode::Io,
            AppError::NotSignedIn => ErrorCode::NotSignedIn,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Unauthorized => ErrorCode::Unauthorized,
            AppError::Unreachable(_) => ErrorCode::Unreachable,
            AppError::InsecureServer(_) => ErrorCode::InsecureServer,
            AppError::UntrustedCertificate(_) => ErrorCode::UntrustedCertificate,
            AppError::Rejected(_) => ErrorCode::Rejected,
            AppError::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            AppError::PassphraseRequired => ErrorCode::PassphraseRequired,
            AppError::WrongKey => ErrorCode::WrongKey,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::NotAllowed(_) => ErrorCode::NotAllowed,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<stepup_sync::client::ClientError> for AppError {
    fn from(e: stepup_sync::client::ClientError) -> Self {
        use stepup_sync::client::ClientError as C;
        match e {
            C::InvalidCredentials => AppError::Unauthorized,
            C::BadUrl(_) | C::Trust(_) => AppError::InvalidInput(e.to_string()),
            C::Insecure(_) => AppError::InsecureServer(e.to_string()),
            C::Certificate { ref detail, .. } => AppError::UntrustedCertificate(detail.clone()),
            C::SignedOut => AppError::NotSignedIn,
            C::RateLimited {
                retry_after,
                message,
            } => AppError::RateLimited {
                retry_after_secs: retry_after,
                message,
            },
            e if e.is_transient() => AppError::Unreachable(e.to_string()),
            // The cloud has no such conversation, message or file (any more).
            C::Server {
                status: 404,
                message,
                ..
            } => AppError::NotFound(message),
            C::Server { message, .. } => AppError::Rejected(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<stepup_store::StoreError> for AppError {
    fn from(e: stepup_store::StoreError) -> Self {
        use stepup_store::{KeyError, StoreError as S};
        match e {
            S::WrongKey => AppError::WrongKey,
            S::Key(KeyError::KeyringUnavailable(detail)) => AppError::KeyringUnavailable(detail),
            S::Key(e @ KeyError::WeakPassphrase { .. }) => AppError::InvalidInput(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<stepup_sync::account::AccountError> for AppError {
    fn from(e: stepup_sync::account::AccountError) -> Self {
        use stepup_sync::account::AccountError as A;
        match e {
            A::Client(c) => c.into(),
            A::Store(s) => s.into(),
            A::NotFound(id) => AppError::NotFound(id),
            A::PassphraseRequired => AppError::PassphraseRequired,
            e @ A::ExportNotAllowed { .. } => AppError::NotAllowed(e.to_string()),
            A::Io { context, source } => AppError::Io { context, source },
        }
    }
}

impl From<stepup_sync::engine::SyncError> for AppError {
    fn from(e: stepup_sync::engine::SyncError) -> Self {
        use stepup_sync::engine::SyncError as E;
        match e {
            E::Client(c) => c.into(),
            E::Store(s) => s.into(),
            E::Stalled => AppError::Unreachable(e.to_string()),
        }
    }
}

impl From<AppError> for IpcError {
    fn from(err: AppError) -> IpcError {
        IpcError {
            code: err.code(),
            retry_after_secs: match &err {
                AppError::RateLimited {
                    retry_after_secs, ..
                } => Some(u32::try_from(*retry_after_secs).unwrap_or(u32::MAX)),
                _ => None,
            },
            message: err.to_string(),
        }
    }
}
