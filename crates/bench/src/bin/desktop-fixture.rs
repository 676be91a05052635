//! `desktop-fixture --data-dir DIR [--conversations N] [--big M]`
//! `desktop-fixture --cloud-only [--conversations N] [--per M]`
//!
//! The fixture of the desktop benchmarks (`./dev bench-desktop`): a reference
//! cloud on loopback holding N conversations (one message each) and one
//! conversation of M messages, and an account signed in to it under
//! `DIR/accounts` (key and token in the OS keyring) whose encrypted cache
//! already holds all of it, remembered as the last account, so the app opens
//! straight into the cached inbox.
//!
//! With `--cloud-only`, only the cloud: N conversations of M messages (2 by default) and no
//! account, for a first sign-in (the end-to-end test of a big workspace's first sync).
//!
//! Prints `url <cloud>`, `big <conversation id>`, then `ready`, and serves
//! until standard input closes. A line `traffic <per second>` on standard
//! input starts live customer messages through the Web Chat API.

#![allow(clippy::print_stdout)]

use std::{io::Write as _, sync::Arc, time::Duration};

use stepup_bench::arg;
use stepup_bench::fixture::{CHANNELS, PHRASES, conversation, message, workspace_with_agent};
use stepup_cloud::{Config, Server, store::Placement};
use stepup_protocol::{Channel, ChannelIdentity, Contact, EntityKind, MessageContent, Role};
use stepup_store::{OsKeyring, Secret};
use stepup_sync::{SystemClock, account::Accounts, engine::Engine, engine::EngineConfig};
use tokio::io::AsyncBufReadExt as _;

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

const EMAIL: &str = "supervisor@bench.test";
const PASSWORD: &str = "bench-password";
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--cloud-only") {
        return cloud_only().await;
    }
    let data_dir = std::path::PathBuf::from(
        arg("--data-dir").ok_or_else(|| anyhow::anyhow!("--data-dir DIR is required"))?,
    );
    let n: usize = arg("--conversations").map_or(Ok(10_000), |v| v.parse())?;
    let big: usize = arg("--big").map_or(Ok(5_000), |v| v.parse())?;

    let mut config = Config::demo();
    config.compaction_interval = None;
    config.snapshot_message_window = Duration::from_secs(365 * 24 * 3600);
    let server = Server::start(config).await?;
    let ws_id = supervised_workspace(&server).await?;
    server.state.set_webhook_workspace(&ws_id).await?;

    let now = server.state.now();
    // N small conversations, then the big one (newest, so it tops the list).
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut w = server.state.write(&ws_id).await?;
        for &i in chunk {
            let at = now - ((n - i) as i64) * 60_000;
            let contact = Contact {
                id: format!("ctc_{i:06}"),
                name: if i % 2 == 0 {
                    format!("عميل {i}")
                } else {
                    format!("Customer {i}")
                },
                phone: Some(format!("+9715{i:08}")),
                language: None,
                identities: vec![ChannelIdentity {
                    channel: CHANNELS[i % CHANNELS.len()],
                    external_id: format!("ext{i}"),
                }],
                created_at: at,
                email: None,
                attributes: Default::default(),
            };
            let conv_id = format!("cnv_{i:06}");
            let m = message(&conv_id, 0, at, true);
            let preview = match &m.content {
                MessageContent::Text { text } => text.clone(),
                _ => String::new(),
            };
            let placement = Placement {
                parent_id: None,
                sort_at: at,
            };
            w.put(EntityKind::Contact, &contact.id, placement, &contact)
                .await?;
            w.put_conversation(&conversation(
                &conv_id,
                &contact.id,
                CHANNELS[i % CHANNELS.len()],
                at,
                &preview,
            ))
            .await?;
            w.put_message(&m).await?;
        }
        server.state.commit(w).await?;
    }
    let big_id = "cnv_big".to_owned();
    {
        let mut w = server.state.write(&ws_id).await?;
        let contact = Contact {
            id: "ctc_big".into(),
            name: "فاطمة الكبيرة Big".into(),
            phone: Some("+971500000000".into()),
            language: Some("ar".into()),
            identities: vec![ChannelIdentity {
                channel: Channel::Whatsapp,
                external_id: "971500000000".into(),
            }],
            created_at: now - (big as i64) * 30_000,
            email: None,
            attributes: Default::default(),
        };
        w.put(
            EntityKind::Contact,
            &contact.id,
            Placement {
                parent_id: None,
                sort_at: contact.created_at,
            },
            &contact,
        )
        .await?;
        for i in 0..big {
            let at = now - ((big - i) as i64) * 30_000;
            let m = message(&big_id, i, at, i % 3 != 2);
            w.put_message(&m).await?;
        }
        let mut conv = conversation(&big_id, &contact.id, Channel::Telegram, now, "…");
        conv.created_at = contact.created_at;
        w.put_conversation(&conv).await?;
        server.state.commit(w).await?;
    }

    // The account the app will open, its cache filled.
    let accounts = Accounts::new(data_dir.join("accounts"), Arc::new(OsKeyring::default()));
    let session = accounts
        .sign_in(
            &server.url(),
            EMAIL,
            &Secret::new(PASSWORD.to_owned()),
            None,
        )
        .await?;
    let engine = Engine::new(&session, Arc::new(SystemClock), EngineConfig::default());
    engine.catch_up().await?;
    session.store.close().await;
    stepup_store::wait_for_database_threads(Duration::from_secs(5)).await;
    std::fs::write(
        data_dir.join("accounts").join("last"),
        session.account.id.as_str(),
    )?;

    say(&format!("url {}", server.url()));
    say(&format!("big {big_id}"));
    say("ready");

    // Serve until standard input closes; `traffic N` starts live messages.
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut traffic: Option<tokio::task::JoinHandle<()>> = None;
    while let Some(line) = lines.next_line().await? {
        if let Some(rate) = line.strip_prefix("traffic ") {
            let per_second: f64 = rate.trim().parse().unwrap_or(1.0);
            if let Some(t) = traffic.take() {
                t.abort();
            }
            traffic = Some(tokio::spawn(live_traffic(server.url(), per_second)));
        }
    }
    if let Some(t) = traffic {
        t.abort();
    }
    server.shutdown().await;
    Ok(())
}

/// The cloud alone, its workspace filled in bulk; serves until standard input closes.
async fn cloud_only() -> anyhow::Result<()> {
    let n: usize = arg("--conversations").map_or(Ok(10_000), |v| v.parse())?;
    let per: usize = arg("--per").map_or(Ok(2), |v| v.parse())?;
    let server = Server::start(Config::demo()).await?;
    let ws_id = supervised_workspace(&server).await?;
    let now = server.state.now();
    stepup_bench::fixture::seed_big(&server, &ws_id, n, per, now).await?;
    say(&format!("url {}", server.url()));
    say("ready");
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while lines.next_line().await?.is_some() {}
    server.shutdown().await;
    Ok(())
}

/// The fixture's workspace, with its supervisor (`EMAIL`, `PASSWORD`) the app signs in as.
async fn supervised_workspace(server: &stepup_cloud::RunningServer) -> anyhow::Result<String> {
    Ok(workspace_with_agent(
        server,
        "Bench Supervisor",
        EMAIL,
        PASSWORD,
        Role::Supervisor,
    )
    .await?)
}

/// Customers writing on Web Chat, `per_second` messages a second.
async fn live_traffic(base: String, per_second: f64) {
    let http = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second.max(0.01)));
    let mut visitors: Vec<String> = Vec::new();
    for i in 0u64.. {
        tick.tick().await;
        if visitors.len() < 50 {
            let started = http
                .post(format!("{base}/webchat/v1/sessions"))
                .json(&serde_json::json!({ "name": format!("زائر Visitor {i}"), "language": "ar" }))
                .send()
                .await;
            if let Ok(resp) = started
                && let Ok(v) = resp.json::<serde_json::Value>().await
                && let Some(t) = v["visitor_token"].as_str()
            {
                visitors.push(t.to_owned());
            }
        }
        let Some(token) = visitors.get(i as usize % visitors.len().max(1)) else {
            continue;
        };
        let _ = http
            .post(format!("{base}/webchat/v1/messages"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "client_message_id": format!("live-{i}"),
                "text": PHRASES[i as usize % PHRASES.len()],
            }))
            .send()
            .await;
    }
}
