//! Accounts on this machine: one per (server, workspace, agent), each with its
//! own folder, database file and key. Accounts never share a file or a key.

use std::path::{Path, PathBuf};

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{DbKey, KeyError, Secret, SecretStore, StoreError};

/// A stable, filesystem-safe id for an account.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AccountId(String);

impl AccountId {
    pub fn new(server: &str, workspace_id: &str, agent_id: &str) -> AccountId {
        let mut h = Sha256::new();
        for part in [server.trim_end_matches('/'), workspace_id, agent_id] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        AccountId(format!("acc_{}", &hex::encode(h.finalize())[..16]))
    }

    pub fn parse(text: &str) -> Option<AccountId> {
        let ok = text.len() == 20
            && text.starts_with("acc_")
            && text[4..].bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| AccountId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The files of one account.
#[derive(Debug, Clone)]
pub struct AccountFiles {
    pub id: AccountId,
    pub dir: PathBuf,
}

impl AccountFiles {
    pub fn new(data_dir: &Path, id: AccountId) -> AccountFiles {
        let dir = data_dir.join("accounts").join(id.as_str());
        AccountFiles { id, dir }
    }

    pub fn database(&self) -> PathBuf {
        self.dir.join("cache.db")
    }

    pub fn attachments(&self) -> PathBuf {
        self.dir.join("attachments")
    }

    /// The Argon2 salt of passphrase mode (not secret).
    fn salt_file(&self) -> PathBuf {
        self.dir.join("passphrase.salt")
    }

    pub fn uses_passphrase(&self) -> bool {
        self.salt_file().exists()
    }

    fn key_name(&self) -> String {
        format!("{}/cache-key", self.id)
    }

    /// The cache key: from the keyring (created on first use), or derived
    /// from `passphrase` when given. Blocking: call from `spawn_blocking`.
    pub fn obtain_key(
        &self,
        secrets: &dyn SecretStore,
        passphrase: Option<&Secret<String>>,
        rng: &mut impl RngCore,
    ) -> Result<DbKey, StoreError> {
        crate::private::create_dir(&self.dir).map_err(|source| StoreError::Io {
            context: format!("cannot create {}", self.dir.display()),
            source,
        })?;
        if let Some(passphrase) = passphrase {
            let salt_file = self.salt_file();
            let salt = match std::fs::read(&salt_file) {
                Ok(salt) if salt.len() == 16 => salt,
                _ => {
                    // A new passphrase: the rule holds here, whatever the caller checked.
                    crate::keys::check_new_passphrase(passphrase.expose())?;
                    let mut salt = vec![0u8; 16];
                    rng.fill_bytes(&mut salt);
                    crate::private::write_file(&salt_file, &salt).map_err(|source| {
                        StoreError::Io {
                            context: "cannot write the salt".into(),
                            source,
                        }
                    })?;
                    salt
                }
            };
            return Ok(DbKey::from_passphrase(passphrase.expose(), &salt)?);
        }
        match secrets.get(&self.key_name())? {
            Some(hex) => Ok(DbKey::from_hex(hex.expose())?),
            None => {
                let key = DbKey::random(rng);
                secrets.set(&self.key_name(), &key.to_hex())?;
                Ok(key)
            }
        }
    }

    /// Deletes the cache, its attachments and its key. The store must be closed.
    pub fn wipe(&self, secrets: &dyn SecretStore) -> Result<(), StoreError> {
        let key_result = secrets.delete(&self.key_name());
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::Io {
                    context: format!("cannot delete {}", self.dir.display()),
                    source,
                });
            }
        }
        // A keyring that is gone has no key to delete; anything else is reported.
        match key_result {
            Ok(()) | Err(KeyError::KeyringUnavailable(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySecrets;

    #[test]
    fn ids_are_per_server_workspace_and_agent() {
        let a = AccountId::new("http://127.0.0.1:1/", "ws_1", "agt_1");
        assert_eq!(a, AccountId::new("http://127.0.0.1:1", "ws_1", "agt_1"));
        assert_ne!(a, AccountId::new("http://127.0.0.1:1", "ws_2", "agt_1"));
        assert_ne!(a, AccountId::new("http://127.0.0.1:1", "ws_1", "agt_2"));
        assert_eq!(AccountId::parse(a.as_str()), Some(a));
        assert_eq!(AccountId::parse("../../etc"), None);
    }

    #[test]
    fn keyring_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let files = AccountFiles::new(dir.path(), AccountId::new("s", "w", "a"));
        let secrets = MemorySecrets::default();
        let k1 = files.obtain_key(&secrets, None, &mut rand::rng()).unwrap();
        let k2 = files.obtain_key(&secrets, None, &mut rand::rng()).unwrap();
        assert_eq!(k1, k2);
        let other = AccountFiles::new(dir.path(), AccountId::new("s", "w", "b"));
        assert_ne!(
            other.obtain_key(&secrets, None, &mut rand::rng()).unwrap(),
            k1
        );
        files.wipe(&secrets).unwrap();
        assert!(!files.dir.exists());
        assert_ne!(
            files.obtain_key(&secrets, None, &mut rand::rng()).unwrap(),
            k1
        );
    }

    #[test]
    fn a_new_passphrase_follows_the_rule_in_the_core() {
        let dir = tempfile::tempdir().unwrap();
        let files = AccountFiles::new(dir.path(), AccountId::new("s", "w", "a"));
        let secrets = MemorySecrets::default();
        for weak in ["", "short", "  seven  ", "١٢٣٤٥٦٧"] {
            let err = files
                .obtain_key(
                    &secrets,
                    Some(&Secret::new(weak.to_owned())),
                    &mut rand::rng(),
                )
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Key(KeyError::WeakPassphrase { min: 8 })),
                "{weak:?}: {err:?}"
            );
            assert!(
                !files.uses_passphrase(),
                "no salt is kept for a refused passphrase"
            );
        }
        // Eight characters, Arabic ones too.
        files
            .obtain_key(
                &secrets,
                Some(&Secret::new("كلمة سر ".to_owned() + "x")),
                &mut rand::rng(),
            )
            .unwrap();
    }

    #[test]
    fn passphrase_mode_keeps_only_a_salt_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let files = AccountFiles::new(dir.path(), AccountId::new("s", "w", "a"));
        let secrets = MemorySecrets::default();
        let pass = Secret::new("كلمة سر طويلة".to_owned());
        let k1 = files
            .obtain_key(&secrets, Some(&pass), &mut rand::rng())
            .unwrap();
        let k2 = files
            .obtain_key(&secrets, Some(&pass), &mut rand::rng())
            .unwrap();
        assert_eq!(k1, k2);
        assert!(files.uses_passphrase());
        assert_eq!(
            secrets
                .get(&files.key_name())
                .unwrap()
                .map(|s| s.expose().clone()),
            None
        );
    }
}
