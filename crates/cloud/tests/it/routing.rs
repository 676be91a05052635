//! Auto-assignment: with it on, new conversations go round robin to the online agents, each
//! under the cap, an away agent gets none, and with everyone full they wait unassigned. Off (the
//! default), nothing is assigned. Only admins change it; a cap of 0 or below is refused.

use crate::common;

use common::{Harness, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use stepup_protocol::{Channel, Role};

async fn presence(h: &Harness, email: &str, p: &str) {
    let token = h.token(email).await;
    let (s, _) = h
        .send(
            reqwest::Method::PUT,
            &token,
            "/v1/presence",
            json!({"presence": p}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn assignee(h: &Harness, token: &str, conv: &str) -> Option<String> {
    let (_, c) = h.get(token, &format!("/v1/conversations/{conv}")).await;
    c["assignee_agent_id"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn new_conversations_go_round_robin_to_online_agents_under_the_cap() {
    let h = Harness::start().await;
    let st = &h.server.state;
    for (name, email) in [("Aisha", "aisha@a.test"), ("Rashid", "rashid@a.test")] {
        st.create_agent(&h.ws_a, name, email, PASSWORD, Role::Agent, vec![])
            .await
            .unwrap();
    }
    let admin = h.token("admin@a.test").await;
    let ids: Vec<String> = {
        let (all, _) = h.drain(&admin, "0", 5000).await;
        ["omar@a.test", "aisha@a.test", "rashid@a.test"]
            .iter()
            .map(|e| {
                all.iter()
                    .find(|c| c["entity"] == "agent" && c["data"]["email"] == *e)
                    .map(|c| c["id"].as_str().unwrap().to_owned())
                    .unwrap_or_else(|| panic!("{e} in the feed"))
            })
            .collect()
    };
    let (omar, aisha, rashid) = (&ids[0], &ids[1], &ids[2]);

    // Off by default: nothing assigned.
    let first = h
        .inbound(&h.ws_a, Channel::Whatsapp, "971500000100", "w.100", "hello")
        .await;
    assert_eq!(assignee(&h, &admin, &first).await, None);

    // Bad settings are refused; agents cannot change them.
    for bad in [
        json!({"auto_assign": true, "max_open_per_agent": 0}),
        json!({"auto_assign": true, "max_open_per_agent": -1}),
        json!({"auto_assign": "yes"}),
    ] {
        let (s, _) = h
            .send(reqwest::Method::PUT, &admin, "/v1/routing", bad.clone())
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
    let omar_token = h.token("omar@a.test").await;
    let (s, _) = h
        .send(
            reqwest::Method::PUT,
            &omar_token,
            "/v1/routing",
            json!({"auto_assign": false, "max_open_per_agent": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // On, two per agent; Omar and Aisha online, Rashid away.
    let (s, v) = h
        .send(
            reqwest::Method::PUT,
            &admin,
            "/v1/routing",
            json!({"auto_assign": true, "max_open_per_agent": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(h.get(&admin, "/v1/routing").await.1, v);
    presence(&h, "omar@a.test", "online").await;
    presence(&h, "aisha@a.test", "online").await;
    presence(&h, "rashid@a.test", "away").await;

    let mut got: Vec<Option<String>> = Vec::new();
    for i in 0..5 {
        let conv = h
            .inbound(
                &h.ws_a,
                Channel::Whatsapp,
                &format!("97150000020{i}"),
                &format!("w.2{i}"),
                "السلام عليكم",
            )
            .await;
        got.push(assignee(&h, &admin, &conv).await);
    }
    let count = |who: &String| got.iter().filter(|g| g.as_ref() == Some(who)).count();
    // Alternating between the two online agents, two each, then nobody free: unassigned.
    assert_eq!(
        (count(omar), count(aisha), count(rashid)),
        (2, 2, 0),
        "{got:?}"
    );
    assert_ne!(got[0], got[1]);
    assert_eq!(got[4], None);

    // The assignment is on the timeline as a system event.
    let (all, _) = h.drain(&admin, "0", 5000).await;
    let assigned_events = all
        .iter()
        .filter(|c| c["entity"] == "message" && c["data"]["content"]["event"]["kind"] == "assigned")
        .filter(|c| c["data"]["content"]["event"]["actor_agent_id"].is_null())
        .count();
    assert_eq!(assigned_events, 4);
}

#[tokio::test]
async fn routing_works_on_an_in_memory_cloud_too() {
    // The demo's cloud keeps its database in memory, where a write transaction locks the tables
    // to other connections: the routing settings are read inside the transaction.
    let h = Harness::start_with(|c| c.data_dir = None).await;
    h.server
        .state
        .create_agent(
            &h.ws_a,
            "Aisha",
            "aisha@a.test",
            PASSWORD,
            Role::Agent,
            vec![],
        )
        .await
        .unwrap();
    presence(&h, "aisha@a.test", "online").await;
    let admin = h.token("admin@a.test").await;
    let (s, _) = h
        .send(
            reqwest::Method::PUT,
            &admin,
            "/v1/routing",
            json!({"auto_assign": true, "max_open_per_agent": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let conv = h
        .inbound(&h.ws_a, Channel::Webchat, "vis_1", "v.1", "مرحبا")
        .await;
    assert!(assignee(&h, &admin, &conv).await.is_some());
}
