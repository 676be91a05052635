//! Identifiers and tokens. Ids come from a seedable generator (deterministic demo data); tokens
//! always come from the operating system's generator.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Ids {
    rng: std::sync::Mutex<StdRng>,
    /// The last message id's millisecond and counter: message ids rise with arrival.
    last_message: std::sync::Mutex<(u64, u64)>,
}

impl Ids {
    pub fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Self {
            rng: std::sync::Mutex::new(rng),
            last_message: std::sync::Mutex::new((0, 0)),
        }
    }

    /// A message id that sorts after every message id this node made before: `msg_`, the
    /// millisecond as 12 hex digits, then a counter of 16 that starts at a random point each
    /// millisecond. Timelines order by time, then id, and providers stamp in whole seconds (and
    /// two sends can share a millisecond), so the id keeps a burst in the order it came in.
    /// Ids from two nodes in one millisecond are concurrent and still unique (a 63-bit start).
    pub fn message(&self, now_ms: i64) -> String {
        let now = u64::try_from(now_ms).unwrap_or(0) & 0xffff_ffff_ffff;
        let start = self
            .rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .random::<u64>()
            >> 1;
        let mut last = self.last_message.lock().unwrap_or_else(|e| e.into_inner());
        let (ms, counter) = if now > last.0 {
            (now, start)
        } else {
            // The clock stood still or went back: stay on the last millisecond, one further.
            (last.0, last.1.wrapping_add(1))
        };
        *last = (ms, counter);
        format!("msg_{ms:012x}{counter:016x}")
    }

    /// `prefix_` followed by 16 lowercase hex digits.
    pub fn make(&self, prefix: &str) -> String {
        let n: u64 = self.rng.lock().unwrap_or_else(|e| e.into_inner()).random();
        format!("{prefix}_{n:016x}")
    }
}

/// A fresh bearer token: `prefix_` and 32 random bytes, base64url.
pub fn token(prefix: &str) -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Tokens are stored only as their SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::Ids;

    #[test]
    fn message_ids_rise_with_arrival_even_within_a_millisecond_or_when_the_clock_goes_back() {
        let ids = Ids::new(Some(7));
        let mut made = vec![ids.message(1_000), ids.message(1_000), ids.message(1_000)];
        made.push(ids.message(999));
        made.push(ids.message(2_000));
        made.push(ids.message(2_000));
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
        sorted.dedup();
        assert_eq!(sorted.len(), made.len());
        assert!(made.iter().all(|id| id.len() == 4 + 28));
    }
}
