//! A big workspace's first sign-in: N conversations of M messages each (100,000 × 10 by
//! default), bootstrapped by a new SQLCipher cache through the sync engine, as the app does it
//! (newest first, pages sized by bytes, gzip), beside the feed as it was before (oldest first,
//! pages of 1,000 changes, plain JSON), on loopback and on a shaped link; and the engine beside
//! the store alone writing the same pages into plain SQLite.
//!
//! Every byte between the cache and the cloud goes through a relay that counts it; shaped, it
//! holds each chunk as a link of that rate and one-way delay would (no loss: the slow-link test
//! bed, `scripts/slow-link`, adds it with the kernel's `netem`).
//!
//! "First usable inbox": the inbox's first screen (the 20 most recent conversations, with
//! their contacts' names, the newest with its latest message) is in the cache, counted from the
//! sign-in.
//!
//! `serve` and `client` run the two halves apart (the test bed runs them in two network
//! namespaces): `serve` fills a cloud, serves it over HTTPS with a private CA whose certificate
//! it writes to `--ca FILE`; `client --url URL --ca FILE` signs in and bootstraps.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use stepup_cloud::{Config, RunningServer, Server, tls::TestCa};
use stepup_protocol::{Role, SyncResponse};
use stepup_store::{ConversationFilter, DbKey, MemorySecrets, OpenOptions, Secret, Store};
use stepup_sync::{
    SyncEvent, SystemClock,
    account::{Accounts, Session},
    engine::{Engine, EngineConfig},
    tls::Trust,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::{EMAIL, PASSWORD, arg, messages_in};
use stepup_bench::fixture::{big_conversation_id, seed_big, workspace_with_agent};

/// The inbox's first screen.
const TOP: usize = 20;

/// A link's rate and one-way delay.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub bits_per_second: u64,
    pub one_way: Duration,
}

/// The slow link: 10 Mbit/s, 100 ms round trip.
pub const SLOW_LINK: Shape = Shape {
    bits_per_second: 10_000_000,
    one_way: Duration::from_millis(50),
};

/// A TCP relay in front of the cloud: counts the bytes both ways and, when shaped, delivers
/// each chunk when a link of that rate and delay would.
struct Link {
    addr: SocketAddr,
    bytes: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Link {
    async fn start(target: SocketAddr, shape: Option<Shape>) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let bytes = Arc::new(AtomicU64::new(0));
        let counted = bytes.clone();
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = TcpStream::connect(target).await else {
                    continue;
                };
                let _ = inbound.set_nodelay(true);
                let _ = outbound.set_nodelay(true);
                let (ri, wi) = inbound.into_split();
                let (ro, wo) = outbound.into_split();
                tokio::spawn(pipe(ri, wo, counted.clone(), shape));
                tokio::spawn(pipe(ro, wi, counted.clone(), shape));
            }
        });
        Link { addr, bytes, task }
    }

    fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    bytes: Arc<AtomicU64>,
    shape: Option<Shape>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let Some(shape) = shape else {
        while let Ok(n) = from.read(&mut buf).await {
            if n == 0 || to.write_all(&buf[..n]).await.is_err() {
                break;
            }
            bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
        let _ = to.shutdown().await;
        return;
    };
    // About one round trip's worth of bytes in flight, as a TCP window would allow.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(tokio::time::Instant, Vec<u8>)>(16);
    let writer = tokio::spawn(async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut free_at = tokio::time::Instant::now();
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        bytes.fetch_add(n as u64, Ordering::Relaxed);
        // On the wire after what is already on it, then the delay.
        let on_wire = Duration::from_nanos(n as u64 * 8 * 1_000_000_000 / shape.bits_per_second);
        free_at = free_at.max(tokio::time::Instant::now()) + on_wire;
        if tx
            .send((free_at + shape.one_way, buf[..n].to_vec()))
            .await
            .is_err()
        {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// How one bootstrap went.
#[derive(Debug, Clone, Copy)]
struct Run {
    sign_in: f64,
    first_usable: f64,
    complete: f64,
    bytes: u64,
    messages: i64,
}

/// Whether the cache shows the inbox's first screen: the `TOP` newest conversations, each with
/// its contact's name, the newest with its latest message.
async fn first_screen_in(store: &Store, top: &[String]) -> bool {
    let rows = store
        .conversations(&ConversationFilter {
            limit: TOP as u32,
            ..Default::default()
        })
        .await
        .unwrap_or_default();
    let listed = rows.len() == top.len()
        && rows
            .iter()
            .zip(top)
            .all(|(r, id)| &r.conversation.id == id && r.contact_name.is_some());
    // And the newest of them opens on its latest message.
    listed
        && match top.first() {
            Some(first) => store.messages(first, None, 1).await.is_ok_and(|m| {
                m.first().is_some_and(|m| {
                    Some(m.created_at) == rows.first().map(|r| r.conversation.last_message_at)
                })
            }),
            None => true,
        }
}

async fn sign_in(url: &str, dir: &std::path::Path, trust: Option<&str>) -> Session {
    let mut accounts = Accounts::new(dir.to_path_buf(), Arc::new(MemorySecrets::default()));
    if let Some(pem) = trust {
        accounts = accounts.with_trust(Trust::system().with_pem("bench CA", pem.to_owned()));
    }
    accounts
        .sign_in(url, EMAIL, &Secret::new(PASSWORD.to_owned()), None)
        .await
        .expect("sign in")
}

/// The app's way: the sync engine from sign-in to a complete cache.
async fn app_bootstrap(
    url: &str,
    trust: Option<&str>,
    top: &[String],
    link: &Link,
    compressed: bool,
) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let mut s = sign_in(url, dir.path(), trust).await;
    let sign_in = started.elapsed().as_secs_f64();
    s.client = s.client.clone().with_compression(compressed);
    let engine = Engine::new(&s, Arc::new(SystemClock), EngineConfig::default());
    let mut events = engine.subscribe();
    let mut task = tokio::spawn({
        let engine = engine.clone();
        async move { engine.catch_up().await.expect("bootstrap") }
    });
    let mut first_usable = None;
    let mut done = false;
    while first_usable.is_none() && !done {
        tokio::select! {
            ev = events.recv() => {
                let changed = matches!(
                    ev,
                    Ok(SyncEvent::ConversationsChanged { .. })
                        | Err(tokio::sync::broadcast::error::RecvError::Lagged(_))
                );
                if changed && first_screen_in(&s.store, top).await {
                    first_usable = Some(started.elapsed().as_secs_f64());
                }
            }
            r = &mut task => {
                r.expect("bootstrap task");
                done = true;
            }
        }
    }
    if !done {
        task.await.expect("bootstrap task");
    }
    let complete = started.elapsed().as_secs_f64();
    assert!(
        first_screen_in(&s.store, top).await,
        "the inbox's first screen"
    );
    let messages = messages_in(&s.store).await;
    s.store.close().await;
    Run {
        sign_in,
        first_usable: first_usable.unwrap_or(complete),
        complete,
        bytes: link.bytes(),
        messages,
    }
}

/// The feed as it was: oldest first from `s0`, pages of 1,000 changes, plain JSON; the next
/// page fetched while one is written, as the engine does.
async fn before_bootstrap(url: &str, top: &[String], link: &Link) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let mut s = sign_in(url, dir.path(), None).await;
    let sign_in = started.elapsed().as_secs_f64();
    s.client = s.client.clone().with_compression(false);
    let client = s.client.clone();
    let fetch = move |cursor: String| {
        let client = client.clone();
        async move {
            client
                .sync_page(&cursor, 1000, 8 * 1024 * 1024)
                .await
                .expect("page")
        }
    };
    let mut page = fetch("s0".to_owned()).await;
    let mut first_usable = None;
    loop {
        let next = page
            .has_more
            .then(|| tokio::spawn(fetch(page.next_cursor.clone())));
        s.store
            .apply_page(&page.changes, &page.next_cursor, next.is_none())
            .await
            .expect("apply");
        if first_usable.is_none() && first_screen_in(&s.store, top).await {
            first_usable = Some(started.elapsed().as_secs_f64());
        }
        match next {
            Some(next) => page = next.await.expect("fetch"),
            None => break,
        }
    }
    let complete = started.elapsed().as_secs_f64();
    let messages = messages_in(&s.store).await;
    s.store.close().await;
    Run {
        sign_in,
        first_usable: first_usable.unwrap_or(complete),
        complete,
        bytes: link.bytes(),
        messages,
    }
}

fn row(label: &str, r: &Run) {
    println!(
        "| {label} | {:.2} s | {:.2} s | {:.1} s | {:.0} | {:.1} MB | {:.0} |",
        r.sign_in,
        r.first_usable,
        r.complete,
        r.messages as f64 / (r.complete - r.sign_in),
        r.bytes as f64 / 1e6,
        r.bytes as f64 / r.messages.max(1) as f64,
    );
}

fn header() {
    println!(
        "| run | sign-in | first usable inbox | complete cache | messages/s (after sign-in) | on the wire | bytes per message |"
    );
    println!("|---|---|---|---|---|---|---|");
}

/// The cloud the bootstrap bench reads: the cloud's own settings (its 30-day snapshot window,
/// compaction on), demo secrets only for signing in.
fn cloud_config(dir: &std::path::Path) -> Config {
    let mut config = Config::demo();
    config.data_dir = Some(dir.to_path_buf());
    config
}

async fn filled_cloud(config: Config, conversations: usize, per: usize) -> (RunningServer, f64) {
    let server = Server::start(config).await.expect("the cloud starts");
    let ws = workspace_with_agent(&server, "Bench", EMAIL, PASSWORD, Role::Supervisor)
        .await
        .expect("workspace");
    let started = Instant::now();
    let now = server.state.now();
    seed_big(&server, &ws, conversations, per, now)
        .await
        .expect("seed");
    (server, started.elapsed().as_secs_f64())
}

fn top_ids(conversations: usize) -> Vec<String> {
    (0..conversations.min(TOP))
        .map(|k| big_conversation_id(conversations - 1 - k))
        .collect()
}

pub async fn bootstrap(conversations: usize, per: usize, shaped: bool) {
    println!(
        "\n## bootstrap: a new cache signs in to a workspace of {conversations} conversations × {per} messages"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, seeded) = filled_cloud(cloud_config(dir.path()), conversations, per).await;
    println!("(workspace written in {seeded:.0} s)");
    let top = top_ids(conversations);

    println!("\nLoopback:\n");
    header();
    let link = Link::start(server.addr, None).await;
    let url = format!("http://{}", link.addr);
    let app = app_bootstrap(&url, None, &top, &link, true).await;
    row("the app: newest first, pages by bytes, gzip", &app);
    let link = Link::start(server.addr, None).await;
    let plain = app_bootstrap(&format!("http://{}", link.addr), None, &top, &link, false).await;
    row("the app, not asking for gzip", &plain);
    let link = Link::start(server.addr, None).await;
    let before = before_bootstrap(&format!("http://{}", link.addr), &top, &link).await;
    row("before: oldest first, 1,000 a page, plain JSON", &before);

    if shaped {
        println!("\nShaped link, 10 Mbit/s, 100 ms round trip (no loss):\n");
        header();
        let link = Link::start(server.addr, Some(SLOW_LINK)).await;
        let slow = app_bootstrap(&format!("http://{}", link.addr), None, &top, &link, true).await;
        row("the app: newest first, pages by bytes, gzip", &slow);
        let link_bytes_per_s = SLOW_LINK.bits_per_second as f64 / 8.0;
        println!(
            "| before (not run: bound by the link) | | ≥ {:.0} s | ≥ {:.0} s | | {:.1} MB | |",
            before.bytes as f64 / link_bytes_per_s,
            before.bytes as f64 / link_bytes_per_s,
            before.bytes as f64 / 1e6,
        );
    }

    // The engine beside the store alone: the same pages, fetched first, written into plain
    // SQLite (the baseline) and SQLCipher.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let s = sign_in(&server.url(), dir2.path(), None).await;
    let fetching = Instant::now();
    let pages = fetch_all(&s).await;
    let fetched = fetching.elapsed().as_secs_f64();
    s.store.close().await;
    let mut store_alone = Vec::new();
    for encrypted in [false, true] {
        let d = tempfile::tempdir().expect("tempdir");
        let store = Store::open_with(
            &d.path().join("c.db"),
            Some(&DbKey::from_bytes([7; 32])),
            &OpenOptions {
                encrypted,
                ..OpenOptions::default()
            },
        )
        .await
        .expect("open");
        let started = Instant::now();
        for (i, p) in pages.iter().enumerate() {
            store
                .apply_page(&p.changes, &p.next_cursor, i + 1 == pages.len())
                .await
                .expect("apply");
        }
        store_alone.push((messages_in(&store).await, started.elapsed().as_secs_f64()));
        store.close().await;
    }
    drop(pages);
    let engine_rate = app.messages as f64 / (app.complete - app.sign_in);
    let plain_rate = store_alone[0].0 as f64 / store_alone[0].1;
    let cipher_rate = store_alone[1].0 as f64 / store_alone[1].1;
    println!("\nThe engine beside the store alone (loopback, the same run):\n");
    println!("| | messages/s | × store alone, plain SQLite |");
    println!("|---|---|---|");
    println!("| store alone, plain SQLite (baseline) | {plain_rate:.0} | 1.00× |");
    println!(
        "| store alone, SQLCipher | {cipher_rate:.0} | {:.2}× |",
        cipher_rate / plain_rate
    );
    println!(
        "| end to end, SQLCipher (the app's bootstrap above) | {engine_rate:.0} | {:.2}× |",
        engine_rate / plain_rate
    );
    let uncompressed_rate = plain.messages as f64 / (plain.complete - plain.sign_in);
    println!(
        "| end to end, SQLCipher, not asking for gzip | {uncompressed_rate:.0} | {:.2}× |",
        uncompressed_rate / plain_rate
    );
    let fetch_rate = store_alone[0].0 as f64 / fetched;
    println!(
        "| where the rest goes: the pages alone, fetched one after another (the cloud reads and compresses, the client inflates and reads) | {fetch_rate:.0} | {:.2}× |",
        fetch_rate / plain_rate
    );
    server.shutdown().await;
}

/// Every page of a bootstrap as the app reads it.
async fn fetch_all(s: &Session) -> Vec<SyncResponse> {
    let cfg = EngineConfig::default();
    let mut cursor = "0".to_owned();
    let mut pages = Vec::new();
    loop {
        let p = s
            .client
            .sync_page(&cursor, cfg.page_size, cfg.page_bytes)
            .await
            .expect("page");
        cursor = p.next_cursor.clone();
        let more = p.has_more;
        pages.push(p);
        if !more {
            return pages;
        }
    }
}

/// `bootstrap serve`: fills a cloud and serves it over HTTPS on `--listen` (its CA's
/// certificate written to `--ca`) until standard input closes.
pub async fn serve(conversations: usize, per: usize) {
    let listen: SocketAddr = stepup_bench::arg("--listen")
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .expect("--listen ADDRESS:PORT");
    let ca_file = stepup_bench::arg("--ca").expect("--ca FILE");
    let host = listen.ip().to_string();
    let ca = TestCa::for_hosts("Stepup bench CA", &[&host, "localhost", "127.0.0.1"]);
    std::fs::write(&ca_file, &ca.ca_pem).expect("write the CA");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = cloud_config(dir.path());
    config.listen = listen;
    config.tls = Some(ca.server_config());
    let (server, seeded) = filled_cloud(config, conversations, per).await;
    println!("workspace written in {seeded:.0} s");
    println!("url {}", server.url());
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    server.shutdown().await;
}

/// `bootstrap client --url URL --ca FILE`: one bootstrap of the cloud `serve` runs.
pub async fn client(conversations: usize) {
    let url = stepup_bench::arg("--url").expect("--url URL");
    let ca = std::fs::read_to_string(stepup_bench::arg("--ca").expect("--ca FILE"))
        .expect("read the CA");
    let top = top_ids(conversations);
    // Counted on this side of the link.
    let target: SocketAddr = url
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .parse()
        .expect("an https://ADDRESS:PORT url");
    // Counted on this side of the link: the relay listens on loopback, which the cloud's
    // certificate names too.
    let link = Link::start(target, None).await;
    let url = format!("https://127.0.0.1:{}", link.addr.port());
    header();
    let run = app_bootstrap(&url, Some(&ca), &top, &link, true).await;
    row("the app, over this link", &run);
}

/// `--conversations N`, `--per M`.
pub fn sizes() -> (usize, usize) {
    (arg("--conversations", 100_000), arg("--per", 10))
}
