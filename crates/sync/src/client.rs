//! The sync protocol over HTTP and WebSocket. Tokens stay in memory and in
//! the keyring; they are never logged (the `Secret` wrapper prints
//! `<redacted>`).

use std::{sync::Arc, time::Duration};

use reqwest::StatusCode;
pub use reqwest::{Method, Url};
use serde::{Serialize, de::DeserializeOwned};
/// Percent-encodes one path segment.
pub use stepup_protocol::path_segment as urlencode;
use stepup_protocol::{
    DeviceGrant, DeviceInfo, ErrorBody, ErrorCode, IDEMPOTENCY_KEY_HEADER, LoginRequest, Message,
    MessagesPage, RefreshRequest, SendMessageRequest, SyncResponse, TokenResponse, WipeOrder,
};
use stepup_store::Secret;

use crate::tls::{Trust, TrustError, certificate_problem};
use tokio::sync::Mutex;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{client::IntoClientRequest, http::HeaderValue},
};

pub type Stream = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the server at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the server did not answer in time")]
    Timeout,
    #[error("the server answered {status}: {message}")]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    #[error("the server sent a malformed answer: {0}")]
    Malformed(String),
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("too many attempts; try again in {retry_after} s")]
    RateLimited { retry_after: u64, message: String },
    #[error("the session has ended; sign in again")]
    SignedOut,
    /// The cloud says this device was revoked and sends an order to erase it, not yet checked
    /// against the device's key (see [`ClientError::DeviceRevoked`]).
    #[error("the server sent an order to erase this device")]
    WipeOrder(WipeOrder),
    /// This device was signed out by the agent or an admin, with an order signed with this
    /// device's own key: erase its cache, files and keys.
    #[error("this device was signed out by the workspace and must erase its data")]
    DeviceRevoked(WipeOrder),
    #[error("the sync cursor is older than the server keeps; syncing again from the start")]
    CursorExpired,
    #[error("not a valid server address: {0}")]
    BadUrl(String),
    #[error(
        "{0} uses plain http://, which would send passwords and messages unencrypted; \
         use https:// (plain http:// is only for this computer's own address)"
    )]
    Insecure(String),
    #[error("the server's certificate is not trusted: {detail}")]
    Certificate { url: String, detail: String },
    #[error("{0}")]
    Trust(#[from] TrustError),
}

impl ClientError {
    /// Worth retrying later: the network, timeouts, server errors, rate limits,
    /// and garbage answers (a proxy's error page, a server mid-deploy).
    pub fn is_transient(&self) -> bool {
        match self {
            // A certificate is fixed on the server or the computer, not by waiting; still worth
            // trying again now and then, so the inbox comes back once it is fixed.
            ClientError::Unreachable { .. }
            | ClientError::Timeout
            | ClientError::Malformed(_)
            | ClientError::Certificate { .. } => true,
            ClientError::RateLimited { .. } => true,
            ClientError::Server { status, .. } => {
                *status >= 500 || *status == 429 || *status == 408
            }
            _ => false,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Server { code, .. } => *code,
            _ => None,
        }
    }
}

/// Called with every new refresh token (they rotate on each use), so it can
/// be kept in the keyring; awaited before the new tokens are used, so a process
/// killed right after a refresh has kept the token the cloud now expects.
pub type RefreshSink = Arc<
    dyn Fn(Secret<String>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// Reads the refresh token as kept now: another process of the same account (the app and the
/// CLI) may have rotated it since this one read it.
pub type RefreshSource = Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Secret<String>>> + Send>>
        + Send
        + Sync,
>;

/// How a client shares its refresh token with other processes of the same account: under an
/// exclusive lock on `lock_file`, it re-reads the kept token before refreshing and keeps the new
/// one before letting go, so processes rotate one after another and never present a token
/// another already rotated away (which the cloud would take for a leak and end the session).
#[derive(Clone)]
pub struct SharedRefresh {
    pub source: RefreshSource,
    pub lock_file: std::path::PathBuf,
}

impl std::fmt::Debug for SharedRefresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedRefresh")
            .field("lock_file", &self.lock_file)
            .finish_non_exhaustive()
    }
}

struct Tokens {
    access: Option<Secret<String>>,
    refresh: Secret<String>,
}

/// A client of one server, signed in as one agent.
#[derive(Clone)]
pub struct CloudClient {
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    base: String,
    tokens: Arc<Mutex<Tokens>>,
    on_refresh: Option<RefreshSink>,
    shared: Option<SharedRefresh>,
    /// This device's id and key for wipe orders (from sign-in).
    device: Option<Arc<DeviceGrant>>,
    /// Ask for compressed answers (`Accept-Encoding: gzip`).
    compressed: bool,
}

/// Whether `order` is for the device of `grant` and signed with its key.
pub fn wipe_order_verifies(order: &WipeOrder, grant: &DeviceGrant) -> bool {
    use hmac::Mac;
    let (Ok(key), Ok(signature)) = (hex::decode(&grant.wipe_key), hex::decode(&order.signature))
    else {
        return false;
    };
    if key.len() != 32 || order.device_id != grant.device_id {
        return false;
    }
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(WipeOrder::signed_text(&order.device_id, order.ordered_at).as_bytes());
    // Compared in constant time.
    mac.verify_slice(&signature).is_ok()
}

impl std::fmt::Debug for CloudClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Timeouts for talking to the cloud.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
        }
    }
}

/// How to reach a cloud: timeouts and which certificates to trust.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeouts: Timeouts,
    pub trust: Trust,
}

impl Default for ClientOptions {
    /// Default timeouts; the system's certificates and `STEPUP_EXTRA_CA_FILE`.
    fn default() -> Self {
        ClientOptions {
            timeouts: Timeouts::default(),
            trust: Trust::from_env(),
        }
    }
}

/// Checks a server address: `https://` anywhere, plain `http://` only on this computer's own
/// (loopback) address. Returns it without a trailing slash.
pub fn normalize_base(server: &str) -> Result<String, ClientError> {
    let base = server.trim().trim_end_matches('/');
    let url =
        reqwest::Url::parse(base).map_err(|e| ClientError::BadUrl(format!("{server}: {e}")))?;
    let Some(host) = url.host_str() else {
        return Err(ClientError::BadUrl(server.to_owned()));
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(ClientError::Insecure(base.to_owned())),
        _ => return Err(ClientError::BadUrl(server.to_owned())),
    }
    Ok(base.to_owned())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn transport(
    options: &ClientOptions,
) -> Result<(reqwest::Client, Arc<rustls::ClientConfig>), ClientError> {
    let tls = options.trust.client_config()?;
    let http = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .https_only(false)
        .connect_timeout(options.timeouts.connect)
        .timeout(options.timeouts.request)
        .user_agent(concat!("stepup-desktop/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client builds");
    Ok((http, tls))
}

pub(crate) fn transport_error(url: &str, err: reqwest::Error) -> ClientError {
    if let Some(detail) = certificate_problem(&err) {
        ClientError::Certificate {
            url: url.to_owned(),
            detail,
        }
    } else if err.is_timeout() {
        ClientError::Timeout
    } else if err.is_decode() {
        ClientError::Malformed(err.to_string())
    } else {
        // Only the kind of failure: the request itself never reaches a log.
        let detail = if err.is_connect() {
            "connection refused or no route".to_owned()
        } else {
            err.to_string()
        };
        ClientError::Unreachable {
            url: url.to_owned(),
            detail,
        }
    }
}

/// Holds an exclusive lock on `path` (created if missing) until the file is dropped; `None` when
/// the file cannot be locked (then processes are not kept apart, as before).
async fn lock_exclusive(path: std::path::PathBuf) -> Option<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).and_then(|f| f.lock().map(|()| f));
        match file {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::warn!(error = %e, "cannot lock the refresh token across processes");
                None
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// The largest JSON answer read (a page of the feed or of history is a few MB): a server or a
/// proxy gone wrong cannot make the app read without end.
pub const JSON_LIMIT: usize = 32 * 1024 * 1024;

/// The largest attachment downloaded (the cloud accepts at most 64 MiB from providers).
pub const DOWNLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// Reads a body of at most `limit` bytes; a larger one is a malformed answer, and is not read
/// further.
async fn read_capped(
    url: &str,
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ClientError> {
    let too_large = || ClientError::Malformed(format!("an answer larger than {limit} bytes"));
    if resp
        .content_length()
        .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit))
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(url, e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Inflates a gzip body (feed and history pages come compressed) to at most `limit` bytes: a
/// small body that inflates without end is a malformed answer, not a reason to run out of
/// memory.
fn gunzip_capped(zipped: &[u8], limit: usize) -> Result<Vec<u8>, ClientError> {
    use std::io::Read as _;
    let mut out = Vec::with_capacity(zipped.len().saturating_mul(4).min(limit));
    flate2::read::GzDecoder::new(zipped)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            ClientError::Malformed(format!("a compressed answer that does not inflate: {e}"))
        })?;
    if out.len() > limit {
        return Err(ClientError::Malformed(format!(
            "an answer larger than {limit} bytes"
        )));
    }
    Ok(out)
}

pub(crate) async fn read_json<T: DeserializeOwned>(
    url: &str,
    resp: reqwest::Response,
) -> Result<T, ClientError> {
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let gzip = resp
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let mut bytes = read_capped(url, resp, JSON_LIMIT).await?;
    if gzip {
        bytes = gunzip_capped(&bytes, JSON_LIMIT)?;
    }
    if status.is_success() {
        // An empty answer (204) reads as `null`, which `()` takes.
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        return serde_json::from_slice(body).map_err(|e| ClientError::Malformed(e.to_string()));
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    Err(match (status, body) {
        (StatusCode::GONE, _) => ClientError::CursorExpired,
        (
            _,
            Some(ErrorBody {
                code: ErrorCode::InvalidCredentials,
                ..
            }),
        ) => ClientError::InvalidCredentials,
        (
            StatusCode::UNAUTHORIZED,
            Some(ErrorBody {
                code: ErrorCode::DeviceRevoked,
                wipe: Some(order),
                ..
            }),
        ) => ClientError::WipeOrder(order),
        (StatusCode::TOO_MANY_REQUESTS, body) => ClientError::RateLimited {
            retry_after: retry_after.unwrap_or(1),
            message: body.map_or_else(|| "too many requests".to_owned(), |b| b.message),
        },
        (_, Some(b)) => ClientError::Server {
            status: status.as_u16(),
            code: Some(b.code),
            message: b.message,
        },
        (_, None) => ClientError::Server {
            status: status.as_u16(),
            code: None,
            message: status.canonical_reason().unwrap_or("error").to_owned(),
        },
    })
}

impl CloudClient {
    /// Signs in with a password.
    pub async fn login(
        server: &str,
        email: &str,
        password: &Secret<String>,
        device: Option<DeviceInfo>,
        options: &ClientOptions,
    ) -> Result<(CloudClient, TokenResponse), ClientError> {
        let base = normalize_base(server)?;
        let (http, tls) = transport(options)?;
        let url = format!("{base}/v1/auth/login");
        let body = LoginRequest {
            email: email.to_owned(),
            password: password.expose().clone(),
            device,
        };
        let resp = http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| transport_error(&url, e))?;
        let tokens: TokenResponse = read_json(&url, resp).await?;
        let client = CloudClient {
            http,
            tls,
            base,
            tokens: Arc::new(Mutex::new(Tokens {
                access: Some(Secret::new(tokens.access_token.clone())),
                refresh: Secret::new(tokens.refresh_token.clone()),
            })),
            on_refresh: None,
            shared: None,
            device: tokens.device.clone().map(Arc::new),
            compressed: true,
        };
        Ok((client, tokens))
    }

    /// A client from a stored refresh token (the access token is fetched on
    /// first use).
    pub fn resume(
        server: &str,
        refresh: Secret<String>,
        options: &ClientOptions,
    ) -> Result<CloudClient, ClientError> {
        let base = normalize_base(server)?;
        let (http, tls) = transport(options)?;
        Ok(CloudClient {
            http,
            tls,
            base,
            tokens: Arc::new(Mutex::new(Tokens {
                access: None,
                refresh,
            })),
            on_refresh: None,
            shared: None,
            device: None,
            compressed: true,
        })
    }

    /// This device's id and key for wipe orders, kept from sign-in.
    pub fn with_device(mut self, device: Option<DeviceGrant>) -> CloudClient {
        self.device = device.map(Arc::new);
        self
    }

    /// An order to erase this device is obeyed only when it is signed with this device's key;
    /// any other (a proxy's error page, a forgery) is an ordinary end of the session.
    fn judge(&self, err: ClientError) -> ClientError {
        match err {
            ClientError::WipeOrder(order) => match &self.device {
                Some(grant) if wipe_order_verifies(&order, grant) => {
                    ClientError::DeviceRevoked(order)
                }
                _ => {
                    tracing::warn!("an order to erase this device did not verify; ignored");
                    ClientError::SignedOut
                }
            },
            other => other,
        }
    }

    /// Whether to ask for compressed answers (on by default; the feed's and history's pages
    /// shrink several times). Off, answers come as plain JSON, as from a cloud without it.
    pub fn with_compression(mut self, on: bool) -> CloudClient {
        self.compressed = on;
        self
    }

    pub fn with_refresh_sink(mut self, sink: RefreshSink) -> CloudClient {
        self.on_refresh = Some(sink);
        self
    }

    /// Shares the refresh token with the account's other processes (see [`SharedRefresh`]).
    pub fn with_shared_refresh(mut self, shared: SharedRefresh) -> CloudClient {
        self.shared = Some(shared);
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub async fn refresh_token(&self) -> Secret<String> {
        self.tokens.lock().await.refresh.clone()
    }

    async fn access_token(&self) -> Result<Secret<String>, ClientError> {
        let mut tokens = self.tokens.lock().await;
        if let Some(access) = &tokens.access {
            return Ok(access.clone());
        }
        self.refresh_locked(&mut tokens).await
    }

    async fn refresh_locked(&self, tokens: &mut Tokens) -> Result<Secret<String>, ClientError> {
        let _across_processes = match &self.shared {
            Some(shared) => {
                let lock = lock_exclusive(shared.lock_file.clone()).await;
                if let Some(kept) = (shared.source)().await
                    && kept.expose() != tokens.refresh.expose()
                {
                    tracing::debug!("another process rotated the refresh token; using its one");
                    tokens.refresh = kept;
                }
                lock
            }
            None => None,
        };
        let url = format!("{}/v1/auth/refresh", self.base);
        let body = RefreshRequest {
            refresh_token: tokens.refresh.expose().clone(),
        };
        let resp = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| transport_error(&url, e))?;
        let fresh: TokenResponse = match read_json(&url, resp).await {
            Ok(t) => t,
            Err(ClientError::Server {
                status: 401 | 403, ..
            }) => return Err(ClientError::SignedOut),
            Err(e) => return Err(self.judge(e)),
        };
        tokens.access = Some(Secret::new(fresh.access_token));
        tokens.refresh = Secret::new(fresh.refresh_token);
        if let Some(sink) = &self.on_refresh {
            sink(tokens.refresh.clone()).await;
        }
        Ok(tokens.access.clone().expect("just set"))
    }

    /// Sends an authenticated request; on an expired access token, refreshes
    /// once and tries again.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        for attempt in 0..2 {
            let access = self.access_token().await?;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(access.expose());
            if self.compressed {
                req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip");
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            if let Some(key) = idempotency_key {
                req = req.header(IDEMPOTENCY_KEY_HEADER, key);
            }
            let resp = req.send().await.map_err(|e| transport_error(&url, e))?;
            if resp.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                let mut tokens = self.tokens.lock().await;
                // Another task may have refreshed meanwhile.
                if tokens.access.as_ref().map(|a| a.expose()) == Some(access.expose()) {
                    tokens.access = None;
                    self.refresh_locked(&mut tokens).await?;
                }
                continue;
            }
            return match read_json(&url, resp).await {
                Err(ClientError::Server { status: 401, .. }) => Err(ClientError::SignedOut),
                Err(e) => Err(self.judge(e)),
                ok => ok,
            };
        }
        Err(ClientError::SignedOut)
    }

    /// One page of the change feed after `cursor`.
    pub async fn sync(&self, cursor: &str, limit: u32) -> Result<SyncResponse, ClientError> {
        let path = format!("/v1/sync?after={}&limit={limit}", urlencode(cursor));
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// One page of the change feed after `cursor`: at most `limit` changes, and about `bytes`
    /// of their documents (at least one change, however large).
    pub async fn sync_page(
        &self,
        cursor: &str,
        limit: u32,
        bytes: usize,
    ) -> Result<SyncResponse, ClientError> {
        let path = format!(
            "/v1/sync?after={}&limit={limit}&bytes={bytes}",
            urlencode(cursor)
        );
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// Older history of a conversation, newest first.
    pub async fn history(
        &self,
        conversation_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<MessagesPage, ClientError> {
        let mut path = format!(
            "/v1/conversations/{}/messages?limit={limit}",
            urlencode(conversation_id)
        );
        if let Some(before) = before {
            path.push_str(&format!("&before={before}"));
        }
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// The workspace's messages created in `[from, to)`, oldest first, a page at a time.
    pub async fn history_range(
        &self,
        from: i64,
        to: i64,
        after: Option<&str>,
        limit: u32,
    ) -> Result<stepup_protocol::HistoryPage, ClientError> {
        let mut path = format!("/v1/history?from={from}&to={to}&limit={limit}");
        if let Some(after) = after {
            path.push_str(&format!("&after={}", urlencode(after)));
        }
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// Sends a message with its idempotency key: a retry with the same key
    /// returns the first result and never creates a second message.
    pub async fn send_message(
        &self,
        conversation_id: &str,
        request: &SendMessageRequest,
        idempotency_key: &str,
    ) -> Result<Message, ClientError> {
        let path = format!("/v1/conversations/{}/messages", urlencode(conversation_id));
        self.call(Method::POST, &path, Some(request), Some(idempotency_key))
            .await
    }

    /// Any other JSON command (`PATCH /v1/conversations/{id}`, notes, read, presence…).
    pub async fn command<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<T, ClientError> {
        self.call(method, path, Some(body), None).await
    }

    /// Sets the signed-in agent's availability (`PUT /v1/presence`).
    pub async fn set_presence(
        &self,
        presence: stepup_protocol::Presence,
    ) -> Result<stepup_protocol::Agent, ClientError> {
        let body = stepup_protocol::SetPresenceRequest { presence };
        self.call(Method::PUT, "/v1/presence", Some(&body), None)
            .await
    }

    /// Tells the other agents this one is viewing or typing in a conversation (`None`: left it).
    pub async fn report_activity(
        &self,
        conversation_id: &str,
        kind: Option<stepup_protocol::ActivityKind>,
    ) -> Result<(), ClientError> {
        let body = stepup_protocol::ActivityRequest { kind };
        let path = format!("/v1/conversations/{}/activity", urlencode(conversation_id));
        self.call::<()>(Method::POST, &path, Some(&body), None)
            .await
    }

    /// Downloads an attachment: its bytes and content type.
    pub async fn download_attachment(&self, id: &str) -> Result<(Vec<u8>, String), ClientError> {
        let url = format!("{}/v1/attachments/{}", self.base, urlencode(id));
        let resp = self.authorized(&url, |http| http.get(&url)).await?;
        if !resp.status().is_success() {
            return Err(read_json::<serde_json::Value>(&url, resp)
                .await
                .err()
                .unwrap_or(ClientError::Malformed(
                    "an error status with a success body".into(),
                )));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = read_capped(&url, resp, DOWNLOAD_LIMIT).await?;
        Ok((bytes, content_type))
    }

    /// Uploads a file; the answer says how the cloud stored it (its sniffed
    /// type, size and id), to send in a message.
    pub async fn upload_attachment(
        &self,
        bytes: Vec<u8>,
        filename: &str,
    ) -> Result<stepup_protocol::Attachment, ClientError> {
        let url = format!(
            "{}/v1/attachments?filename={}",
            self.base,
            urlencode(filename)
        );
        let resp = self
            .authorized(&url, |http| {
                http.post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(bytes.clone())
            })
            .await?;
        read_json(&url, resp).await
    }

    /// Sends a request with the access token; on a `401` refreshes the
    /// tokens once and sends it again.
    async fn authorized(
        &self,
        url: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        for attempt in 0..2 {
            let access = self.access_token().await?;
            let resp = build(&self.http)
                .bearer_auth(access.expose())
                .send()
                .await
                .map_err(|e| transport_error(url, e))?;
            if resp.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                let mut tokens = self.tokens.lock().await;
                tokens.access = None;
                self.refresh_locked(&mut tokens).await?;
                continue;
            }
            return Ok(resp);
        }
        Err(ClientError::SignedOut)
    }

    /// This agent's signed-in devices (for an admin, the workspace's).
    pub async fn devices(&self) -> Result<Vec<stepup_protocol::Device>, ClientError> {
        self.call(Method::GET, "/v1/devices", None::<&()>, None)
            .await
    }

    /// Signs a device out and orders it to erase its data at its next contact.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), ClientError> {
        let path = format!("/v1/devices/{}", urlencode(device_id));
        self.call(Method::DELETE, &path, None::<&()>, None).await
    }

    /// Ends the session on the server.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let refresh = self.tokens.lock().await.refresh.expose().clone();
        let body = serde_json::json!({ "refresh_token": refresh });
        let _: serde_json::Value = self
            .call(Method::POST, "/v1/auth/logout", Some(&body), None)
            .await
            .or_else(|e| {
                // An empty 204 body is not JSON: that is success.
                if matches!(e, ClientError::Malformed(_)) {
                    Ok(serde_json::Value::Null)
                } else {
                    Err(e)
                }
            })?;
        Ok(())
    }

    /// Opens the realtime stream.
    pub async fn open_stream(&self) -> Result<Stream, ClientError> {
        let ws_url = if let Some(rest) = self.base.strip_prefix("https://") {
            format!("wss://{rest}/v1/stream")
        } else {
            format!("ws://{}/v1/stream", self.base.trim_start_matches("http://"))
        };
        for attempt in 0..2 {
            let access = self.access_token().await?;
            let mut req = ws_url
                .as_str()
                .into_client_request()
                .map_err(|e| ClientError::BadUrl(e.to_string()))?;
            let value = HeaderValue::from_str(&format!("Bearer {}", access.expose()))
                .map_err(|_| ClientError::Malformed("token".into()))?;
            req.headers_mut().insert("authorization", value);
            let connector = tokio_tungstenite::Connector::Rustls(self.tls.clone());
            // A frame or message of the stream is one change or one activity: small.
            let limits = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                .max_message_size(Some(JSON_LIMIT))
                .max_frame_size(Some(JSON_LIMIT));
            match tokio_tungstenite::connect_async_tls_with_config(
                req,
                Some(limits),
                true,
                Some(connector),
            )
            .await
            {
                Ok((stream, _)) => return Ok(stream),
                Err(tokio_tungstenite::tungstenite::Error::Http(resp))
                    if resp.status() == 401 && attempt == 0 =>
                {
                    let mut tokens = self.tokens.lock().await;
                    tokens.access = None;
                    self.refresh_locked(&mut tokens).await?;
                }
                Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                    return Err(ClientError::Server {
                        status: resp.status().as_u16(),
                        code: None,
                        message: "the stream was refused".into(),
                    });
                }
                Err(e) => {
                    return Err(match certificate_problem(&e) {
                        Some(detail) => ClientError::Certificate {
                            url: ws_url.clone(),
                            detail,
                        },
                        None => ClientError::Unreachable {
                            url: ws_url.clone(),
                            detail: e.to_string(),
                        },
                    });
                }
            }
        }
        Err(ClientError::SignedOut)
    }
}
