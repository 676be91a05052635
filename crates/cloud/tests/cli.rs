//! The `stepup-cloud` binary: binds, prints its URL, serves the demo workspace.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn demo_mode_prints_url_and_serves_logins() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_stepup-cloud"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .args(["--demo", "--seed", "11", "--rate", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let stderr = child.0.stderr.take().unwrap();
    // The first stdout line is the signal that the server is up.
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("URL line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    let logins = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .take_while(|l| !l.contains("priya@noor.demo"))
            .collect::<Vec<_>>()
            .join("\n")
    })
    .await
    .unwrap();
    assert!(logins.contains("sara@noor.demo"), "{logins}");
    assert!(logins.contains("password: stepup-demo"));

    let http = reqwest::Client::new();
    let t: Value = http
        .post(format!("{url}/v1/auth/login"))
        .json(&json!({"email": "owner@noor.demo", "password": "stepup-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["agent"]["role"], "admin");
    let r = http
        .get(format!("{url}/v1/sync?limit=1"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let usage = Command::new(env!("CARGO_BIN_EXE_stepup-cloud"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("usage: stepup-cloud"));
}
