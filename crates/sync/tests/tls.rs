//! The path a shop's cloud takes: HTTPS and WSS with a certificate from the shop's own CA. The
//! reference cloud serves TLS itself (rustls) on a loopback port; the client trusts the CA the way
//! `STEPUP_EXTRA_CA_FILE` makes it, and refuses everything else.

mod common;

use std::{sync::Arc, time::Duration};

use common::{WAIT, wait_for};

use rand::SeedableRng;
use stepup_cloud::tls::TestCa;
use stepup_cloud::{Config, RunningServer, Server, demo};
use stepup_protocol::{Channel, MessageContent};
use stepup_store::{ConversationFilter, MemorySecrets, Secret};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{AccountError, Accounts},
    client::{ClientError, ClientOptions, CloudClient},
    engine::{Engine, EngineConfig},
    tls::Trust,
};

async fn tls_demo_server(ca: &TestCa) -> RunningServer {
    let mut config = Config::demo();
    config.tls = Some(ca.server_config());
    let mut server = Server::start(config).await.unwrap();
    demo::start_demo(&mut server, 7, 0.0).await.unwrap();
    server
}

/// The demo shop's owner signs in.
async fn sign_in_owner(
    server: &RunningServer,
    accounts: &Accounts,
) -> Result<stepup_sync::account::Session, AccountError> {
    let password = Secret::new(demo::DEMO_PASSWORD.to_owned());
    accounts
        .sign_in(&server.url(), "owner@noor.demo", &password, None)
        .await
}

fn accounts_trusting(dir: &std::path::Path, ca: &TestCa) -> Accounts {
    Accounts::new(dir.to_path_buf(), Arc::new(MemorySecrets::default()))
        .with_trust(Trust::system().with_pem("the shop's CA", ca.ca_pem.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_bootstrap_live_stream_and_send_all_over_tls_with_a_private_ca() {
    let ca = TestCa::new("Noor Perfumes private CA");
    let server = tls_demo_server(&ca).await;
    assert!(server.url().starts_with("https://"), "{}", server.url());
    let dir = tempfile::tempdir().unwrap();
    let session = sign_in_owner(&server, &accounts_trusting(dir.path(), &ca))
        .await
        .unwrap();
    let cfg = EngineConfig {
        page_size: 200,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        seed: Some(1),
        ..EngineConfig::default()
    };
    let engine = Engine::new(&session, Arc::new(SystemClock), cfg);
    let mut events = engine.subscribe();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn({
        let engine = engine.clone();
        async move {
            engine
                .run(async {
                    let _ = stop_rx.await;
                })
                .await
        }
    });
    // Online means bootstrapped and the WSS stream is open.
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Online { .. })).then_some(())
    })
    .await;
    let bootstrapped = session
        .store
        .conversations(&ConversationFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(bootstrapped.len() > 20, "{}", bootstrapped.len());

    // A customer writes on WhatsApp; it arrives over the stream.
    let mut rng = rand::rngs::StdRng::seed_from_u64(41);
    let d = demo::webhook_delivery(&server.state, &mut rng, Channel::Whatsapp, 4100).unwrap();
    let provider = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let mut req = provider
        .post(format!("{}{}", server.url(), d.path))
        .header("content-type", "application/json")
        .body(d.body);
    for (k, v) in d.headers {
        req = req.header(k, v);
    }
    assert!(req.send().await.unwrap().status().is_success());
    let inbound = wait_for(&mut events, |e| match e {
        SyncEvent::NewInbound { message } => Some(message.clone()),
        _ => None,
    })
    .await;

    // The agent answers in mixed Arabic and English; it leaves through the outbox over HTTPS.
    let text = "أهلاً! your order ships today إن شاء الله";
    let entry = engine
        .send_text(&inbound.conversation_id, text)
        .await
        .unwrap();
    wait_for(&mut events, |e| match e {
        SyncEvent::OutboxChanged { local_id, .. } if *local_id == entry.local_id => Some(()),
        _ => None,
    })
    .await;
    let sent = tokio::time::timeout(WAIT, async {
        loop {
            let history = session
                .client
                .history(&inbound.conversation_id, None, 50)
                .await
                .unwrap();
            if history
                .messages
                .iter()
                .any(|m| matches!(&m.content, MessageContent::Text { text: t } if t == text))
            {
                return;
            }
            let _ = events.recv().await;
        }
    })
    .await;
    assert!(sent.is_ok(), "the reply reached the cloud");
    stop_tx.send(()).unwrap();
    runner.await.unwrap();
    server.shutdown().await;
    session.store.close().await;
}

/// Signing in against `server` with `trust`: the client error, and nothing kept on disk.
async fn refused_sign_in(server: &RunningServer, trust: Trust) -> ClientError {
    let dir = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(dir.path().to_path_buf(), Arc::new(MemorySecrets::default()))
        .with_trust(trust);
    let err = sign_in_owner(server, &accounts).await.unwrap_err();
    assert!(accounts.list().is_empty(), "no account is kept");
    match err {
        AccountError::Client(e) => e,
        other => panic!("expected a client error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_an_unknown_ca_or_for_another_host_is_refused_with_the_reason() {
    // The system store does not know the shop's CA.
    let ca = TestCa::new("Unknown CA");
    let server = tls_demo_server(&ca).await;
    let err = refused_sign_in(&server, Trust::system()).await;
    assert!(
        matches!(&err, ClientError::Certificate { detail, .. } if detail.contains("unknown certificate authority")),
        "{err:?}"
    );
    assert!(err.to_string().contains("not trusted"), "{err}");
    // Another CA than the one that signed it.
    let other = TestCa::new("Another CA");
    let err = refused_sign_in(&server, Trust::system().with_pem("other", other.ca_pem)).await;
    assert!(matches!(err, ClientError::Certificate { .. }), "{err:?}");
    server.shutdown().await;

    // The right CA, but a certificate issued for another server.
    let wrong_host = TestCa::for_hosts("Shop CA", &["cloud.other-shop.example"]);
    let server = tls_demo_server(&wrong_host).await;
    let err = refused_sign_in(
        &server,
        Trust::system().with_pem("shop", wrong_host.ca_pem.clone()),
    )
    .await;
    assert!(
        matches!(&err, ClientError::Certificate { detail, .. } if detail.contains("another server name")),
        "{err:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_realtime_stream_checks_the_certificate_too() {
    let ca = TestCa::new("Shop CA");
    let server = tls_demo_server(&ca).await;
    let dir = tempfile::tempdir().unwrap();
    let session = sign_in_owner(&server, &accounts_trusting(dir.path(), &ca))
        .await
        .unwrap();
    // The same session's refresh token, from a client that does not trust the CA.
    let untrusting = CloudClient::resume(
        &server.url(),
        session.client.refresh_token().await,
        &ClientOptions {
            trust: Trust::system(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let err = untrusting.open_stream().await.unwrap_err();
    assert!(matches!(err, ClientError::Certificate { .. }), "{err:?}");
    // The trusting client opens it.
    assert!(session.client.open_stream().await.is_ok());
    server.shutdown().await;
    session.store.close().await;
}

#[test]
fn plain_http_is_refused_for_anything_but_this_computer() {
    for ok in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
        "https://cloud.example.com/",
        "https://10.0.0.5",
    ] {
        assert!(
            stepup_sync::client::normalize_base(ok).is_ok(),
            "{ok} is accepted"
        );
    }
    for insecure in [
        "http://cloud.example.com",
        "http://10.0.0.5:8080",
        "http://192.168.1.20",
        "http://localhost.evil.example",
    ] {
        let err = stepup_sync::client::normalize_base(insecure).unwrap_err();
        assert!(
            matches!(err, ClientError::Insecure(_)),
            "{insecure}: {err:?}"
        );
        assert!(err.to_string().contains("https://"), "{err}");
    }
}

#[tokio::test]
async fn a_ca_bundle_that_cannot_be_read_or_holds_no_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let err = Trust::system()
        .with_file(missing.clone())
        .client_config()
        .unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    let err = Trust::system()
        .with_file(empty)
        .client_config()
        .unwrap_err();
    assert!(err.to_string().contains("no certificate"), "{err}");
    // And signing in with it fails before anything is sent.
    let err = CloudClient::resume(
        "https://cloud.example.com",
        Secret::new("srt_x".into()),
        &ClientOptions {
            trust: Trust::system().with_file(missing),
            ..ClientOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, ClientError::Trust(_)), "{err:?}");
}

/// A wrong guess at a sign-in, over HTTPS trusting the shop's CA, from a given loopback address.
async fn guess_from(
    server: &RunningServer,
    ca: &TestCa,
    from: [u8; 4],
    email: &str,
    password: &str,
) -> reqwest::StatusCode {
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.ca_pem.as_bytes()).unwrap())
        .local_address(std::net::IpAddr::from(from))
        .build()
        .unwrap();
    http.post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_guessing_is_counted_per_client_address_and_the_app_is_told_how_long_to_wait() {
    // The cloud's own settings (no proxy in front): each TLS connection's peer is its address.
    let ca = TestCa::new("Noor Perfumes private CA");
    let server = tls_demo_server(&ca).await;
    for i in 0..20 {
        let s = guess_from(
            &server,
            &ca,
            [127, 0, 0, 2],
            &format!("guess{i}@noor.demo"),
            "x",
        )
        .await;
        assert_eq!(s, reqwest::StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        guess_from(
            &server,
            &ca,
            [127, 0, 0, 2],
            "owner@noor.demo",
            demo::DEMO_PASSWORD
        )
        .await,
        reqwest::StatusCode::TOO_MANY_REQUESTS,
        "the guessing address waits"
    );
    assert_eq!(
        guess_from(
            &server,
            &ca,
            [127, 0, 0, 3],
            "owner@noor.demo",
            demo::DEMO_PASSWORD
        )
        .await,
        reqwest::StatusCode::OK,
        "another address is not held up"
    );

    // The app's client: five wrong passwords, then the wait the cloud asks for.
    let options = ClientOptions {
        trust: Trust::system().with_pem("the shop's CA", ca.ca_pem.clone()),
        ..ClientOptions::default()
    };
    let wrong = Secret::new("not the password".to_owned());
    for _ in 0..5 {
        let e = CloudClient::login(&server.url(), "omar@noor.demo", &wrong, None, &options)
            .await
            .unwrap_err();
        assert!(matches!(e, ClientError::InvalidCredentials), "{e}");
    }
    let right = Secret::new(demo::DEMO_PASSWORD.to_owned());
    let e = CloudClient::login(&server.url(), "omar@noor.demo", &right, None, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ClientError::RateLimited {
                retry_after: 30,
                ..
            }
        ),
        "{e}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_on_a_two_shop_cloud_a_revoked_device_erases_itself_and_the_other_shop_is_untouched()
 {
    let ca = TestCa::new("Noor Perfumes private CA");
    let server = tls_demo_server(&ca).await;
    // A second shop on the same cloud.
    let gadgets = server
        .state
        .create_workspace("Gulf Gadgets", "Asia/Riyadh")
        .await
        .unwrap();
    server
        .state
        .create_agent(
            &gadgets.id,
            "Huda",
            "huda@gadgets.test",
            demo::DEMO_PASSWORD,
            stepup_protocol::Role::Admin,
            vec![],
        )
        .await
        .unwrap();
    let password = Secret::new(demo::DEMO_PASSWORD.to_owned());
    let (laptop_dir, owner_dir, huda_dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let laptop = accounts_trusting(laptop_dir.path(), &ca);
    let session = laptop
        .sign_in(&server.url(), "omar@noor.demo", &password, None)
        .await
        .unwrap();
    let grant = session.account.device.clone().expect("a device grant");
    let engine = Engine::new(&session, Arc::new(SystemClock), common::fast());
    let mut events = engine.subscribe();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(std::future::pending()).await })
    };
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Online { .. })).then_some(())
    })
    .await;
    let huda = accounts_trusting(huda_dir.path(), &ca)
        .sign_in(&server.url(), "huda@gadgets.test", &password, None)
        .await
        .unwrap();
    // The other shop's admin neither sees nor signs out Noor's devices.
    assert_eq!(huda.client.devices().await.unwrap().len(), 1);
    let refused = huda
        .client
        .revoke_device(&grant.device_id)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Server { status: 404, .. }),
        "{refused:?}"
    );
    // Noor's owner does, over TLS: the laptop's WSS stream closes and it obeys the signed order.
    let owner = sign_in_owner(&server, &accounts_trusting(owner_dir.path(), &ca))
        .await
        .unwrap();
    owner.client.revoke_device(&grant.device_id).await.unwrap();
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Revoked)).then_some(())
    })
    .await;
    runner.await.unwrap();
    let erased = laptop
        .erase_revoked(
            &session.account,
            session.store.clone(),
            laptop_dir.path(),
            1,
        )
        .await
        .unwrap();
    assert_eq!(erased.unsent, 0);
    assert!(!laptop.files(&session.account.id).dir.exists());
    assert!(laptop.list().is_empty());
    // The other shop is untouched.
    assert_eq!(huda.client.devices().await.unwrap().len(), 1);
    huda.store.close().await;
    owner.store.close().await;
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}
