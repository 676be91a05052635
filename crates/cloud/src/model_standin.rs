//! A stand-in for an OpenAI-compatible model server on loopback (feature `test-model`), for
//! tests, the benchmark and the demo. It speaks the chat-completions API's real format:
//! `POST /v1/chat/completions` answered as server-sent events (`chat.completion.chunk` objects,
//! then `data: [DONE]`) when `stream` is true and as one `chat.completion` otherwise; its
//! errors are the API's (`{"error": {"message", "type", "code"}}`, `Retry-After` on 429).
//!
//! By default it behaves like a small, careful model: it answers with the knowledge line that
//! shares the most words with the customer's last message, `HANDOFF` when none does, and writes
//! summaries and suggestions from the conversation. A script of [`Behaviour`]s overrides that
//! call by call (slow, stalled, empty, nonsense, rate limited, failing).

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// How the stand-in answers one call.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// As a careful model would (see the module's documentation).
    Knowledge,
    /// This text.
    Answer(String),
    /// Headers and the first piece, then nothing, ever.
    Stall,
    /// Waits this long before answering as [`Behaviour::Knowledge`].
    Slow(Duration),
    /// A stream with no content.
    Empty,
    /// `429` with `Retry-After`.
    RateLimited { retry_after_secs: u64 },
    /// This status with the API's error body.
    Status(u16),
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Behaviour>>,
    requests: Mutex<Vec<Value>>,
    arrived: tokio::sync::Notify,
    /// Pause between streamed pieces.
    gap: Mutex<Duration>,
    api_key: Option<String>,
}

/// A running stand-in. Its base URL ends in `/v1`, as a workspace would configure it.
pub struct StandIn {
    pub base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StandIn {
    /// Starts on a free loopback port; with `api_key`, calls without that bearer key get `401`.
    pub async fn start(api_key: Option<&str>) -> std::io::Result<StandIn> {
        let shared = Arc::new(Shared {
            api_key: api_key.map(str::to_owned),
            ..Shared::default()
        });
        let app = Router::new()
            .route("/v1/chat/completions", axum::routing::post(completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn {
            base_url: format!("http://{addr}/v1"),
            shared,
            task,
        })
    }

    /// The next call behaves so (calls after the script run out behave as `Knowledge`).
    pub fn push(&self, b: Behaviour) {
        self.shared
            .script
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(b);
    }

    /// The pause between streamed pieces (none by default).
    pub fn set_gap(&self, gap: Duration) {
        *self.shared.gap.lock().unwrap_or_else(|e| e.into_inner()) = gap;
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits (on a notification) until `n` requests have arrived.
    pub async fn wait_for(&self, n: usize) {
        loop {
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.requests().len() >= n {
                return;
            }
            notified.await;
        }
    }
}

fn error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    (
        status,
        axum::Json(
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
        ),
    )
        .into_response()
}

async fn completions(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "We could not parse the JSON body of your request.",
            "invalid_request_error",
            "invalid_json",
        );
    };
    s.requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    s.arrived.notify_waiters();
    if let Some(key) = &s.api_key {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent != Some(key.as_str()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "Incorrect API key provided.",
                "invalid_request_error",
                "invalid_api_key",
            );
        }
    }
    let behaviour = s
        .script
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop_front()
        .unwrap_or(Behaviour::Knowledge);
    let model = req["model"].as_str().unwrap_or("stand-in").to_owned();
    let stream = req["stream"].as_bool().unwrap_or(false);
    let answer = match behaviour {
        Behaviour::Knowledge => think(&req),
        Behaviour::Answer(t) => t,
        Behaviour::Slow(d) => {
            tokio::time::sleep(d).await;
            think(&req)
        }
        Behaviour::Empty => String::new(),
        Behaviour::RateLimited { retry_after_secs } => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached for requests.",
                "requests",
                "rate_limit_exceeded",
            );
            r.headers_mut().insert(
                header::RETRY_AFTER,
                retry_after_secs.to_string().parse().unwrap(),
            );
            return r;
        }
        Behaviour::Status(code) => {
            return error(
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "The server had an error while processing your request.",
                "server_error",
                "server_error",
            );
        }
        Behaviour::Stall => {
            let first = chunk(&model, json!({"role": "assistant", "content": ""}), None);
            let body = futures_util::stream::once(async move { Ok::<_, Infallible>(first) })
                .chain(futures_util::stream::pending());
            return sse(Body::from_stream(body));
        }
    };
    if !stream {
        return axum::Json(json!({
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": 1_772_352_000,
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        }))
        .into_response();
    }
    let gap = *s.gap.lock().unwrap_or_else(|e| e.into_inner());
    let mut events = vec![chunk(
        &model,
        json!({"role": "assistant", "content": ""}),
        None,
    )];
    let chars: Vec<char> = answer.chars().collect();
    for piece in chars.chunks(4) {
        let piece: String = piece.iter().collect();
        events.push(chunk(&model, json!({"content": piece}), None));
    }
    events.push(chunk(&model, json!({}), Some("stop")));
    events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    let body = futures_util::stream::iter(events).then(move |e| async move {
        if !gap.is_zero() {
            tokio::time::sleep(gap).await;
        }
        Ok::<_, Infallible>(e)
    });
    sse(Body::from_stream(body))
}

fn sse(body: Body) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
        .unwrap_or_default()
}

fn chunk(model: &str, delta: Value, finish: Option<&str>) -> Bytes {
    let c = json!({
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 1_772_352_000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
    });
    Bytes::from(format!("data: {c}\n\n"))
}

fn words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .map(|w| w.strip_prefix("ال").unwrap_or(w))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_owned)
        .collect()
}

/// The careful model's answer.
fn think(req: &Value) -> String {
    let messages = req["messages"].as_array().cloned().unwrap_or_default();
    let system = messages
        .iter()
        .find(|m| m["role"] == "system")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let users: Vec<String> = messages
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_str().map(str::to_owned))
        .collect();
    if system.starts_with("Summarize") {
        let first: String = users
            .first()
            .map(|u| u.chars().take(80).collect())
            .unwrap_or_default();
        return if system.contains("in Arabic") {
            format!("يسأل العميل عن: {first}. لم يُرد عليه بعد.")
        } else {
            format!("The customer asks about: {first}. Still open.")
        };
    }
    let question = words(users.last().map(String::as_str).unwrap_or_default());
    let mut knowledge: Vec<(usize, String)> = system
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(|l| {
            let body = l.split_once(": ").map_or(l, |(_, b)| b);
            (words(l).intersection(&question).count(), body.to_owned())
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    knowledge.sort_by_key(|k| std::cmp::Reverse(k.0));
    if system.contains("Write up to three") {
        return knowledge
            .into_iter()
            .take(3)
            .map(|(_, b)| b)
            .collect::<Vec<_>>()
            .join("\n");
    }
    knowledge
        .into_iter()
        .next()
        .map_or_else(|| "HANDOFF".to_owned(), |(_, b)| b)
}
