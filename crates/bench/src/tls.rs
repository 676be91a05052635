//! Bootstrap over HTTPS and WSS beside plain HTTP: the same cloud database, served one way then
//! the other, a new SQLCipher cache each time.

use std::{sync::Arc, time::Instant};

use stepup_cloud::{Server, tls::TestCa};
use stepup_store::{MemorySecrets, Secret};
use stepup_sync::{SystemClock, account::Accounts, engine::Engine, tls::Trust};

use crate::{
    EMAIL, PASSWORD, bench_cloud_config, bench_config, cloud_with_messages_in, messages_in,
};

const ROUNDS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn tls(n: usize) {
    println!(
        "\n## TLS: a new account bootstraps {n} messages over HTTPS (private CA, rustls) beside plain HTTP"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = TestCa::new("Bench CA");
    let config = || {
        let mut c = bench_cloud_config();
        c.data_dir = Some(dir.path().join("cloud"));
        c
    };
    cloud_with_messages_in(config(), n).await.shutdown().await;
    let mut times = [Vec::new(), Vec::new()];
    let mut counted = 0;
    for _ in 0..ROUNDS {
        for (slot, secure) in [(0, false), (1, true)] {
            let mut c = config();
            if secure {
                c.tls = Some(ca.server_config());
            }
            let server = Server::start(c).await.expect("the cloud starts");
            let cache = tempfile::tempdir().expect("tempdir");
            let accounts = Accounts::new(
                cache.path().to_path_buf(),
                Arc::new(MemorySecrets::default()),
            )
            .with_trust(Trust::system().with_pem("bench CA", ca.ca_pem.clone()));
            let s = accounts
                .sign_in(
                    &server.url(),
                    EMAIL,
                    &Secret::new(PASSWORD.to_owned()),
                    None,
                )
                .await
                .expect("sign in");
            let engine = Engine::new(&s, Arc::new(SystemClock), bench_config());
            let started = Instant::now();
            engine.catch_up().await.expect("bootstrap");
            times[slot].push(started.elapsed().as_secs_f64());
            counted = messages_in(&s.store).await;
            s.store.close().await;
            server.shutdown().await;
        }
    }
    let [plain, tls] = times.map(median);
    println!(
        "plain HTTP             {counted} messages in {plain:.2} s = {:.0} messages/s (median of {ROUNDS})",
        counted as f64 / plain
    );
    println!(
        "HTTPS (TLS 1.3)        {counted} messages in {tls:.2} s = {:.0} messages/s (median of {ROUNDS})  ({:.2}× plain)",
        counted as f64 / tls,
        plain / tls
    );
}
