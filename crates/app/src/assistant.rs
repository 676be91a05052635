//! What the workspace's assistant writes for the agent: reply suggestions and a summary of a
//! conversation. Both come from the cloud (its model when the workspace allows one, else its
//! ranker or the customer's own words) and are kept in the encrypted cache, so once fetched they
//! show offline. Both are marked as the assistant's in the UI, and nothing is sent without the
//! agent choosing it.

use serde::{Deserialize, Serialize};
use stepup_i18n::Locale;
use stepup_protocol::{
    ArabiziReply, AssistantSettings, Channel, ConversationSummary, SuggestionSource,
    SuggestionsResponse, SummaryRequest,
};
use stepup_store::{AssistKind, Store};
use stepup_sync::client::{Method, urlencode};

use crate::{AppError, inbox::Inbox};

/// A suggested reply, always marked as suggested by the assistant.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionView {
    pub text: String,
    pub language: String,
    /// Written by the workspace's language model (not a canned response or a past reply).
    pub by_model: bool,
}

/// `conversation_summary`'s argument.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SummaryArgs {
    pub conversation_id: String,
    /// Ask the cloud for a new one; otherwise the kept one (or none).
    pub refresh: bool,
}

/// A summary of a conversation in the agent's language.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    pub text: String,
    /// The model that wrote it, or `extractive-v1`: the customer's own words, quoted.
    pub model: String,
    /// Written by a language model.
    pub ai: bool,
    #[ts(type = "number")]
    pub generated_at: i64,
    pub messages: u32,
    /// Messages arrived since it was written.
    pub stale: bool,
}

/// The workspace's assistant settings, as an admin edits them (the key itself never comes back).
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AssistantSettingsView {
    /// Customers' messages may be sent to a language model at all.
    pub model_text_allowed: bool,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub api_key_set: bool,
    pub auto_reply_channels: Vec<Channel>,
    pub arabizi_reply: ArabiziReply,
    pub handoff_keywords: Vec<String>,
}

/// What `set_assistant_settings` takes: the settings, and a new key when one is given.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SetAssistantSettings {
    pub model_text_allowed: bool,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub auto_reply_channels: Vec<Channel>,
    pub arabizi_reply: ArabiziReply,
    pub handoff_keywords: Vec<String>,
    /// A new key; absent keeps the stored one.
    #[ts(optional)]
    pub api_key: Option<String>,
}

impl From<AssistantSettings> for AssistantSettingsView {
    fn from(s: AssistantSettings) -> Self {
        AssistantSettingsView {
            model_text_allowed: s.model_text_allowed,
            base_url: s.base_url,
            model: s.model,
            api_key_set: s.api_key_set,
            auto_reply_channels: s.auto_reply_channels,
            arabizi_reply: s.arabizi_reply,
            handoff_keywords: s.handoff_keywords,
        }
    }
}

/// Suggestions as kept: for the conversation as it stood at `upto`.
#[derive(Debug, Serialize, Deserialize)]
struct KeptSuggestions {
    upto: Option<String>,
    items: Vec<SuggestionView>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeptSummary {
    summary: ConversationSummary,
}

fn path(conversation_id: &str, tail: &str) -> String {
    format!("/v1/conversations/{}{tail}", urlencode(conversation_id))
}

/// The newest cached message of a conversation that someone wrote (timeline events are not:
/// resolving a conversation does not make its summary stale).
async fn latest_message(store: &Store, conversation_id: &str) -> Result<Option<String>, AppError> {
    Ok(store
        .messages(conversation_id, None, 20)
        .await?
        .into_iter()
        .rev()
        .find(|m| m.origin != stepup_protocol::Origin::System)
        .map(|m| m.id))
}

impl Inbox {
    /// Suggested replies for the latest customer message. Offline (or when the cloud fails),
    /// the ones kept for the conversation as it stands, else none.
    pub async fn suggestions(
        &self,
        conversation_id: String,
    ) -> Result<Vec<SuggestionView>, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let upto = latest_message(store, &conversation_id).await?;
            let resp: Result<SuggestionsResponse, _> = a
                .session
                .client
                .command(
                    Method::GET,
                    &path(&conversation_id, "/suggestions"),
                    &serde_json::Value::Null,
                )
                .await;
            match resp {
                Ok(r) => {
                    let items: Vec<SuggestionView> = r
                        .suggestions
                        .into_iter()
                        .filter(|s| s.ai_suggestion)
                        .take(3)
                        .map(|s| SuggestionView {
                            by_model: s.source == SuggestionSource::Model,
                            text: s.text,
                            language: s.language,
                        })
                        .collect();
                    let kept = KeptSuggestions {
                        upto,
                        items: items.clone(),
                    };
                    store
                        .keep_assist(
                            &conversation_id,
                            AssistKind::Suggestions,
                            "",
                            &serde_json::to_string(&kept).unwrap_or_default(),
                            crate::now_ms(),
                        )
                        .await?;
                    Ok(items)
                }
                Err(e) => {
                    tracing::debug!(error = %e, "suggestions from the cache");
                    let kept = store
                        .assist(&conversation_id, AssistKind::Suggestions, "")
                        .await?
                        .and_then(|d| serde_json::from_str::<KeptSuggestions>(&d).ok());
                    Ok(kept
                        .filter(|k| k.upto == upto)
                        .map(|k| k.items)
                        .unwrap_or_default())
                }
            }
        })
        .await
    }

    /// The conversation's summary in `locale`: the kept one, or with `refresh` a new one from
    /// the cloud (kept for next time). Offline a refresh fails with `unreachable` and the kept
    /// one stays.
    pub async fn conversation_summary(
        &self,
        args: SummaryArgs,
        locale: Locale,
    ) -> Result<Option<SummaryView>, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let id = &args.conversation_id;
            if store.conversation(id).await?.is_none() {
                return Err(AppError::NotFound(id.clone()));
            }
            let latest = latest_message(store, id).await?;
            let summary = if args.refresh {
                let s: ConversationSummary = a
                    .session
                    .client
                    .command(
                        Method::POST,
                        &path(id, "/summary"),
                        &SummaryRequest {
                            locale: locale.tag().to_owned(),
                        },
                    )
                    .await?;
                let kept = KeptSummary { summary: s.clone() };
                store
                    .keep_assist(
                        id,
                        AssistKind::Summary,
                        locale.tag(),
                        &serde_json::to_string(&kept).unwrap_or_default(),
                        s.generated_at,
                    )
                    .await?;
                Some(s)
            } else {
                store
                    .assist(id, AssistKind::Summary, locale.tag())
                    .await?
                    .and_then(|d| serde_json::from_str::<KeptSummary>(&d).ok())
                    .map(|k| k.summary)
            };
            Ok(summary.map(|s| SummaryView {
                stale: s.upto_message_id.is_some() && s.upto_message_id != latest,
                text: s.text,
                model: s.model,
                ai: s.ai,
                generated_at: s.generated_at,
                messages: s.messages,
            }))
        })
        .await
    }

    /// The workspace's assistant settings (admins; the cloud refuses others as `rejected`).
    pub async fn assistant_settings(&self) -> Result<AssistantSettingsView, AppError> {
        self.with(async |a| {
            let s: AssistantSettings = a
                .session
                .client
                .command(Method::GET, "/v1/assistant", &serde_json::Value::Null)
                .await?;
            Ok(s.into())
        })
        .await
    }

    /// Changes the workspace's assistant settings (admins). Needs the cloud.
    pub async fn set_assistant_settings(
        &self,
        args: SetAssistantSettings,
    ) -> Result<AssistantSettingsView, AppError> {
        self.with(async |a| {
            let s: AssistantSettings = a
                .session
                .client
                .command(
                    Method::PUT,
                    "/v1/assistant",
                    // Written out: the protocol's type never serializes a key (it is write-only).
                    &serde_json::json!({
                        "model_text_allowed": args.model_text_allowed,
                        "base_url": args.base_url,
                        "model": args.model,
                        "api_key": args.api_key,
                        "auto_reply_channels": args.auto_reply_channels,
                        "arabizi_reply": args.arabizi_reply,
                        "handoff_keywords": args.handoff_keywords,
                    }),
                )
                .await?;
            Ok(s.into())
        })
        .await
    }
}
