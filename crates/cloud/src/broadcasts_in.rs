//! What customers' messages do to broadcasts, inside the ingest transaction: «إيقاف» or "STOP"
//! opts them out of broadcasts (and "START" back in), and a reply to a broadcast links the
//! conversation to it, with the broadcast's message shown in the timeline before the reply.

use stepup_protocol::{
    Broadcast, Conversation, Direction, EntityKind, Message, MessageContent, MessageStatus, Origin,
    Template,
};

use crate::state::AppState;
use crate::store::{self, Writer};

/// How long after a broadcast a customer's message counts as its reply.
pub const REPLY_WITHIN_MS: i64 = 7 * 24 * 3_600_000;

/// `Some(true)`: the customer asks to receive no more broadcasts; `Some(false)`: to receive
/// them again. Only a message that is nothing but the word (a customer writing "stop the
/// order" is not opting out).
pub fn opt_out_request(text: &str) -> Option<bool> {
    let t = crate::ranker::normalize(text);
    let t = t
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match t.as_str() {
        "stop" | "unsubscribe" | "ايقاف" | "الغاء الاشتراك" | "وقف" | "ستوب" => {
            Some(true)
        }
        "start" | "subscribe" | "اشتراك" | "ابدا" => Some(false),
        _ => None,
    }
}

/// Links the conversation to the broadcast this customer's message answers, if any: the
/// recipient is marked replied, the conversation carries `broadcast_id`, and the broadcast's
/// message is written into the timeline at the time it was sent.
pub async fn link_reply(
    state: &AppState,
    w: &mut Writer,
    conv: &mut Conversation,
    wa_id: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    let ws = w.workspace_id().to_owned();
    let Some((broadcast_id, params, sent_at)) =
        store::broadcasts::mark_replied(w.conn(), &ws, wa_id, at - REPLY_WITHIN_MS, at, &conv.id)
            .await?
    else {
        return Ok(());
    };
    conv.broadcast_id = Some(broadcast_id.clone());
    let Some(b) = w
        .get::<Broadcast>(EntityKind::Broadcast, &broadcast_id)
        .await?
    else {
        return Ok(());
    };
    let body = w
        .get::<Template>(EntityKind::Template, &b.template_id)
        .await?
        .map(|t| t.body)
        .unwrap_or_default();
    let message = Message {
        id: state.message_id(),
        conversation_id: conv.id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: Some(b.created_by_agent_id.clone()),
        origin: Origin::Bot,
        content: MessageContent::Template {
            rendered: render(&body, &params),
            template_id: b.template_id.clone(),
            name: b.template_name.clone(),
            language: b.language.clone(),
            params,
        },
        reply_to_message_id: None,
        status: MessageStatus::Delivered,
        error: None,
        provider_message_id: None,
        created_at: sent_at,
        edited_at: None,
    };
    w.put_message(&message).await.map(|_| ())
}

/// A template's body with `{{1}}`, `{{2}}`, … filled.
pub fn render(body: &str, params: &[String]) -> String {
    let mut out = body.to_owned();
    for (i, p) in params.iter().enumerate() {
        out = out.replace(&format!("{{{{{}}}}}", i + 1), p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_word_alone_opts_out_or_in() {
        for t in [
            "STOP",
            "stop.",
            " إيقاف ",
            "ايقاف",
            "إلغاء الاشتراك",
            "Unsubscribe!",
        ] {
            assert_eq!(opt_out_request(t), Some(true), "{t}");
        }
        for t in ["START", "اشتراك"] {
            assert_eq!(opt_out_request(t), Some(false), "{t}");
        }
        for t in ["stop the order please", "ايقاف الطلب", "الغاء", "متى يوصل؟"]
        {
            assert_eq!(opt_out_request(t), None, "{t}");
        }
    }

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(
            render(
                "مرحبا {{1}}، خصم {{2}} على العطور",
                &["هدى".into(), "20%".into()]
            ),
            "مرحبا هدى، خصم 20% على العطور"
        );
    }
}
