//! Reply suggestions for a conversation: canned responses and past agent replies ranked against
//! what the customer wrote last.

use axum::Json;
use axum::extract::{Path, State};
use stepup_protocol::{
    CannedResponse, Conversation, Direction, EntityKind, Message, MessageContent, Suggestion,
    SuggestionSource, SuggestionsResponse,
};

use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::ranker::{self, Candidate};
use crate::state::AppState;
use crate::store;

pub(super) async fn suggestions(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionsResponse>> {
    let ws = &auth.workspace_id;
    let mut conn = state.pool().acquire().await?;
    store::get::<Conversation>(&mut conn, ws, EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let recent: Vec<Message> =
        store::children(&mut conn, ws, EntityKind::Message, &id, None, 20).await?;
    let customer_text: Vec<String> = recent
        .iter()
        .filter(|m| m.direction == Direction::Inbound)
        .take(3)
        .filter_map(|m| match &m.content {
            MessageContent::Text { text } | MessageContent::StoryReply { text, .. } => {
                Some(text.clone())
            }
            _ => None,
        })
        .collect();
    let text = customer_text.join(" ");
    // No connection is held while the model thinks (an in-memory database has only one).
    drop(conn);
    // The workspace's model, when it may be asked; on failure the ranker answers instead.
    if let Some(Ok((model, texts))) =
        crate::assistant::model_suggestions(&state, ws, &id, &recent).await?
        && !texts.is_empty()
    {
        return Ok(Json(SuggestionsResponse {
            suggestions: texts
                .into_iter()
                .map(|t| Suggestion {
                    language: ranker::detect_language(&t).to_owned(),
                    text: t,
                    source: SuggestionSource::Model,
                    canned_response_id: None,
                    score: 1.0,
                    ai_suggestion: true,
                })
                .collect(),
            model,
        }));
    }
    let language = ranker::detect_language(&text);
    let mut conn = state.pool().acquire().await?;
    let canned: Vec<CannedResponse> =
        store::list(&mut conn, ws, EntityKind::CannedResponse).await?;
    let mut candidates = ranker::canned_candidates(&canned);
    // Past agent replies in this workspace (most recent first, bounded).
    let rows = store::messages::past_replies(&mut conn, ws).await?;
    for t in rows {
        candidates.push(Candidate {
            language: ranker::detect_language(&t).to_owned(),
            text: t,
            source: SuggestionSource::PastReply,
            canned_response_id: None,
        });
    }
    let r = state.config().ranker.clone();
    Ok(Json(SuggestionsResponse {
        suggestions: r.rank(&text, language, &candidates, 3),
        model: r.name().to_owned(),
    }))
}
