//! Reply windows per channel, computed by the server.

use stepup_protocol::{Channel, ReplyWindow, SendMessageRequest};

use crate::error::{ApiError, ApiResult};
use axum::http::StatusCode;
use stepup_protocol::ErrorCode;

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The window after the customer's last inbound message (`None`: never wrote; the window is
/// closed from `created_at`).
pub fn reply_window(
    channel: Channel,
    last_inbound_at: Option<i64>,
    created_at: i64,
) -> ReplyWindow {
    let base = last_inbound_at;
    let until = |ms: i64| Some(base.map_or(created_at, |b| b.saturating_add(ms)));
    match channel {
        Channel::Whatsapp => ReplyWindow {
            free_text_until: until(DAY_MS),
            human_agent_until: None,
            templates_allowed: true,
        },
        Channel::Messenger | Channel::Instagram => ReplyWindow {
            free_text_until: until(DAY_MS),
            human_agent_until: until(7 * DAY_MS),
            templates_allowed: false,
        },
        Channel::Tiktok => ReplyWindow {
            free_text_until: until(2 * DAY_MS),
            human_agent_until: None,
            templates_allowed: false,
        },
        Channel::Telegram | Channel::Webchat => ReplyWindow {
            free_text_until: None,
            human_agent_until: None,
            templates_allowed: false,
        },
    }
}

/// How a permitted reply must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// Inside the window (or a channel without one).
    Response,
    /// Messenger/Instagram outside 24 h, inside 7 days, with the HUMAN_AGENT tag.
    HumanAgentTag,
    /// WhatsApp template (allowed at any time).
    Template,
}

fn closed(message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, ErrorCode::ReplyWindowClosed, message)
}

/// Decides whether the request may be sent now.
pub fn check_send(
    channel: Channel,
    window: &ReplyWindow,
    req: &SendMessageRequest,
    now: i64,
) -> ApiResult<SendMode> {
    let human_agent = match req {
        SendMessageRequest::Template { .. } => {
            return if window.templates_allowed {
                Ok(SendMode::Template)
            } else {
                Err(ApiError::bad_request(format!(
                    "{} does not use message templates",
                    channel.as_str()
                )))
            };
        }
        SendMessageRequest::Text { human_agent, .. }
        | SendMessageRequest::Attachment { human_agent, .. } => *human_agent,
    };
    let Some(until) = window.free_text_until else {
        return Ok(SendMode::Response);
    };
    if now < until {
        return Ok(SendMode::Response);
    }
    if human_agent
        && let Some(h) = window.human_agent_until
        && now < h
    {
        return Ok(SendMode::HumanAgentTag);
    }
    Err(closed(match channel {
        Channel::Whatsapp => "the 24-hour window is closed: send an approved template",
        Channel::Messenger | Channel::Instagram => {
            "the 24-hour window is closed: reply with the HUMAN_AGENT tag within 7 days"
        }
        _ => "the reply window is closed",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(human_agent: bool) -> SendMessageRequest {
        SendMessageRequest::Text {
            text: "hi".into(),
            reply_to_message_id: None,
            human_agent,
        }
    }

    #[test]
    fn windows_per_channel() {
        let t0 = 1_000_000;
        let wa = reply_window(Channel::Whatsapp, Some(t0), 0);
        assert!(matches!(
            check_send(Channel::Whatsapp, &wa, &text(false), t0 + DAY_MS - 1),
            Ok(SendMode::Response)
        ));
        assert!(check_send(Channel::Whatsapp, &wa, &text(false), t0 + DAY_MS).is_err());
        let tpl = SendMessageRequest::Template {
            template_id: "t".into(),
            params: vec![],
        };
        assert!(matches!(
            check_send(Channel::Whatsapp, &wa, &tpl, t0 + 30 * DAY_MS),
            Ok(SendMode::Template)
        ));

        let ms = reply_window(Channel::Messenger, Some(t0), 0);
        assert!(check_send(Channel::Messenger, &ms, &text(false), t0 + DAY_MS + 1).is_err());
        assert!(matches!(
            check_send(Channel::Messenger, &ms, &text(true), t0 + 6 * DAY_MS),
            Ok(SendMode::HumanAgentTag)
        ));
        assert!(check_send(Channel::Messenger, &ms, &text(true), t0 + 7 * DAY_MS).is_err());

        let tt = reply_window(Channel::Tiktok, Some(t0), 0);
        assert!(check_send(Channel::Tiktok, &tt, &text(false), t0 + 47 * HOUR_MS).is_ok());
        assert!(check_send(Channel::Tiktok, &tt, &text(false), t0 + 48 * HOUR_MS).is_err());

        let tg = reply_window(Channel::Telegram, None, 0);
        assert!(check_send(Channel::Telegram, &tg, &text(false), i64::MAX).is_ok());
        let wc = reply_window(Channel::Webchat, Some(t0), 0);
        assert!(check_send(Channel::Webchat, &wc, &text(false), t0 + 365 * DAY_MS).is_ok());

        let never = reply_window(Channel::Whatsapp, None, 5);
        let err = check_send(Channel::Whatsapp, &never, &text(false), 6).unwrap_err();
        assert_eq!(err.code, ErrorCode::ReplyWindowClosed);
        assert_eq!(err.status, StatusCode::CONFLICT);
    }
}
