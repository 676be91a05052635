//! Identifiers and tokens. Ids come from a seedable generator (deterministic demo data); tokens
//! always come from the operating system's generator.

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use stepup_protocol::ids::RisingIds;

#[derive(Debug)]
pub struct Ids {
    rng: std::sync::Mutex<StdRng>,
    messages: RisingIds,
}

impl Ids {
    pub fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Self {
            rng: std::sync::Mutex::new(rng),
            messages: RisingIds::default(),
        }
    }

    /// A message id that sorts after every message id this node made before (see
    /// [`RisingIds`]).
    pub fn message(&self, now_ms: i64) -> String {
        let random = self.rng.lock().unwrap_or_else(|e| e.into_inner()).random();
        self.messages.next("msg", now_ms, random)
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
