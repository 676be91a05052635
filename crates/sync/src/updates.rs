//! Asking the cloud for a newer release of the desktop app, and downloading it
//! (`/v1/desktop/updates`, see `docs/protocol.md`). No sign-in is needed. Whether a download
//! may be installed is for the app to decide: it checks the signature.

use std::time::Duration;

use stepup_protocol::{DesktopRelease, INSTALL_ID_HEADER};

use crate::client::{
    ClientError, ClientOptions, Timeouts, normalize_base, read_json, transport, transport_error,
    urlencode,
};

/// The largest installer downloaded.
pub const INSTALLER_LIMIT: usize = 512 * 1024 * 1024;

/// What this copy of the app is, for the cloud to choose a release.
#[derive(Debug, Clone)]
pub struct UpdateQuery<'a> {
    /// `linux`, `windows`, `darwin` (the names Tauri's updater uses).
    pub os: &'a str,
    /// `x86_64`, `aarch64`…
    pub arch: &'a str,
    /// `deb`, `rpm`, `appimage`, `msi`, `nsis`, `app`.
    pub installer: &'a str,
    pub current_version: &'a str,
    /// This install's random id, for staged rollouts.
    pub install_id: &'a str,
    /// The app's language, for the notes.
    pub language: &'a str,
}

/// A release on offer, and the answer as it came (Tauri's updater installs from it).
#[derive(Debug, Clone)]
pub struct Offered {
    pub release: DesktopRelease,
    pub raw: serde_json::Value,
}

/// Asks the cloud at `base` for a newer release: `None` when there is none for this install.
pub async fn check(
    options: &ClientOptions,
    base: &str,
    query: &UpdateQuery<'_>,
) -> Result<Option<Offered>, ClientError> {
    let base = normalize_base(base)?;
    let (http, _) = transport(options)?;
    let url = format!(
        "{base}/v1/desktop/updates/{}/{}/{}/{}",
        urlencode(query.os),
        urlencode(query.arch),
        urlencode(query.installer),
        urlencode(query.current_version),
    );
    let resp = http
        .get(&url)
        .header(INSTALL_ID_HEADER, query.install_id)
        .header(reqwest::header::ACCEPT_LANGUAGE, query.language)
        .send()
        .await
        .map_err(|e| transport_error(&url, e))?;
    let Some(raw) = read_json::<Option<serde_json::Value>>(&url, resp).await? else {
        return Ok(None);
    };
    let release: DesktopRelease = serde_json::from_value(raw.clone())
        .map_err(|e| ClientError::Malformed(format!("the update offer: {e}")))?;
    Ok(Some(Offered { release, raw }))
}

/// Downloads an installer: `https://` (or loopback), at most [`INSTALLER_LIMIT`] bytes, with
/// `progress(received, total)` as it comes. A stalled download fails after `stall` without a
/// byte; a slow one goes on.
pub async fn download(
    options: &ClientOptions,
    url: &str,
    stall: Duration,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, ClientError> {
    normalize_base(url)?;
    let options = ClientOptions {
        timeouts: Timeouts {
            connect: options.timeouts.connect,
            // The whole download may take long on a slow link; each wait for bytes may not.
            request: Duration::from_secs(24 * 3600),
        },
        trust: options.trust.clone(),
    };
    let (http, _) = transport(&options)?;
    let resp = tokio::time::timeout(stall, http.get(url).send())
        .await
        .map_err(|_| ClientError::Timeout)?
        .map_err(|e| transport_error(url, e))?;
    if !resp.status().is_success() {
        // The error body, as any other answer of the cloud's.
        return match read_json::<serde_json::Value>(url, resp).await {
            Err(e) => Err(e),
            Ok(_) => Err(ClientError::Malformed(
                "an installer answer without a body".into(),
            )),
        };
    }
    let total = resp.content_length();
    if total.is_some_and(|n| n > INSTALLER_LIMIT as u64) {
        return Err(ClientError::Malformed(format!(
            "an installer larger than {INSTALLER_LIMIT} bytes"
        )));
    }
    let mut resp = resp;
    let mut body = Vec::with_capacity(total.map_or(0, |n| n as usize));
    loop {
        let chunk = tokio::time::timeout(stall, resp.chunk())
            .await
            .map_err(|_| ClientError::Timeout)?
            .map_err(|e| transport_error(url, e))?;
        let Some(chunk) = chunk else { break };
        if body.len() + chunk.len() > INSTALLER_LIMIT {
            return Err(ClientError::Malformed(format!(
                "an installer larger than {INSTALLER_LIMIT} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
        progress(body.len() as u64, total);
    }
    if let Some(total) = total
        && total != body.len() as u64
    {
        return Err(ClientError::Malformed(format!(
            "the installer ended after {} of {total} bytes",
            body.len()
        )));
    }
    Ok(body)
}
