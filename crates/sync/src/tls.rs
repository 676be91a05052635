//! Which certificates the app and the CLI trust when they speak HTTPS and WSS to a cloud: the
//! operating system's certificate store (so a company's own CA, installed in the OS, works) and
//! the PEM bundle named by `STEPUP_EXTRA_CA_FILE` (a private CA without touching the OS).
//! Certificate checks are never turned off; there is no setting for it.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// The environment variable naming an extra PEM bundle of CA certificates to trust.
pub const EXTRA_CA_ENV: &str = "STEPUP_EXTRA_CA_FILE";

#[derive(Debug, Clone, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read the CA bundle {path}: {detail}")]
    Read { path: String, detail: String },
    #[error("the CA bundle {origin} is not valid PEM: {detail}")]
    BadPem { origin: String, detail: String },
    #[error("the CA bundle {origin} holds no certificate")]
    Empty { origin: String },
    #[error(
        "no certificate authority to trust: the system store is empty and no {EXTRA_CA_ENV} is set"
    )]
    NoRoots,
}

/// What to trust. Cheap to build: files are read when a client is made.
#[derive(Clone, Default)]
pub struct Trust {
    system: bool,
    extra_file: Option<PathBuf>,
    extra_pem: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trust")
            .field("system", &self.system)
            .field("extra_file", &self.extra_file)
            .field("extra_pem", &self.extra_pem.len())
            .finish()
    }
}

impl Trust {
    /// The operating system's certificate store only.
    pub fn system() -> Trust {
        Trust {
            system: true,
            ..Trust::default()
        }
    }

    /// The system store and, when set, the bundle in `STEPUP_EXTRA_CA_FILE`: what the app and
    /// the CLI use.
    pub fn from_env() -> Trust {
        match std::env::var_os(EXTRA_CA_ENV).filter(|v| !v.is_empty()) {
            Some(path) => Trust::system().with_file(PathBuf::from(path)),
            None => Trust::system(),
        }
    }

    /// Also trusts the CA certificates in this PEM file (read when a client is made).
    pub fn with_file(mut self, path: PathBuf) -> Trust {
        self.extra_file = Some(path);
        self
    }

    /// Also trusts the CA certificates in this PEM bundle (`origin` names it in errors).
    pub fn with_pem(mut self, origin: &str, pem: impl Into<Vec<u8>>) -> Trust {
        self.extra_pem.push((origin.to_owned(), pem.into()));
        self
    }

    /// Only the CA certificates given with [`Trust::with_pem`], not the system's.
    pub fn without_system(mut self) -> Trust {
        self.system = false;
        self
    }

    /// The rustls configuration for this trust, shared by HTTPS and WSS.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TrustError> {
        let mut roots = RootCertStore::empty();
        if self.system {
            roots.extend(system_roots().iter().cloned());
        }
        if let Some(path) = &self.extra_file {
            let pem = std::fs::read(path).map_err(|e| TrustError::Read {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?;
            add_pem(&mut roots, &path.display().to_string(), &pem)?;
        }
        for (origin, pem) in &self.extra_pem {
            add_pem(&mut roots, origin, pem)?;
        }
        if roots.is_empty() {
            return Err(TrustError::NoRoots);
        }
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

fn add_pem(roots: &mut RootCertStore, origin: &str, pem: &[u8]) -> Result<(), TrustError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TrustError::BadPem {
            origin: origin.to_owned(),
            detail: e.to_string(),
        })?;
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(TrustError::Empty {
            origin: origin.to_owned(),
        });
    }
    Ok(())
}

/// The OS store, read once per process (it takes a while on some systems). Certificates it
/// cannot parse are skipped; the rest still work.
fn system_roots() -> &'static [rustls_pki_types::TrustAnchor<'static>] {
    static ROOTS: OnceLock<Vec<rustls_pki_types::TrustAnchor<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            tracing::debug!(
                errors = found.errors.len(),
                "some system certificates could not be read"
            );
        }
        let mut store = RootCertStore::empty();
        let (added, skipped) = store.add_parsable_certificates(found.certs);
        tracing::debug!(added, skipped, "system certificate store");
        store.roots
    })
}

/// The certificate failure behind a transport error, if that is what it was: the TLS error is
/// wrapped differently by the HTTP and the WebSocket stacks, sometimes in an `io::Error`.
pub(crate) fn certificate_problem(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return describe(tls);
        }
        // `io::Error::source` skips the error it wraps; look inside it instead.
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn describe(err: &rustls::Error) -> Option<String> {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(c) => Some(match c {
            C::UnknownIssuer => "signed by an unknown certificate authority".into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "issued for another server name".into()
            }
            C::Expired | C::ExpiredContext { .. } => "expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "not valid yet (check this computer's clock)".into()
            }
            C::Revoked => "revoked".into(),
            other => format!("{other:?}"),
        }),
        rustls::Error::NoCertificatesPresented => Some(err.to_string()),
        _ => None,
    }
}
