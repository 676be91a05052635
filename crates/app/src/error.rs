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
    /// A bug or an unexpected state: reported, never expected.
    Internal,
}

/// An error as the UI receives it: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
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
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<AppError> for IpcError {
    fn from(err: AppError) -> IpcError {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}
