//! Several `stepup-cloud` processes on one PostgreSQL database serve the same workspaces: a
//! change written through one node reaches clients streaming from the others, in order, with no
//! gap and no duplicate, and a node killed in the middle of traffic loses nothing it
//! acknowledged. As a shop runs it: HTTPS and WSS with the shop's private CA, two shops each
//! with its own WhatsApp number, the cloud's own settings. Always on PostgreSQL: the server of
//! `STEPUP_TEST_POSTGRES`, or a scratch one this test starts (`scripts/scratch-postgres`).

use std::collections::{BTreeMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::{AppState, Config};
use stepup_protocol::{Channel, StreamEvent};
use tokio::sync::{Mutex, watch};
use tokio_tungstenite::tungstenite::Message as WsMsg;

use crate::common::{database_name, listening_url, login_at, two_shops};

const APP_SECRET: &str = "nodes-app-secret";

/// A PostgreSQL server: the suite's, or one of this test's own, stopped when dropped.
struct Postgres {
    url: String,
    own: Option<tempfile::TempDir>,
}

impl Postgres {
    fn get() -> Self {
        if let Ok(url) = std::env::var("STEPUP_TEST_POSTGRES")
            && !url.is_empty()
        {
            return Self { url, own: None };
        }
        let dir = tempfile::tempdir().unwrap();
        // The server runs as another user when this runs as root: it must reach its folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let out = Command::new(script())
            .arg("start")
            .arg(dir.path().join("server"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "a scratch PostgreSQL server (is PostgreSQL installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self {
            url: String::from_utf8(out.stdout).unwrap().trim().to_owned(),
            own: Some(dir),
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let _ = Command::new(script())
                .arg("stop")
                .arg(dir.path().join("server"))
                .status();
        }
    }
}

impl Postgres {
    /// A new database on this server for the test whose folder is `dir`.
    fn database(&self, name: &str, dir: &std::path::Path) -> String {
        format!(
            "{}/{name}{}",
            self.url.trim_end_matches('/'),
            database_name(dir)
        )
    }
}

/// The cloud's state on `database_url`, opened (and migrated) to set the database up before its
/// nodes start; close its pool when done.
async fn opened(database_url: &str) -> AppState {
    let mut config = Config::ephemeral();
    config.database_url = Some(stepup_cloud::secret::Secret::new(database_url.to_owned()));
    config.compaction_interval = None;
    AppState::new(config).await.unwrap()
}

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/scratch-postgres")
}

/// A shop's own CA and the cloud's certificate it signed, in files the nodes are started with,
/// and the clients that trust that CA (and nothing else).
struct Tls {
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
    http: Client,
    ws: tokio_tungstenite::Connector,
}

impl Tls {
    fn new(dir: &std::path::Path) -> Self {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let ca = stepup_cloud::tls::TestCa::new("Souq Al Noor private CA");
        let (cert, key) = (dir.join("cloud.pem"), dir.join("cloud.key"));
        std::fs::write(&cert, &ca.cert_pem).unwrap();
        std::fs::write(&key, &ca.key_pem).unwrap();
        let http = Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(ca.ca_pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca.ca_pem.as_bytes()) {
            roots.add(c.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        Self {
            cert,
            key,
            http,
            ws: tokio_tungstenite::Connector::Rustls(Arc::new(config)),
        }
    }

    /// A stream over WSS at `node` (an `https://` URL).
    async fn stream(&self, node: &str, token: &str) -> Option<Stream> {
        let url = format!(
            "{}/v1/stream?access_token={token}",
            node.replacen("https", "wss", 1)
        );
        tokio_tungstenite::connect_async_tls_with_config(url, None, false, Some(self.ws.clone()))
            .await
            .ok()
            .map(|(s, _)| s)
    }

    /// A stream over WSS at `node`, past its `hello`.
    async fn streaming(&self, node: &str, token: &str) -> Stream {
        let mut stream = self.stream(node, token).await.expect("a stream over WSS");
        let Some(Ok(WsMsg::Text(hello))) = stream.next().await else {
            panic!("no hello")
        };
        assert!(hello.contains("hello"), "{hello}");
        stream
    }
}

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One `stepup-cloud` process on the shared database, serving HTTPS with the shop's certificate,
/// with the cloud's own settings (not the demo's).
struct Node {
    child: std::process::Child,
    url: String,
}

impl Node {
    /// `N` nodes on the database, started one after another.
    async fn several<const N: usize>(database_url: &str, tls: &Tls) -> [Self; N] {
        let mut nodes = Vec::with_capacity(N);
        for _ in 0..N {
            nodes.push(Self::start(database_url, tls).await);
        }
        nodes
            .try_into()
            .unwrap_or_else(|_| unreachable!("N nodes were started"))
    }

    async fn start(database_url: &str, tls: &Tls) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stepup-cloud"))
            .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
            .arg("--tls-cert")
            .arg(&tls.cert)
            .arg("--tls-key")
            .arg(&tls.key)
            .env("STEPUP_META_APP_SECRET", APP_SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = listening_url(child.stdout.take().unwrap()).await;
        assert!(url.starts_with("https://"), "{url}");
        Self { child, url }
    }

    /// SIGKILL: no graceful shutdown, requests in flight cut off.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A delivery from WhatsApp Cloud API to the shop's number `phone_number_id`.
fn whatsapp(phone_number_id: &str, wamid: &str, from: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "w", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from}],
        "messages": [{"from": from, "id": wamid, "timestamp": "1772352000", "type": "text", "text": {"body": text}}]}}]}]}))
    .unwrap()
}

/// The log after `after`, to its end: `(seq, change)` in order.
async fn drain(http: &Client, node: &str, token: &str, after: u64) -> Option<Vec<(u64, Value)>> {
    let mut cursor = after.to_string();
    let mut all = Vec::new();
    loop {
        let r = http
            .get(format!("{node}/v1/sync?after={cursor}&limit=200"))
            .bearer_auth(token)
            .send()
            .await
            .ok()?;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.ok()?;
        for c in v["changes"].as_array().unwrap() {
            all.push((c["seq"].as_u64().unwrap(), c.clone()));
        }
        cursor = v["next_cursor"].as_str().unwrap().to_owned();
        if !v["has_more"].as_bool().unwrap() {
            return Some(all);
        }
    }
}

/// What one client has applied: every sequence number in the order it applied them.
#[derive(Default)]
struct Applied {
    seqs: Vec<u64>,
}

/// A client as the app syncs: a stream on its node; when the node goes away, the next node,
/// the log from its cursor, then that node's stream. It applies a change only if it is the
/// next one (`cursor + 1`) and records every change it applies.
struct ClientSpec {
    tls: Arc<Tls>,
    nodes: Arc<Mutex<Vec<String>>>,
    /// The node it starts on.
    which: usize,
    token: String,
    start: u64,
    progress: watch::Sender<u64>,
    applied: Arc<Mutex<Applied>>,
    stop: watch::Receiver<bool>,
}

async fn client(spec: ClientSpec) {
    let ClientSpec {
        tls,
        nodes,
        mut which,
        token,
        start,
        progress,
        applied,
        mut stop,
    } = spec;
    let mut cursor = start;
    let apply = |seq: u64, cursor: &mut u64, applied: &mut Applied| {
        if seq <= *cursor {
            return;
        }
        applied.seqs.push(seq);
        *cursor = seq;
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let node = nodes.lock().await[which % 3].clone();
        let Some(mut ws) = tls.stream(&node, &token).await else {
            which += 1;
            continue;
        };
        // The stream first, so nothing committed while reading the log is missed.
        let Some(Ok(WsMsg::Text(hello))) = ws.next().await else {
            which += 1;
            continue;
        };
        assert!(matches!(
            serde_json::from_str::<StreamEvent>(&hello).unwrap(),
            StreamEvent::Hello { .. }
        ));
        let Some(log) = drain(&tls.http, &node, &token, cursor).await else {
            which += 1;
            continue;
        };
        {
            let mut a = applied.lock().await;
            for (seq, _) in log {
                apply(seq, &mut cursor, &mut a);
            }
        }
        progress.send_replace(cursor);
        loop {
            tokio::select! {
                frame = ws.next() => {
                    let Some(Ok(frame)) = frame else { break };
                    let WsMsg::Text(t) = frame else { continue };
                    match serde_json::from_str::<StreamEvent>(&t).unwrap() {
                        StreamEvent::Change { change } => {
                            let mut a = applied.lock().await;
                            apply(change.seq, &mut cursor, &mut a);
                            progress.send_replace(cursor);
                        }
                        StreamEvent::Lagged => break,
                        _ => {}
                    }
                }
                _ = stop.changed() => return,
            }
        }
        // Its node went away: the next one.
        which += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_one_database_every_client_gets_every_change_once_in_order() {
    let pg = Postgres::get();
    let dir = tempfile::tempdir().unwrap();
    let database_url = pg.database("nodes", dir.path());
    let tls = Arc::new(Tls::new(dir.path()));
    let http = tls.http.clone();

    // Two shops on the database, made before the nodes start, each with its WhatsApp number.
    const NUMBERS: [&str; 2] = ["100200300", "100200400"];
    {
        let st = opened(&database_url).await;
        let (a, b) = two_shops(&st).await;
        for (number, ws) in NUMBERS.iter().zip([&a, &b]) {
            st.route_channel_account(Channel::Whatsapp, number, ws)
                .await
                .unwrap();
        }
        st.pool().close().await;
    }

    let mut nodes = Node::several::<3>(&database_url, &tls).await;
    let urls = Arc::new(Mutex::new(
        nodes.iter().map(|n| n.url.clone()).collect::<Vec<_>>(),
    ));
    // Shop A's three people and shop B's admin, each signed in through some node.
    let mut people = Vec::new();
    for (n, email) in ["admin@a.test", "sara@a.test", "omar@a.test", "admin@b.test"]
        .into_iter()
        .enumerate()
    {
        people.push(login_at(&http, &nodes[n % 3].url, email).await.access_token);
    }
    let token_b = people.pop().unwrap();
    let head_of = |token: String| {
        let http = http.clone();
        let node = nodes[0].url.clone();
        async move {
            let log = drain(&http, &node, &token, 0).await.unwrap();
            log.iter().map(|(s, _)| *s).max().unwrap_or(0)
        }
    };
    let (start, start_b) = (
        head_of(people[0].clone()).await,
        head_of(token_b.clone()).await,
    );

    // Six clients of shop A, two on each node, and two of shop B.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut clients = Vec::new();
    for i in 0..8 {
        let (token, start) = if i < 6 {
            (people[i % 3].clone(), start)
        } else {
            (token_b.clone(), start_b)
        };
        let (progress, seen) = watch::channel(start);
        let applied = Arc::new(Mutex::new(Applied::default()));
        let task = tokio::spawn(client(ClientSpec {
            tls: tls.clone(),
            nodes: urls.clone(),
            which: i % 3,
            token,
            start,
            progress,
            applied: applied.clone(),
            stop: stop_rx.clone(),
        }));
        clients.push((i < 6, seen, applied, task));
    }

    // 300 customer messages (every fifth to shop B's number), spread over the nodes, eight
    // senders at once. A delivery that fails (its node was killed) is sent again to the next
    // node, as Meta retries.
    const MESSAGES: usize = 300;
    let to_b = |i: usize| i % 5 == 4;
    let (acked_tx, mut acked) = watch::channel(0usize);
    let acked_tx = Arc::new(acked_tx);
    let mut senders = Vec::new();
    for s in 0..8 {
        let http = http.clone();
        let urls = urls.clone();
        let acked_tx = acked_tx.clone();
        senders.push(tokio::spawn(async move {
            for i in (s..MESSAGES).step_by(8) {
                let body = whatsapp(
                    NUMBERS[usize::from(to_b(i))],
                    &format!("wamid.nodes.{i}"),
                    &format!("9715000{:05}", i % 40),
                    &format!("طلب رقم {i} — order #{i}"),
                );
                let signature = stepup_cloud::webhooks::meta_signature(APP_SECRET, &body);
                let mut attempt = i;
                loop {
                    let node = urls.lock().await[attempt % 3].clone();
                    let sent = http
                        .post(format!("{node}/webhooks/whatsapp"))
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", &signature)
                        .body(body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == StatusCode::OK => break,
                        Ok(r) => panic!("webhook answered {}", r.status()),
                        Err(_) => attempt += 1,
                    }
                }
                acked_tx.send_modify(|n| *n += 1);
            }
        }));
    }

    // A third of the way: node 1 is killed (SIGKILL, requests in flight cut off) while the
    // traffic goes on, and started again.
    acked.wait_for(|n| *n >= MESSAGES / 3).await.unwrap();
    nodes[1].kill();
    let again = Node::start(&database_url, &tls).await;
    urls.lock().await[1] = again.url.clone();
    nodes[1] = again;
    for s in senders {
        s.await.unwrap();
    }

    // Each shop's log: every message sent to its number, stored once, and none of the other's;
    // no gap.
    let mut heads = Vec::new();
    for (token, start, mine) in [(&people[2], start, false), (&token_b, start_b, true)] {
        let log = drain(&http, &nodes[2].url, token, start).await.unwrap();
        let head = log.last().map_or(start, |(s, _)| *s);
        let mut messages: BTreeMap<String, HashSet<String>> = BTreeMap::new();
        for (_, c) in &log {
            if c["entity"] == "message" && c["op"] == "upsert" {
                let pmid = c["data"]["provider_message_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                messages
                    .entry(pmid)
                    .or_default()
                    .insert(c["id"].as_str().unwrap().to_owned());
            }
        }
        let expected: BTreeMap<String, ()> = (0..MESSAGES)
            .filter(|i| to_b(*i) == mine)
            .map(|i| (format!("wamid.nodes.{i}"), ()))
            .collect();
        let stored: BTreeMap<String, ()> = messages
            .keys()
            .filter(|k| k.starts_with("wamid.nodes."))
            .map(|k| (k.clone(), ()))
            .collect();
        assert_eq!(
            stored, expected,
            "every acknowledged message, in its own shop"
        );
        assert!(
            messages.values().all(|ids| ids.len() == 1),
            "no message is stored twice"
        );
        let seqs: Vec<u64> = log.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            seqs,
            (start + 1..=head).collect::<Vec<_>>(),
            "the log has no gap"
        );
        heads.push((start, head));
    }

    // Every client reaches its shop's head, having applied every change once, in order.
    for (of_a, seen, applied, _) in &mut clients {
        let (start, head) = heads[usize::from(!*of_a)];
        tokio::time::timeout(Duration::from_secs(60), seen.wait_for(|c| *c >= head))
            .await
            .expect("a client did not reach the head within 60 s")
            .unwrap();
        let a = applied.lock().await;
        assert_eq!(a.seqs, (start + 1..=head).collect::<Vec<_>>());
    }
    stop_tx.send_replace(true);
    for (_, _, _, task) in clients {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn signing_out_through_one_node_ends_the_sessions_stream_on_another() {
    let pg = Postgres::get();
    let dir = tempfile::tempdir().unwrap();
    let database_url = pg.database("signout", dir.path());
    {
        let st = opened(&database_url).await;
        two_shops(&st).await;
        st.pool().close().await;
    }
    let tls = Tls::new(dir.path());
    let [one, two] = Node::several::<2>(&database_url, &tls).await;
    let http = tls.http.clone();
    let token = login_at(&http, &one.url, "omar@a.test").await.access_token;
    let mut stream = tls.streaming(&two.url, &token).await;

    let r = http
        .post(format!("{}/v1/auth/logout", one.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The stream on the other node ends (a close frame, then nothing), well before its next
    // heartbeat would have said anything.
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(frame)) = stream.next().await {
            if matches!(frame, WsMsg::Close(_)) {
                return;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream on the other node was not ended");
}

#[tokio::test]
async fn sign_in_throttling_and_web_chat_budgets_hold_across_nodes() {
    let pg = Postgres::get();
    let dir = tempfile::tempdir().unwrap();
    let database_url = pg.database("limits", dir.path());
    {
        let st = opened(&database_url).await;
        let (a, _) = two_shops(&st).await;
        // Shop A's site has the Web Chat widget (the cloud's only one: no key needed).
        st.set_webhook_workspace(&a).await.unwrap();
        st.pool().close().await;
    }
    let tls = Tls::new(dir.path());
    let nodes = Node::several::<3>(&database_url, &tls).await;
    let http = tls.http.clone();
    let login = |node: usize, password: &'static str| {
        let http = http.clone();
        let url = format!("{}/v1/auth/login", nodes[node].url);
        async move {
            http.post(url)
                .json(&json!({"email": "omar@a.test", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    // Five wrong passwords for one account, spread over the nodes (none sees more than two).
    for i in 0..5 {
        let r = login(i % 3, "a wrong guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The account waits on every node now, even with the right password.
    let r = login(2, crate::common::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));

    // New Web Chat visitors from one address: ten a minute, across the nodes together (each
    // node alone would let ten through, thirty in all).
    let mut accepted = 0;
    let refused_at = loop {
        let node = accepted % 3;
        let r = http
            .post(format!("{}/webchat/v1/sessions", nodes[node].url))
            .json(&json!({"language": "ar"}))
            .send()
            .await
            .unwrap();
        match r.status() {
            StatusCode::CREATED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => break node,
            other => panic!("{other}: {}", r.text().await.unwrap()),
        }
        assert!(accepted <= 20, "over twice the budget accepted: not shared");
    };
    // Ten, or up to twenty when a minute turned during the run.
    assert!((10..=20).contains(&accepted), "{accepted}");
    assert!(
        accepted / 3 < 10,
        "node {refused_at} refused before spending its own ten"
    );
}

#[tokio::test]
async fn an_agent_typing_through_one_node_is_seen_by_a_colleague_streaming_from_another() {
    let pg = Postgres::get();
    let dir = tempfile::tempdir().unwrap();
    let database_url = pg.database("activity", dir.path());
    let conversation = {
        let st = opened(&database_url).await;
        let (a, _) = two_shops(&st).await;
        let out = stepup_cloud::ingest::ingest(
            &st,
            &a,
            stepup_cloud::ingest::Inbound {
                channel: Channel::Whatsapp,
                external_user_id: "971500000001".into(),
                user_name: Some("Huda".into()),
                phone: None,
                provider_message_id: "wamid.activity".into(),
                content: stepup_protocol::MessageContent::Text {
                    text: "وين طلبي؟".into(),
                },
                reply_to_provider_id: None,
                at: st.now(),
                edit: false,
                echo: false,
            },
        )
        .await
        .unwrap();
        st.pool().close().await;
        match out {
            stepup_cloud::ingest::Outcome::Created {
                conversation_id, ..
            } => conversation_id,
            other => panic!("unexpected {other:?}"),
        }
    };
    let tls = Tls::new(dir.path());
    let [one, two] = Node::several::<2>(&database_url, &tls).await;
    let http = tls.http.clone();
    let omar = login_at(&http, &two.url, "omar@a.test").await.access_token;
    let sara = login_at(&http, &one.url, "sara@a.test").await.access_token;
    let mut stream = tls.streaming(&two.url, &omar).await;

    // Sara starts typing in the conversation, through node one.
    let r = http
        .post(format!(
            "{}/v1/conversations/{conversation}/activity",
            one.url
        ))
        .bearer_auth(&sara)
        .json(&json!({"kind": "typing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Omar, streaming from node two, sees it.
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(frame)) = stream.next().await {
            let WsMsg::Text(text) = frame else { continue };
            if let Ok(StreamEvent::Activity { activity }) = serde_json::from_str(&text) {
                return Some(activity);
            }
        }
        None
    })
    .await
    .expect("no activity reached the other node")
    .expect("the stream ended");
    assert_eq!(seen.conversation_id, conversation);
    assert_eq!(seen.agent_name, "Sara");
    assert_eq!(seen.kind, Some(stepup_protocol::ActivityKind::Typing));
}
