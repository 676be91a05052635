//! Attachments and links, handled with suspicion: customers send them.
//!
//! - Images, voice notes and videos of a known, safe type are shown inline
//!   from the encrypted cache (as `data:` URLs: the bytes never touch the
//!   disk in the clear). SVG, HTML and anything unknown are never shown.
//! - Documents are saved through the app into the Downloads folder under a
//!   cleaned file name, never opened inline.
//! - Links open in the system browser only after a check: `http` or `https`,
//!   no user name or password in them, a real host. The UI shows the full
//!   address and asks first.

use base64::Engine as _;
use serde::Serialize;

use crate::{AppError, inbox::Inbox};

/// Largest attachment shown inline.
const INLINE_MAX: usize = 25 * 1024 * 1024;

/// Content types the webview may render.
const INLINE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "video/mp4",
    "video/webm",
];

#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct SaveAttachment {
    pub id: String,
    /// The name the customer's file had; cleaned before use.
    #[ts(optional)]
    #[serde(default)]
    pub filename: Option<String>,
}

/// A file the agent attaches to a reply.
#[derive(Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SendAttachment {
    pub conversation_id: String,
    pub filename: String,
    /// The file's bytes, base64.
    pub data_base64: String,
    #[ts(optional)]
    #[serde(default)]
    pub caption: Option<String>,
}

/// File contents never reach a log.
impl std::fmt::Debug for SendAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendAttachment")
            .field("conversation_id", &self.conversation_id)
            .field("bytes", &self.data_base64.len())
            .finish_non_exhaustive()
    }
}

/// A voice note the agent recorded: mono 16-bit PCM (little-endian), encoded here to Opus in
/// Ogg, as WhatsApp and Telegram take voice messages.
#[derive(Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SendVoiceNote {
    pub conversation_id: String,
    /// The samples, base64.
    pub pcm_base64: String,
    pub sample_rate: u32,
}

/// The recording never reaches a log.
impl std::fmt::Debug for SendVoiceNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendVoiceNote")
            .field("conversation_id", &self.conversation_id)
            .field("bytes", &self.pcm_base64.len())
            .field("sample_rate", &self.sample_rate)
            .finish()
    }
}

/// Largest file an agent may attach.
pub const UPLOAD_MAX: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InlineMedia {
    pub content_type: String,
    /// A `data:` URL of the bytes.
    pub data_url: String,
}

/// Whether a content type may be rendered inline.
pub fn is_inline(content_type: &str) -> bool {
    let base = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    INLINE_TYPES.contains(&base.as_str())
}

pub use stepup_sync::paths::safe_file_name;

/// Checks a link from a message before it is opened in the browser.
pub fn check_link(text: &str) -> Result<reqwest_url::Url, AppError> {
    let candidate = if text.starts_with("www.") {
        format!("https://{text}")
    } else {
        text.to_owned()
    };
    let url = reqwest_url::Url::parse(&candidate)
        .map_err(|_| AppError::InvalidInput("not a web address".into()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::InvalidInput(format!(
            "only web links open from messages, not {}:",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::InvalidInput(
            "links with a user name or password are not opened".into(),
        ));
    }
    match url.host_str() {
        Some(h) if !h.is_empty() => Ok(url),
        _ => Err(AppError::InvalidInput("the link has no host".into())),
    }
}

mod reqwest_url {
    pub use stepup_sync::client::Url;
}

impl Inbox {
    /// An image, voice note or video as a `data:` URL, from the cache or
    /// downloaded into it.
    pub async fn inline_media(&self, id: String) -> Result<InlineMedia, AppError> {
        self.with(async |a| {
            let att = a.engine.attachment(&id).await?;
            if !is_inline(&att.content_type) {
                return Err(AppError::InvalidInput(format!(
                    "{} is saved, not shown",
                    att.content_type
                )));
            }
            if att.bytes.len() > INLINE_MAX {
                return Err(AppError::InvalidInput("too large to show".into()));
            }
            Ok(InlineMedia {
                data_url: format!(
                    "data:{};base64,{}",
                    att.content_type,
                    base64::engine::general_purpose::STANDARD.encode(&att.bytes)
                ),
                content_type: att.content_type,
            })
        })
        .await
    }

    /// Uploads a file and queues the message that carries it. The upload
    /// needs the cloud; offline it fails with `unreachable` and nothing is
    /// queued.
    pub async fn send_attachment(&self, args: SendAttachment) -> Result<(), AppError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(args.data_base64.as_bytes())
            .map_err(|_| AppError::InvalidInput("the file could not be read".into()))?;
        if bytes.is_empty() {
            return Err(AppError::InvalidInput("the file is empty".into()));
        }
        if bytes.len() > UPLOAD_MAX {
            return Err(AppError::InvalidInput(format!(
                "files up to {} MB can be sent",
                UPLOAD_MAX / (1024 * 1024)
            )));
        }
        let filename = safe_file_name(&args.filename, "file");
        self.send_file(
            &args.conversation_id,
            bytes,
            &filename,
            args.caption.as_deref(),
        )
        .await
    }

    /// Encodes a recorded voice note to Opus in Ogg and sends it like any attachment (the cloud
    /// takes it as a voice message: WhatsApp `audio`, Telegram `sendVoice`).
    pub async fn send_voice_note(&self, args: SendVoiceNote) -> Result<(), AppError> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(args.pcm_base64.as_bytes())
            .map_err(|_| AppError::InvalidInput("the recording could not be read".into()))?;
        let pcm: Vec<i16> = raw
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let rate = args.sample_rate;
        let serial: u32 = rand::random();
        let note = tokio::task::spawn_blocking(move || stepup_voice::encode(&pcm, rate, serial))
            .await
            .map_err(|e| AppError::InvalidInput(e.to_string()))?
            .map_err(|e| AppError::InvalidInput(e.to_string()))?;
        tracing::debug!(
            ms = note.duration_ms,
            bytes = note.ogg.len(),
            "voice note encoded"
        );
        self.send_file(&args.conversation_id, note.ogg, "voice-note.ogg", None)
            .await
    }

    /// Uploads a file and queues the reply that carries it.
    async fn send_file(
        &self,
        conversation_id: &str,
        bytes: Vec<u8>,
        filename: &str,
        caption: Option<&str>,
    ) -> Result<(), AppError> {
        self.with(async |a| {
            let stored = a.session.client.upload_attachment(bytes, filename).await?;
            a.engine
                .enqueue(
                    conversation_id,
                    &stepup_protocol::SendMessageRequest::Attachment {
                        attachment_id: stored.id,
                        caption: caption
                            .map(|c| c.trim().to_owned())
                            .filter(|c| !c.is_empty()),
                        human_agent: crate::inbox::human_agent(&a.session.store, conversation_id)
                            .await?,
                    },
                )
                .await?;
            Ok(())
        })
        .await
    }

    /// Saves an attachment into `dir` under a cleaned name (never
    /// overwriting a file); returns the path.
    pub async fn save_attachment(
        &self,
        dir: &std::path::Path,
        args: SaveAttachment,
    ) -> Result<String, AppError> {
        self.with(async |a| {
            let att = a.engine.attachment(&args.id).await?;
            let name = safe_file_name(
                args.filename.as_deref().unwrap_or(""),
                &format!("attachment-{}", safe_file_name(&args.id, "file")),
            );
            std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
                context: format!("creating {}", dir.display()),
                source,
            })?;
            let mut path = dir.join(&name);
            let mut n = 1;
            while path.exists() {
                let (stem, ext) = match name.rsplit_once('.') {
                    Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
                    _ => (name.clone(), String::new()),
                };
                path = dir.join(format!("{stem} ({n}){ext}"));
                n += 1;
            }
            std::fs::write(&path, &att.bytes).map_err(|source| AppError::Io {
                context: format!("writing {}", path.display()),
                source,
            })?;
            // A customer sent it: the OS warns before opening it, as for a browser's download.
            let origin = format!(
                "{}/v1/attachments/{}",
                a.session.account.server,
                stepup_protocol::path_segment(&args.id)
            );
            if let Err(e) = stepup_sync::paths::mark_downloaded(&path, &origin) {
                tracing::warn!(error = %e, "could not mark a saved file as downloaded");
            }
            Ok(path.display().to_string())
        })
        .await
    }
}

/// Opens a checked link in the system browser.
pub fn open_link(url: &str) -> Result<(), AppError> {
    let url = check_link(url)?;
    open::that_detached(url.as_str()).map_err(|source| AppError::Io {
        context: "opening the browser".into(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_types_render_inline() {
        for ok in [
            "image/png",
            "IMAGE/JPEG",
            "audio/ogg; codecs=opus",
            "video/mp4",
        ] {
            assert!(is_inline(ok), "{ok}");
        }
        for no in [
            "image/svg+xml",
            "text/html",
            "application/pdf",
            "application/octet-stream",
            "",
        ] {
            assert!(!is_inline(no), "{no}");
        }
    }

    #[test]
    fn links_are_checked_before_opening() {
        assert_eq!(
            check_link("https://noor.ae/track?o=1").unwrap().as_str(),
            "https://noor.ae/track?o=1"
        );
        assert_eq!(
            check_link("www.noor.ae").unwrap().as_str(),
            "https://www.noor.ae/"
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://user:pw@evil.example/",
            "https://bank.example@evil.example/",
            "data:text/html,<script>1</script>",
            "not a link",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }
}
