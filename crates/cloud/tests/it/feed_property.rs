//! Property: whatever the mix of concurrent inbound traffic and page sizes, a client paging the
//! feed while it is written ends up with every sequence number exactly once, in order.

use crate::common;

use common::Harness;
use proptest::prelude::*;
use reqwest::StatusCode;
use stepup_cloud::ingest::{Inbound, ingest};
use stepup_protocol::Channel;

async fn run_case(writers: Vec<Vec<(u8, u8)>>, page: u32) {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let start = h.drain(&token, "0", 1000).await.1;
    let tasks: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(w, msgs)| {
            let state = h.server.state.clone();
            let ws = h.ws_a.clone();
            tokio::spawn(async move {
                for (i, (channel, user)) in msgs.into_iter().enumerate() {
                    let ch = Channel::ALL[usize::from(channel) % 5];
                    let m = Inbound::text(
                        ch,
                        &format!("u{user}"),
                        &format!("w{w}m{i}"),
                        "Hello مرحبا",
                        common::T0,
                    );
                    ingest(&state, &ws, m).await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let mut cursor = start.clone();
    let mut got: Vec<u64> = Vec::new();
    loop {
        let writers_done = tasks.iter().all(|t| t.is_finished());
        let (s, v) = h
            .get(&token, &format!("/v1/sync?after={cursor}&limit={page}"))
            .await;
        assert_eq!(s, StatusCode::OK);
        got.extend(
            v["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["seq"].as_u64().unwrap()),
        );
        cursor = v["next_cursor"].as_str().unwrap().to_owned();
        if writers_done && !v["has_more"].as_bool().unwrap() {
            break;
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let head: u64 = cursor.parse().unwrap();
    let first: u64 = start.parse().unwrap();
    assert_eq!(got, ((first + 1)..=head).collect::<Vec<_>>());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn paging_under_concurrent_inbound_never_loses_or_repeats(
        writers in prop::collection::vec(prop::collection::vec((0u8..5, 0u8..8), 1..25), 1..5),
        page in 1u32..12,
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run_case(writers, page));
    }
}
