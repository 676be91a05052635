//! The `stepup` binary against the real reference cloud on a loopback port,
//! with real SQLCipher files on disk.

use std::{path::Path, process::Stdio, time::Duration};

use rand::{Rng, SeedableRng};
use stepup_cloud::{Config, RunningServer, Server, demo};
use tokio::{io::AsyncWriteExt, process::Command};

const BIN: &str = env!("CARGO_BIN_EXE_stepup");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn demo_server() -> RunningServer {
    // The cloud's warnings (the cause behind a 500) go with a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("stepup_cloud=warn")
        .with_test_writer()
        .try_init();
    let mut server = Server::start(Config::demo()).await.unwrap();
    demo::start_demo(&mut server, 11, 0.0).await.unwrap();
    server
}

fn cmd(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(["--data-dir", data.to_str().unwrap()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c.env_remove("STEPUP_ACCOUNT")
        .env_remove("STEPUP_DATA_DIR")
        .env_remove("STEPUP_EXTRA_CA_FILE");
    c
}

async fn run_with(mut c: Command, stdin: &str) -> Out {
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the CLI finished")
        .unwrap();
    Out {
        // Killed by a signal: report it as -signal.
        code: out.status.code().unwrap_or_else(|| {
            -std::os::unix::process::ExitStatusExt::signal(&out.status).unwrap_or(1)
        }),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn ok(c: Command) -> String {
    let out = run_with(c, "").await;
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    out.stdout
}

fn passphrase(mut c: Command) -> Command {
    c.env("STEPUP_PASSPHRASE", "correct horse, ولكن بالعربية");
    c
}

async fn login(server: &RunningServer, data: &Path, email: &str) {
    login_at(&server.url(), data, email).await;
}

/// Signs in to the cloud at `url` (the server itself, or something in front of it).
async fn login_at(url: &str, data: &Path, email: &str) {
    let c = passphrase(cmd(data, &["login", "--server", url, "--email", email]));
    let out = run_with(c, &format!("{}\n", demo::DEMO_PASSWORD)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// Every file under `dir` that contains `needle`.
fn files_with(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sync_read_search_send_export_wipe() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    login(&server, &data, "owner@noor.demo").await;

    let accounts: serde_json::Value =
        serde_json::from_str(&ok(cmd(&data, &["accounts", "--json"])).await).unwrap();
    assert_eq!(accounts[0]["email"], "owner@noor.demo");
    assert_eq!(accounts[0]["passphrase"], true);

    // Sync with debug logs kept in the data folder, to scan them below.
    let mut c = passphrase(cmd(&data, &["sync", "--json"]));
    c.env("STEPUP_LOG", "debug");
    let out = run_with(c, "").await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(data.join("sync-debug.log"), &out.stderr).unwrap();
    assert!(out.stderr.lines().count() > 5, "debug logging is on");
    let synced: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(synced["applied"].as_u64().unwrap() > 300);

    let list: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            &data,
            &["conversations", "--json", "--limit", "1000"],
        )))
        .await,
    )
    .unwrap();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 300, "{}", list.len());
    let channels: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|r| r["conversation"]["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels.len(), 6, "{channels:?}");

    let telegram: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            &data,
            &[
                "conversations",
                "--json",
                "--channel",
                "telegram",
                "--limit",
                "1",
            ],
        )))
        .await,
    )
    .unwrap();
    let conv = telegram[0]["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let name = telegram[0]["contact_name"].as_str().unwrap().to_owned();

    // Search finds the contact by name.
    let hits: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["search", "--json", &name]))).await)
            .unwrap();
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "contact"),
        "{hits}"
    );

    // Send, then show.
    let mut c = passphrase(cmd(
        &data,
        &["send", "--json", &conv, "مرحبا Hello, طلبك جاهز #4471"],
    ));
    c.env("STEPUP_LOG", "debug");
    let out = run_with(c, "").await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(data.join("send-debug.log"), &out.stderr).unwrap();
    let sent: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(sent["state"], "sent");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["show", "--json", &conv]))).await)
            .unwrap();
    assert!(
        shown["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["content"]["text"] == "مرحبا Hello, طلبك جاهز #4471")
    );
    assert!(shown["outbox"].as_array().unwrap().is_empty());

    // A shorter retention window drops older messages from the cache.
    let before: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["check", "--json"]))).await).unwrap();
    let pruned: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            &data,
            &["sync", "--json", "--retention-days", "2"],
        )))
        .await,
    )
    .unwrap();
    assert!(pruned["pruned"].as_u64().unwrap() > 0, "{pruned}");
    let after: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["check", "--json"]))).await).unwrap();
    assert_eq!(
        before["counts"]["messages"].as_i64().unwrap()
            - after["counts"]["messages"].as_i64().unwrap(),
        pruned["pruned"].as_i64().unwrap()
    );

    // Export.
    let file = dir.path().join("export.json");
    ok(passphrase(cmd(
        &data,
        &["export", "--out", file.to_str().unwrap()],
    )))
    .await;
    let export: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(export["format"], "stepup-export/1");
    assert_eq!(
        export["conversations"].as_array().unwrap().len(),
        list.len()
    );
    // Encrypted with a passphrase: an age file the age tool opens (it asks on a terminal, which
    // `script` gives it), holding the same export.
    let sealed = dir.path().join("export.json.age");
    let mut c = passphrase(cmd(
        &data,
        &["export", "--encrypt", "--out", sealed.to_str().unwrap()],
    ));
    c.env("STEPUP_EXPORT_PASSPHRASE", "short");
    assert_eq!(
        run_with(c, "").await.code,
        1,
        "a short passphrase is refused"
    );
    let mut c = passphrase(cmd(
        &data,
        &["export", "--encrypt", "--out", sealed.to_str().unwrap()],
    ));
    c.env("STEPUP_EXPORT_PASSPHRASE", "صادرات نور export");
    ok(c).await;
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    let opened = dir.path().join("opened.json");
    let mut age = tokio::process::Command::new("script")
        .arg("-qec")
        .arg(format!(
            "age -d -o {} {}",
            opened.display(),
            sealed.display()
        ))
        .arg("/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("script(1) and age(1) are installed (./dev setup)");
    tokio::io::AsyncWriteExt::write_all(
        age.stdin.as_mut().unwrap(),
        "صادرات نور export\n".as_bytes(),
    )
    .await
    .unwrap();
    assert!(age.wait().await.unwrap().success());
    let opened: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&opened).unwrap()).unwrap();
    assert_eq!(opened["conversations"], export["conversations"]);

    // Encryption at rest: nothing readable in any file the CLI wrote.
    let check: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["check", "--json"]))).await).unwrap();
    assert_eq!(check["integrity"], "ok");
    for needle in [
        name.as_bytes(),
        "طلبك جاهز".as_bytes(),
        b"srt_",
        b"sat_",
        demo::DEMO_PASSWORD.as_bytes(),
        "ولكن بالعربية".as_bytes(),
    ] {
        assert_eq!(
            files_with(&data, needle),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }

    // Wrong passphrase: a clear, typed error.
    let mut c = cmd(&data, &["conversations"]);
    c.env("STEPUP_PASSPHRASE", "wrong");
    let out = run_with(c, "").await;
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr.trim(),
        "error: the local cache cannot be opened with this key; wipe the local cache and sync again"
    );

    // Wipe removes the cache and the account.
    ok(passphrase(cmd(&data, &["wipe"]))).await;
    assert!(files_with(&data, b"SQLite").is_empty());
    assert_eq!(ok(cmd(&data, &["accounts", "--json"])).await.trim(), "[]");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_with_the_shops_ca_from_stepup_extra_ca_file() {
    let ca = stepup_cloud::tls::TestCa::new("Noor Perfumes CA");
    let mut config = Config::demo();
    config.tls = Some(ca.server_config());
    let mut server = Server::start(config).await.unwrap();
    demo::start_demo(&mut server, 11, 0.0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ca_file = dir.path().join("noor-ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let trusting = |args: &[&str]| {
        let mut c = passphrase(cmd(&data, args));
        c.env("STEPUP_EXTRA_CA_FILE", &ca_file);
        c
    };
    let login_args = [
        "login",
        "--server",
        &server.url(),
        "--email",
        "owner@noor.demo",
    ];

    // Without the CA: one clear line, nothing kept.
    let out = run_with(
        passphrase(cmd(&data, &login_args)),
        &format!("{}\n", demo::DEMO_PASSWORD),
    )
    .await;
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr.trim(),
        "error: the server's certificate is not trusted: \
         signed by an unknown certificate authority"
    );
    assert!(ok(cmd(&data, &["accounts", "--json"])).await.contains("[]"));

    // With it: sign in, sync, send, all over HTTPS.
    let out = run_with(trusting(&login_args), &format!("{}\n", demo::DEMO_PASSWORD)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let synced: serde_json::Value =
        serde_json::from_str(&ok(trusting(&["sync", "--json"])).await).unwrap();
    assert!(synced["applied"].as_u64().unwrap() > 300, "{synced}");
    let telegram: serde_json::Value = serde_json::from_str(
        &ok(trusting(&[
            "conversations",
            "--json",
            "--channel",
            "telegram",
            "--limit",
            "1",
        ]))
        .await,
    )
    .unwrap();
    let conv = telegram[0]["conversation"]["id"].as_str().unwrap();
    let sent: serde_json::Value = serde_json::from_str(
        &ok(trusting(&["send", "--json", conv, "وصل طلبك ✅ delivered"])).await,
    )
    .unwrap();
    assert_eq!(sent["state"], "sent");

    // A missing CA file is named in the error.
    let mut c = passphrase(cmd(&data, &["sync"]));
    c.env("STEPUP_EXTRA_CA_FILE", dir.path().join("gone.pem"));
    let out = run_with(c, "").await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("gone.pem"), "{}", out.stderr);

    // Plain http:// to another host is refused before anything is sent.
    let out = run_with(
        passphrase(cmd(
            &data,
            &[
                "login",
                "--server",
                "http://cloud.noor.example",
                "--email",
                "a@b.c",
            ],
        )),
        "secret\n",
    )
    .await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("use https://"), "{}", out.stderr);
    server.shutdown().await;
}

/// `stepup attachment save ID --out OUT [--json]`.
fn save(data: &Path, id: &serde_json::Value, out: &Path, json: bool) -> Command {
    let mut args = vec![
        "attachment",
        "save",
        id.as_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if json {
        args.push("--json");
    }
    passphrase(cmd(data, &args))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_save_writes_a_photo_and_a_voice_note_and_never_overwrites() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    login(&server, &data, "owner@noor.demo").await;
    ok(passphrase(cmd(&data, &["sync"]))).await;
    let export = dir.path().join("export.json");
    ok(passphrase(cmd(
        &data,
        &["export", "--out", export.to_str().unwrap()],
    )))
    .await;
    let all: serde_json::Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    let messages = all["messages"].as_array().unwrap();
    let with_file = |kind: &str| {
        messages
            .iter()
            .find(|m| {
                m["content"]["type"] == "attachment"
                    && m["content"]["attachment"]["kind"] == kind
                    && m["content"]["attachment"]["attachment_id"].is_string()
            })
            .unwrap_or_else(|| panic!("the demo has a {kind} with its file"))
    };
    let text = messages
        .iter()
        .find(|m| m["content"]["type"] == "text")
        .unwrap();

    // A photo to a named file: the bytes are a PNG.
    let photo = with_file("image");
    let out = dir.path().join("photo.png");
    let saved: serde_json::Value =
        serde_json::from_str(&ok(save(&data, &photo["id"], &out, true)).await).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert_eq!(saved["bytes"].as_u64().unwrap() as usize, bytes.len());
    assert_eq!(saved["content_type"], "image/png");

    // The same target again: refused, the file untouched.
    let again = run_with(save(&data, &photo["id"], &out, false), "").await;
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("cannot create"), "{}", again.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // A voice note into a folder, under a clean name of its own.
    let voice = with_file("voice");
    let folder = dir.path().join("downloads");
    std::fs::create_dir(&folder).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&ok(save(&data, &voice["id"], &folder, true)).await).unwrap();
    let path = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    assert_eq!(path.parent().unwrap(), folder);
    assert!(std::fs::read(&path).unwrap().starts_with(b"RIFF"), "a WAV");

    // A message without a file, and one that is not there: one clear line each.
    for (id, says) in [
        (text["id"].as_str().unwrap(), "carries no file"),
        ("msg_nope", "no message msg_nope in the local cache"),
    ] {
        let out = run_with(
            passphrase(cmd(
                &data,
                &["attachment", "save", id, "--out", folder.to_str().unwrap()],
            )),
            "",
        )
        .await;
        assert_eq!(out.code, 1);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_clear_line_and_a_failing_status() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let out = run_with(
        passphrase(cmd(
            &data,
            &[
                "login",
                "--server",
                &server.url(),
                "--email",
                "owner@noor.demo",
            ],
        )),
        "nope\n",
    )
    .await;
    assert_eq!(
        (out.code, out.stderr.trim()),
        (1, "error: wrong email or password")
    );

    let out = run_with(cmd(&data, &["conversations"]), "").await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("error: no account is signed in"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);

    // No keyring (no session bus) and no passphrase: the clear error.
    let mut c = cmd(
        &data,
        &[
            "login",
            "--server",
            &server.url(),
            "--email",
            "owner@noor.demo",
        ],
    );
    c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("STEPUP_PASSPHRASE");
    let out = run_with(c, &format!("{}\n", demo::DEMO_PASSWORD)).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("the system keyring is not available"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("STEPUP_PASSPHRASE"), "{}", out.stderr);

    let url = server.url();
    server.shutdown().await;
    let out = run_with(
        passphrase(cmd(
            &data,
            &["login", "--server", &url, "--email", "owner@noor.demo"],
        )),
        "x\n",
    )
    .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("error: cannot reach the server at"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_os_keyring_through_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test needs a D-Bus session with an unlocked gnome-keyring: run it through `./dev test`"
    );
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut c = cmd(
        &data,
        &[
            "login",
            "--server",
            &server.url(),
            "--email",
            "omar@noor.demo",
        ],
    );
    c.env_remove("STEPUP_PASSPHRASE");
    let out = run_with(c, &format!("{}\n", demo::DEMO_PASSWORD)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let accounts: serde_json::Value =
        serde_json::from_str(&ok(cmd(&data, &["accounts", "--json"])).await).unwrap();
    assert_eq!(accounts[0]["passphrase"], false);
    let id = accounts[0]["id"].as_str().unwrap().to_owned();

    // The key and the token are in the keyring, not on disk.
    let keyring = stepup_store::OsKeyring::default();
    use stepup_store::SecretStore;
    let key = tokio::task::spawn_blocking({
        let id = id.clone();
        move || {
            keyring
                .get(&format!("{id}/cache-key"))
                .unwrap()
                .expect("the key is in the keyring")
        }
    })
    .await
    .unwrap();
    ok(cmd(&data, &["sync"])).await;
    assert_eq!(
        files_with(&data, key.expose().as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(files_with(&data, b"srt_"), Vec::<String>::new());

    ok(cmd(&data, &["logout", "--wipe"])).await;
    let gone = tokio::task::spawn_blocking(move || {
        stepup_store::OsKeyring::default()
            .get(&format!("{id}/cache-key"))
            .unwrap()
    })
    .await
    .unwrap();
    assert!(gone.is_none(), "the key is deleted with the cache");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_sync_and_send_loses_and_duplicates_nothing() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    login(&server, &data, "owner@noor.demo").await;
    let rounds: u32 = std::env::var("STEPUP_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50);
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);

    // Learn how long a full initial sync takes, to kill inside it.
    let started = std::time::Instant::now();
    let probe = dir.path().join("probe");
    login(&server, &probe, "owner@noor.demo").await;
    ok(passphrase(cmd(&probe, &["sync"]))).await;
    let full = started.elapsed().as_millis() as u64;
    let reference: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&probe, &["check", "--json"]))).await).unwrap();
    let conv = a_telegram_conversation(&probe).await;

    let mut killed = 0;
    for round in 0..rounds {
        // Alternate: the initial sync (from a fresh cache every few rounds) and sending.
        if round % 5 == 0 {
            let _ = std::fs::remove_dir_all(&data);
            login(&server, &data, "owner@noor.demo").await;
        }
        let sending = round % 2 == 1;
        let text = format!("crash test {round}");
        let args: Vec<&str> = if sending {
            vec!["send", &conv, &text]
        } else {
            vec!["sync"]
        };
        let mut child = passphrase(cmd(&data, &args)).spawn().unwrap();
        let delay = rng.random_range(0..=full.max(50));
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(delay)) => {
                child.start_kill().unwrap(); // SIGKILL
                killed += 1;
            }
            _ = child.wait() => {}
        }
        let _ = child.wait().await;
    }
    assert!(
        killed >= rounds / 3,
        "only {killed} of {rounds} runs were killed part-way"
    );

    // Resume: everything the server has is in the cache, and every message
    // queued before a kill reached the server exactly once.
    ok(passphrase(cmd(&data, &["sync"]))).await;
    ok(passphrase(cmd(&probe, &["sync"]))).await;
    let after: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["check", "--json"]))).await).unwrap();
    let reference: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&probe, &["check", "--json"]))).await)
            .unwrap_or(reference);
    assert_eq!(after["integrity"], "ok");
    assert_eq!(
        after["counts"]["outbox"], 0,
        "every queued message was sent"
    );
    for table in ["conversations", "messages", "contacts", "notes"] {
        assert_eq!(
            after["counts"][table], reference["counts"][table],
            "{table}"
        );
    }
    let seen = texts_sent(&probe, &conv, "crash test ").await;
    assert!(seen.values().all(|n| *n == 1), "duplicates: {seen:?}");
    server.shutdown().await;
}

/// How many times each text starting with `prefix` is in the conversation, as the cache at
/// `data` holds it.
async fn texts_sent(
    data: &Path,
    conv: &str,
    prefix: &str,
) -> std::collections::HashMap<String, usize> {
    let shown: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            data,
            &["show", "--json", conv, "--limit", "5000"],
        )))
        .await,
    )
    .unwrap();
    let mut seen = std::collections::HashMap::new();
    for m in shown["messages"].as_array().unwrap() {
        if let Some(t) = m["content"]["text"]
            .as_str()
            .filter(|t| t.starts_with(prefix))
        {
            *seen.entry(t.to_owned()).or_insert(0) += 1;
        }
    }
    seen
}

/// The conversation id of one Telegram conversation in the cache at `data`.
async fn a_telegram_conversation(data: &Path) -> String {
    let t: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            data,
            &[
                "conversations",
                "--json",
                "--channel",
                "telegram",
                "--limit",
                "1",
            ],
        )))
        .await,
    )
    .unwrap();
    t[0]["conversation"]["id"].as_str().unwrap().to_owned()
}

/// A loopback HTTP proxy in front of the cloud that, when armed, keeps the cloud's answer to the
/// next `POST /v1/auth/refresh` from the client and says so: the cloud has rotated the token, the
/// client never learns the new one. The test kills the client right then.
struct RefreshTrap {
    url: String,
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    sprung: tokio::sync::mpsc::UnboundedReceiver<()>,
}

async fn refresh_trap(upstream: std::net::SocketAddr) -> RefreshTrap {
    use std::sync::atomic::Ordering;
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx, sprung) = tokio::sync::mpsc::unbounded_channel();
    let arm = armed.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                continue;
            };
            let (armed, tx) = (arm.clone(), tx.clone());
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let refreshing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                let seen = refreshing.clone();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if buf[..n].starts_with(b"POST /v1/auth/refresh ") {
                            seen.store(true, Ordering::SeqCst);
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = sr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    if refreshing.swap(false, Ordering::SeqCst)
                        && armed.swap(false, Ordering::SeqCst)
                    {
                        // The rotation happened; its answer never reaches the client.
                        let _ = tx.send(());
                        std::future::pending::<()>().await;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    });
    RefreshTrap { url, armed, sprung }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_around_refreshes_hundreds_of_times_and_still_signed_in() {
    // Every run of the CLI starts by refreshing (the refresh token rotates each time). Every
    // other round the run is killed exactly after the cloud rotated its token, before it could
    // keep the new one; the rounds between run two at once, killed at random moments (while the
    // other holds the account's refresh lock, say).
    let server = demo_server().await;
    let mut trap = refresh_trap(server.addr).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    login_at(&trap.url, &data, "owner@noor.demo").await;
    ok(passphrase(cmd(&data, &["sync"]))).await;
    let conv = a_telegram_conversation(&data).await;
    let rounds: u32 = std::env::var("STEPUP_REFRESH_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(150);
    let started = std::time::Instant::now();
    ok(passphrase(cmd(&data, &["send", &conv, "refresh probe"]))).await;
    let full = started.elapsed().as_millis() as u64;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let (mut trapped, mut killed, mut finished) = (0, 0, 0);
    for round in 0..rounds {
        if round % 2 == 0 {
            trap.armed.store(true, std::sync::atomic::Ordering::SeqCst);
            let text = format!("refresh test {round}");
            let mut child = passphrase(cmd(&data, &["send", &conv, &text]))
                .spawn()
                .unwrap();
            tokio::select! {
                _ = trap.sprung.recv() => {
                    child.start_kill().unwrap(); // SIGKILL
                    trapped += 1;
                    let _ = child.wait().await;
                }
                status = child.wait() => {
                    assert!(status.unwrap().success(), "round {round} failed (signed out?)");
                    trap.armed.store(false, std::sync::atomic::Ordering::SeqCst);
                    finished += 1;
                }
            }
            continue;
        }
        let mut children = Vec::new();
        for k in 0..2 {
            let text = format!("refresh test {round}.{k}");
            let child = passphrase(cmd(&data, &["send", &conv, &text]))
                .spawn()
                .unwrap();
            children.push((child, rng.random_range(0..=full * 2)));
        }
        for (mut child, delay) in children {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(delay)) => {
                    child.start_kill().unwrap();
                    killed += 1;
                    let _ = child.wait().await;
                }
                status = child.wait() => {
                    assert!(status.unwrap().success(), "a run in round {round} failed (signed out?)");
                    finished += 1;
                }
            }
        }
    }
    assert!(
        trapped >= rounds / 2 - 2,
        "only {trapped} runs were killed right after a rotation"
    );
    assert!(
        killed > 0 && finished > 0,
        "killed {killed}, finished {finished}"
    );

    // Still signed in: the next run works, every queued message went out, none twice.
    let out = run_with(passphrase(cmd(&data, &["sync"])), "").await;
    assert_eq!(out.code, 0, "still signed in: {}", out.stderr);
    let check: serde_json::Value =
        serde_json::from_str(&ok(passphrase(cmd(&data, &["check", "--json"]))).await).unwrap();
    assert_eq!(check["integrity"], "ok");
    assert_eq!(
        check["counts"]["outbox"], 0,
        "every queued message was sent"
    );
    let seen = texts_sent(&data, &conv, "refresh test ").await;
    assert!(seen.values().all(|n| *n == 1), "duplicates: {seen:?}");
    assert!(
        seen.len() >= finished,
        "{} sent, {finished} runs finished",
        seen.len()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_from_the_cache_as_json_and_csv() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    login(&server, &data, "sara@noor.demo").await;
    ok(passphrase(cmd(&data, &["sync", "--json"]))).await;
    let list: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            &data,
            &["conversations", "--json", "--limit", "1000"],
        )))
        .await,
    )
    .unwrap();
    // The cloud is gone: analytics reads only the cache.
    server.shutdown().await;

    let d: serde_json::Value = serde_json::from_str(
        &ok(passphrase(cmd(
            &data,
            &["analytics", "--json", "--from", &days_ago(100)],
        )))
        .await,
    )
    .unwrap();
    let (from, to) = (d["from"].as_i64().unwrap(), d["to"].as_i64().unwrap());
    let created: Vec<&serde_json::Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["conversation"])
        .collect();
    let opened = created
        .iter()
        .filter(|c| (from..to).contains(&c["created_at"].as_i64().unwrap()))
        .count();
    let resolved = created
        .iter()
        .filter(|c| {
            c["resolved_at"]
                .as_i64()
                .is_some_and(|r| (from..to).contains(&r))
        })
        .count();
    let figure = |id: &str| {
        d["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(opened >= 300, "{opened}");
    assert_eq!(figure("opened")["value"].as_f64(), Some(opened as f64));
    assert_eq!(
        figure("opened")["conversations"].as_array().unwrap().len(),
        opened
    );
    assert_eq!(figure("resolved")["value"].as_f64(), Some(resolved as f64));
    assert!(figure("messages_in")["value"].as_f64().unwrap() > 100.0);
    assert!(figure("ai_share")["value"].as_f64().unwrap() > 0.0);
    assert!(figure("csat")["value"].as_f64().unwrap() >= 1.0);
    assert_eq!(d["timeZone"], "Asia/Dubai");
    assert_eq!(d["country"], "AE");

    // CSV: a byte-order mark, then headings in the language asked for.
    let out = run_with(
        passphrase(cmd(
            &data,
            &[
                "analytics",
                "--csv",
                "--lang",
                "ar",
                "--from",
                &days_ago(100),
                "--hijri",
            ],
        )),
        "",
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with('\u{feff}'));
    assert!(
        out.stdout.contains("الرقم,القيمة,الوحدة"),
        "{}",
        &out.stdout[..200]
    );
    assert!(
        out.stdout
            .contains(&format!("المحادثات المفتوحة,{opened},عدد"))
    );
    // The human summary and a clear error for a bad range.
    let summary = ok(passphrase(cmd(&data, &["analytics"]))).await;
    assert!(summary.contains("Conversations opened"), "{summary}");
    let bad = run_with(
        passphrase(cmd(&data, &["analytics", "--from", "2026-13-40"])),
        "",
    )
    .await;
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.starts_with("error: invalid range"),
        "{}",
        bad.stderr
    );
}

/// The UTC date `days` days ago, `YYYY-MM-DD`.
fn days_ago(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = now / 86_400 - days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
