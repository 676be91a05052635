//! Secrets that must never reach a log or a file in plaintext, nor linger in memory.

use std::fmt;

pub use zeroize::Zeroize;

/// Wraps a secret. `Debug` and `Display` print `<redacted>`; it has no
/// `Serialize`, so it cannot be written out by accident; its memory is overwritten with zeros
/// when it is dropped (a password, a token, a cache key do not linger in freed memory).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The secret itself, to fill in place (never copied out).
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
    }

    /// Records whether it was overwritten.
    #[derive(Clone)]
    struct Probe(std::sync::Arc<std::sync::atomic::AtomicBool>, [u8; 4]);

    impl Zeroize for Probe {
        fn zeroize(&mut self) {
            self.1.zeroize();
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn is_overwritten_when_dropped() {
        let wiped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s = Secret::new(Probe(wiped.clone(), *b"key!"));
        let copy = s.clone();
        drop(s);
        assert!(wiped.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(&copy.expose().1, b"key!", "a clone is its own copy");
    }
}
