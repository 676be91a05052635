//! Inbound media: the photos, voice notes, videos and documents customers send arrive as a
//! provider's media id or link. The cloud fetches them with the connection's credentials through
//! the providers' APIs (WhatsApp: `GET /{version}/{media-id}`, then the returned URL with the
//! bearer token; Telegram: `getFile`, then `/file/bot<token>/<path>`; Messenger and Instagram:
//! the attachment URL in the payload; TikTok: `POST /open_api/v1.3/business/message/media/download/`
//! with the `Access-Token`, then the returned link with the token in `x-user`), stores them as attachments and points the message at
//! them, so the app downloads them on demand into its encrypted cache like any other file.
//!
//! Every download has a size limit, a timeout and retries with backoff; the provider's SHA-256
//! is checked where it gives one; the stored type is sniffed from the bytes, never taken from
//! the provider; and no link is followed (nor redirect) to a private or loopback address unless
//! `STEPUP_MEDIA_ALLOW_PRIVATE_HOSTS=1`. A failed download leaves the message as it was.

use crate::net::is_private;

use serde_json::Value;
use sha2::{Digest, Sha256};
use stepup_protocol::{
    Attachment, AttachmentKind, Channel, EntityKind, MediaProblem, Message, MessageContent,
};

use crate::config::OutboundConfig;
use crate::state::AppState;
use crate::store::{self, Writer};

/// A file to fetch for a stored message.
#[derive(Debug, Clone)]
pub struct MediaJob {
    pub workspace_id: String,
    pub message_id: String,
    pub channel: Channel,
    /// The customer, whose connection's credentials fetch it.
    pub customer: String,
    /// The provider's media id (WhatsApp, Telegram, TikTok) or link (Messenger, Instagram).
    pub media: String,
    pub kind: AttachmentKind,
    /// The provider's id of the message (TikTok's download asks for it).
    pub provider_message_id: Option<String>,
}

impl MediaJob {
    /// The job for a just-stored message, if it carries a file not fetched yet.
    pub fn for_message(
        workspace_id: &str,
        message_id: &str,
        channel: Channel,
        customer: &str,
        content: &MessageContent,
    ) -> Option<MediaJob> {
        let MessageContent::Attachment { attachment, .. } = content else {
            return None;
        };
        if attachment.attachment_id.is_some() || channel == Channel::Webchat {
            return None;
        }
        Some(MediaJob {
            workspace_id: workspace_id.to_owned(),
            message_id: message_id.to_owned(),
            channel,
            customer: customer.to_owned(),
            media: attachment.provider_media_id.clone()?,
            kind: attachment.kind,
            provider_message_id: None,
        })
    }

    /// The provider's id of the message, for providers whose download asks for it (TikTok).
    pub fn with_provider_message(mut self, id: &str) -> Self {
        self.provider_message_id = Some(id.to_owned());
        self
    }
}

/// How a media request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// A header of the provider's own (TikTok's `Access-Token`, `x-user`).
    Header(&'static str, &'a str),
}

impl Auth<'_> {
    fn apply(self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => rb,
            Auth::Bearer(token) => rb.bearer_auth(token),
            Auth::Header(name, value) => rb.header(name, value),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Worth another try: the network, a timeout, a 5xx or 429.
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help.
    #[error("{0}")]
    Permanent(String),
    /// The channel has no credentials here (a simulated channel, as in the demo): nothing to do.
    #[error("{0}")]
    NotConfigured(String),
}

impl FetchError {
    /// What the agent is told (the reason itself stays in the server's log).
    pub fn problem(&self) -> MediaProblem {
        match self {
            FetchError::Transient(_) | FetchError::NotConfigured(_) => MediaProblem::ProviderDown,
            FetchError::Permanent(why) if why.starts_with("larger than") => MediaProblem::TooLarge,
            FetchError::Permanent(why) if why.contains("SHA-256") => MediaProblem::Corrupt,
            FetchError::Permanent(why)
                if why.contains("private address") || why.starts_with("not a web link") =>
            {
                MediaProblem::Refused
            }
            FetchError::Permanent(_) => MediaProblem::Gone,
        }
    }
}

/// Fetches the file in the background ([`fetch_now`]); when it gives up, the message says why
/// (a [`MediaProblem`]) and the reason is logged (never the content).
pub fn fetch_later(state: AppState, job: MediaJob) {
    tokio::spawn(async move {
        let result = fetch_now(&state, &job).await;
        if let Err(FetchError::NotConfigured(why)) = &result {
            tracing::debug!(channel = job.channel.as_str(), reason = %why, "media: not fetched");
        } else if let Err(e) = result {
            tracing::warn!(
                channel = job.channel.as_str(),
                message = %job.message_id,
                reason = %e,
                "media: not fetched"
            );
            if let Err(e) = record_failure(&state, &job, e.problem()).await {
                tracing::error!(error = %e, "media: recording the failure failed");
            }
        }
    });
}

/// The job's message while its file is still not fetched, in a write transaction (`None`: the
/// message is gone, carries no file, or already has it).
async fn unfetched(
    state: &AppState,
    job: &MediaJob,
) -> Result<Option<(Writer, Message)>, crate::error::ServerError> {
    let mut w = state.write(&job.workspace_id).await?;
    let Some(msg) = w
        .get::<Message>(EntityKind::Message, &job.message_id)
        .await?
    else {
        return Ok(None);
    };
    match &msg.content {
        MessageContent::Attachment { attachment, .. } if attachment.attachment_id.is_none() => {
            Ok(Some((w, msg)))
        }
        _ => Ok(None),
    }
}

fn file_of(msg: &mut Message) -> &mut stepup_protocol::AttachmentRef {
    match &mut msg.content {
        MessageContent::Attachment { attachment, .. } => attachment,
        _ => unreachable!("unfetched() returns messages with a file"),
    }
}

/// Marks the message's file as not fetched, and why.
async fn record_failure(
    state: &AppState,
    job: &MediaJob,
    problem: MediaProblem,
) -> Result<(), crate::error::ServerError> {
    let Some((mut w, mut msg)) = unfetched(state, job).await? else {
        return Ok(());
    };
    file_of(&mut msg).fetch_failed = Some(problem);
    w.put_message(&msg).await?;
    state.commit(w).await?;
    Ok(())
}

/// Fetches the file, retrying what is worth retrying with doubling backoff, and points the
/// message at it.
pub async fn fetch_now(state: &AppState, job: &MediaJob) -> Result<(), FetchError> {
    let cfg = state
        .outbound_for(&job.workspace_id, job.channel, &job.customer)
        .await
        .map_err(|e| FetchError::Transient(format!("reading the channel connection: {e}")))?
        .into_owned();
    let mut backoff = cfg.retry_backoff;
    let mut last = FetchError::Transient("not attempted".into());
    for attempt in 1..=cfg.max_attempts.max(1) {
        match fetch(state, &cfg, job).await {
            Ok(bytes) => {
                return record(state, job, bytes)
                    .await
                    .map_err(|e| FetchError::Transient(format!("storing the file: {e}")));
            }
            Err(e @ (FetchError::Permanent(_) | FetchError::NotConfigured(_))) => return Err(e),
            Err(e) => {
                tracing::debug!(channel = job.channel.as_str(), attempt, reason = %e, "media: retrying");
                last = e;
                if attempt < cfg.max_attempts {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
    }
    Err(last)
}

fn allow_private(state: &AppState) -> bool {
    state.config().media_allow_private_hosts
}

/// Refuses a link to a private or loopback address (every address its host resolves to).
async fn check_host(state: &AppState, url: &reqwest::Url) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "https" | "http") {
        return Err(FetchError::Permanent(format!(
            "not a web link: {}",
            url.scheme()
        )));
    }
    if allow_private(state) {
        return Ok(());
    }
    let host = url
        .host_str()
        .ok_or_else(|| FetchError::Permanent("a link without a host".into()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| FetchError::Transient(format!("cannot resolve {host}: {e}")))?;
    for a in addrs {
        if is_private(a.ip()) {
            return Err(FetchError::Permanent(format!(
                "refusing a link to a private address ({host})"
            )));
        }
    }
    Ok(())
}

/// One GET, following at most 3 redirects (each checked), with the size limit.
async fn get(
    state: &AppState,
    cfg: &OutboundConfig,
    url: &str,
    auth: Auth<'_>,
) -> Result<(Vec<u8>, Option<String>), FetchError> {
    let limit = state.config().media_limit;
    let mut url = reqwest::Url::parse(url).map_err(|e| FetchError::Permanent(e.to_string()))?;
    for _ in 0..4 {
        check_host(state, &url).await?;
        let rb = state
            .media_http()
            .get(url.clone())
            .timeout(cfg.request_timeout);
        let resp =
            auth.apply(rb).send().await.map_err(|e| {
                FetchError::Transient(format!("network error: {}", e.without_url()))
            })?;
        let status = resp.status();
        if status.is_redirection() {
            let next = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .ok_or_else(|| FetchError::Permanent("a redirect without a location".into()))?;
            url = next;
            continue;
        }
        return read_limited(resp, limit).await;
    }
    Err(FetchError::Permanent("too many redirects".into()))
}

/// A provider's answer, at most `limit` bytes, with its content type; a 5xx or 429 is worth
/// another try, any other failure is not.
async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, Option<String>), FetchError> {
    let status = resp.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(FetchError::Transient(format!("provider answered {status}")));
    }
    if !status.is_success() {
        return Err(FetchError::Permanent(format!("provider answered {status}")));
    }
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(FetchError::Permanent(format!("larger than {limit} bytes")));
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| FetchError::Transient(format!("download interrupted: {}", e.without_url())))?
    {
        if bytes.len() + chunk.len() > limit {
            return Err(FetchError::Permanent(format!("larger than {limit} bytes")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, content_type))
}

/// A JSON POST to a provider's API (no redirects), its answer as JSON.
async fn post_json(
    state: &AppState,
    cfg: &OutboundConfig,
    url: &str,
    auth: Auth<'_>,
    body: &Value,
    what: &str,
) -> Result<Value, FetchError> {
    let url = reqwest::Url::parse(url).map_err(|e| FetchError::Permanent(e.to_string()))?;
    check_host(state, &url).await?;
    let rb = state
        .media_http()
        .post(url)
        .timeout(cfg.request_timeout)
        .json(body);
    let resp = auth
        .apply(rb)
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("network error: {}", e.without_url())))?;
    if resp.status().is_redirection() {
        return Err(FetchError::Permanent(format!(
            "{what}: an unexpected redirect"
        )));
    }
    let (bytes, _) = read_limited(resp, 1024 * 1024).await?;
    json_of(&bytes, what)
}

fn json_of(bytes: &[u8], what: &str) -> Result<Value, FetchError> {
    serde_json::from_slice(bytes)
        .map_err(|_| FetchError::Permanent(format!("{what}: the provider's answer is not JSON")))
}

/// The file's bytes, checked against the SHA-256 the provider gives (WhatsApp).
async fn fetch(
    state: &AppState,
    cfg: &OutboundConfig,
    job: &MediaJob,
) -> Result<Vec<u8>, FetchError> {
    match job.channel {
        Channel::Whatsapp => {
            let token = cfg
                .whatsapp_access_token
                .as_ref()
                .ok_or_else(|| FetchError::NotConfigured("no WhatsApp access token".into()))?;
            let meta_url = format!(
                "{}/{}/{}",
                cfg.graph_base_url.trim_end_matches('/'),
                cfg.graph_api_version,
                stepup_protocol::path_segment(&job.media)
            );
            let (meta, _) = get(state, cfg, &meta_url, Auth::Bearer(token.expose())).await?;
            let meta = json_of(&meta, "media URL")?;
            let url = meta["url"]
                .as_str()
                .ok_or_else(|| FetchError::Permanent("the media answer has no url".into()))?;
            let (bytes, _) = get(state, cfg, url, Auth::Bearer(token.expose())).await?;
            if let Some(given) = meta["sha256"].as_str()
                && !given.eq_ignore_ascii_case(&hex::encode(Sha256::digest(&bytes)))
            {
                return Err(FetchError::Permanent(
                    "the file does not match the provider's SHA-256".into(),
                ));
            }
            Ok(bytes)
        }
        Channel::Telegram => {
            let token = cfg
                .telegram_bot_token
                .as_ref()
                .ok_or_else(|| FetchError::NotConfigured("no Telegram bot token".into()))?;
            let base = cfg.telegram_base_url.trim_end_matches('/');
            let mut file_url =
                reqwest::Url::parse(&format!("{base}/bot{}/getFile", token.expose()))
                    .map_err(|e| FetchError::Permanent(e.to_string()))?;
            file_url
                .query_pairs_mut()
                .append_pair("file_id", &job.media);
            let (answer, _) = get(state, cfg, file_url.as_str(), Auth::None).await?;
            let answer = json_of(&answer, "getFile")?;
            let path = answer["result"]["file_path"]
                .as_str()
                .filter(|p| !p.contains(".."))
                .ok_or_else(|| FetchError::Permanent("getFile gave no file path".into()))?;
            let (bytes, _) = get(
                state,
                cfg,
                &format!("{base}/file/bot{}/{path}", token.expose()),
                Auth::None,
            )
            .await?;
            Ok(bytes)
        }
        Channel::Messenger | Channel::Instagram => {
            let (bytes, _) = get(state, cfg, &job.media, Auth::None).await?;
            Ok(bytes)
        }
        Channel::Tiktok => {
            // Business Messaging: the download endpoint answers a link valid for a day, which
            // is fetched with the same token in `x-user`.
            let token = cfg
                .tiktok_access_token
                .as_ref()
                .ok_or_else(|| FetchError::NotConfigured("no TikTok access token".into()))?;
            let message = job.provider_message_id.as_deref().ok_or_else(|| {
                FetchError::Permanent("no TikTok message id for the download".into())
            })?;
            let url = format!(
                "{}/open_api/v1.3/business/message/media/download/",
                cfg.tiktok_base_url.trim_end_matches('/')
            );
            let body = serde_json::json!({
                "business_id": cfg.tiktok_business_id,
                "conversation_id": job.customer,
                "message_id": message,
                "media_id": job.media,
                "media_type": if job.kind == AttachmentKind::Video { "VIDEO" } else { "IMAGE" },
            });
            let answer = post_json(
                state,
                cfg,
                &url,
                Auth::Header("Access-Token", token.expose()),
                &body,
                "TikTok media download",
            )
            .await?;
            if answer["code"].as_i64() != Some(0) {
                let why = answer["message"].as_str().unwrap_or("no reason given");
                return Err(FetchError::Permanent(format!(
                    "TikTok refused the download: {why}"
                )));
            }
            let link = answer["data"]["download_url"].as_str().ok_or_else(|| {
                FetchError::Permanent("TikTok's answer has no download_url".into())
            })?;
            let (bytes, _) = get(state, cfg, link, Auth::Header("x-user", token.expose())).await?;
            Ok(bytes)
        }
        Channel::Webchat => Err(FetchError::Permanent(
            "no media download for this channel".into(),
        )),
    }
}

/// Stores the bytes as an attachment and points the message at it.
async fn record(
    state: &AppState,
    job: &MediaJob,
    bytes: Vec<u8>,
) -> Result<(), crate::error::ServerError> {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let content_type = crate::sniff::stored_type(&bytes).to_owned();
    let Some((mut w, mut msg)) = unfetched(state, job).await? else {
        return Ok(());
    };
    let attachment = file_of(&mut msg);
    let stored = Attachment {
        id: state.ids().make("att"),
        content_type: content_type.clone(),
        filename: attachment
            .filename
            .clone()
            .unwrap_or_else(|| format!("{}-{}", attachment.kind.as_str(), job.message_id)),
        size: bytes.len() as u64,
        sha256,
        created_at: state.now(),
    };
    store::attachments::insert(w.conn(), &job.workspace_id, &stored, &bytes).await?;
    attachment.attachment_id = Some(stored.id);
    attachment.content_type = Some(content_type);
    attachment.fetch_failed = None;
    w.put_message(&msg).await?;
    state.commit(w).await?;
    Ok(())
}
