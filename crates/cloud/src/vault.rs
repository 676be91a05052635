//! Channel credentials at rest: sealed with ChaCha20-Poly1305 under the server key
//! (`STEPUP_CLOUD_KEY`, 32 bytes as 64 hex digits). Each sealed value is bound to the row it
//! belongs to (its id is the associated data), so a value copied onto another row does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// The environment variable holding the server key.
pub const SERVER_KEY_ENV: &str = "STEPUP_CLOUD_KEY";

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error(
        "{SERVER_KEY_ENV} must be 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`)"
    )]
    BadKey,
    #[error(
        "channel credentials need a server key: set {SERVER_KEY_ENV} (e.g. `openssl rand -hex 32`)"
    )]
    NoKey,
    #[error("sealed credentials do not open with this server key (wrong {SERVER_KEY_ENV}?)")]
    Open,
}

/// The key that seals credentials. Debug never shows it.
#[derive(Clone)]
pub struct ServerKey(Key);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

impl ServerKey {
    /// From 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<ServerKey, VaultError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| VaultError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(ServerKey(bytes.into()))
    }

    /// From `STEPUP_CLOUD_KEY`, when set.
    pub fn from_env() -> Result<Option<ServerKey>, VaultError> {
        match std::env::var(SERVER_KEY_ENV) {
            Ok(v) if !v.trim().is_empty() => Self::from_hex(&v).map(Some),
            _ => Ok(None),
        }
    }

    /// `nonce || ciphertext`, bound to `row`.
    pub fn seal(&self, row: &str, plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let cipher = ChaCha20Poly1305::new(&self.0);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: row.as_bytes(),
                },
            )
            .expect("sealing in memory does not fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        out
    }

    pub fn open(&self, row: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < NONCE_LEN {
            return Err(VaultError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        ChaCha20Poly1305::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let key = ServerKey::from_hex(KEY).unwrap();
        let sealed = key.seal("con_1", b"EAAB-secret-token");
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "no clear text at rest"
        );
        assert_eq!(key.open("con_1", &sealed).unwrap(), b"EAAB-secret-token");
        assert_eq!(key.open("con_2", &sealed), Err(VaultError::Open));
        let other = ServerKey::from_hex(&KEY.replace("00", "ff")).unwrap();
        assert_eq!(other.open("con_1", &sealed), Err(VaultError::Open));
        assert_eq!(key.open("con_1", &sealed[..5]), Err(VaultError::Open));
        assert_ne!(
            key.seal("con_1", b"x"),
            key.seal("con_1", b"x"),
            "a fresh nonce each time"
        );
        assert_eq!(format!("{key:?}"), "ServerKey(<redacted>)");
    }

    #[test]
    fn a_key_must_be_32_bytes_of_hex() {
        for bad in ["", "zz", &KEY[..62], &format!("{KEY}00")] {
            assert_eq!(ServerKey::from_hex(bad).unwrap_err(), VaultError::BadKey);
        }
    }
}
