//! A stand-in for the providers' APIs on loopback: records every request and answers from a
//! script (or 500 when the script is empty).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct Recorder {
    pub seen: Arc<Mutex<Vec<Recorded>>>,
    pub script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    pub arrived: Arc<tokio::sync::Notify>,
}

impl Recorder {
    /// Waits (on a notification, not a timer) until `n` requests have been recorded.
    pub async fn wait_for(&self, n: usize) {
        loop {
            let notified = self.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.seen.lock().unwrap().len() >= n {
                return;
            }
            notified.await;
        }
    }
}

async fn record(
    State(r): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (axum::http::StatusCode, axum::Json<Value>) {
    r.seen.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: uri.to_string(),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw: body.to_vec(),
    });
    r.arrived.notify_waiters();
    let (status, body) = r
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((500, json!({"error": {"message": "unscripted"}})));
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(body),
    )
}

pub async fn start_recorder() -> (String, Recorder) {
    let rec = Recorder::default();
    let app = Router::new().fallback(record).with_state(rec.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), rec)
}
