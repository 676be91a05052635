//! Server configuration. Channel secrets for a single workspace come from the environment
//! (see [`ChannelSecrets::from_env`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::secret::Secret;

/// Demo values used for the channel secrets in demo mode when the environment sets none.
pub mod demo_secrets {
    pub const META_APP_SECRET: &str = "demo-meta-app-secret";
    pub const META_VERIFY_TOKEN: &str = "demo-verify-token";
    pub const TELEGRAM_SECRET_TOKEN: &str = "demo-telegram-secret";
    pub const TIKTOK_CLIENT_SECRET: &str = "demo-tiktok-client-secret";
}

/// Secrets the channels' webhooks are verified with.
#[derive(Debug, Clone, Default)]
pub struct ChannelSecrets {
    /// `STEPUP_META_APP_SECRET`: signs WhatsApp, Messenger and Instagram webhooks.
    pub meta_app_secret: Option<Secret>,
    /// `STEPUP_META_VERIFY_TOKEN`: answers Meta's GET subscription check.
    pub meta_verify_token: Option<Secret>,
    /// `STEPUP_TELEGRAM_SECRET_TOKEN`: expected in `X-Telegram-Bot-Api-Secret-Token`.
    pub telegram_secret_token: Option<Secret>,
    /// `STEPUP_TIKTOK_CLIENT_SECRET`: signs TikTok webhooks.
    pub tiktok_client_secret: Option<Secret>,
}

impl ChannelSecrets {
    pub const ENV_META_APP_SECRET: &'static str = "STEPUP_META_APP_SECRET";
    pub const ENV_META_VERIFY_TOKEN: &'static str = "STEPUP_META_VERIFY_TOKEN";
    pub const ENV_TELEGRAM_SECRET_TOKEN: &'static str = "STEPUP_TELEGRAM_SECRET_TOKEN";
    pub const ENV_TIKTOK_CLIENT_SECRET: &'static str = "STEPUP_TIKTOK_CLIENT_SECRET";

    /// Reads the four variables; unset or empty ones stay `None`.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`ChannelSecrets::from_env`] over any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| get(k).filter(|v| !v.is_empty()).map(Secret::new);
        Self {
            meta_app_secret: get(Self::ENV_META_APP_SECRET),
            meta_verify_token: get(Self::ENV_META_VERIFY_TOKEN),
            telegram_secret_token: get(Self::ENV_TELEGRAM_SECRET_TOKEN),
            tiktok_client_secret: get(Self::ENV_TIKTOK_CLIENT_SECRET),
        }
    }

    /// Fills every unset secret with its documented demo value.
    pub fn with_demo_defaults(mut self) -> Self {
        self.meta_app_secret
            .get_or_insert_with(|| Secret::new(demo_secrets::META_APP_SECRET));
        self.meta_verify_token
            .get_or_insert_with(|| Secret::new(demo_secrets::META_VERIFY_TOKEN));
        self.telegram_secret_token
            .get_or_insert_with(|| Secret::new(demo_secrets::TELEGRAM_SECRET_TOKEN));
        self.tiktok_client_secret
            .get_or_insert_with(|| Secret::new(demo_secrets::TIKTOK_CLIENT_SECRET));
        self
    }
}

/// Where replies go out. `None` for a channel's credentials means replies on that channel are
/// simulated (marked sent locally), which is what demo mode uses.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Base of the Graph API (WhatsApp, Messenger, Instagram), e.g. `https://graph.facebook.com`.
    pub graph_base_url: String,
    pub graph_api_version: String,
    pub whatsapp_phone_number_id: String,
    pub whatsapp_access_token: Option<Secret>,
    pub messenger_page_access_token: Option<Secret>,
    pub instagram_access_token: Option<Secret>,
    /// Base of the Telegram Bot API, e.g. `https://api.telegram.org`.
    pub telegram_base_url: String,
    pub telegram_bot_token: Option<Secret>,
    /// Base of TikTok's business API.
    pub tiktok_base_url: String,
    pub tiktok_business_id: String,
    pub tiktok_access_token: Option<Secret>,
    /// Attempts per outbound message before it is marked failed.
    pub max_attempts: u32,
    /// Pause before the second attempt; doubles after each failure.
    pub retry_backoff: Duration,
    pub request_timeout: Duration,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            graph_base_url: "https://graph.facebook.com".into(),
            graph_api_version: "v21.0".into(),
            whatsapp_phone_number_id: String::new(),
            whatsapp_access_token: None,
            messenger_page_access_token: None,
            instagram_access_token: None,
            telegram_base_url: "https://api.telegram.org".into(),
            telegram_bot_token: None,
            tiktok_base_url: "https://business-api.tiktok.com".into(),
            tiktok_business_id: String::new(),
            tiktok_access_token: None,
            max_attempts: 3,
            retry_backoff: Duration::from_millis(500),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl OutboundConfig {
    /// Provider credentials and base URLs from the environment (see the README); channels without
    /// credentials are simulated.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`OutboundConfig::from_env`] over any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        let secret = |k: &str| get(k).map(Secret::new);
        let d = Self::default();
        Self {
            graph_base_url: get("STEPUP_GRAPH_BASE_URL").unwrap_or(d.graph_base_url),
            graph_api_version: get("STEPUP_GRAPH_API_VERSION").unwrap_or(d.graph_api_version),
            whatsapp_phone_number_id: get("STEPUP_WHATSAPP_PHONE_NUMBER_ID").unwrap_or_default(),
            whatsapp_access_token: secret("STEPUP_WHATSAPP_ACCESS_TOKEN"),
            messenger_page_access_token: secret("STEPUP_MESSENGER_PAGE_ACCESS_TOKEN"),
            instagram_access_token: secret("STEPUP_INSTAGRAM_ACCESS_TOKEN"),
            telegram_base_url: get("STEPUP_TELEGRAM_BASE_URL").unwrap_or(d.telegram_base_url),
            telegram_bot_token: secret("STEPUP_TELEGRAM_BOT_TOKEN"),
            tiktok_base_url: get("STEPUP_TIKTOK_BASE_URL").unwrap_or(d.tiktok_base_url),
            tiktok_business_id: get("STEPUP_TIKTOK_BUSINESS_ID").unwrap_or_default(),
            tiktok_access_token: secret("STEPUP_TIKTOK_ACCESS_TOKEN"),
            ..d
        }
    }

    /// Points every channel at one base URL (a local recorder in tests) with test credentials.
    pub fn all_at(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Self {
            graph_base_url: base.clone(),
            whatsapp_phone_number_id: "106540352242922".into(),
            whatsapp_access_token: Some(Secret::new("wa-token")),
            messenger_page_access_token: Some(Secret::new("page-token")),
            instagram_access_token: Some(Secret::new("ig-token")),
            telegram_base_url: base.clone(),
            telegram_bot_token: Some(Secret::new("123456:bot-token")),
            tiktok_base_url: base,
            tiktok_business_id: "tt-business-1".into(),
            tiktok_access_token: Some(Secret::new("tt-token")),
            max_attempts: 3,
            retry_backoff: Duration::from_millis(1),
            ..Self::default()
        }
    }
}

/// Web Chat's limits: what an anonymous visitor on the open internet may use.
#[derive(Debug, Clone)]
pub struct WebchatLimits {
    /// Messages one visitor may send per minute.
    pub messages_per_visitor_per_minute: u32,
    /// New visitor sessions one client address may start per minute.
    pub sessions_per_address_per_minute: u32,
    /// New visitor sessions one widget (shop) may receive per minute, whatever the addresses.
    pub sessions_per_widget_per_minute: u32,
    /// Open visitor streams (WebSockets) on the whole server.
    pub max_streams: usize,
    /// Open streams of one visitor (tabs of the same site).
    pub max_streams_per_visitor: usize,
    /// Largest frame a visitor's stream accepts (visitors only read from it).
    pub max_frame: usize,
}

impl Default for WebchatLimits {
    fn default() -> Self {
        Self {
            messages_per_visitor_per_minute: 30,
            sessions_per_address_per_minute: 10,
            sessions_per_widget_per_minute: 300,
            max_streams: 10_000,
            max_streams_per_visitor: 4,
            max_frame: 4 * 1024,
        }
    }
}

/// Everything [`crate::Server::start`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Serve HTTPS and WSS with this certificate ([`crate::tls::server_config_from_files`]);
    /// `None` serves plain HTTP (loopback, or behind a proxy that ends TLS).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Directory of the SQLite database and nothing else; `None` keeps everything in memory.
    /// Not used when `database_url` is set.
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL database (`postgres://user@host:5432/stepup`) instead of SQLite: what
    /// several nodes share. Created when it does not exist; migrated at start.
    pub database_url: Option<crate::secret::Secret>,
    pub secrets: ChannelSecrets,
    pub outbound: OutboundConfig,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long after a rotation the previous refresh token is still honoured once, if the new
    /// pair was never used (its client was killed before keeping it).
    pub refresh_reuse_interval: Duration,
    /// Largest JSON or webhook body accepted.
    pub body_limit: usize,
    /// Largest attachment accepted.
    pub attachment_limit: usize,
    /// Largest file fetched from a provider (a customer's video or document).
    pub media_limit: usize,
    /// Lets media links point at private and loopback addresses (`STEPUP_MEDIA_ALLOW_PRIVATE_HOSTS=1`,
    /// for tests whose providers stand on loopback); off, such links are refused.
    pub media_allow_private_hosts: bool,
    /// Changes kept in the raw log per workspace; older ones are compacted (cursors below → 410).
    pub feed_retention: u64,
    /// How often the compactor runs; `None` disables it (tests call `compact_feed`).
    pub compaction_interval: Option<Duration>,
    /// Messages older than this are left out of a snapshot; the client pages them with `?before=`.
    pub snapshot_message_window: Duration,
    /// Ask the customer for a 1–5 rating when a conversation is resolved.
    pub csat_survey: bool,
    pub heartbeat_interval: Duration,
    /// Web Chat: limits against one client or one widget flooding the cloud.
    pub webchat_limits: WebchatLimits,
    /// Sign-in attempts per account and per address, and the password checks at once.
    pub login_limits: crate::limits::LoginLimits,
    /// The reverse proxy in front of this server (`STEPUP_TRUSTED_PROXY`): only from it is
    /// `X-Forwarded-For` believed when limits count per client address.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// TikTok signature timestamp tolerance.
    pub tiktok_tolerance: Duration,
    pub clock: Arc<dyn Clock>,
    /// Ranks suggested replies and answers customers from canned responses when the workspace
    /// has no model (or may not send it its customers' messages).
    pub ranker: Arc<dyn crate::ranker::Ranker>,
    /// How long a call to a workspace's model may take, and how much it may answer.
    pub model_limits: crate::llm::Limits,
    /// Lets a workspace's model live on a private or loopback address
    /// (`STEPUP_MODEL_ALLOW_PRIVATE_HOSTS=1`: a model on the cloud's own network, and tests);
    /// off, such endpoints are refused.
    pub model_allow_private_hosts: bool,
    /// Customer messages the assistant answers at once, across workspaces.
    pub assistant_concurrency: usize,
    /// Broadcast messages sent a second (WhatsApp's Cloud API takes up to 80 a second per
    /// number by default).
    pub broadcast_rate: f64,
    /// How often the broadcast sender looks for due broadcasts and changed reports; `None`
    /// disables it (tests call `broadcasts::tick`).
    pub broadcast_tick: Option<Duration>,
    /// The server's address as providers reach it (`STEPUP_PUBLIC_URL`, e.g.
    /// `https://cloud.example.com`): where a connected Telegram bot's webhook is set.
    pub public_url: Option<String>,
    /// Seals channel credentials at rest (`STEPUP_CLOUD_KEY`); without it no connection can be
    /// made and the process-wide credentials are the only ones.
    pub server_key: Option<crate::vault::ServerKey>,
    /// Seed for generated ids; `None` seeds from the OS. Tokens always use the OS generator.
    pub id_seed: Option<u64>,
    /// The desktop app's releases offered as updates (`--updates-dir`, see [`crate::updates`]);
    /// `None` offers none.
    pub updates_dir: Option<PathBuf>,
}

impl Config {
    /// [`Config::ephemeral`] with the channel secrets from the environment, falling back to the
    /// documented demo values: what demo mode (the CLI's `--demo` and the desktop app) uses.
    pub fn demo() -> Self {
        let mut c = Self::ephemeral();
        c.secrets = ChannelSecrets::from_env().with_demo_defaults();
        c
    }

    /// Loopback on a random port, in memory, wall clock, secrets from nowhere.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: None,
            data_dir: None,
            database_url: None,
            secrets: ChannelSecrets::default(),
            outbound: OutboundConfig::default(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_reuse_interval: Duration::from_secs(10 * 60),
            body_limit: 1024 * 1024,
            attachment_limit: 10 * 1024 * 1024,
            media_limit: 64 * 1024 * 1024,
            media_allow_private_hosts: false,
            feed_retention: 200_000,
            compaction_interval: Some(Duration::from_secs(600)),
            snapshot_message_window: Duration::from_secs(30 * 24 * 3600),
            csat_survey: true,
            heartbeat_interval: Duration::from_secs(15),
            webchat_limits: WebchatLimits::default(),
            login_limits: crate::limits::LoginLimits::default(),
            trusted_proxy: None,
            tiktok_tolerance: Duration::from_secs(300),
            clock: Arc::new(SystemClock),
            ranker: Arc::new(crate::ranker::LexicalRanker),
            model_limits: crate::llm::Limits::default(),
            model_allow_private_hosts: false,
            assistant_concurrency: 16,
            broadcast_rate: 20.0,
            broadcast_tick: Some(Duration::from_secs(5)),
            public_url: None,
            server_key: None,
            id_seed: None,
            updates_dir: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn secrets_and_outbound_from_the_environment() {
        let env: HashMap<&str, &str> = [
            ("STEPUP_META_APP_SECRET", "s3cret"),
            ("STEPUP_TELEGRAM_SECRET_TOKEN", ""),
            ("STEPUP_WHATSAPP_ACCESS_TOKEN", "EAAB"),
            ("STEPUP_WHATSAPP_PHONE_NUMBER_ID", "1065"),
            ("STEPUP_TELEGRAM_BASE_URL", "http://127.0.0.1:9"),
        ]
        .into_iter()
        .collect();
        let get = |k: &str| env.get(k).map(|v| (*v).to_owned());
        let s = ChannelSecrets::from_lookup(get);
        assert_eq!(
            s.meta_app_secret.as_ref().map(Secret::expose),
            Some("s3cret")
        );
        assert!(s.telegram_secret_token.is_none(), "empty means unset");
        let demo = s.with_demo_defaults();
        assert_eq!(
            demo.meta_app_secret.as_ref().map(Secret::expose),
            Some("s3cret"),
            "env wins"
        );
        assert_eq!(
            demo.telegram_secret_token.as_ref().map(Secret::expose),
            Some(demo_secrets::TELEGRAM_SECRET_TOKEN)
        );
        let o = OutboundConfig::from_lookup(get);
        assert_eq!(
            o.whatsapp_access_token.as_ref().map(Secret::expose),
            Some("EAAB")
        );
        assert_eq!(o.whatsapp_phone_number_id, "1065");
        assert_eq!(o.telegram_base_url, "http://127.0.0.1:9");
        assert_eq!(o.graph_base_url, "https://graph.facebook.com");
        assert!(o.telegram_bot_token.is_none());
        assert!(
            !format!("{o:?}").contains("EAAB"),
            "tokens never reach Debug output"
        );
    }
}
