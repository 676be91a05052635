//! The targets, their corpora and what each must hold for any input.

use std::path::PathBuf;

use stepup_cloud::{Config, RunningServer, Server, demo, webhooks};
use stepup_protocol::{StreamEvent, SyncResponse};
use stepup_store::{SearchFilter, Store};

/// What the targets run against: the reference cloud with the demo shop on a loopback port
/// (the webhooks' workspace), an agent's token, and a real cache on disk.
#[derive(Debug)]
pub struct Rig {
    server: RunningServer,
    http: reqwest::Client,
    token: String,
    store: Store,
    _dir: tempfile::TempDir,
}

impl Rig {
    pub async fn start() -> anyhow::Result<Rig> {
        let mut server = Server::start(Config::demo()).await?;
        demo::start_demo(&mut server, 3, 0.0).await?;
        let http = reqwest::Client::new();
        let login: serde_json::Value = http
            .post(format!("{}/v1/auth/login", server.url()))
            .json(&serde_json::json!({"email": "owner@noor.demo", "password": demo::DEMO_PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        let token = login["access_token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no token: {login}"))?
            .to_owned();
        let dir = tempfile::tempdir()?;
        let store = Store::open(
            &dir.path().join("cache.db"),
            &stepup_store::DbKey::from_bytes([7; 32]),
        )
        .await?;
        Ok(Rig {
            server,
            http,
            token,
            store,
            _dir: dir,
        })
    }

    pub async fn stop(self) {
        self.store.close().await;
        self.server.shutdown().await;
        stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await;
    }

    async fn get(&self, path: &str) -> Vec<u8> {
        match self
            .http
            .get(format!("{}{path}", self.server.url()))
            .bearer_auth(&self.token)
            .send()
            .await
        {
            Ok(r) => r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    WhatsApp,
    Messenger,
    Instagram,
    Telegram,
    TikTok,
    FeedPage,
    StreamFrame,
    DeepLink,
    FileName,
    SearchQuery,
}

impl Target {
    pub const ALL: [Target; 10] = [
        Target::WhatsApp,
        Target::Messenger,
        Target::Instagram,
        Target::Telegram,
        Target::TikTok,
        Target::FeedPage,
        Target::StreamFrame,
        Target::DeepLink,
        Target::FileName,
        Target::SearchQuery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::WhatsApp => "webhook-whatsapp",
            Target::Messenger => "webhook-messenger",
            Target::Instagram => "webhook-instagram",
            Target::Telegram => "webhook-telegram",
            Target::TikTok => "webhook-tiktok",
            Target::FeedPage => "feed-page",
            Target::StreamFrame => "stream-frame",
            Target::DeepLink => "deep-link",
            Target::FileName => "file-name",
            Target::SearchQuery => "search-query",
        }
    }

    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The seeds: real payloads.
    pub async fn corpus(self, rig: &Rig) -> Vec<Vec<u8>> {
        let fixtures = |prefix: &str| -> Vec<Vec<u8>> {
            let dir = fixtures_dir();
            let mut out = Vec::new();
            let mut names: Vec<_> = std::fs::read_dir(&dir)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            names.sort();
            for path in names {
                let stem = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if !stem.starts_with(prefix) {
                    continue;
                }
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                // A file of several updates gives one seed each.
                match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(serde_json::Value::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| serde_json::to_vec(i).ok()))
                    }
                    _ => out.push(bytes),
                }
            }
            out
        };
        match self {
            Target::WhatsApp => fixtures("whatsapp_"),
            Target::Messenger => fixtures("messenger_"),
            Target::Instagram => fixtures("instagram_"),
            Target::Telegram => fixtures("telegram_"),
            Target::TikTok => fixtures("tiktok_"),
            Target::FeedPage => vec![
                rig.get("/v1/sync?after=0&limit=40").await,
                rig.get("/v1/sync?after=0&limit=3").await,
            ],
            Target::StreamFrame => {
                let page: Option<SyncResponse> =
                    serde_json::from_slice(&rig.get("/v1/sync?after=0&limit=20").await).ok();
                let mut frames: Vec<StreamEvent> = vec![
                    StreamEvent::Hello { head: 42 },
                    StreamEvent::Heartbeat {
                        at: 1_772_352_000_000,
                        head: 42,
                    },
                    StreamEvent::Lagged,
                ];
                frames.extend(page.into_iter().flat_map(|p| p.changes).map(|c| {
                    StreamEvent::Change {
                        change: Box::new(c),
                    }
                }));
                frames
                    .iter()
                    .filter_map(|f| serde_json::to_vec(f).ok())
                    .collect()
            }
            Target::DeepLink => [
                "stepup://conversation/cnv_0123abcd",
                "stepup://conversation/cnv_1?from=notification#top",
                "stepup://conversation/",
                "https://evil.example/stepup://conversation/cnv_1",
            ]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
            Target::FileName => [
                "invoice.pdf",
                "فاتورة رقم ١٢.pdf",
                "../../etc/passwd",
                "C:\\Users\\a\\CON.txt",
                "Invoice\u{202E}fdp.exe",
                "voice-note.ogg",
            ]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
            Target::SearchQuery => {
                // A cache with something to find.
                if let Ok(page) = serde_json::from_slice::<SyncResponse>(
                    &rig.get("/v1/sync?after=0&limit=300").await,
                ) {
                    let _ = rig
                        .store
                        .apply_page(&page.changes, &page.next_cursor, false)
                        .await;
                }
                [
                    "عطر",
                    "iphone 16",
                    "\"order\" OR",
                    "طلب*",
                    "NEAR(a b)",
                    "name:فاطمة",
                    "#4471",
                ]
                .iter()
                .map(|s| s.as_bytes().to_vec())
                .collect()
            }
        }
    }

    /// One input. `Err` is a finding.
    pub async fn check(self, rig: &Rig, input: &[u8]) -> Result<(), String> {
        match self {
            Target::WhatsApp | Target::Messenger | Target::Instagram => {
                let path = match self {
                    Target::WhatsApp => "/webhooks/whatsapp",
                    Target::Messenger => "/webhooks/messenger",
                    _ => "/webhooks/instagram",
                };
                let signature = webhooks::meta_signature(
                    stepup_cloud::config::demo_secrets::META_APP_SECRET,
                    input,
                );
                post(rig, path, input, &[("X-Hub-Signature-256", signature)]).await
            }
            Target::Telegram => {
                let token = stepup_cloud::config::demo_secrets::TELEGRAM_SECRET_TOKEN.to_owned();
                post(
                    rig,
                    "/webhooks/telegram",
                    input,
                    &[("X-Telegram-Bot-Api-Secret-Token", token)],
                )
                .await
            }
            Target::TikTok => {
                let t = rig.server.state.now() / 1000;
                let s = webhooks::tiktok_signature(
                    stepup_cloud::config::demo_secrets::TIKTOK_CLIENT_SECRET,
                    t,
                    input,
                );
                post(
                    rig,
                    "/webhooks/tiktok",
                    input,
                    &[("TikTok-Signature", format!("t={t},s={s}"))],
                )
                .await
            }
            Target::FeedPage => {
                let Ok(page) = serde_json::from_slice::<SyncResponse>(input) else {
                    return Ok(());
                };
                let store = rig.store.clone();
                tokio::spawn(async move {
                    let _ = store
                        .apply_page(&page.changes, &page.next_cursor, !page.has_more)
                        .await;
                })
                .await
                .map_err(|e| format!("applying the page panicked: {e}"))
            }
            Target::StreamFrame => {
                let Ok(text) = std::str::from_utf8(input) else {
                    return Ok(());
                };
                let Ok(StreamEvent::Change { change }) = serde_json::from_str::<StreamEvent>(text)
                else {
                    return Ok(());
                };
                let store = rig.store.clone();
                tokio::spawn(async move {
                    let _ = store.apply_page(&[*change], "1", true).await;
                })
                .await
                .map_err(|e| format!("applying the frame panicked: {e}"))
            }
            Target::DeepLink => {
                let text = String::from_utf8_lossy(input).into_owned();
                let id = std::panic::catch_unwind(|| stepup_app::notifications::parse_link(&text))
                    .map_err(|_| "parse_link panicked".to_owned())?;
                match id {
                    Some(id)
                        if id.is_empty()
                            || id.len() > 128
                            || !id
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
                    {
                        Err(format!("a link opened the id {id:?}"))
                    }
                    _ => Ok(()),
                }
            }
            Target::FileName => {
                let text = String::from_utf8_lossy(input).into_owned();
                let name = std::panic::catch_unwind(|| {
                    stepup_sync::paths::safe_file_name(&text, "attachment")
                })
                .map_err(|_| "safe_file_name panicked".to_owned())?;
                let bad = name.is_empty()
                    || name.chars().count() > 121
                    || name.starts_with('.')
                    || name.ends_with(['.', ' '])
                    || name.chars().any(|c| {
                        c.is_control()
                            || stepup_protocol::is_bidi_control(c)
                            || "/\\<>:\"|?*".contains(c)
                    })
                    || matches!(
                        name.split('.')
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase()
                            .as_str(),
                        "CON" | "PRN" | "AUX" | "NUL"
                    );
                if bad {
                    Err(format!("an unsafe file name: {name:?}"))
                } else {
                    Ok(())
                }
            }
            Target::SearchQuery => {
                let text = String::from_utf8_lossy(input).into_owned();
                let store = rig.store.clone();
                match tokio::spawn(
                    async move { store.search(&text, &SearchFilter::default()).await },
                )
                .await
                {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(format!("the search failed: {e}")),
                    Err(e) => Err(format!("the search panicked: {e}")),
                }
            }
        }
    }

    /// After a run: the cloud still answers and the cache is sound.
    pub async fn after(self, rig: &Rig) -> Result<(), String> {
        let health = rig
            .http
            .get(format!("{}/healthz", rig.server.url()))
            .send()
            .await
            .map_err(|e| format!("the cloud stopped answering: {e}"))?;
        if !health.status().is_success() {
            return Err(format!("the cloud is unhealthy: {}", health.status()));
        }
        rig.store
            .integrity_check()
            .await
            .map_err(|e| format!("the cache is damaged: {e}"))
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cloud/tests/fixtures")
}

/// Posts a signed webhook: any answer below 500 is fine (a 400 for garbage is right).
async fn post(
    rig: &Rig,
    path: &str,
    body: &[u8],
    headers: &[(&str, String)],
) -> Result<(), String> {
    let mut req = rig
        .http
        .post(format!("{}{path}", rig.server.url()))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    match req.send().await {
        Ok(r) if r.status().is_server_error() => Err(format!("answered {}", r.status())),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("no answer: {e}")),
    }
}
