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
    let database = match crate::common::postgres_database(dir.path()) {
        Some(url) => ["--database-url".to_owned(), url],
        None => ["--data-dir".to_owned(), dir.path().display().to_string()],
    };
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_stepup-cloud"))
            .args(["--listen", "127.0.0.1:0"])
            .args(database)
            .args(["--demo", "--seed", "11", "--rate", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let stderr = child.0.stderr.take().unwrap();
    let url = crate::common::listening_url(stdout).await;
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

fn admin(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stepup-cloud"));
    c.args(args)
        .env_remove("STEPUP_CLOUD_KEY")
        .env_remove("STEPUP_DATABASE_URL")
        .env("RUST_LOG", "warn");
    match crate::common::postgres_database(dir) {
        Some(url) => c.env("STEPUP_DATABASE_URL", url),
        None => c.arg("--data-dir").arg(dir),
    };
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

#[tokio::test]
async fn a_new_shop_and_its_number_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let key = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let (ok, ws, err) = admin(
        dir.path(),
        &[
            "workspace",
            "create",
            "--name",
            "عطور نور Noor Perfumes",
            "--admin-email",
            "owner@noor.test",
        ],
        &[("STEPUP_ADMIN_PASSWORD", "a long enough password")],
    );
    assert!(ok, "{err}");
    assert!(ws.starts_with("ws_"), "{ws}");

    // Credentials are sealed under the server key: without one, nothing is connected.
    let connect = [
        "connect",
        "--workspace",
        &ws,
        "--channel",
        "whatsapp",
        "--account",
        "555000555",
    ];
    let secrets = [
        ("STEPUP_CONNECT_ACCESS_TOKEN", "EAAB-noor"),
        ("STEPUP_CONNECT_APP_SECRET", "noor-app-secret"),
    ];
    let (ok, _, err) = admin(dir.path(), &connect, &secrets);
    assert!(!ok);
    assert!(err.contains("STEPUP_CLOUD_KEY"), "{err}");
    let keyed = [secrets[0], secrets[1], ("STEPUP_CLOUD_KEY", key)];
    let (ok, con, err) = admin(dir.path(), &connect, &keyed);
    assert!(ok, "{err}");
    assert!(con.starts_with("con_"), "{con}");
    let (ok, listed, _) = admin(dir.path(), &["connections", "--workspace", &ws], &keyed);
    assert!(ok);
    assert_eq!(
        listed,
        format!("{con}\twhatsapp\t555000555\twhatsapp 555000555")
    );
    assert!(!listed.contains("EAAB") && !listed.contains("noor-app-secret"));
    let (ok, _, err) = admin(dir.path(), &["connect", "--workspace", &ws], &keyed);
    assert!(!ok && err.contains("--channel"), "{err}");

    // The server on that database: the number's webhook, signed with its own app secret, lands
    // in the new shop.
    let mut config = stepup_cloud::Config::ephemeral();
    crate::common::use_database(&mut config, dir.path());
    config.server_key = Some(stepup_cloud::vault::ServerKey::from_hex(key).unwrap());
    let server = stepup_cloud::Server::start(config).await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "w", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "555000555"},
        "contacts": [{"profile": {"name": "Huda"}, "wa_id": "971501110000"}],
        "messages": [{"from": "971501110000", "id": "wamid.noor.1", "timestamp": now, "type": "text", "text": {"body": "مرحبا"}}]}}]}]}))
    .unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/webhooks/whatsapp", server.url()))
        .header(
            "x-hub-signature-256",
            stepup_cloud::webhooks::meta_signature("noor-app-secret", &body),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["received"], 1, "{answer}");
    let login: Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&json!({"email": "owner@noor.test", "password": "a long enough password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let feed: Value = http
        .get(format!("{}/v1/sync?after=0&limit=100", server.url()))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&Value> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "message")
        .map(|c| &c["data"]["content"]["text"])
        .collect();
    assert_eq!(texts, [&json!("مرحبا")]);
    server.shutdown().await;
}
