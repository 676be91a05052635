//! HTTPS and WSS served by the cloud itself (rustls, PEM files), for a shop that runs it without a
//! reverse proxy in front. Behind a proxy that ends TLS, leave it off and serve plain HTTP.
//!
//! [`TlsListener`] accepts TCP connections and completes each TLS handshake on its own task, so a
//! slow or silent client never holds up the others; axum serves what comes out of it exactly as it
//! serves plain TCP (WebSocket upgrades included).

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("no certificate found in the PEM data")]
    NoCertificate,
    #[error("the certificate file is not valid PEM: {0}")]
    BadCertificate(String),
    #[error("no private key found in the PEM data: {0}")]
    BadKey(String),
    #[error("the certificate and key are not usable together: {0}")]
    Rejected(#[from] rustls::Error),
}

/// A server configuration from a PEM certificate chain (leaf first) and its PEM private key.
pub fn server_config(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::BadKey(e.to_string()))?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
    // The API is served over HTTP/1.1 (WebSocket upgrades need it).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// [`server_config`] from files (`--tls-cert`, `--tls-key`).
pub fn server_config_from_files(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    server_config(&read(cert)?, &read(key)?)
}

/// A listener that hands axum connections whose TLS handshake is done.
pub struct TlsListener {
    addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TlsListener {
    /// Starts accepting on `listener`; the accept loop ends when this is dropped.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let addr = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let (tcp, peer) = tokio::select! {
                    _ = tx.closed() => return,
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of file descriptors and the like: wait a little, not in a spin.
                            tracing::warn!(error = %e, "accepting a connection failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            let _ = tx.send((stream, peer)).await;
                        }
                        // A client that gives up or distrusts the certificate: its own affair.
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { addr, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// A private certificate authority and a server certificate it signed, made at run time: what
/// a shop with its own CA has, for tests and benchmarks over real TLS.
#[cfg(feature = "test-ca")]
#[derive(Debug, Clone)]
pub struct TestCa {
    /// The CA's certificate (PEM): what a client must trust (`STEPUP_EXTRA_CA_FILE`).
    pub ca_pem: String,
    /// The server's certificate (PEM), for `localhost` and `127.0.0.1`.
    pub cert_pem: String,
    /// The server certificate's private key (PEM).
    pub key_pem: String,
}

#[cfg(feature = "test-ca")]
impl TestCa {
    /// A CA named `name` and a certificate for `localhost` and `127.0.0.1`.
    pub fn new(name: &str) -> TestCa {
        Self::for_hosts(name, &["localhost", "127.0.0.1", "::1"])
    }

    /// A CA named `name` and a certificate for `hosts` (names or IP addresses).
    pub fn for_hosts(name: &str, hosts: &[&str]) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().expect("a key pair");
        let mut ca = CertificateParams::default();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, name);
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_cert = ca.self_signed(&ca_key).expect("the CA signs itself");
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().expect("a key pair");
        let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        let mut leaf = CertificateParams::new(hosts).expect("valid host names");
        leaf.distinguished_name
            .push(DnType::CommonName, "Stepup cloud");
        let cert = leaf
            .signed_by(&key, &issuer)
            .expect("the CA signs the server");
        TestCa {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// The server side: this certificate and key.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        server_config(self.cert_pem.as_bytes(), self.key_pem.as_bytes())
            .expect("the test certificate is usable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_that_is_not_a_certificate_or_key_is_refused_with_a_reason() {
        let none = server_config(b"", b"").unwrap_err();
        assert!(matches!(none, TlsError::NoCertificate), "{none}");
        let garbage = server_config(
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
            b"",
        )
        .unwrap_err();
        assert!(matches!(garbage, TlsError::BadCertificate(_)), "{garbage}");
        let missing = server_config_from_files(Path::new("/nonexistent/cert.pem"), Path::new("k"))
            .unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/cert.pem"),
            "{missing}"
        );
    }

    #[cfg(feature = "test-ca")]
    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let a = TestCa::new("A");
        let b = TestCa::new("B");
        assert!(server_config(a.cert_pem.as_bytes(), a.key_pem.as_bytes()).is_ok());
        let err = server_config(a.cert_pem.as_bytes(), b.key_pem.as_bytes()).unwrap_err();
        assert!(matches!(err, TlsError::Rejected(_)), "{err}");
    }
}
