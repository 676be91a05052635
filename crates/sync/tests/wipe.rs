//! Remote wipe: a device revoked by the agent or an admin erases its cache, files and keys at
//! its next contact with the cloud, whether it was online or came back later; it keeps only the
//! unsent messages, as a file for the agent. A plain `401`, or an order that does not verify
//! (a proxy's error page, a forgery), erases nothing.

mod common;

use std::{sync::Arc, time::Duration};

use common::{answering, demo_server, fast, wait_for};
use stepup_cloud::{RunningServer, demo};
use stepup_protocol::SendMessageRequest;
use stepup_store::{MemorySecrets, Secret, SecretStore};
use stepup_sync::{
    SyncEvent, SyncState, SystemClock,
    account::{Accounts, Session},
    client::{ClientOptions, CloudClient},
    engine::Engine,
};

struct Device {
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecrets>,
    accounts: Accounts,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let accounts = Accounts::new(dir.path().join("data"), secrets.clone());
        Device {
            dir,
            secrets,
            accounts,
        }
    }

    async fn sign_in(&self, server: &RunningServer, email: &str) -> Session {
        self.accounts
            .sign_in(
                &server.url(),
                email,
                &Secret::new(demo::DEMO_PASSWORD.to_owned()),
                None,
            )
            .await
            .unwrap()
    }

    fn unsent_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("Downloads")
    }

    /// Every secret this device keeps (cache key, refresh token).
    fn secret_count(&self, id: &str) -> usize {
        ["cache-key", "refresh-token"]
            .iter()
            .filter(|k| self.secrets.get(&format!("{id}/{k}")).unwrap().is_some())
            .count()
    }
}

/// Runs the engine until it stops by itself (revoked, signed out) or `limit` passes.
async fn run_until_stopped(engine: &Engine) {
    tokio::time::timeout(Duration::from_secs(30), engine.run(std::future::pending()))
        .await
        .expect("the engine stopped by itself");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_while_online_the_device_erases_itself() {
    let server = demo_server().await;
    let laptop = Device::new();
    let session = laptop.sign_in(&server, "omar@noor.demo").await;
    let record = session.account.clone();
    let grant = record.device.clone().expect("the device got its grant");
    let files = laptop.accounts.files(&record.id);
    let engine = Engine::new(&session, Arc::new(SystemClock), fast());
    let mut events = engine.subscribe();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { run_until_stopped(&engine).await })
    };
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Online { .. })).then_some(())
    })
    .await;
    assert!(files.database().exists());
    assert_eq!(laptop.secret_count(record.id.as_str()), 2);

    // Omar, at the shop's PC, signs the laptop out.
    let shop = Device::new();
    let at_shop = shop.sign_in(&server, "omar@noor.demo").await;
    let devices = at_shop.client.devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    at_shop
        .client
        .revoke_device(&grant.device_id)
        .await
        .unwrap();

    // The laptop's stream closes; at its next contact it gets the signed order and stops.
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Revoked)).then_some(())
    })
    .await;
    runner.await.unwrap();
    assert!(engine.was_revoked());
    let erased = laptop
        .accounts
        .erase_revoked(&record, session.store.clone(), &laptop.unsent_dir(), 1)
        .await
        .unwrap();
    assert_eq!(erased.unsent, 0);
    assert_eq!(erased.unsent_file, None);
    assert!(!files.dir.exists(), "the cache and its files are gone");
    assert_eq!(laptop.secret_count(record.id.as_str()), 0);
    assert!(laptop.accounts.list().is_empty());
    // The shop's PC is untouched.
    assert_eq!(at_shop.client.devices().await.unwrap().len(), 1);
    at_shop.store.close().await;
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_while_away_it_erases_on_reconnect_keeping_unsent_messages_for_the_agent() {
    let server = demo_server().await;
    let laptop = Device::new();
    let session = laptop.sign_in(&server, "aisha@noor.demo").await;
    let record = session.account.clone();
    let grant = record.device.clone().unwrap();
    let engine = Engine::new(&session, Arc::new(SystemClock), fast());
    engine.catch_up().await.unwrap();
    let conversation = session
        .store
        .conversations(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a conversation in the cache")
        .conversation
        .id;
    // Written on the plane: queued, not sent. Then the laptop is closed.
    let reply = SendMessageRequest::Text {
        text: "سأرسل الفاتورة today إن شاء الله".into(),
        reply_to_message_id: None,
        human_agent: false,
    };
    session
        .store
        .enqueue("loc_plane", "idem_plane", &conversation, &reply, 1)
        .await
        .unwrap();
    session.store.close().await;

    // Meanwhile an admin removes the device.
    let admin = Device::new();
    let owner = admin.sign_in(&server, "owner@noor.demo").await;
    owner.client.revoke_device(&grant.device_id).await.unwrap();

    // The laptop opens again: the first contact brings the order.
    let session = laptop
        .accounts
        .open(record.id.as_str(), None)
        .await
        .unwrap();
    let engine = Engine::new(&session, Arc::new(SystemClock), fast());
    run_until_stopped(&engine).await;
    assert!(engine.was_revoked());
    let erased = laptop
        .accounts
        .erase_revoked(&record, session.store.clone(), &laptop.unsent_dir(), 7)
        .await
        .unwrap();
    assert_eq!(erased.unsent, 1);
    let file = erased
        .unsent_file
        .expect("the unsent messages were written");
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(kept["format"], "stepup-unsent/1");
    assert_eq!(
        kept["messages"][0]["conversation_id"],
        conversation.as_str()
    );
    assert_eq!(
        kept["messages"][0]["request"]["text"],
        "سأرسل الفاتورة today إن شاء الله"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(!laptop.accounts.files(&record.id).dir.exists());
    assert_eq!(laptop.secret_count(record.id.as_str()), 0);
    // Nothing was sent after the revocation.
    let history = owner.client.history(&conversation, None, 50).await.unwrap();
    assert!(
        history
            .messages
            .iter()
            .all(|m| m.content.text() != Some("سأرسل الفاتورة today إن شاء الله"))
    );
    owner.store.close().await;
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_401_or_an_order_that_does_not_verify_erases_nothing() {
    let server = demo_server().await;
    let laptop = Device::new();
    let session = laptop.sign_in(&server, "rashid@noor.demo").await;
    let record = session.account.clone();
    let grant = record.device.clone().unwrap();
    Engine::new(&session, Arc::new(SystemClock), fast())
        .catch_up()
        .await
        .unwrap();
    let signed_with = |key: &str, device: &str| {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(key).unwrap()).unwrap();
        mac.update(stepup_protocol::WipeOrder::signed_text(device, 5).as_bytes());
        let sig = hex::encode(mac.finalize().into_bytes());
        format!(
            r#"{{"code":"device_revoked","message":"erase","wipe":{{"device_id":"{device}","ordered_at":5,"signature":"{sig}"}}}}"#
        )
    };
    let answers = [
        r#"{"code":"unauthorized","message":"session expired"}"#.to_owned(),
        "<html>401 Authorization Required</html>".to_owned(),
        // The right shape, signed with another key.
        signed_with(&"ab".repeat(32), &grant.device_id),
        // Signed with this device's key, for another device.
        signed_with(&grant.wipe_key, "ses_someone_else"),
        // No signature at all.
        format!(
            r#"{{"code":"device_revoked","message":"erase","wipe":{{"device_id":"{}","ordered_at":5,"signature":""}}}}"#,
            grant.device_id
        ),
    ];
    for body in answers {
        let proxy = answering(401, "", body.clone().into_bytes()).await;
        let client = CloudClient::resume(
            &proxy,
            Secret::new("srt_x".into()),
            &ClientOptions::default(),
        )
        .unwrap()
        .with_device(record.device.clone());
        let misrouted = Session {
            account: record.clone(),
            store: session.store.clone(),
            client,
        };
        let engine = Engine::new(&misrouted, Arc::new(SystemClock), fast());
        let mut events = engine.subscribe();
        run_until_stopped(&engine).await;
        assert!(!engine.was_revoked(), "{body}");
        wait_for(&mut events, |e| {
            matches!(e, SyncEvent::State(SyncState::SignedOut)).then_some(())
        })
        .await;
    }
    // Everything is still here and opens.
    assert!(laptop.accounts.files(&record.id).database().exists());
    assert_eq!(laptop.secret_count(record.id.as_str()), 2);
    assert!(
        !session
            .store
            .conversations(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    // And the real cloud's order, for comparison, verifies.
    let admin = Device::new();
    let owner = admin.sign_in(&server, "owner@noor.demo").await;
    owner.client.revoke_device(&grant.device_id).await.unwrap();
    let err = session.client.sync("0", 10).await.unwrap_err();
    assert!(
        matches!(err, stepup_sync::client::ClientError::DeviceRevoked(_)),
        "{err:?}"
    );
    session.store.close().await;
    owner.store.close().await;
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspaces_retention_period_reaches_a_running_device() {
    let server = demo_server().await;
    let laptop = Device::new();
    let session = laptop.sign_in(&server, "sara@noor.demo").await;
    let engine = Engine::new(&session, Arc::new(SystemClock), fast());
    let mut events = engine.subscribe();
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(std::future::pending()).await })
    };
    wait_for(&mut events, |e| {
        matches!(e, SyncEvent::State(SyncState::Online { .. })).then_some(())
    })
    .await;
    let day = 24 * 3600 * 1000;
    let now = stepup_sync::Clock::now_ms(&SystemClock);
    let old = session
        .store
        .count_messages_before(now - 2 * day)
        .await
        .unwrap();
    assert!(old > 10, "the demo holds older messages: {old}");

    // The owner keeps two days on devices; the running device drops the rest at once.
    let http = reqwest::Client::new();
    let tokens: serde_json::Value = http
        .post(format!("{}/v1/auth/login", server.url()))
        .json(&serde_json::json!({"email": "owner@noor.demo", "password": demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = http
        .put(format!("{}/v1/workspace/privacy", server.url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .json(&serde_json::json!({"retention_days": 2}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let pruned = wait_for(&mut events, |e| match e {
        SyncEvent::Pruned { messages } => Some(*messages),
        _ => None,
    })
    .await;
    assert!(pruned >= old, "{pruned} < {old}");
    let now = stepup_sync::Clock::now_ms(&SystemClock);
    assert_eq!(
        session
            .store
            .count_messages_before(now - 2 * day - 60_000)
            .await
            .unwrap(),
        0
    );
    runner.abort();
    session.store.close().await;
    assert!(stepup_store::wait_for_database_threads(Duration::from_secs(5)).await);
}
