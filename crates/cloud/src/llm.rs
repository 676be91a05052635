//! The language-model seam: a client of the OpenAI-compatible chat-completions API
//! (`POST {base}/chat/completions`), which hosted models and local servers (llama.cpp, vLLM,
//! Ollama) all speak. Answers are streamed (server-sent events, `data: {chunk}` … `data: [DONE]`)
//! so a model that stalls is caught between tokens, not only at the end; a server that answers
//! a plain JSON completion instead is read too.
//!
//! Every failure is typed ([`ModelError`]): the caller decides what the customer sees, and it is
//! never the error's text.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::secret::Secret;

/// Where a workspace's model lives.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// e.g. `https://api.openai.com/v1`; `/chat/completions` is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<Secret>,
}

/// How long a call may take and how much it may answer.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Until the first piece of the answer (the response's headers and first token).
    pub first_token: Duration,
    /// Between two pieces.
    pub idle: Duration,
    /// The whole call.
    pub total: Duration,
    /// `max_tokens` asked for.
    pub max_tokens: u32,
    /// Bytes of response read at most.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            first_token: Duration::from_secs(10),
            idle: Duration::from_secs(5),
            total: Duration::from_secs(30),
            max_tokens: 400,
            max_bytes: 512 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        ChatMessage {
            role,
            content: content.into(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("the model did not answer in time")]
    Timeout,
    #[error("the model's service is rate limiting this workspace")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the model's service refused the key ({0})")]
    Refused(u16),
    #[error("the model's service answered {0}")]
    Status(u16),
    #[error("the model's answer could not be read: {0}")]
    Invalid(String),
    #[error("the model's service could not be reached: {0}")]
    Unreachable(String),
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    stream: bool,
    max_tokens: u32,
    temperature: f32,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<CompletionChoice>,
}

#[derive(Deserialize)]
struct CompletionChoice {
    message: ChatMessage,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Delta,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
}

/// The URL a call goes to.
pub fn completions_url(base_url: &str) -> String {
    format!("{}/chat/completions", base_url.trim_end_matches('/'))
}

/// Asks the model for one answer and returns its text, reasoning (`<think>…</think>`) removed
/// and trimmed. An empty answer is returned empty: judging it is the caller's.
pub async fn complete(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    messages: &[ChatMessage],
    limits: Limits,
) -> Result<String, ModelError> {
    let started = Instant::now();
    let deadline = started + limits.total;
    let mut rb = http
        .post(completions_url(&endpoint.base_url))
        .header(
            reqwest::header::ACCEPT,
            "text/event-stream, application/json",
        )
        .json(&Request {
            model: &endpoint.model,
            messages,
            stream: true,
            max_tokens: limits.max_tokens,
            temperature: 0.2,
        });
    if let Some(key) = &endpoint.api_key {
        rb = rb.bearer_auth(key.expose());
    }
    let first = (started + limits.first_token).min(deadline);
    let mut resp = match tokio::time::timeout_at(first, rb.send()).await {
        Err(_) => return Err(ModelError::Timeout),
        Ok(Err(e)) if e.is_timeout() => return Err(ModelError::Timeout),
        Ok(Err(e)) => return Err(ModelError::Unreachable(without_url(&e))),
        Ok(Ok(r)) => r,
    };
    let status = resp.status().as_u16();
    match status {
        200..=299 => {}
        429 => {
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(ModelError::RateLimited { retry_after });
        }
        401 | 403 => return Err(ModelError::Refused(status)),
        s => return Err(ModelError::Status(s)),
    }
    let streamed = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let mut body: Vec<u8> = Vec::new();
    let mut text = String::new();
    let mut sse = SseLines::default();
    let mut next_by = first;
    let mut done = false;
    while !done {
        let chunk = match tokio::time::timeout_at(next_by.min(deadline), resp.chunk()).await {
            Err(_) => return Err(ModelError::Timeout),
            Ok(Err(e)) if e.is_timeout() => return Err(ModelError::Timeout),
            Ok(Err(e)) => return Err(ModelError::Unreachable(without_url(&e))),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(c))) => c,
        };
        next_by = Instant::now() + limits.idle;
        if streamed {
            for line in sse.push(&chunk) {
                match event_data(&line) {
                    None => {}
                    Some("[DONE]") => {
                        done = true;
                        break;
                    }
                    Some(data) => {
                        let c: Chunk = serde_json::from_str(data)
                            .map_err(|e| ModelError::Invalid(format!("a chunk: {e}")))?;
                        if let Some(piece) =
                            c.choices.into_iter().next().and_then(|c| c.delta.content)
                        {
                            text.push_str(&piece);
                        }
                    }
                }
            }
            if text.len() > limits.max_bytes || sse.pending() > limits.max_bytes {
                return Err(ModelError::Invalid("the answer is too long".into()));
            }
        } else {
            body.extend_from_slice(&chunk);
            if body.len() > limits.max_bytes {
                return Err(ModelError::Invalid("the answer is too long".into()));
            }
        }
    }
    if !streamed {
        let c: Completion = serde_json::from_slice(&body)
            .map_err(|e| ModelError::Invalid(format!("a completion: {e}")))?;
        text = c
            .choices
            .into_iter()
            .next()
            .map(|c| c.message.content)
            .unwrap_or_default();
    } else if !done && text.is_empty() {
        return Err(ModelError::Invalid(
            "the stream ended without an answer".into(),
        ));
    }
    Ok(without_reasoning(&text).trim().to_owned())
}

/// Error text without the URL (some services take the key in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "<model endpoint>");
    }
    text.chars().take(200).collect()
}

/// Removes a reasoning model's `<think>…</think>` (an unclosed one removes the rest).
pub fn without_reasoning(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<think>") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</think>") {
            Some(j) => rest = &rest[i + j + "</think>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The payload of an SSE `data:` line; comments (`:`), other fields and blank lines are `None`.
fn event_data(line: &str) -> Option<&str> {
    let data = line.strip_prefix("data:")?;
    Some(data.strip_prefix(' ').unwrap_or(data).trim_end())
}

/// Splits a byte stream into lines, across chunk boundaries (a UTF-8 character may be split
/// between two chunks: lines are only decoded whole).
#[derive(Default)]
struct SseLines {
    buf: Vec<u8>,
}

impl SseLines {
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=i).collect();
            let line = String::from_utf8_lossy(&line);
            out.push(line.trim_end_matches(['\n', '\r']).to_owned());
        }
        out
    }

    fn pending(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_across_chunks_and_characters() {
        let mut s = SseLines::default();
        let bytes = "data: {\"x\":\"مرحبا\"}\n\ndata: [DONE]\n".as_bytes();
        let (a, b) = bytes.split_at(12); // inside «ر»
        let mut lines = s.push(a);
        assert!(lines.is_empty());
        lines.extend(s.push(b));
        assert_eq!(lines, ["data: {\"x\":\"مرحبا\"}", "", "data: [DONE]"]);
        assert_eq!(event_data(&lines[0]), Some("{\"x\":\"مرحبا\"}"));
        assert_eq!(event_data(""), None);
        assert_eq!(event_data(": keep-alive"), None);
        assert_eq!(event_data("data:[DONE]"), Some("[DONE]"));
    }

    #[test]
    fn reasoning_is_removed() {
        assert_eq!(without_reasoning("<think>hmm</think>Hello"), "Hello");
        assert_eq!(
            without_reasoning("Hi <think>a</think>there<think>b"),
            "Hi there"
        );
        assert_eq!(without_reasoning("أهلاً"), "أهلاً");
    }
}
