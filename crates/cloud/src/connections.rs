//! A workspace's channel connections, so one cloud serves many shops: each shop connects its
//! own WhatsApp number, Facebook page, Instagram account, Telegram bot, TikTok account and Web
//! Chat widget (whose account id is the widget's public key).
//!
//! - Webhooks are routed by the provider account in the payload ([`AppState::route`]); a
//!   delivery for an account no workspace has connected is acknowledged (so the provider stops
//!   retrying), counted, logged without content, and delivered nowhere.
//! - Replies leave through the connection the customer wrote to, with its own credentials
//!   ([`AppState::outbound_for`]).
//! - Credentials are sealed under the server key ([`crate::vault`]), never logged, never sent to
//!   the app.
//!
//! Without any connection for a channel the server keeps the single-shop shortcut of the
//! environment variables: deliveries go to the first workspace, replies use the process-wide
//! credentials.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use stepup_protocol::Channel;

use crate::config::OutboundConfig;
use crate::error::ServerError;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store;
use crate::vault::VaultError;

/// Where a connection's replies and the conversation's customer meet: the lookup namespace
/// that remembers, per customer, the connection they last wrote to.
const CUSTOMER_CONNECTION: &str = "conn";

pub use crate::store::connections::Connection;

/// A connection's secrets. Which are used depends on the channel: WhatsApp (access token, app
/// secret), Messenger and Instagram (page access token, app secret), Telegram (bot token and the
/// webhook secret token), TikTok (access token, client secret).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Credentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

impl Credentials {
    /// A credential as a [`Secret`], when set and not empty.
    pub fn secret_of(v: &Option<String>) -> Option<Secret> {
        Self::secret(v)
    }

    fn secret(v: &Option<String>) -> Option<Secret> {
        v.as_deref().filter(|s| !s.is_empty()).map(Secret::new)
    }

    /// The secret that signs this connection's webhooks (Meta's app secret, TikTok's client
    /// secret).
    pub fn signing_secret(&self) -> Option<Secret> {
        Self::secret(&self.app_secret).or_else(|| Self::secret(&self.client_secret))
    }
}

/// What [`AppState::connect`] needs.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub channel: Channel,
    pub account_id: String,
    pub name: String,
    pub credentials: Credentials,
}

/// A connection with its opened credentials, for the server's own use.
#[derive(Debug, Clone)]
pub struct Connected {
    pub connection: Connection,
    pub credentials: Credentials,
}

impl Connected {
    /// The outbound settings with this connection's account and credentials in place of the
    /// process-wide ones (endpoints, retries and timeouts stay).
    pub fn outbound(&self, base: &OutboundConfig) -> OutboundConfig {
        let mut cfg = base.clone();
        let c = &self.credentials;
        let token = Credentials::secret(&c.access_token);
        let account = self.connection.account_id.clone();
        match self.connection.channel {
            Channel::Whatsapp => {
                cfg.whatsapp_phone_number_id = account;
                cfg.whatsapp_access_token = token;
            }
            Channel::Messenger => cfg.messenger_page_access_token = token,
            Channel::Instagram => cfg.instagram_access_token = token,
            Channel::Telegram => cfg.telegram_bot_token = Credentials::secret(&c.bot_token),
            Channel::Tiktok => {
                cfg.tiktok_business_id = account;
                cfg.tiktok_access_token = token;
            }
            Channel::Webchat => {}
        }
        cfg
    }
}

/// Where a webhook delivery goes.
#[derive(Debug, Clone)]
pub enum Route {
    /// To the workspace of the connection of its account.
    Connected(Box<Connected>),
    /// To a workspace by the single-shop rules (an account route, or the first workspace).
    Workspace(String),
    /// Its account belongs to no workspace: acknowledged, counted, delivered nowhere.
    Unknown,
}

impl Route {
    pub fn workspace(&self) -> Option<&str> {
        match self {
            Route::Connected(c) => Some(&c.connection.workspace_id),
            Route::Workspace(ws) => Some(ws),
            Route::Unknown => None,
        }
    }
}

fn vault_error(e: VaultError) -> ServerError {
    ServerError::Invalid(e.to_string())
}

impl AppState {
    /// Connects a provider account to a workspace, its credentials sealed under the server key.
    /// An account is connected to one workspace at a time.
    pub async fn connect(
        &self,
        workspace_id: &str,
        new: NewConnection,
    ) -> Result<Connection, ServerError> {
        let key = self
            .config()
            .server_key
            .as_ref()
            .ok_or_else(|| vault_error(VaultError::NoKey))?;
        let mut new = new;
        if new.channel == Channel::Webchat {
            // The widget's key is public (it is in the shop's page); it only names the shop.
            let key = new.account_id.trim();
            if key.is_empty() {
                new.account_id = format!("wk_{}", hex::encode(rand::random::<[u8; 12]>()));
            } else if !(8..=64).contains(&key.len())
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(ServerError::Invalid(
                    "a widget key is 8–64 letters, digits, '_' or '-'".into(),
                ));
            }
            new.credentials = Credentials::default();
        }
        if new.channel == Channel::Telegram {
            let token = new.credentials.bot_token.clone().unwrap_or_default();
            // A bot's id is the part of its token before the colon.
            let Some((bot_id, _)) = token.split_once(':') else {
                return Err(ServerError::Invalid(
                    "a Telegram connection needs the bot token (id:secret)".into(),
                ));
            };
            if new.account_id.trim().is_empty() {
                new.account_id = bot_id.to_owned();
            }
            if new.credentials.webhook_secret.is_none() {
                new.credentials.webhook_secret = Some(hex::encode(rand::random::<[u8; 24]>()));
            }
        }
        if new.account_id.trim().is_empty() {
            return Err(ServerError::Invalid("the account id is empty".into()));
        }
        let connection = Connection {
            id: self.ids().make("con"),
            workspace_id: workspace_id.to_owned(),
            channel: new.channel,
            account_id: new.account_id.trim().to_owned(),
            name: new.name,
            created_at: self.now(),
        };
        if new.channel == Channel::Telegram
            && let Some(public) = &self.config().public_url
        {
            self.set_telegram_webhook(public, &connection.id, &new.credentials)
                .await?;
        }
        let plain = serde_json::to_vec(&new.credentials)
            .map_err(|e| ServerError::Invalid(e.to_string()))?;
        let sealed = key.seal(&connection.id, &plain);
        store::connections::insert(self.pool(), &connection, &sealed)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    ServerError::Invalid(format!(
                        "{} account {} is already connected",
                        connection.channel.as_str(),
                        connection.account_id
                    ))
                }
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    ServerError::Invalid(format!("no workspace {workspace_id}"))
                }
                other => other.into(),
            })?;
        tracing::info!(
            connection = %connection.id,
            workspace = workspace_id,
            channel = connection.channel.as_str(),
            "channel connected"
        );
        Ok(connection)
    }

    /// Points a bot's webhook at its own door, with its own secret token (Bot API
    /// `setWebhook`). Nothing is stored when Telegram refuses.
    async fn set_telegram_webhook(
        &self,
        public_url: &str,
        connection_id: &str,
        credentials: &Credentials,
    ) -> Result<(), ServerError> {
        let cfg = &self.config().outbound;
        let token = credentials.bot_token.as_deref().unwrap_or_default();
        let url = format!(
            "{}/bot{token}/setWebhook",
            cfg.telegram_base_url.trim_end_matches('/')
        );
        let body = serde_json::json!({
            "url": format!("{}/webhooks/telegram/{connection_id}", public_url.trim_end_matches('/')),
            "secret_token": credentials.webhook_secret,
            "allowed_updates": ["message", "edited_message"],
        });
        let refused =
            |why: String| ServerError::Invalid(format!("Telegram refused setWebhook: {why}"));
        let resp = self
            .http()
            .post(&url)
            .timeout(cfg.request_timeout)
            .json(&body)
            .send()
            .await
            .map_err(|e| refused(e.without_url().to_string()))?;
        let status = resp.status();
        let answer: serde_json::Value = resp.json().await.unwrap_or_default();
        if !status.is_success() || answer["ok"] != serde_json::Value::Bool(true) {
            return Err(refused(
                answer["description"]
                    .as_str()
                    .map_or_else(|| status.to_string(), str::to_owned),
            ));
        }
        Ok(())
    }

    /// A workspace's connections (without credentials).
    pub async fn connections(&self, workspace_id: &str) -> Result<Vec<Connection>, ServerError> {
        Ok(store::connections::of_workspace(self.pool(), workspace_id)
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    fn open(&self, (connection, sealed): (Connection, Vec<u8>)) -> Result<Connected, ServerError> {
        let key = self
            .config()
            .server_key
            .as_ref()
            .ok_or_else(|| vault_error(VaultError::NoKey))?;
        let plain = key.open(&connection.id, &sealed).map_err(vault_error)?;
        let credentials =
            serde_json::from_slice(&plain).map_err(|e| ServerError::Invalid(e.to_string()))?;
        Ok(Connected {
            connection,
            credentials,
        })
    }

    /// The connection of a provider account, with its credentials.
    pub async fn connection_for_account(
        &self,
        channel: Channel,
        account_id: &str,
    ) -> Result<Option<Connected>, ServerError> {
        store::connections::by_account(self.pool(), channel, account_id)
            .await?
            .map(|row| self.open(row))
            .transpose()
    }

    /// A connection by its id, with its credentials.
    pub async fn connection_by_id(&self, id: &str) -> Result<Option<Connected>, ServerError> {
        store::connections::by_id(self.pool(), id)
            .await?
            .map(|row| self.open(row))
            .transpose()
    }

    /// Where a delivery for `account` on `channel` goes (see [`Route`]). An unknown account is
    /// counted here.
    pub async fn route(
        &self,
        channel: Channel,
        account: Option<&str>,
    ) -> Result<Route, ServerError> {
        if let Some(account) = account {
            if let Some(c) = self.connection_for_account(channel, account).await? {
                return Ok(Route::Connected(Box::new(c)));
            }
            if let Some(ws) = self.routed_workspace(channel, account).await? {
                return Ok(Route::Workspace(ws));
            }
        }
        if store::connections::any_for_channel(self.pool(), channel).await? {
            // Several shops on this server: a delivery for none of them goes nowhere.
            let account = account.unwrap_or("");
            store::connections::count_unrouted(self.pool(), channel, account, self.now()).await?;
            tracing::warn!(
                channel = channel.as_str(),
                account,
                "webhook for an account no workspace has connected; acknowledged and dropped"
            );
            return Ok(Route::Unknown);
        }
        match self.webhook_workspace().await? {
            Some(ws) => Ok(Route::Workspace(ws)),
            None => Err(crate::error::ApiError::not_found("workspace for webhooks").into()),
        }
    }

    /// How many deliveries for `account` were acknowledged and dropped.
    pub async fn unrouted_deliveries(
        &self,
        channel: Channel,
        account: &str,
    ) -> Result<i64, ServerError> {
        Ok(store::connections::unrouted(self.pool(), channel, account).await?)
    }

    /// Remembers which connection a customer wrote to, so the replies leave through it.
    pub(crate) async fn remember_customer_connection(
        w: &mut store::Writer,
        channel: Channel,
        customer: &str,
        connection_id: &str,
    ) -> Result<(), sqlx::Error> {
        w.set_lookup(
            CUSTOMER_CONNECTION,
            &format!("{}:{customer}", channel.as_str()),
            connection_id,
        )
        .await
    }

    /// The outbound settings for a reply to `customer`: the connection they wrote to, else the
    /// workspace's one connection for the channel, else the process-wide settings.
    pub async fn outbound_for(
        &self,
        workspace_id: &str,
        channel: Channel,
        customer: &str,
    ) -> Result<Cow<'_, OutboundConfig>, ServerError> {
        let base = &self.config().outbound;
        let mut conn = self.pool().acquire().await?;
        let remembered = store::lookup(
            &mut conn,
            workspace_id,
            CUSTOMER_CONNECTION,
            &format!("{}:{customer}", channel.as_str()),
        )
        .await?;
        drop(conn);
        let row = match remembered {
            Some(id) => store::connections::by_id(self.pool(), &id).await?,
            None => None,
        };
        let row = match row {
            Some(row) => Some(row),
            None => {
                let mut all = store::connections::of_workspace(self.pool(), workspace_id).await?;
                all.retain(|(c, _)| c.channel == channel);
                if all.len() == 1 { all.pop() } else { None }
            }
        };
        match row {
            Some(row) if row.0.workspace_id == workspace_id => {
                Ok(Cow::Owned(self.open(row)?.outbound(base)))
            }
            _ => Ok(Cow::Borrowed(base)),
        }
    }
}
