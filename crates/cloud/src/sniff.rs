//! Content-type sniffing from magic bytes. The declared type is never trusted: an upload is stored
//! with the type its bytes show, and anything a browser could render as active content is served
//! as `application/octet-stream`.

use stepup_protocol::AttachmentKind;

/// The type the bytes show, or `None` when nothing is recognised.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        Some("audio/wav")
    } else if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"OggS") {
        Some("audio/ogg")
    } else if starts(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0) {
        Some("audio/mpeg")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        if &bytes[8..11] == b"M4A" {
            Some("audio/mp4")
        } else {
            Some("video/mp4")
        }
    } else if starts(b"PK\x03\x04") {
        Some("application/zip")
    } else if looks_like_markup(bytes) {
        Some("text/html")
    } else if std::str::from_utf8(bytes).is_ok() {
        Some("text/plain")
    } else {
        None
    }
}

fn looks_like_markup(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xef || **b == 0xbb || **b == 0xbf)
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    [
        &b"<!doctype"[..],
        b"<html",
        b"<script",
        b"<svg",
        b"<?xml",
        b"<body",
        b"<iframe",
        b"<head",
    ]
    .iter()
    .any(|m| head.starts_with(m))
}

/// The type an upload is stored and served with.
pub fn stored_type(bytes: &[u8]) -> &'static str {
    match sniff(bytes) {
        Some("text/html") | None => "application/octet-stream",
        Some(t) => t,
    }
}

/// Attachment kind for a stored content type.
pub fn kind_of(content_type: &str) -> AttachmentKind {
    if content_type.starts_with("image/") {
        AttachmentKind::Image
    } else if content_type == "audio/ogg" {
        AttachmentKind::Voice
    } else if content_type.starts_with("audio/") {
        AttachmentKind::Audio
    } else if content_type.starts_with("video/") {
        AttachmentKind::Video
    } else {
        AttachmentKind::Document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_types_and_defuses_markup() {
        assert_eq!(stored_type(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(stored_type(b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(stored_type(b"OggS\0\x02"), "audio/ogg");
        assert_eq!(
            stored_type(b"  <!DOCTYPE html><script>x</script>"),
            "application/octet-stream"
        );
        assert_eq!(
            stored_type(b"<svg onload=alert(1)>"),
            "application/octet-stream"
        );
        assert_eq!(stored_type("شكرا".as_bytes()), "text/plain");
        assert_eq!(
            stored_type(&[0u8, 159, 146, 150]),
            "application/octet-stream"
        );
        assert_eq!(kind_of("audio/ogg"), AttachmentKind::Voice);
    }
}
