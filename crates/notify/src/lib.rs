//! Native notifications: where the app decides what deserves one, and shows it.
//!
//! - [`policy`]: the decision, pure and synchronous, with the time passed in
//!   (who it is for, mute, Do Not Disturb, focus, the initial sync, grouping
//!   bursts and the rate limit).
//! - [`text`]: the words, from `i18n/` in the app's language, without bidi
//!   isolation marks.
//! - [`notifier`]: the [`Notifier`] trait and the OS implementation
//!   (notify-rust; D-Bus on Linux with an "Open" action and the `default`
//!   click action).
//! - [`service`]: follows a sync engine's events, resolves them in the cache
//!   and shows what the policy decides.
//! - `testserver` (feature `test-server`): a recording
//!   `org.freedesktop.Notifications` server for tests and benchmarks.

pub mod notifier;
pub mod policy;
pub mod service;
pub mod text;

#[cfg(all(feature = "test-server", unix, not(target_os = "macos")))]
pub mod testserver;

pub use notifier::{Activation, DesktopNotifier, Notifier, NotifyError, Request};
pub use policy::{DndSchedule, Focus, Me, Now, Policy, PolicyConfig, Prefs};
pub use service::{Notifications, Outcome};
