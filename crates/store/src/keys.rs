//! The cache key: a random 256-bit key per account, kept in the OS keyring
//! (macOS Keychain, Windows Credential Manager, Secret Service on Linux), or,
//! where there is no keyring, derived from a passphrase with Argon2id.
//! Keyring calls block, so async callers go through `spawn_blocking`.

use rand::RngCore;

use crate::secret::Secret;
use zeroize::Zeroize;

/// The service name entries are filed under in the OS keyring.
pub const KEYRING_SERVICE: &str = "ae.stepup.desktop";

/// A 256-bit SQLCipher key.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(Secret<[u8; 32]>);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

impl DbKey {
    pub fn random(rng: &mut impl RngCore) -> DbKey {
        let mut key = DbKey(Secret::new([0u8; 32]));
        rng.fill_bytes(key.0.expose_mut());
        key
    }

    pub fn from_bytes(bytes: [u8; 32]) -> DbKey {
        DbKey(Secret::new(bytes))
    }

    /// Argon2id (64 MiB, 3 passes) of `passphrase` with a per-account salt.
    pub fn from_passphrase(passphrase: &str, salt: &[u8]) -> Result<DbKey, KeyError> {
        let params = argon2::Params::new(64 * 1024, 3, 1, Some(32))
            .map_err(|e| KeyError::Derive(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = [0u8; 32];
        let derived = argon
            .hash_password_into(passphrase.as_bytes(), salt, &mut key)
            .map_err(|e| KeyError::Derive(e.to_string()));
        let out = derived.map(|()| DbKey(Secret::new(key)));
        zeroize::Zeroize::zeroize(&mut key);
        out
    }

    /// Hex, for storing in the keyring.
    pub fn to_hex(&self) -> Secret<String> {
        Secret::new(hex::encode(self.0.expose()))
    }

    pub fn from_hex(text: &str) -> Result<DbKey, KeyError> {
        let mut bytes =
            zeroize::Zeroizing::new(hex::decode(text.trim()).map_err(|_| KeyError::Malformed)?);
        let mut key = DbKey(Secret::new([0u8; 32]));
        if bytes.len() != 32 {
            bytes.zeroize();
            return Err(KeyError::Malformed);
        }
        key.0.expose_mut().copy_from_slice(&bytes);
        Ok(key)
    }

    /// The value of `PRAGMA key` for a raw key: `"x'<64 hex digits>'"`.
    pub(crate) fn pragma_value(&self) -> String {
        format!("\"x'{}'\"", hex::encode(self.0.expose()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No usable keyring: no Secret Service on the session bus, a locked or
    /// refusing keychain. The app offers the passphrase mode instead.
    #[error(
        "the system keyring is not available ({0}); set a passphrase for the local cache instead (STEPUP_PASSPHRASE for headless use)"
    )]
    KeyringUnavailable(String),
    #[error("the key stored in the keyring is malformed")]
    Malformed,
    #[error("cannot derive the key from the passphrase: {0}")]
    Derive(String),
    /// A new passphrase shorter than [`MIN_PASSPHRASE_CHARS`] (or only spaces).
    #[error("a passphrase for the local cache needs at least {min} characters")]
    WeakPassphrase { min: usize },
}

/// The fewest characters a new passphrase for the cache may have (the same rule in the app, the
/// CLI and the UI, which only repeats it).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Checks a new passphrase against the rule.
pub fn check_new_passphrase(passphrase: &str) -> Result<(), KeyError> {
    if passphrase.trim().chars().count() < MIN_PASSPHRASE_CHARS {
        Err(KeyError::WeakPassphrase {
            min: MIN_PASSPHRASE_CHARS,
        })
    } else {
        Ok(())
    }
}

/// Where per-account secrets live. The OS keyring in the app; a map in tests.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn get(&self, name: &str) -> Result<Option<Secret<String>>, KeyError>;
    fn set(&self, name: &str, value: &Secret<String>) -> Result<(), KeyError>;
    fn delete(&self, name: &str) -> Result<(), KeyError>;
}

/// The OS keyring, through the `keyring` crate's platform stores.
#[derive(Debug, Clone)]
pub struct OsKeyring {
    service: String,
}

impl Default for OsKeyring {
    fn default() -> Self {
        OsKeyring {
            service: KEYRING_SERVICE.to_owned(),
        }
    }
}

impl OsKeyring {
    pub fn with_service(service: impl Into<String>) -> OsKeyring {
        OsKeyring {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeyError> {
        keyring::Entry::new(&self.service, name).map_err(unavailable)
    }
}

fn unavailable(err: keyring::Error) -> KeyError {
    KeyError::KeyringUnavailable(match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => e.to_string(),
        other => other.to_string(),
    })
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> Result<Option<Secret<String>>, KeyError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<(), KeyError> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(unavailable)
    }

    fn delete(&self, name: &str) -> Result<(), KeyError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    }
}

/// Secrets in memory, for tests and the in-process demo.
#[derive(Debug, Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, Secret<String>>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<Secret<String>>, KeyError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned())
    }

    fn set(&self, name: &str, value: &Secret<String>) -> Result<(), KeyError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), KeyError> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_redaction() {
        let key = DbKey::random(&mut rand::rng());
        assert_eq!(DbKey::from_hex(key.to_hex().expose()).unwrap(), key);
        assert_eq!(format!("{key:?}"), "DbKey(<redacted>)");
        assert!(matches!(DbKey::from_hex("abc"), Err(KeyError::Malformed)));
        assert!(matches!(
            DbKey::from_hex(&"00".repeat(31)),
            Err(KeyError::Malformed)
        ));
    }

    #[test]
    fn passphrase_keys_depend_on_passphrase_and_salt() {
        let a = DbKey::from_passphrase("صباح الخير 123", b"salt-one-16bytes").unwrap();
        let b = DbKey::from_passphrase("صباح الخير 123", b"salt-one-16bytes").unwrap();
        let c = DbKey::from_passphrase("صباح الخير 124", b"salt-one-16bytes").unwrap();
        let d = DbKey::from_passphrase("صباح الخير 123", b"salt-two-16bytes").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
