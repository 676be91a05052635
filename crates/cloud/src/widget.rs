//! The Web Chat widget a shop puts on its website:
//!
//! ```html
//! <script src="https://cloud.example/webchat/widget.js" data-key="wk_…" data-lang="ar" async></script>
//! ```
//!
//! `widget.js` is a small loader: a launcher button in a shadow root (the page's styles cannot
//! reach it) that opens `/webchat/frame` in an iframe. The frame is a page of the cloud's own
//! origin, so the visitor's token and history stay out of the shop page's reach, and it talks to
//! the `/webchat/v1` API without cross-origin requests. It is in Arabic or English (mirrored),
//! with every string from `i18n/<locale>/webchat.ftl`; text is only ever set as text.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use stepup_i18n::{Catalog, Locale};

use crate::routes::Routes;
use crate::state::AppState;
use crate::webchat::{Widget, widget};

const LOADER: &str = include_str!("../webchat/widget.js");
const FRAME_JS: &str = include_str!("../webchat/frame.js");
const FRAME_CSS: &str = include_str!("../webchat/frame.css");

/// The frame's policy: its own scripts and styles only, requests to its own origin only, no
/// plugins, forms or base changes; any site may frame it (that is its purpose).
const FRAME_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors *";

/// The strings the loader needs (both languages; the page picks).
const LOADER_STRINGS: &[&str] = &[
    "webchat-launcher-open",
    "webchat-launcher-close",
    "webchat-frame-title",
    "webchat-new-reply",
];

/// The strings the frame needs.
const FRAME_STRINGS: &[&str] = &[
    "webchat-title",
    "webchat-subtitle",
    "webchat-close",
    "webchat-empty",
    "webchat-placeholder",
    "webchat-send",
    "webchat-you",
    "webchat-agent",
    "webchat-sending",
    "webchat-sent",
    "webchat-queued",
    "webchat-failed",
    "webchat-offline",
    "webchat-connecting",
    "webchat-too-fast",
    "webchat-too-long",
    "webchat-unavailable",
];

pub(crate) fn register(r: Routes) -> Routes {
    r.get("/webchat/widget.js", loader)
        .get("/webchat/frame", frame)
        .get("/webchat/frame.js", frame_js)
        .get("/webchat/frame.css", frame_css)
}

/// The embedded catalogs, for what the cloud itself says to customers.
pub(crate) fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(Catalog::embedded)
}

fn strings(locale: Locale, ids: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    ids.iter()
        .map(|id| {
            let text = stepup_i18n::strip_isolation(&catalog().format(locale, id, None));
            ((*id).to_owned(), serde_json::Value::String(text))
        })
        .collect()
}

/// JSON that is safe inside a `<script>` element and a JavaScript file: no `<`, `>` or `&` that
/// could end the element or open a comment, no line separators that older parsers reject.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn asset(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn loader() -> Response {
    // The same for every page that loads it: rendered once.
    static RENDERED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = RENDERED.get_or_init(|| {
        let all: serde_json::Map<String, serde_json::Value> = Locale::ALL
            .iter()
            .map(|l| {
                (
                    l.tag().to_owned(),
                    serde_json::Value::Object(strings(*l, LOADER_STRINGS)),
                )
            })
            .collect();
        LOADER.replace(
            "__STEPUP_STRINGS__",
            &script_json(&serde_json::Value::Object(all)),
        )
    });
    asset("text/javascript; charset=utf-8", body.clone())
}

async fn frame_js() -> Response {
    asset("text/javascript; charset=utf-8", FRAME_JS.to_owned())
}

async fn frame_css() -> Response {
    asset("text/css; charset=utf-8", FRAME_CSS.to_owned())
}

#[derive(Debug, Deserialize)]
struct FrameQuery {
    key: Option<String>,
    lang: Option<String>,
}

/// The name an anonymous visitor has in the agents' inbox: "Website visitor 3f9a" in the
/// site's language (the last four characters of the visitor's id).
pub fn visitor_name(lang: Option<&str>, visitor_id: &str) -> String {
    let tag: String = visitor_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let mut args = stepup_i18n::Args::new();
    args.set("n", tag);
    stepup_i18n::strip_isolation(&catalog().format(
        locale_of(lang),
        "webchat-visitor-name",
        Some(&args),
    ))
}

/// The language a page asks for: `ar…` is Arabic, anything else English.
pub fn locale_of(lang: Option<&str>) -> Locale {
    Locale::negotiate(&[lang.unwrap_or("en")])
}

async fn frame(State(state): State<AppState>, Query(q): Query<FrameQuery>) -> Response {
    let locale = locale_of(q.lang.as_deref());
    let (status, shop) = match widget(&state, q.key.as_deref()).await {
        Ok(Widget::Shop { name, .. }) => (StatusCode::OK, Some(name)),
        Ok(Widget::Unknown | Widget::KeyNeeded) => (StatusCode::NOT_FOUND, None),
        Err(e) => {
            tracing::error!(error = %e.message, "web chat frame: reading the widget failed");
            (StatusCode::SERVICE_UNAVAILABLE, None)
        }
    };
    let config = serde_json::json!({
        "key": q.key.as_deref().map(str::trim).filter(|k| !k.is_empty()),
        "lang": locale.tag(),
        "available": shop.is_some(),
        "shop": shop.flatten(),
        "strings": strings(locale, FRAME_STRINGS),
        "maxLength": 4096,
    });
    let dir = match locale.direction() {
        stepup_i18n::Direction::Rtl => "rtl",
        stepup_i18n::Direction::Ltr => "ltr",
    };
    let title =
        stepup_i18n::strip_isolation(&catalog().format(locale, "webchat-frame-title", None));
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"frame.css\">\n\
         <script type=\"application/json\" id=\"stepup-webchat\">{config}</script>\n\
         <script src=\"frame.js\" defer></script>\n</head>\n<body></body>\n</html>\n",
        lang = locale.tag(),
        config = script_json(&config),
    );
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(FRAME_CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let v = serde_json::json!({"shop": "</script><script>alert(1)</script> & <!--"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn every_widget_string_exists_in_both_languages() {
        for locale in Locale::ALL {
            for id in LOADER_STRINGS.iter().chain(FRAME_STRINGS) {
                assert!(
                    catalog().has(locale, id),
                    "{id} missing in {}",
                    locale.tag()
                );
            }
        }
    }

    #[test]
    fn arabic_pages_get_arabic() {
        assert_eq!(locale_of(Some("ar")), Locale::Ar);
        assert_eq!(locale_of(Some("ar-AE")), Locale::Ar);
        assert_eq!(locale_of(Some("en-GB")), Locale::En);
        assert_eq!(locale_of(Some("fr")), Locale::En);
        assert_eq!(locale_of(None), Locale::En);
    }

    #[test]
    fn anonymous_visitors_are_named_in_the_sites_language() {
        assert_eq!(
            visitor_name(Some("ar"), "vis_60ac8b764a992c10"),
            "زائر الموقع 2c10"
        );
        assert_eq!(visitor_name(None, "vis_1f63"), "Website visitor 1f63");
    }
}
