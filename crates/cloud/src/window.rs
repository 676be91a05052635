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

    // The rules themselves are tested where they live (`stepup_protocol::channel`); here, what a
    // refusal becomes.
    #[test]
    fn refusals_become_the_apis_errors() {
        let text = SendMessageRequest::Text {
            text: "hi".into(),
            reply_to_message_id: None,
            human_agent: false,
        };
        let never = reply_window(Channel::Whatsapp, None, 5);
        let err = check_send(Channel::Whatsapp, &never, &text, 6).unwrap_err();
        assert_eq!(err.code, ErrorCode::ReplyWindowClosed);
        assert_eq!(err.status, StatusCode::CONFLICT);
        assert!(err.message.contains("template"), "{}", err.message);
        let ms = reply_window(Channel::Messenger, Some(0), 0);
        let err = check_send(Channel::Messenger, &ms, &text, DAY_MS).unwrap_err();
        assert!(err.message.contains("HUMAN_AGENT"), "{}", err.message);
        let template = SendMessageRequest::Template {
            template_id: "t".into(),
            params: vec![],
        };
        let err = check_send(Channel::Telegram, &ms, &template, 0).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert_eq!(
            check_send(Channel::Whatsapp, &never, &template, 6).unwrap(),
            SendMode::Template
        );
    }
}
