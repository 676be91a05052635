//! A notice's words, in the app's language, fit for the OS: Fluent's bidi
//! isolation marks are stripped (some notification servers draw them as
//! boxes) and previews are cut to one short line.

use stepup_i18n::{Args, Catalog, Locale, strip_isolation};

use stepup_protocol::Preview;

use crate::policy::Content;

/// The title and body of a notification, and the label of its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub title: String,
    pub body: String,
    pub open_label: String,
}

/// The longest preview shown, in characters.
pub const PREVIEW_CHARS: usize = 140;

/// One line of at most [`PREVIEW_CHARS`] characters.
pub fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW_CHARS {
        return flat;
    }
    let mut cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A message's preview as one line: its text; a photo, a voice note, a place… named in the
/// reader's language, before its caption or name when it has one.
pub fn preview_line(catalog: &Catalog, locale: Locale, preview: &Preview) -> String {
    let text = one_line(&preview.text);
    if preview.kind.is_text() {
        return text;
    }
    let kind =
        strip_isolation(&catalog.format(locale, &format!("kind-{}", preview.kind.as_str()), None));
    if text.is_empty() {
        kind
    } else {
        one_line(&format!("{kind} · {text}"))
    }
}

pub fn render(catalog: &Catalog, locale: Locale, content: &Content) -> Text {
    let fmt = |id: &str, args: &Args<'_>| strip_isolation(&catalog.format(locale, id, Some(args)));
    let (title, body) = match content {
        Content::Messages {
            count,
            customers,
            contact_name,
            preview,
        } => {
            let mut args = Args::new();
            args.set("count", *count);
            args.set("customers", *customers);
            args.set("name", contact_name.as_str());
            let hidden = || fmt("notify-preview-hidden", &args);
            if *customers > 1 {
                (
                    fmt("notify-burst-title", &args),
                    fmt("notify-burst-body", &args),
                )
            } else {
                (
                    fmt("notify-messages-title", &args),
                    preview
                        .as_ref()
                        .map(|p| preview_line(catalog, locale, p))
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(hidden),
                )
            }
        }
        Content::Assigned { contact_name } => {
            let mut args = Args::new();
            args.set("name", contact_name.as_str());
            (
                fmt("notify-assigned-title", &args),
                fmt("notify-assigned-body", &args),
            )
        }
        Content::Mention {
            contact_name,
            author_name,
        } => {
            let mut args = Args::new();
            args.set("name", contact_name.as_str());
            args.set("author", author_name.as_str());
            (
                fmt("notify-mention-title", &args),
                fmt("notify-mention-body", &args),
            )
        }
        Content::SendFailed { contact_name } => {
            let mut args = Args::new();
            args.set("name", contact_name.as_str());
            (
                fmt("notify-failed-title", &args),
                fmt("notify-failed-body", &args),
            )
        }
    };
    // A customer's name or text cannot reorder what the OS shows (`\u{202E}`…).
    Text {
        title: stepup_protocol::one_line(&title),
        body: stepup_protocol::one_line(&body),
        open_label: strip_isolation(&catalog.format(locale, "notify-action-open", None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepup_protocol::MessageKind;

    fn messages(count: u32, customers: u32, preview: Option<&str>) -> Content {
        Content::Messages {
            count,
            customers,
            contact_name: "فاطمة Ali".into(),
            preview: preview.map(|text| Preview {
                kind: MessageKind::Text,
                text: text.into(),
            }),
        }
    }

    #[test]
    fn names_and_previews_cannot_reorder_the_notification() {
        let catalog = Catalog::embedded();
        let content = Content::Messages {
            count: 1,
            customers: 1,
            contact_name: "Invoice\u{202E}fdp.exe".into(),
            preview: Some(Preview {
                kind: MessageKind::Text,
                text: "pay \u{202E}moc.evil".into(),
            }),
        };
        for locale in [Locale::En, Locale::Ar] {
            let t = render(&catalog, locale, &content);
            assert!(t.title.contains("Invoicefdp.exe"), "{}", t.title);
            assert_eq!(t.body, "pay moc.evil");
        }
    }

    #[test]
    fn english_and_arabic_plurals_without_isolation_marks() {
        let c = Catalog::embedded();
        let en = |n| render(&c, Locale::En, &messages(n, 1, Some("hi"))).title;
        let ar = |n| render(&c, Locale::Ar, &messages(n, 1, Some("hi"))).title;
        assert_eq!(en(1), "New message from فاطمة Ali");
        assert_eq!(en(2), "2 new messages from فاطمة Ali");
        assert_eq!(ar(1), "رسالة جديدة من فاطمة Ali");
        assert_eq!(ar(2), "رسالتان جديدتان من فاطمة Ali");
        assert_eq!(ar(3), "3 رسائل جديدة من فاطمة Ali");
        assert_eq!(ar(11), "11 رسالة جديدة من فاطمة Ali");
        assert_eq!(ar(100), "100 رسالة جديدة من فاطمة Ali");
        for n in [1, 2, 3, 11, 100, 103] {
            for t in [en(n), ar(n)] {
                assert!(
                    !t.contains(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn bursts_from_several_customers() {
        let c = Catalog::embedded();
        let t = render(&c, Locale::En, &messages(5, 3, Some("hi")));
        assert_eq!(
            (t.title.as_str(), t.body.as_str()),
            ("5 new messages", "From 3 customers")
        );
        let t = render(&c, Locale::Ar, &messages(5, 2, Some("hi")));
        assert_eq!(
            (t.title.as_str(), t.body.as_str()),
            ("5 رسائل جديدة", "من عميلين")
        );
        assert_eq!(t.open_label, "فتح");
    }

    #[test]
    fn previews_are_one_short_line_or_hidden() {
        let c = Catalog::embedded();
        let long = format!("line one\nline two {}", "x".repeat(300));
        let t = render(&c, Locale::En, &messages(1, 1, Some(&long)));
        assert!(t.body.starts_with("line one line two x"));
        assert_eq!(t.body.chars().count(), PREVIEW_CHARS);
        let t = render(&c, Locale::En, &messages(1, 1, None));
        assert_eq!(t.body, "Open Stepup to read it");
        let t = render(&c, Locale::Ar, &messages(1, 1, None));
        assert_eq!(t.body, "افتح Stepup لقراءتها");
    }

    #[test]
    fn files_and_places_are_named_in_the_readers_language() {
        let c = Catalog::embedded();
        let with = |kind, text: &str| Content::Messages {
            count: 1,
            customers: 1,
            contact_name: "Reem".into(),
            preview: Some(Preview {
                kind,
                text: text.into(),
            }),
        };
        let body = |l, kind, text| render(&c, l, &with(kind, text)).body;
        assert_eq!(body(Locale::En, MessageKind::Voice, ""), "Voice note");
        assert_eq!(body(Locale::Ar, MessageKind::Image, ""), "صورة");
        assert_eq!(
            body(Locale::En, MessageKind::Image, "size M?"),
            "Photo · size M?"
        );
        // A customer who types "[image]" wrote text.
        assert_eq!(body(Locale::En, MessageKind::Text, "[image]"), "[image]");
    }

    #[test]
    fn every_kind_that_is_not_writing_has_a_name_in_both_languages() {
        let c = Catalog::embedded();
        for kind in MessageKind::ALL.into_iter().filter(|k| !k.is_text()) {
            for locale in [Locale::En, Locale::Ar] {
                let id = format!("kind-{}", kind.as_str());
                assert!(c.has(locale, &id), "{id} in {locale:?}");
            }
        }
    }

    #[test]
    fn other_kinds() {
        let c = Catalog::embedded();
        let t = render(
            &c,
            Locale::En,
            &Content::Mention {
                contact_name: "Reem".into(),
                author_name: "Sara Haddad".into(),
            },
        );
        assert_eq!(t.title, "Sara Haddad mentioned you");
        assert_eq!(t.body, "In the conversation with Reem");
        let t = render(
            &c,
            Locale::Ar,
            &Content::SendFailed {
                contact_name: "Reem".into(),
            },
        );
        assert_eq!(t.title, "لم تُرسَل الرسالة");
        let t = render(
            &c,
            Locale::Ar,
            &Content::Assigned {
                contact_name: "Reem".into(),
            },
        );
        assert_eq!(t.body, "المحادثة مع Reem");
    }
}
