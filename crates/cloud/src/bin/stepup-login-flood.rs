//! A flood of bogus sign-ins, and what the server still does meanwhile:
//! `stepup-login-flood [--seconds S] [--concurrency C]`.
//!
//! Runs two servers one after the other, each in a child process of its own (so each one's peak
//! memory is its own): first without the sign-in limits (the baseline: every password check runs
//! at once on the blocking pool, as before the limits), then with the cloud's real limits. Each
//! gets the same flood for S seconds: C clients posting wrong passwords for random accounts,
//! each request from another address (a botnet; the server believes `X-Forwarded-For` from its
//! configured proxy, as behind a load balancer), so the per-address limit does not help and only
//! the bounded password checks do. Meanwhile one client reads `/v1/me` as an agent at work would.
//! Printed per server: sign-ins answered per second (and how many were turned away with `429`),
//! `/v1/me` answered per second and its p50/p99 latency, a real agent's sign-in time, and the
//! server's peak resident memory (`VmHWM`).

#![allow(clippy::print_stdout)]

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use stepup_cloud::limits::LoginLimits;
use stepup_cloud::{Config, Server};
use stepup_protocol::Role;

const EMAIL: &str = "huda@noor.shop";
const PASSWORD: &str = "a real agent's password";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The child: a server, its URL on stdout; on a line on stdin it prints its peak memory and ends.
async fn serve(unlimited: bool) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::ephemeral();
    config.trusted_proxy = Some(std::net::IpAddr::from([127, 0, 0, 1]));
    if unlimited {
        config.login_limits = LoginLimits::unlimited();
    }
    let server = Server::start(config).await?;
    let ws = server
        .state
        .create_workspace("Noor Perfumes", "Asia/Dubai")
        .await?;
    server
        .state
        .create_agent(&ws.id, "Huda", EMAIL, PASSWORD, Role::Agent, vec![])
        .await?;
    println!("url {}", server.url());
    std::io::stdout().flush()?;
    let mut line = String::new();
    tokio::task::spawn_blocking(move || std::io::stdin().lock().read_line(&mut line)).await??;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().trim_end_matches(" kB").trim().to_owned())
        .unwrap_or_else(|| "0".into());
    println!("peak_rss_kib {hwm}");
    std::io::stdout().flush()?;
    server.shutdown().await;
    Ok(())
}

#[derive(Debug, Default)]
struct Figures {
    logins: u64,
    refused: u64,
    me: u64,
    me_p50_ms: f64,
    me_p99_ms: f64,
    real_login_ms: f64,
    /// The real agent's sign-in status when it was not signed in.
    real_login_refused: Option<u16>,
    peak_rss_mib: f64,
}

async fn flood(
    url: &str,
    seconds: u64,
    concurrency: u64,
) -> Result<Figures, Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(120))
        .build()?;
    let login = |email: String, password: &str, from: Option<String>| {
        let mut r = http
            .post(format!("{url}/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}));
        if let Some(ip) = from {
            r = r.header("x-forwarded-for", ip);
        }
        r.send()
    };
    // The agent signs in from the shop's office, as every morning.
    let office = || Some("192.168.1.20".to_owned());
    let token: serde_json::Value = login(EMAIL.into(), PASSWORD, office())
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let answered = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let serial = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url) = (http.clone(), url.to_owned());
        let (answered, refused, serial) = (answered.clone(), refused.clone(), serial.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = serial.fetch_add(1, Ordering::Relaxed);
                let from = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                let r = http
                    .post(format!("{url}/v1/auth/login"))
                    .header("x-forwarded-for", from)
                    .json(&serde_json::json!({"email": format!("guess{n}@noor.shop"), "password": "123456"}))
                    .send()
                    .await;
                if let Ok(r) = r {
                    answered.fetch_add(1, Ordering::Relaxed);
                    if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // An agent at work: reads, one after another.
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut real_login_ms = 0.0;
    let mut real_login_refused = None;
    while Instant::now() < deadline {
        let t = Instant::now();
        let ok = http
            .get(format!("{url}/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ok {
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        // Half way: the agent signs in again, from the office.
        if real_login_ms == 0.0 && started.elapsed() > Duration::from_secs(seconds / 2) {
            let t = Instant::now();
            let r = login(EMAIL.into(), PASSWORD, office()).await?;
            real_login_ms = t.elapsed().as_secs_f64() * 1000.0;
            if !r.status().is_success() {
                real_login_refused = Some(r.status().as_u16());
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok(Figures {
        logins: (answered.load(Ordering::Relaxed) as f64 / secs) as u64,
        refused: refused.load(Ordering::Relaxed),
        me: (latencies.len() as f64 / secs) as u64,
        me_p50_ms: pct(0.5),
        me_p99_ms: pct(0.99),
        real_login_ms,
        real_login_refused,
        peak_rss_mib: 0.0,
    })
}

async fn run_one(
    unlimited: bool,
    seconds: u64,
    concurrency: u64,
) -> Result<Figures, Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve")
        .args(unlimited.then_some("--unlimited"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut out = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    out.read_line(&mut line)?;
    let url = line
        .strip_prefix("url ")
        .ok_or_else(|| format!("the server said {line:?}"))?
        .trim()
        .to_owned();
    let mut figures = flood(&url, seconds, concurrency).await?;
    writeln!(child.stdin.as_mut().ok_or("no stdin")?)?;
    line.clear();
    out.read_line(&mut line)?;
    let kib: f64 = line
        .strip_prefix("peak_rss_kib ")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    figures.peak_rss_mib = kib / 1024.0;
    child.wait()?;
    Ok(figures)
}

fn signed_in(f: &Figures) -> String {
    match f.real_login_refused {
        None => format!("{:.0}", f.real_login_ms),
        Some(status) => format!("{status} in {:.0}", f.real_login_ms),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve(args.iter().any(|a| a == "--unlimited")).await;
    }
    let seconds = arg("--seconds", 10).max(2);
    let concurrency = arg("--concurrency", 64).max(1);
    println!(
        "A flood of wrong passwords: {concurrency} clients for {seconds} s, every request from another address"
    );
    let before = run_one(true, seconds, concurrency).await?;
    let after = run_one(false, seconds, concurrency).await?;
    println!("{:<44}{:>18}{:>18}", "", "without limits", "with limits");
    let rows: [(&str, String, String); 6] = [
        (
            "flood sign-ins answered per second",
            before.logins.to_string(),
            after.logins.to_string(),
        ),
        (
            "  of them turned away (429), in all",
            before.refused.to_string(),
            after.refused.to_string(),
        ),
        (
            "/v1/me answered per second meanwhile",
            before.me.to_string(),
            after.me.to_string(),
        ),
        (
            "/v1/me latency p50 / p99 (ms)",
            format!("{:.1} / {:.1}", before.me_p50_ms, before.me_p99_ms),
            format!("{:.1} / {:.1}", after.me_p50_ms, after.me_p99_ms),
        ),
        (
            "a real agent's sign-in meanwhile (ms)",
            signed_in(&before),
            signed_in(&after),
        ),
        (
            "server peak memory (MiB)",
            format!("{:.0}", before.peak_rss_mib),
            format!("{:.0}", after.peak_rss_mib),
        ),
    ];
    for (name, b, a) in rows {
        println!("{name:<44}{b:>18}{a:>18}");
    }
    Ok(())
}
