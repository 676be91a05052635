//! `docs/openapi.yaml` lists exactly the routes the router serves.

use crate::common;

use std::collections::BTreeSet;

use common::Harness;
use reqwest::{Method, StatusCode};

fn documented() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(format!(
        "{}/../../docs/openapi.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut in_paths = false;
    let mut path = None;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_paths = line.trim_end() == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /") {
            path = Some(format!("/{}", p.trim_end().trim_end_matches(':')));
        } else if let Some(m) = line.strip_prefix("    ") {
            let m = m.split(':').next().unwrap_or("");
            if ["get", "post", "put", "patch", "delete"].contains(&m) && !line.starts_with("     ")
            {
                out.insert((m.to_owned(), path.clone().expect("method before any path")));
            }
        }
    }
    out
}

#[test]
fn openapi_and_router_agree() {
    let routes: BTreeSet<(String, String)> = stepup_cloud::api::route_list()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    let docs = documented();
    assert!(docs.len() > 30, "parsed {} operations", docs.len());
    let missing: Vec<_> = routes.difference(&docs).collect();
    let stale: Vec<_> = docs.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from docs/openapi.yaml: {missing:?}"
    );
    assert!(stale.is_empty(), "documented but not served: {stale:?}");
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let h = Harness::start().await;
    for (method, path) in stepup_cloud::api::route_list() {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = h
            .http
            .request(m, h.url(&path.replace("{id}", "x")))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            !body.contains("route not found"),
            "{method} {path} fell through to the fallback"
        );
    }
    let r = h
        .http
        .get(h.url("/v1/definitely-not-a-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("route not found"));
}
