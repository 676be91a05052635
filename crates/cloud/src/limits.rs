//! Limits against guessing and flooding: who a request comes from ([`ClientIp`]), sign-in
//! attempts throttled per account and per address with growing waits ([`LoginGuard`]), the
//! Argon2 work bounded to a few at a time with a short queue, and fixed-window budgets per key
//! ([`Budgets`], used by Web Chat).
//!
//! Failed sign-ins and budgets are counted in memory on one SQLite node, and in the database
//! when the nodes share a PostgreSQL one (`store::limits`), so a limit holds across nodes rather
//! than once per node. The password-check lanes stay per node: they bound each node's memory.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::serve::IncomingStream;
use sqlx::AnyPool;
use stepup_protocol::ErrorCode;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;
use crate::state::AppState;

/// The socket address of a connection, as the listener accepted it.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// The address a request comes from: the peer's, or, when the peer is the configured reverse
/// proxy (`STEPUP_TRUSTED_PROXY`), the last address that proxy appended to `X-Forwarded-For`.
/// IPv6 clients count by their /64, which one subscriber usually holds whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key limits count under.
    pub fn key(self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<Peer>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.0.ip());
        if state.config().trusted_proxy == Some(peer)
            && let Some(forwarded) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|h| h.to_str().ok())
                .flat_map(|h| h.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        {
            return Ok(ClientIp(forwarded));
        }
        Ok(ClientIp(peer))
    }
}

/// A `429` that says when to come back (the `Retry-After` header, in whole seconds).
pub fn too_many(message: &str, retry_after_ms: i64) -> ApiError {
    let secs = u64::try_from(retry_after_ms.max(0))
        .unwrap_or(0)
        .div_ceil(1000)
        .max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        message,
    )
    .retry_after(secs)
}

/// How sign-in attempts are limited.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Failed attempts on one account within `window` before it must wait.
    pub account_failures: u32,
    /// Failed attempts from one address (any accounts) within `window` before it must wait.
    pub address_failures: u32,
    /// How long failures are remembered.
    pub window: Duration,
    /// The first wait; each further failure doubles it, up to `max_wait`.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Password checks (Argon2id, 19 MiB each) running at once: their memory is bounded by this.
    pub hash_workers: usize,
    /// Checks waiting for a worker; beyond this a sign-in is turned away at once as busy.
    pub hash_queue: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            account_failures: 5,
            address_failures: 20,
            window: Duration::from_secs(15 * 60),
            first_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            hash_workers: cores.clamp(1, 4),
            hash_queue: 32,
        }
    }
}

impl LoginLimits {
    /// No limits at all: what the server did before it had them (benchmarks compare with it).
    pub fn unlimited() -> Self {
        Self {
            account_failures: u32::MAX,
            address_failures: u32::MAX,
            hash_workers: Semaphore::MAX_PERMITS,
            hash_queue: usize::MAX / 2,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Strikes {
    failures: u32,
    last_at: i64,
    /// No attempt before this time.
    until: i64,
}

/// Remembers failed sign-ins per account and per address, and bounds the password checks.
#[derive(Debug)]
pub struct LoginGuard {
    limits: LoginLimits,
    strikes: Mutex<HashMap<String, Strikes>>,
    /// The database the nodes share, when they do: strikes are kept there.
    shared: Option<AnyPool>,
    hashing: Semaphore,
    waiting: AtomicUsize,
    /// Accounts signed in from an address before (by account and address, when last): their
    /// password checks have a lane of their own, so a flood from elsewhere does not keep an agent
    /// at the shop's usual address out.
    known: Mutex<HashMap<String, i64>>,
    known_hashing: Semaphore,
    known_waiting: AtomicUsize,
}

/// How long a successful sign-in keeps its account and address "known".
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// The known lane: one check at a time, a short queue.
const KNOWN_WORKERS: usize = 1;
const KNOWN_QUEUE: usize = 8;

/// Keys this many and older entries are dropped on the next failure, so a flood of addresses
/// cannot grow the map without end.
const MAX_KEYS: usize = 100_000;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A held password-check slot; the next waiting check starts when it drops.
#[derive(Debug)]
pub struct HashSlot<'a> {
    _permit: SemaphorePermit<'a>,
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> Self {
        let workers = limits.hash_workers.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            limits,
            strikes: Mutex::new(HashMap::new()),
            shared: None,
            hashing: Semaphore::new(workers),
            waiting: AtomicUsize::new(0),
            known: Mutex::new(HashMap::new()),
            known_hashing: Semaphore::new(KNOWN_WORKERS),
            known_waiting: AtomicUsize::new(0),
        }
    }

    fn pair(email: &str, ip: ClientIp) -> String {
        format!("{email}\n{}", ip.key())
    }

    fn is_known(&self, email: &str, ip: ClientIp, now: i64) -> bool {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known
            .get(&Self::pair(email, ip))
            .is_some_and(|at| now - at < ms(KNOWN_FOR))
    }

    fn keys(email: &str, ip: ClientIp) -> [String; 2] {
        [format!("account:{email}"), format!("address:{}", ip.key())]
    }

    /// Keeps the strikes in `pool`, shared with the other nodes of that database.
    pub fn shared(mut self, pool: AnyPool) -> Self {
        self.shared = Some(pool);
        self
    }

    /// Refused with a `429` while the account or the address must wait.
    pub async fn check(&self, email: &str, ip: ClientIp, now: i64) -> Result<(), ApiError> {
        let keys = Self::keys(email, ip);
        let until = match &self.shared {
            Some(pool) => crate::store::limits::held_until(pool, &keys).await?,
            None => {
                let strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
                keys.iter()
                    .filter_map(|k| strikes.get(k))
                    .map(|s| s.until)
                    .max()
                    .unwrap_or(0)
            }
        };
        let wait = until - now;
        if wait > 0 {
            return Err(too_many("too many failed sign-ins; try again later", wait));
        }
        Ok(())
    }

    /// How long `failures` failures against a limit of `limit` make one wait (0: none yet).
    fn wait_for(&self, failures: u32, limit: u32) -> i64 {
        if failures < limit {
            return 0;
        }
        let doublings = (failures - limit).min(20);
        ms(self.limits.first_wait)
            .saturating_mul(1 << doublings)
            .min(ms(self.limits.max_wait))
    }

    /// A wrong password (or an unknown email): counts against both the account and the address.
    pub async fn failed(&self, email: &str, ip: ClientIp, now: i64) {
        let limits = [self.limits.account_failures, self.limits.address_failures];
        if let Some(pool) = &self.shared {
            for (key, limit) in Self::keys(email, ip).into_iter().zip(limits) {
                let counted = async {
                    let failures =
                        crate::store::limits::strike(pool, &key, now, ms(self.limits.window))
                            .await?;
                    let wait = self.wait_for(failures, limit);
                    if wait > 0 {
                        crate::store::limits::hold(pool, &key, now.saturating_add(wait)).await?;
                    }
                    Ok::<_, sqlx::Error>(())
                };
                if let Err(e) = counted.await {
                    tracing::warn!(error = %e, "counting a failed sign-in failed");
                }
            }
            return;
        }
        let mut strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
        if strikes.len() >= MAX_KEYS {
            let window = ms(self.limits.window);
            strikes.retain(|_, s| s.until > now || now - s.last_at < window);
        }
        for (key, limit) in Self::keys(email, ip).into_iter().zip(limits) {
            let s = strikes.entry(key).or_insert(Strikes {
                failures: 0,
                last_at: now,
                until: 0,
            });
            if now - s.last_at > ms(self.limits.window) && s.until <= now {
                s.failures = 0;
            }
            s.failures = s.failures.saturating_add(1);
            s.last_at = now;
            let wait = self.wait_for(s.failures, limit);
            if wait > 0 {
                s.until = now.saturating_add(wait);
            }
        }
    }

    /// The right password: the account's failures are forgotten (the address's are not, so one
    /// known account cannot launder guesses at others), and the account is known at this address.
    pub async fn succeeded(&self, email: &str, ip: ClientIp, now: i64) {
        let account = format!("account:{email}");
        match &self.shared {
            Some(pool) => {
                if let Err(e) = crate::store::limits::forgive(pool, &account).await {
                    tracing::warn!(error = %e, "forgetting failed sign-ins failed");
                }
            }
            None => {
                let mut strikes = self.strikes.lock().unwrap_or_else(|e| e.into_inner());
                strikes.remove(&account);
            }
        }
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= MAX_KEYS {
            known.retain(|_, at| now - *at < ms(KNOWN_FOR));
        }
        if known.len() < MAX_KEYS {
            known.insert(Self::pair(email, ip), now);
        }
    }

    /// A slot to run one password check in: waits for one of the workers, or is refused as busy
    /// at once when too many checks already wait. An account signing in from an address it
    /// signed in from before has a lane of its own.
    pub async fn hash_slot(
        &self,
        email: &str,
        ip: ClientIp,
        now: i64,
    ) -> Result<HashSlot<'_>, ApiError> {
        let (lane, waiting, queue) = if self.is_known(email, ip, now) {
            (&self.known_hashing, &self.known_waiting, KNOWN_QUEUE)
        } else {
            (&self.hashing, &self.waiting, self.limits.hash_queue)
        };
        let before = waiting.fetch_add(1, Ordering::SeqCst);
        let _leave = scopeguard(|| {
            waiting.fetch_sub(1, Ordering::SeqCst);
        });
        if lane.available_permits() == 0 && before >= queue {
            return Err(too_many(
                "the server is busy with sign-ins; try again in a moment",
                1000,
            ));
        }
        let permit = lane.acquire().await.map_err(|_| ApiError::internal())?;
        Ok(HashSlot { _permit: permit })
    }
}

/// Runs `f` when dropped.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}

/// Fixed one-minute budgets per key (a visitor, a widget, an address).
#[derive(Debug, Default)]
pub struct Budgets {
    used: Mutex<HashMap<String, (i64, u32)>>,
    /// The database the nodes share, when they do: budgets are spent there.
    shared: Option<AnyPool>,
}

impl Budgets {
    /// Budgets spent in `pool`, shared with the other nodes of that database.
    pub fn shared(pool: AnyPool) -> Self {
        Self {
            used: Mutex::default(),
            shared: Some(pool),
        }
    }

    /// Spends one from `key`'s budget of `per_minute`; false when it is spent. With the wait until
    /// the next minute, for `Retry-After`. (When the shared database cannot be reached, the
    /// request is let through: the limit is against floods, not a reason to stop serving.)
    pub async fn spend(&self, key: &str, per_minute: u32, now: i64) -> Result<(), i64> {
        let minute = now.div_euclid(60_000);
        if let Some(pool) = &self.shared {
            return match crate::store::limits::spend(pool, key, minute).await {
                Ok(used) if used > per_minute => Err((minute + 1) * 60_000 - now),
                Ok(_) => Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "spending a budget failed");
                    Ok(())
                }
            };
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if used.len() > MAX_KEYS {
            used.retain(|_, (m, _)| *m == minute);
        }
        let entry = used.entry(key.to_owned()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= per_minute {
            return Err((minute + 1) * 60_000 - now);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> ClientIp {
        ClientIp(s.parse().unwrap())
    }

    #[tokio::test]
    async fn an_account_waits_after_five_failures_and_the_wait_doubles() {
        let g = LoginGuard::new(LoginLimits::default());
        let a = ip("203.0.113.7");
        for i in 0..4 {
            g.failed("sara@noor.example", a, i).await;
            assert!(g.check("sara@noor.example", a, i).await.is_ok());
        }
        g.failed("sara@noor.example", a, 10).await;
        let e = g.check("sara@noor.example", a, 11).await.unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.retry_after, Some(30));
        // Another address is refused too: the account is what is guessed at.
        assert!(
            g.check("sara@noor.example", ip("198.51.100.1"), 11)
                .await
                .is_err()
        );
        assert!(g.check("sara@noor.example", a, 30_010).await.is_ok());
        g.failed("sara@noor.example", a, 30_010).await;
        assert_eq!(
            g.check("sara@noor.example", a, 30_011)
                .await
                .unwrap_err()
                .retry_after,
            Some(60)
        );
        // Other accounts from another address are not held up.
        assert!(
            g.check("omar@noor.example", ip("198.51.100.1"), 30_011)
                .await
                .is_ok()
        );
        // The right password clears the account.
        g.succeeded("sara@noor.example", ip("198.51.100.1"), 30_011)
            .await;
        assert!(
            g.check("sara@noor.example", ip("198.51.100.1"), 30_012)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn one_address_guessing_many_accounts_waits_too() {
        let g = LoginGuard::new(LoginLimits::default());
        let a = ip("2001:db8:1:2::5");
        for i in 0..20 {
            assert!(g.check(&format!("u{i}@x"), a, i).await.is_ok());
            g.failed(&format!("u{i}@x"), a, i).await;
        }
        assert!(g.check("fresh@x", a, 21).await.is_err());
        // The same /64 is the same subscriber.
        assert!(
            g.check("fresh@x", ip("2001:db8:1:2::ffff"), 21)
                .await
                .is_err()
        );
        assert!(g.check("fresh@x", ip("2001:db8:1:3::5"), 21).await.is_ok());
    }

    #[tokio::test]
    async fn failures_are_forgotten_after_the_window() {
        let g = LoginGuard::new(LoginLimits::default());
        let a = ip("203.0.113.7");
        for i in 0..4 {
            g.failed("sara@x", a, i).await;
        }
        let later = 16 * 60_000;
        g.failed("sara@x", a, later).await;
        assert!(
            g.check("sara@x", a, later + 1).await.is_ok(),
            "a fresh window"
        );
    }

    #[tokio::test]
    async fn password_checks_are_bounded_and_a_long_queue_is_turned_away() {
        let g = LoginGuard::new(LoginLimits {
            hash_workers: 2,
            hash_queue: 1,
            ..LoginLimits::default()
        });
        let (flood, office) = (ip("203.0.113.9"), ip("192.168.1.20"));
        // Huda signed in from the office yesterday.
        g.succeeded("huda@noor.example", office, 0).await;
        let now = 86_400_000;
        let a = g.hash_slot("x@x", flood, now).await.unwrap();
        let b = g.hash_slot("y@x", flood, now).await.unwrap();
        let waiting = g.hash_slot("z@x", flood, now);
        tokio::pin!(waiting);
        let third = tokio::time::timeout(Duration::from_millis(1), waiting.as_mut()).await;
        assert!(third.is_err(), "a third waits for a worker");
        let e = g.hash_slot("w@x", flood, now).await.unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        // The flood has filled the lane, and Huda, at the office again, still gets a check at once;
        // from elsewhere she queues with everyone.
        let huda = g.hash_slot("huda@noor.example", office, now).await.unwrap();
        assert!(g.hash_slot("huda@noor.example", flood, now).await.is_err());
        drop(huda);
        drop(a);
        let c = waiting.await.unwrap();
        drop((b, c));
        assert!(g.hash_slot("w@x", flood, now).await.is_ok());
        // Known for 30 days.
        let later = now + 31 * 86_400_000;
        let _full = (
            g.hash_slot("x@x", flood, later).await.unwrap(),
            g.hash_slot("y@x", flood, later).await.unwrap(),
        );
        let queued = g.hash_slot("z@x", flood, later);
        tokio::pin!(queued);
        assert!(
            tokio::time::timeout(Duration::from_millis(1), queued.as_mut())
                .await
                .is_err()
        );
        assert!(
            g.hash_slot("huda@noor.example", office, later)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn budgets_refill_each_minute() {
        let b = Budgets::default();
        assert!(b.spend("k", 2, 0).await.is_ok());
        assert!(b.spend("k", 2, 1).await.is_ok());
        assert_eq!(b.spend("k", 2, 15_000).await, Err(45_000));
        assert!(b.spend("other", 2, 15_000).await.is_ok());
        assert!(b.spend("k", 2, 60_000).await.is_ok());
    }
}
