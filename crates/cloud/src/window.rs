//! The reply window, enforced: the rules are the protocol's (`Channel::reply_window`,
//! `ReplyWindow::check`); this turns a refusal into the API's error.

use axum::http::StatusCode;
use stepup_protocol::{Channel, ErrorCode, ReplyWindow, SendMessageRequest, SendRefusal};

pub use stepup_protocol::{DAY_MS, HOUR_MS, SendMode};

use crate::error::{ApiError, ApiResult};

/// The window after the customer's last inbound message.
pub fn reply_window(
    channel: Channel,
    last_inbound_at: Option<i64>,
    created_at: i64,
) -> ReplyWindow {
    channel.reply_window(last_inbound_at, created_at)
}

/// Decides whether the request may be sent now.
pub fn check_send(
    channel: Channel,
    window: &ReplyWindow,
    req: &SendMessageRequest,
    now: i64,
) -> ApiResult<SendMode> {
    window.check(req, now).map_err(|refusal| match refusal {
        SendRefusal::NoTemplates => {
            ApiError::bad_request(format!("{channel} does not use message templates"))
        }
        SendRefusal::WindowClosed => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ReplyWindowClosed,
            match channel {
                Channel::Whatsapp => "the 24-hour window is closed: send an approved template",
                Channel::Messenger | Channel::Instagram => {
                    "the 24-hour window is closed: reply with the HUMAN_AGENT tag within 7 days"
                }
                _ => "the reply window is closed",
            },
        ),
    })
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
