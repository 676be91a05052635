//! Helpers shared by the sync tests.
#![allow(dead_code)]

use std::{sync::Arc, time::Duration};

use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_sync::SyncEvent;
use stepup_sync::engine::EngineConfig;
use tokio::sync::broadcast;

/// The reference cloud on a loopback port with the demo shop (no live generator).
pub async fn demo_server() -> RunningServer {
    let mut server = Server::start(Config::demo()).await.unwrap();
    demo::start_demo(&mut server, 7, 0.0).await.unwrap();
    server
}

/// An engine that retries quickly and deterministically.
pub fn fast() -> EngineConfig {
    EngineConfig {
        page_size: 200,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        seed: Some(1),
        ..EngineConfig::default()
    }
}

pub const WAIT: Duration = Duration::from_secs(20);

/// Waits for the first event that `pick` accepts.
pub async fn wait_for<T>(
    rx: &mut broadcast::Receiver<SyncEvent>,
    mut pick: impl FnMut(&SyncEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            match rx.recv().await {
                Ok(ev) => {
                    if let Some(t) = pick(&ev) {
                        return t;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("event channel closed: {e}"),
            }
        }
    })
    .await
    .expect("the event arrived in time")
}

/// A server on a loopback port that answers every request with `status`, the header lines in
/// `headers` (each ending in `\r\n`) and `body`: a proxy gone wrong, a broken or hostile
/// server. Returns its `http://` address.
pub async fn answering(status: u16, headers: &'static str, body: Vec<u8>) -> String {
    let body = Arc::new(body);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}
