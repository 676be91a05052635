//! `/v1/desktop/updates`: the desktop app asks for a newer release and downloads it (see
//! [`crate::updates`] for the folder of releases behind it). No sign-in: an app signed out, or
//! on its start screen, still updates.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use stepup_protocol::INSTALL_ID_HEADER;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::updates::{self, Asking};

/// A short name from the app's own vocabulary (`linux`, `x86_64`, `deb`).
fn plain(s: &str) -> bool {
    (1..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `GET /v1/desktop/updates/{os}/{arch}/{installer}/{current_version}`: `204` when nothing newer
/// reaches this install, else the release to offer.
pub(super) async fn check(
    State(state): State<AppState>,
    Path((os, arch, installer, current)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if !(plain(&os) && plain(&arch) && plain(&installer)) {
        return Err(ApiError::bad_request(
            "the OS, architecture and installer are short plain names",
        ));
    }
    let current = semver::Version::parse(current.trim_start_matches('v'))
        .map_err(|e| ApiError::bad_request(format!("the current version: {e}")))?;
    let install_id = match headers.get(INSTALL_ID_HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|id| updates::valid_install_id(id))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{INSTALL_ID_HEADER} is 8 to 64 letters, digits and dashes"
                    ))
                })?,
        ),
    };
    let Some(dir) = state.config().updates_dir.as_deref() else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let asking = Asking {
        os: &os,
        arch: &arch,
        installer: &installer,
        current: &current,
        install_id,
    };
    let Some(offer) = updates::offer(dir, &asking).await else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let lang = updates::first_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let base = base_url(&state, &headers);
    match updates::to_wire(&offer, lang.as_deref(), &base).await {
        Ok(release) => Ok(axum::Json(release).into_response()),
        Err(error) => {
            // A release published without its signature or installer: never offered half.
            tracing::error!(version = %offer.version, %error, "a release cannot be offered");
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    }
}

/// `GET /v1/desktop/updates/files/{version}/{file}`: an installer (or its signature) of a
/// release, streamed.
pub(super) async fn download(
    State(state): State<AppState>,
    Path((version, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let dir = state
        .config()
        .updates_dir
        .as_deref()
        .ok_or_else(|| ApiError::not_found("release"))?;
    let path = updates::file(dir, &version, &name)
        .await
        .ok_or_else(|| ApiError::not_found("release file"))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| ApiError::not_found("release file"))?;
    let len = file
        .metadata()
        .await
        .map_err(|_| ApiError::internal())?
        .len();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response())
}

/// Where this server is reached: its public address when set, else the scheme it serves and
/// the host the request named.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(public) = &state.config().public_url {
        return public.trim_end_matches('/').to_owned();
    }
    let scheme = if state.config().tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .map_or_else(|| state.config().listen.to_string(), str::to_owned);
    format!("{scheme}://{host}")
}
