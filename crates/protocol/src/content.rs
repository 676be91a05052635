//! What a message holds, and what is derived from it once, here: its kind, the preview a list
//! row shows, and the text search indexes. The cloud, the cache, the app, notifications and
//! analytics all use these; nothing re-derives them.

use serde::{Deserialize, Serialize};

/// The longest preview carried on a conversation, in characters.
pub const PREVIEW_CHARS: usize = 140;

/// The kind of a file in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Image,
    Audio,
    /// A voice note recorded in the chat app.
    Voice,
    Video,
    Document,
    Sticker,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Image => "image",
            AttachmentKind::Audio => "audio",
            AttachmentKind::Voice => "voice",
            AttachmentKind::Video => "video",
            AttachmentKind::Document => "document",
            AttachmentKind::Sticker => "sticker",
        }
    }

    /// Shown in the timeline itself (images and stickers), not only saved.
    pub fn is_visual(self) -> bool {
        matches!(self, AttachmentKind::Image | AttachmentKind::Sticker)
    }

    /// Played as sound.
    pub fn is_audio(self) -> bool {
        matches!(self, AttachmentKind::Audio | AttachmentKind::Voice)
    }
}

/// What a message is: the one list of kinds every layer names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Template,
    Image,
    Audio,
    Voice,
    Video,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    /// A tap on a button or a list item the business sent.
    Reply,
    StoryReply,
    Unsupported,
    Event,
}

impl MessageKind {
    pub const ALL: [MessageKind; 15] = [
        MessageKind::Text,
        MessageKind::Template,
        MessageKind::Image,
        MessageKind::Audio,
        MessageKind::Voice,
        MessageKind::Video,
        MessageKind::Document,
        MessageKind::Sticker,
        MessageKind::Location,
        MessageKind::Contacts,
        MessageKind::Reaction,
        MessageKind::Reply,
        MessageKind::StoryReply,
        MessageKind::Unsupported,
        MessageKind::Event,
    ];

    /// The wire name (`image`, `story_reply`, …), also the suffix of its message id in the
    /// translations (`kind-image`).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Template => "template",
            MessageKind::Image => "image",
            MessageKind::Audio => "audio",
            MessageKind::Voice => "voice",
            MessageKind::Video => "video",
            MessageKind::Document => "document",
            MessageKind::Sticker => "sticker",
            MessageKind::Location => "location",
            MessageKind::Contacts => "contacts",
            MessageKind::Reaction => "reaction",
            MessageKind::Reply => "reply",
            MessageKind::StoryReply => "story_reply",
            MessageKind::Unsupported => "unsupported",
            MessageKind::Event => "event",
        }
    }

    /// Whether the kind is plain writing (its preview needs no name of a kind before it).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            MessageKind::Text
                | MessageKind::Template
                | MessageKind::Reply
                | MessageKind::StoryReply
        )
    }
}

impl From<AttachmentKind> for MessageKind {
    fn from(k: AttachmentKind) -> Self {
        match k {
            AttachmentKind::Image => MessageKind::Image,
            AttachmentKind::Audio => MessageKind::Audio,
            AttachmentKind::Voice => MessageKind::Voice,
            AttachmentKind::Video => MessageKind::Video,
            AttachmentKind::Document => MessageKind::Document,
            AttachmentKind::Sticker => MessageKind::Sticker,
        }
    }
}

/// A conversation's last message as its list row shows it: its kind, and its text (empty when
/// it has none: a photo without a caption, a contact card). The text is the customer's, never a
/// word of the app's: the kind is named in the reader's language by whoever shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    pub kind: MessageKind,
    /// At most [`PREVIEW_CHARS`] characters.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub attachment_id: Option<String>,
    pub kind: AttachmentKind,
    pub content_type: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    /// The provider's media id, for media the server has not fetched.
    #[serde(default)]
    pub provider_media_id: Option<String>,
    /// Why the server could not fetch the file from the provider, when it gave up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_failed: Option<MediaProblem>,
}

/// Why a customer's file could not be fetched from the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MediaProblem {
    /// Larger than the server accepts.
    TooLarge,
    /// The provider has no such file any more (or refused the credentials).
    Gone,
    /// The bytes do not match the provider's checksum.
    Corrupt,
    /// Its link pointed somewhere the server never goes (a private address).
    Refused,
    /// The provider kept failing; it was tried several times.
    ProviderDown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedContact {
    pub name: String,
    #[serde(default)]
    pub phones: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageContent {
    Text {
        text: String,
    },
    Template {
        template_id: String,
        name: String,
        language: String,
        params: Vec<String>,
        rendered: String,
    },
    Attachment {
        attachment: AttachmentRef,
        #[serde(default)]
        caption: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        address: Option<String>,
    },
    Contacts {
        /// Display names and phone numbers of the shared contacts.
        contacts: Vec<SharedContact>,
    },
    Reaction {
        /// The message reacted to (the server's id when known).
        target_message_id: String,
        /// Empty when the customer removed the reaction.
        emoji: String,
    },
    InteractiveReply {
        reply_id: String,
        title: String,
    },
    StoryReply {
        text: String,
        story_url: Option<String>,
    },
    Unsupported {
        provider_type: String,
    },
    /// A system event in the timeline (direction `outbound`, origin `system`).
    Event {
        event: ConversationEvent,
    },
}

impl MessageContent {
    pub fn kind(&self) -> MessageKind {
        match self {
            MessageContent::Text { .. } => MessageKind::Text,
            MessageContent::Template { .. } => MessageKind::Template,
            MessageContent::Attachment { attachment, .. } => attachment.kind.into(),
            MessageContent::Location { .. } => MessageKind::Location,
            MessageContent::Contacts { .. } => MessageKind::Contacts,
            MessageContent::Reaction { .. } => MessageKind::Reaction,
            MessageContent::InteractiveReply { .. } => MessageKind::Reply,
            MessageContent::StoryReply { .. } => MessageKind::StoryReply,
            MessageContent::Unsupported { .. } => MessageKind::Unsupported,
            MessageContent::Event { .. } => MessageKind::Event,
        }
    }

    /// The words a person wrote or chose in the message, in full: the text, a caption, a
    /// place's name, a contact's name, a button's title, an emoji. `None` when there are none
    /// (a photo without a caption, an event). Channels send this as the message's text.
    pub fn text(&self) -> Option<&str> {
        let text = match self {
            MessageContent::Text { text } | MessageContent::StoryReply { text, .. } => text,
            MessageContent::Template { rendered, .. } => rendered,
            MessageContent::Attachment { caption, .. } => caption.as_ref()?,
            MessageContent::Location { name, address, .. } => name.as_ref().or(address.as_ref())?,
            MessageContent::Contacts { contacts } => &contacts.first()?.name,
            MessageContent::Reaction { emoji, .. } => emoji,
            MessageContent::InteractiveReply { title, .. } => title,
            MessageContent::Unsupported { .. } | MessageContent::Event { .. } => return None,
        };
        Some(text.as_str())
    }

    /// Longest text a customer's message keeps, in characters. Channels allow at most 4,096
    /// (WhatsApp, Telegram); only a forged or broken sender writes more.
    pub const MAX_TEXT_CHARS: usize = 10_000;

    /// Cuts every free text of the message (text, caption, names, titles) to `max` characters,
    /// ending a cut one with `…`. True when anything was cut.
    pub fn cap_text(&mut self, max: usize) -> bool {
        fn cap(text: &mut String, max: usize) -> bool {
            match text.char_indices().nth(max) {
                Some((end, _)) => {
                    let end = text[..end]
                        .char_indices()
                        .nth(max.saturating_sub(1))
                        .map_or(end, |(i, _)| i);
                    text.truncate(end);
                    text.push('…');
                    true
                }
                None => false,
            }
        }
        let opt = |t: &mut Option<String>| t.as_mut().is_some_and(|t| cap(t, max));
        match self {
            MessageContent::Text { text } | MessageContent::StoryReply { text, .. } => {
                cap(text, max)
            }
            MessageContent::Template { rendered, .. } => cap(rendered, max),
            MessageContent::Attachment {
                caption,
                attachment,
            } => opt(caption) | opt(&mut attachment.filename),
            MessageContent::Location { name, address, .. } => opt(name) | opt(address),
            MessageContent::Contacts { contacts } => {
                contacts.truncate(100);
                contacts
                    .iter_mut()
                    .fold(false, |cut, c| cut | cap(&mut c.name, max))
            }
            MessageContent::Reaction { emoji, .. } => cap(emoji, 16),
            MessageContent::InteractiveReply { title, .. } => cap(title, max),
            MessageContent::Unsupported { .. } | MessageContent::Event { .. } => false,
        }
    }

    /// The message as a list row or a notification shows it: its kind and the start of its
    /// text.
    pub fn preview(&self) -> Preview {
        Preview {
            kind: self.kind(),
            text: self
                .text()
                .map(|t| t.chars().take(PREVIEW_CHARS).collect())
                .unwrap_or_default(),
        }
    }

    /// What search finds the message by: its text, a file's caption and name, a place's name
    /// and address, every shared contact's name. `None` for reactions and events.
    pub fn search_text(&self) -> Option<String> {
        fn joined<'a>(parts: impl Iterator<Item = &'a String>) -> Option<String> {
            let parts: Vec<&str> = parts.map(String::as_str).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        match self {
            MessageContent::Attachment {
                caption,
                attachment,
            } => joined(caption.iter().chain(attachment.filename.iter())),
            MessageContent::Location { name, address, .. } => {
                joined(name.iter().chain(address.iter()))
            }
            MessageContent::Contacts { contacts } => {
                Some(joined(contacts.iter().map(|c| &c.name)).unwrap_or_default())
            }
            MessageContent::Reaction { .. }
            | MessageContent::Unsupported { .. }
            | MessageContent::Event { .. } => None,
            other => other.text().map(str::to_owned),
        }
    }
}

/// Who wrote a message, beyond its direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The customer (inbound) or an agent (outbound).
    #[default]
    Human,
    /// An automated flow: greeting, away message, survey.
    Bot,
    /// A reply written and sent by the AI assistant.
    Ai,
    /// A timeline event, not a message anyone sent.
    System,
}

/// Something that happened to a conversation, shown in its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConversationEventKind {
    Assigned,
    Unassigned,
    Resolved,
    Reopened,
    Snoozed,
    /// The channel's reply window closed without an answer.
    WindowClosed,
    /// The assistant took the customer's request.
    AiAnswering,
    /// The assistant handed the conversation to a person (`reason` says why).
    HandedOff,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationEvent {
    pub kind: ConversationEventKind,
    /// The agent who did it; `None` when the system did.
    #[serde(default)]
    pub actor_agent_id: Option<String>,
    /// `assigned`: the new assignee.
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    /// `handed_off`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::HandoffReason>,
}

impl ConversationEvent {
    /// An event the system did (no agent), with why when it is a hand-off.
    pub fn by_system(kind: ConversationEventKind, reason: Option<crate::HandoffReason>) -> Self {
        ConversationEvent {
            kind,
            actor_agent_id: None,
            agent_id: None,
            team_id: None,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customers_text_is_cut_to_its_cap_on_a_character_boundary() {
        let mut m = MessageContent::Text {
            text: "ع".repeat(50_000),
        };
        assert!(m.cap_text(MessageContent::MAX_TEXT_CHARS));
        let text = m.text().unwrap();
        assert_eq!(text.chars().count(), MessageContent::MAX_TEXT_CHARS);
        assert!(text.ends_with("ع…"));
        let mut short = MessageContent::Text {
            text: "مرحبا Hello".into(),
        };
        assert!(!short.cap_text(MessageContent::MAX_TEXT_CHARS));
        assert_eq!(short.text(), Some("مرحبا Hello"));
    }

    fn photo(caption: Option<&str>) -> MessageContent {
        MessageContent::Attachment {
            attachment: AttachmentRef {
                attachment_id: None,
                kind: AttachmentKind::Image,
                content_type: Some("image/jpeg".into()),
                filename: Some("IMG_0042.jpg".into()),
                provider_media_id: None,
                fetch_failed: None,
            },
            caption: caption.map(Into::into),
        }
    }

    #[test]
    fn a_customers_literal_brackets_are_text() {
        let typed = MessageContent::Text {
            text: "[image]".into(),
        };
        assert_eq!(
            typed.preview(),
            Preview {
                kind: MessageKind::Text,
                text: "[image]".into()
            }
        );
        assert_eq!(
            photo(None).preview(),
            Preview {
                kind: MessageKind::Image,
                text: String::new()
            }
        );
        assert_eq!(photo(Some("المقاس M")).preview().text, "المقاس M");
    }

    #[test]
    fn previews_are_cut_by_characters() {
        let long = MessageContent::Text {
            text: "مرحبا ".repeat(100),
        };
        assert_eq!(long.preview().text.chars().count(), PREVIEW_CHARS);
    }

    #[test]
    fn one_text_per_kind_of_content() {
        let place = MessageContent::Location {
            latitude: 25.2,
            longitude: 55.3,
            name: None,
            address: Some("Deira, Dubai".into()),
        };
        assert_eq!(place.text(), Some("Deira, Dubai"));
        assert_eq!(place.search_text().as_deref(), Some("Deira, Dubai"));
        assert_eq!(place.preview().kind, MessageKind::Location);
        assert_eq!(
            photo(Some("size")).search_text().as_deref(),
            Some("size IMG_0042.jpg")
        );
        assert_eq!(photo(None).search_text().as_deref(), Some("IMG_0042.jpg"));
        let cards = MessageContent::Contacts {
            contacts: vec![
                SharedContact {
                    name: "Aisha".into(),
                    phones: vec![],
                },
                SharedContact {
                    name: "Omar".into(),
                    phones: vec![],
                },
            ],
        };
        assert_eq!(cards.search_text().as_deref(), Some("Aisha Omar"));
        assert_eq!(cards.preview().kind, MessageKind::Contacts);
        let reaction = MessageContent::Reaction {
            target_message_id: "msg_1".into(),
            emoji: "👍".into(),
        };
        assert_eq!(reaction.search_text(), None);
        assert_eq!(reaction.preview().text, "👍");
    }

    #[test]
    fn kind_names_are_the_wire_names() {
        for k in MessageKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn kinds_are_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_value(MessageKind::StoryReply).unwrap(),
            "story_reply"
        );
        assert_eq!(
            serde_json::from_value::<AttachmentKind>("voice".into()).unwrap(),
            AttachmentKind::Voice
        );
    }
}
