//! The recording notification server as a process, for the end-to-end tests:
//! it prints `{"ready":true}` once it owns `org.freedesktop.Notifications`,
//! then one JSON line per `Notify` call, and reads commands on stdin:
//! `invoke <id> <action>` and `close <id> <reason>`.

#[cfg(all(unix, not(target_os = "macos")))]
use std::{io::Write, time::Duration};

#[cfg(all(unix, not(target_os = "macos")))]
use stepup_notify::testserver::TestServer;
#[cfg(all(unix, not(target_os = "macos")))]
use tokio::io::{AsyncBufReadExt, BufReader};

#[cfg(all(unix, not(target_os = "macos")))]
fn emit(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[cfg(all(unix, not(target_os = "macos")))]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = match TestServer::start(Duration::from_secs(30)).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stepup-notify-test-server: {e}");
            std::process::exit(1);
        }
    };
    let mut calls = server.subscribe();
    emit(r#"{"ready":true}"#);
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            call = calls.recv() => match call {
                Ok(call) => emit(&serde_json::to_string(&call).unwrap_or_default()),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            },
            line = stdin.next_line() => {
                let Ok(Some(line)) = line else { return };
                let words: Vec<&str> = line.split_whitespace().collect();
                let result = match words.as_slice() {
                    ["invoke", id, action] => match id.parse() {
                        Ok(id) => server.invoke_action(id, action).await,
                        Err(_) => Ok(()),
                    },
                    ["close", id, reason] => match (id.parse(), reason.parse()) {
                        (Ok(id), Ok(reason)) => server.close(id, reason).await,
                        _ => Ok(()),
                    },
                    _ => Ok(()),
                };
                match result {
                    Ok(()) => emit(r#"{"done":true}"#),
                    Err(e) => emit(&serde_json::json!({"error": e.to_string()}).to_string()),
                }
            }
        }
    }
}

/// Notifications go through D-Bus on Linux and the BSDs only.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn main() {
    eprintln!("stepup-notify-test-server: a D-Bus notification server, for Linux and the BSDs");
    std::process::exit(1);
}
