#![allow(dead_code)]

pub mod recorder;

use std::sync::Arc;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::clock::ManualClock;
use stepup_cloud::{Config, RunningServer, Server};
use stepup_protocol::{Role, TokenResponse};

pub const PASSWORD: &str = "correct horse battery staple";
/// 2026-03-01T08:00:00Z
pub const T0: i64 = 1_772_352_000_000;

pub struct Harness {
    pub server: RunningServer,
    pub clock: Arc<ManualClock>,
    pub http: Client,
    pub ws_a: String,
    pub ws_b: String,
    _dir: tempfile::TempDir,
}

/// With `STEPUP_TEST_POSTGRES` set to a PostgreSQL server (`postgres://user@host:port`), the
/// database of the test whose folder is `dir`: a new database on that server, named after the
/// folder, so a test that starts its server again finds its data. `None` runs on SQLite.
pub fn postgres_database(dir: &std::path::Path) -> Option<String> {
    let server = std::env::var("STEPUP_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())?;
    Some(format!(
        "{}/t{}",
        server.trim_end_matches('/'),
        database_name(dir)
    ))
}

/// A database name made from a test's folder: lower-case letters, digits and `_`.
pub fn database_name(dir: &std::path::Path) -> String {
    dir.file_name()
        .unwrap()
        .to_string_lossy()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The two shops of every test: A ("Souq Al Noor", Dubai) with an admin, a supervisor (Sara)
/// and an agent (Omar); B ("Other Co", Riyadh) with one admin. Returns their ids.
pub async fn two_shops(st: &stepup_cloud::AppState) -> (String, String) {
    let a = st
        .create_workspace("Souq Al Noor", "Asia/Dubai")
        .await
        .unwrap();
    let b = st
        .create_workspace("Other Co", "Asia/Riyadh")
        .await
        .unwrap();
    for (name, email, role) in [
        ("Admin A", "admin@a.test", Role::Admin),
        ("Sara", "sara@a.test", Role::Supervisor),
        ("Omar", "omar@a.test", Role::Agent),
    ] {
        st.create_agent(&a.id, name, email, PASSWORD, role, vec![])
            .await
            .unwrap();
    }
    st.create_agent(
        &b.id,
        "Admin B",
        "admin@b.test",
        PASSWORD,
        Role::Admin,
        vec![],
    )
    .await
    .unwrap();
    (a.id, b.id)
}

/// The URL a `stepup-cloud` process serves, from the first line it prints (`listening on
/// URL`): the signal that it is up.
pub async fn listening_url(stdout: std::process::ChildStdout) -> String {
    let line = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    line.trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
        .to_owned()
}

/// Signs in at the cloud at `base`.
pub async fn login_at(http: &Client, base: &str, email: &str) -> TokenResponse {
    let r = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {email}");
    r.json().await.unwrap()
}

/// The database of the test whose folder is `dir`: SQLite in `dir`, or PostgreSQL (see
/// [`postgres_database`]).
pub fn use_database(c: &mut Config, dir: &std::path::Path) {
    c.data_dir = Some(dir.to_path_buf());
    c.database_url = postgres_database(dir).map(stepup_cloud::secret::Secret::new);
}

pub fn config(dir: &std::path::Path, clock: Arc<ManualClock>) -> Config {
    let mut c = Config::ephemeral();
    use_database(&mut c, dir);
    c.clock = clock;
    c.compaction_interval = None;
    c.secrets = stepup_cloud::ChannelSecrets::default().with_demo_defaults();
    c
}

impl Harness {
    /// Another node on this harness's database (and clock), as a second `stepup-cloud` process
    /// on a shared database would be.
    pub async fn another_node(&self, tweak: impl FnOnce(&mut Config)) -> stepup_cloud::AppState {
        let mut cfg = config(self._dir.path(), self.clock.clone());
        tweak(&mut cfg);
        stepup_cloud::AppState::new(cfg).await.unwrap()
    }

    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Two workspaces: A (webhooks go here) with admin/supervisor/agent, B with one admin.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let mut cfg = config(dir.path(), clock.clone());
        tweak(&mut cfg);
        let server = Server::start(cfg).await.unwrap();
        let (ws_a, ws_b) = two_shops(&server.state).await;
        Harness {
            server,
            clock,
            http: Client::new(),
            ws_a,
            ws_b,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.server.addr, path)
    }

    pub async fn login(&self, email: &str) -> TokenResponse {
        login_at(&self.http, &self.server.url(), email).await
    }

    pub async fn token(&self, email: &str) -> String {
        self.login(email).await.access_token
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, token, path, body).await
    }

    /// Sends a text with an idempotency key.
    pub async fn send_text(
        &self,
        token: &str,
        conv: &str,
        key: &str,
        text: &str,
    ) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.url(&format!("/v1/conversations/{conv}/messages")))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&json!({"type": "text", "text": text}))
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// An inbound customer message through the library (no webhook), returns the conversation id.
    pub async fn inbound(
        &self,
        ws: &str,
        channel: stepup_protocol::Channel,
        user: &str,
        pmid: &str,
        text: &str,
    ) -> String {
        let out = stepup_cloud::ingest::ingest(
            &self.server.state,
            ws,
            stepup_cloud::ingest::Inbound {
                channel,
                external_user_id: user.into(),
                user_name: Some(format!("Customer {user}")),
                phone: None,
                provider_message_id: pmid.into(),
                content: stepup_protocol::MessageContent::Text { text: text.into() },
                reply_to_provider_id: None,
                at: self.clock_now(),
                edit: false,
                echo: false,
            },
        )
        .await
        .unwrap();
        match out {
            stepup_cloud::ingest::Outcome::Created {
                conversation_id, ..
            } => conversation_id,
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn clock_now(&self) -> i64 {
        use stepup_cloud::clock::Clock;
        self.clock.now_ms()
    }

    /// Reads the whole feed from `after` to the end.
    pub async fn drain(&self, token: &str, after: &str, limit: u32) -> (Vec<Value>, String) {
        let mut cursor = after.to_owned();
        let mut all = Vec::new();
        loop {
            let (s, v) = self
                .get(token, &format!("/v1/sync?after={cursor}&limit={limit}"))
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            all.extend(v["changes"].as_array().unwrap().iter().cloned());
            cursor = v["next_cursor"].as_str().unwrap().to_owned();
            if !v["has_more"].as_bool().unwrap() {
                return (all, cursor);
            }
        }
    }
}
