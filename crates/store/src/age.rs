//! Encrypting a file with a passphrase in the age format (<https://age-encryption.org/v1>), so
//! that a standard tool opens it: `age -d export.json.age` asks for the passphrase.
//!
//! The file key (16 random bytes) is wrapped by one `scrypt` stanza: the key of ChaCha20-Poly1305
//! is scrypt(passphrase, "age-encryption.org/v1/scrypt" ‖ salt, N = 2^18, r = 8, p = 1). The
//! header ends with an HMAC-SHA256 under HKDF(file key, "header"). The payload is a 16-byte nonce,
//! then 64 KiB chunks sealed with ChaCha20-Poly1305 under HKDF(file key, nonce, "payload"), each
//! chunk's nonce its 11-byte counter and a last-chunk flag.

use std::io::{self, Write};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::Mac;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::Secret;

const CHUNK: usize = 64 * 1024;
/// scrypt's work factor, as the age tool uses it (about a second, 256 MiB).
pub const SCRYPT_LOG_N: u8 = 18;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

fn hkdf(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm)
        .expand(info, out.as_mut())
        .expect("32 bytes is a valid HKDF length");
    out
}

/// Writes age-encrypted data to the inner writer; call [`AgeWriter::finish`] at the end.
pub struct AgeWriter<W: Write> {
    inner: W,
    cipher: ChaCha20Poly1305,
    buffer: Zeroizing<Vec<u8>>,
    counter: u128,
}

impl<W: Write> std::fmt::Debug for AgeWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgeWriter").finish_non_exhaustive()
    }
}

impl<W: Write> AgeWriter<W> {
    /// Starts a file encrypted to `passphrase`, with scrypt's work factor 2^`log_n`.
    pub fn new(
        mut inner: W,
        passphrase: &Secret<String>,
        log_n: u8,
        rng: &mut impl RngCore,
    ) -> io::Result<AgeWriter<W>> {
        let mut file_key = Zeroizing::new([0u8; 16]);
        rng.fill_bytes(file_key.as_mut());
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut label = b"age-encryption.org/v1/scrypt".to_vec();
        label.extend_from_slice(&salt);
        let params = scrypt::Params::new(log_n, 8, 1, 32)
            .map_err(|e| io::Error::other(format!("scrypt: {e}")))?;
        let mut wrap_key = Zeroizing::new([0u8; 32]);
        scrypt::scrypt(
            passphrase.expose().as_bytes(),
            &label,
            &params,
            wrap_key.as_mut(),
        )
        .map_err(|e| io::Error::other(format!("scrypt: {e}")))?;
        let wrapped = ChaCha20Poly1305::new(Key::from_slice(wrap_key.as_ref()))
            .encrypt(Nonce::from_slice(&[0u8; 12]), file_key.as_ref())
            .map_err(|_| io::Error::other("cannot wrap the file key"))?;
        // The stanza's body in lines of 64 columns; 48 bytes is one line of 64, so an empty
        // line ends it (the format's rule for a body that fills its last line).
        let body = b64(&wrapped);
        let mut header = format!("age-encryption.org/v1\n-> scrypt {} {log_n}\n", b64(&salt));
        for line in body.as_bytes().chunks(64) {
            header.push_str(std::str::from_utf8(line).unwrap_or_default());
            header.push('\n');
        }
        if body.len().is_multiple_of(64) {
            header.push('\n');
        }
        header.push_str("---");
        let mac_key = hkdf(file_key.as_ref(), &[], b"header");
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(mac_key.as_ref())
            .expect("HMAC takes any key");
        mac.update(header.as_bytes());
        let header = format!("{header} {}\n", b64(&mac.finalize().into_bytes()));
        inner.write_all(header.as_bytes())?;
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        inner.write_all(&nonce)?;
        let payload_key = hkdf(file_key.as_ref(), &nonce, b"payload");
        Ok(AgeWriter {
            inner,
            cipher: ChaCha20Poly1305::new(Key::from_slice(payload_key.as_ref())),
            buffer: Zeroizing::new(Vec::with_capacity(CHUNK)),
            counter: 0,
        })
    }

    fn seal(&mut self, last: bool) -> io::Result<()> {
        let mut nonce = [0u8; 12];
        nonce[..11].copy_from_slice(&self.counter.to_be_bytes()[16 - 11..]);
        nonce[11] = u8::from(last);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), self.buffer.as_slice())
            .map_err(|_| io::Error::other("cannot encrypt a chunk"))?;
        self.inner.write_all(&sealed)?;
        self.buffer.clear();
        self.counter += 1;
        Ok(())
    }

    /// Seals the last chunk and returns the inner writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.seal(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for AgeWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        while !data.is_empty() {
            // A full chunk is sealed only once more data follows: the last one carries the flag.
            if self.buffer.len() == CHUNK {
                self.seal(false)?;
            }
            let take = (CHUNK - self.buffer.len()).min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Decrypts as the format says (the tests' own reader; the age tool is the other one).
    fn decrypt(file: &[u8], passphrase: &str) -> Option<Vec<u8>> {
        let end = file.windows(4).position(|w| w == b"--- ")?;
        let mac_end = end + file[end..].iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&file[..end + 3]).ok()?;
        let mut lines = header.lines();
        assert_eq!(lines.next()?, "age-encryption.org/v1");
        let stanza: Vec<&str> = lines.next()?.split(' ').collect();
        assert_eq!(&stanza[..2], ["->", "scrypt"]);
        let dec = |s: &str| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(s)
                .ok()
        };
        let salt = dec(stanza[2])?;
        let log_n: u8 = stanza[3].parse().ok()?;
        let wrapped = dec(lines.next()?)?;
        let mut label = b"age-encryption.org/v1/scrypt".to_vec();
        label.extend_from_slice(&salt);
        let mut key = [0u8; 32];
        scrypt::scrypt(
            passphrase.as_bytes(),
            &label,
            &scrypt::Params::new(log_n, 8, 1, 32).ok()?,
            &mut key,
        )
        .ok()?;
        let file_key = ChaCha20Poly1305::new(Key::from_slice(&key))
            .decrypt(Nonce::from_slice(&[0u8; 12]), wrapped.as_slice())
            .ok()?;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(
            hkdf(&file_key, &[], b"header").as_ref(),
        )
        .ok()?;
        mac.update(header.as_bytes());
        mac.verify_slice(&dec(std::str::from_utf8(&file[end + 4..mac_end]).ok()?)?)
            .ok()?;
        let rest = &file[mac_end + 1..];
        let (nonce, mut sealed) = rest.split_at(16);
        let cipher =
            ChaCha20Poly1305::new(Key::from_slice(hkdf(&file_key, nonce, b"payload").as_ref()));
        let mut out = Vec::new();
        let mut counter = 0u128;
        loop {
            let take = sealed.len().min(CHUNK + 16);
            let last = take == sealed.len();
            let mut n = [0u8; 12];
            n[..11].copy_from_slice(&counter.to_be_bytes()[5..]);
            n[11] = u8::from(last);
            out.extend(
                cipher
                    .decrypt(Nonce::from_slice(&n), &sealed[..take])
                    .ok()?,
            );
            sealed = &sealed[take..];
            counter += 1;
            if last {
                return Some(out);
            }
        }
    }

    #[test]
    fn round_trips_at_chunk_edges_and_refuses_a_wrong_passphrase() {
        let pass = Secret::new("كلمة مرور التصدير 2026".to_owned());
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for len in [0usize, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut w = AgeWriter::new(Vec::new(), &pass, 10, &mut rng).unwrap();
            w.write_all(&data).unwrap();
            let file = w.finish().unwrap();
            assert_eq!(
                decrypt(&file, pass.expose()).as_deref(),
                Some(&data[..]),
                "{len}"
            );
            assert_eq!(decrypt(&file, "wrong"), None);
            let text = String::from_utf8_lossy(&file);
            assert!(text.starts_with("age-encryption.org/v1\n-> scrypt "));
        }
    }
}
