//! The channels a conversation can come from, and their reply-window rules: defined here once,
//! for the cloud that enforces them, the app that counts them down and the analytics that
//! measure them.

use serde::{Deserialize, Serialize};

use crate::{ReplyWindow, SendMessageRequest};

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// How long before a window closes the app says it is closing.
pub const CLOSING_SOON_MS: i64 = 2 * HOUR_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Messenger,
    Instagram,
    Telegram,
    Tiktok,
    Webchat,
}

impl Channel {
    /// Every channel, in the order the app lists them.
    pub const ALL: [Channel; 6] = [
        Channel::Whatsapp,
        Channel::Messenger,
        Channel::Instagram,
        Channel::Telegram,
        Channel::Tiktok,
        Channel::Webchat,
    ];

    /// The wire name (`whatsapp`, `tiktok`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Whatsapp => "whatsapp",
            Channel::Messenger => "messenger",
            Channel::Instagram => "instagram",
            Channel::Telegram => "telegram",
            Channel::Tiktok => "tiktok",
            Channel::Webchat => "webchat",
        }
    }

    /// The channel of a wire name.
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// How long after the customer's last message free text may be sent; `None`: no window
    /// (Telegram, Web Chat).
    pub fn free_text_window_ms(self) -> Option<i64> {
        match self {
            Channel::Whatsapp | Channel::Messenger | Channel::Instagram => Some(DAY_MS),
            Channel::Tiktok => Some(2 * DAY_MS),
            Channel::Telegram | Channel::Webchat => None,
        }
    }

    /// Messenger and Instagram: how long a human agent may still answer with the
    /// `HUMAN_AGENT` tag. An agent's replies on these channels are sent with the tag allowed
    /// (`human_agent: true`): the cloud uses it only outside the 24-hour window.
    pub fn human_agent_window_ms(self) -> Option<i64> {
        match self {
            Channel::Messenger | Channel::Instagram => Some(7 * DAY_MS),
            _ => None,
        }
    }

    /// WhatsApp: approved templates may be sent at any time.
    pub fn uses_templates(self) -> bool {
        self == Channel::Whatsapp
    }

    /// The window after the customer's last inbound message (`None`: never wrote, so the window
    /// is closed from `created_at`).
    pub fn reply_window(self, last_inbound_at: Option<i64>, created_at: i64) -> ReplyWindow {
        let until = |ms: i64| last_inbound_at.map_or(created_at, |b| b.saturating_add(ms));
        ReplyWindow {
            free_text_until: self.free_text_window_ms().map(until),
            human_agent_until: self.human_agent_window_ms().map(until),
            templates_allowed: self.uses_templates(),
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a conversation's reply window stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    /// The channel has no window.
    None,
    Open,
    /// Under two hours left.
    Closing,
    Closed,
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

/// Why a reply may not be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefusal {
    /// The channel has no templates.
    NoTemplates,
    /// Free text outside the window (and no tag that would allow it).
    WindowClosed,
}

impl ReplyWindow {
    /// Until when a human agent may answer with text or a file: the end of the free-text window,
    /// or of the `HUMAN_AGENT` window where it is later (Messenger, Instagram). `None`: no window.
    pub fn agent_until(&self) -> Option<i64> {
        let free = self.free_text_until?;
        Some(self.human_agent_until.map_or(free, |h| h.max(free)))
    }

    /// The window's state for a human agent at `now` (see [`ReplyWindow::agent_until`]).
    pub fn state(&self, now: i64) -> WindowState {
        match self.agent_until() {
            None => WindowState::None,
            Some(t) if t <= now => WindowState::Closed,
            Some(t) if t - now < CLOSING_SOON_MS => WindowState::Closing,
            Some(_) => WindowState::Open,
        }
    }

    /// Whether `req` may be sent at `now`, and how.
    pub fn check(&self, req: &SendMessageRequest, now: i64) -> Result<SendMode, SendRefusal> {
        let human_agent = match req {
            SendMessageRequest::Template { .. } => {
                return if self.templates_allowed {
                    Ok(SendMode::Template)
                } else {
                    Err(SendRefusal::NoTemplates)
                };
            }
            SendMessageRequest::Text { human_agent, .. }
            | SendMessageRequest::Attachment { human_agent, .. } => *human_agent,
        };
        let Some(until) = self.free_text_until else {
            return Ok(SendMode::Response);
        };
        if now < until {
            return Ok(SendMode::Response);
        }
        if human_agent
            && let Some(h) = self.human_agent_until
            && now < h
        {
            return Ok(SendMode::HumanAgentTag);
        }
        Err(SendRefusal::WindowClosed)
    }
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
        let wa = Channel::Whatsapp.reply_window(Some(t0), 0);
        assert_eq!(
            wa.check(&text(false), t0 + DAY_MS - 1),
            Ok(SendMode::Response)
        );
        assert_eq!(
            wa.check(&text(false), t0 + DAY_MS),
            Err(SendRefusal::WindowClosed)
        );
        let tpl = SendMessageRequest::Template {
            template_id: "t".into(),
            params: vec![],
        };
        assert_eq!(wa.check(&tpl, t0 + 30 * DAY_MS), Ok(SendMode::Template));

        let ms = Channel::Messenger.reply_window(Some(t0), 0);
        assert!(ms.check(&text(false), t0 + DAY_MS + 1).is_err());
        assert_eq!(
            ms.check(&text(true), t0 + 6 * DAY_MS),
            Ok(SendMode::HumanAgentTag)
        );
        assert!(ms.check(&text(true), t0 + 7 * DAY_MS).is_err());
        assert_eq!(ms.check(&tpl, t0), Err(SendRefusal::NoTemplates));

        let tt = Channel::Tiktok.reply_window(Some(t0), 0);
        assert!(tt.check(&text(false), t0 + 47 * HOUR_MS).is_ok());
        assert!(tt.check(&text(false), t0 + 48 * HOUR_MS).is_err());

        let tg = Channel::Telegram.reply_window(None, 0);
        assert!(tg.check(&text(false), i64::MAX).is_ok());
        let wc = Channel::Webchat.reply_window(Some(t0), 0);
        assert!(wc.check(&text(false), t0 + 365 * DAY_MS).is_ok());

        let never = Channel::Whatsapp.reply_window(None, 5);
        assert_eq!(never.check(&text(false), 6), Err(SendRefusal::WindowClosed));
    }

    #[test]
    fn window_states() {
        let w = Channel::Whatsapp.reply_window(Some(0), 0);
        assert_eq!(w.state(0), WindowState::Open);
        assert_eq!(w.state(DAY_MS - CLOSING_SOON_MS + 1), WindowState::Closing);
        assert_eq!(w.state(DAY_MS), WindowState::Closed);
        let t = Channel::Telegram.reply_window(Some(0), 0);
        assert_eq!(t.state(i64::MAX), WindowState::None);
        // Messenger: a human agent may still answer for 7 days, with the HUMAN_AGENT tag.
        let m = Channel::Messenger.reply_window(Some(0), 0);
        assert_eq!(m.agent_until(), Some(7 * DAY_MS));
        assert_eq!(m.state(2 * DAY_MS), WindowState::Open);
        assert_eq!(m.state(7 * DAY_MS), WindowState::Closed);
    }

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.as_str().into())
            );
        }
        assert_eq!(Channel::parse("fax"), None);
    }
}
