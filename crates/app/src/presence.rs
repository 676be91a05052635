//! Away by itself: when the screen locks, the machine sleeps or nobody
//! touched it for the chosen number of minutes; back (and syncing at once)
//! on wake, unlock or when the network returns. On Linux these come from
//! D-Bus: the screensaver's `ActiveChanged` (session bus), logind's
//! `PrepareForSleep` and NetworkManager's `StateChanged` (system bus), and
//! the idle time from GNOME's idle monitor or the freedesktop screensaver.

use std::sync::Arc;

use crate::notifications::Desktop;

/// What the machine is doing, as far as availability goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MachineState {
    pub locked: bool,
    pub asleep: bool,
    /// Milliseconds since the last input, when known.
    pub idle_ms: Option<u64>,
}

impl MachineState {
    /// Whether the agent counts as away, with `away_after_minutes` (0: never by idleness).
    pub fn away(&self, away_after_minutes: u16) -> bool {
        let idle = away_after_minutes > 0
            && self
                .idle_ms
                .is_some_and(|ms| ms >= u64::from(away_after_minutes) * 60_000);
        self.locked || self.asleep || idle
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::{sync::Arc, time::Duration};

    use futures_util::StreamExt;
    use zbus::{Connection, MatchRule, MessageStream};

    use super::MachineState;
    use crate::notifications::Desktop;

    /// How often the idle time is read.
    const IDLE_POLL: Duration = Duration::from_secs(30);

    async fn signals(
        conn: &Connection,
        interface: &'static str,
        member: &'static str,
    ) -> zbus::Result<MessageStream> {
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(interface)
            .member(member)
            .build()?;
        MessageStream::for_match_rule(rule, conn, None).await
    }

    async fn idle_ms(conn: &Connection) -> Option<u64> {
        if let Ok(reply) = conn
            .call_method(
                Some("org.gnome.Mutter.IdleMonitor"),
                "/org/gnome/Mutter/IdleMonitor/Core",
                Some("org.gnome.Mutter.IdleMonitor"),
                "GetIdletime",
                &(),
            )
            .await
            && let Ok(ms) = reply.body().deserialize::<u64>()
        {
            return Some(ms);
        }
        let reply = conn
            .call_method(
                Some("org.freedesktop.ScreenSaver"),
                "/org/freedesktop/ScreenSaver",
                Some("org.freedesktop.ScreenSaver"),
                "GetSessionIdleTime",
                &(),
            )
            .await
            .ok()?;
        reply
            .body()
            .deserialize::<u32>()
            .ok()
            .map(|s| u64::from(s) * 1000)
    }

    pub async fn start(
        desktop: Arc<Desktop>,
        away_after_minutes: impl Fn() -> u16 + Send + 'static,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let Ok(session) = Connection::session().await else {
            tracing::info!("no session bus: availability does not follow the screen lock");
            return None;
        };
        let system = Connection::system().await.ok();
        let empty = || futures_util::stream::empty().boxed();
        let boxed = |s: zbus::Result<MessageStream>| match s {
            Ok(s) => s.boxed(),
            Err(e) => {
                tracing::debug!(error = %e, "a presence signal is not available");
                empty()
            }
        };
        let mut fdo_lock =
            boxed(signals(&session, "org.freedesktop.ScreenSaver", "ActiveChanged").await);
        let mut gnome_lock =
            boxed(signals(&session, "org.gnome.ScreenSaver", "ActiveChanged").await);
        let (mut sleep, mut network) = match &system {
            Some(system) => (
                boxed(signals(system, "org.freedesktop.login1.Manager", "PrepareForSleep").await),
                boxed(signals(system, "org.freedesktop.NetworkManager", "StateChanged").await),
            ),
            None => (empty(), empty()),
        };
        Some(tokio::spawn(async move {
            let _keep = system;
            let mut state = MachineState::default();
            let mut poll = tokio::time::interval(IDLE_POLL);
            loop {
                tokio::select! {
                    Some(Ok(msg)) = fdo_lock.next() => {
                        if let Ok(active) = msg.body().deserialize::<bool>() {
                            state.locked = active;
                            if !active { desktop.wake(); }
                        }
                    }
                    Some(Ok(msg)) = gnome_lock.next() => {
                        if let Ok(active) = msg.body().deserialize::<bool>() {
                            state.locked = active;
                            if !active { desktop.wake(); }
                        }
                    }
                    Some(Ok(msg)) = sleep.next() => {
                        if let Ok(start) = msg.body().deserialize::<bool>() {
                            state.asleep = start;
                            if !start { desktop.wake(); }
                        }
                    }
                    Some(Ok(msg)) = network.next() => {
                        // NM_STATE_CONNECTED_GLOBAL: the network is back.
                        if msg.body().deserialize::<u32>() == Ok(70) {
                            desktop.wake();
                        }
                    }
                    _ = poll.tick() => {
                        state.idle_ms = idle_ms(&session).await;
                    }
                }
                desktop.set_idle(state.away(away_after_minutes()));
            }
        }))
    }
}

/// Starts following the machine's lock, sleep, idle and network state;
/// returns once listening (`None` where the OS offers none of these, or off
/// Linux for now: availability then changes only by hand).
pub async fn start(
    desktop: Arc<Desktop>,
    away_after_minutes: impl Fn() -> u16 + Send + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    #[cfg(target_os = "linux")]
    return linux::start(desktop, away_after_minutes).await;
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (desktop, away_after_minutes);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn away_when_locked_asleep_or_idle_long_enough() {
        let s = MachineState::default();
        assert!(!s.away(10));
        assert!(MachineState { locked: true, ..s }.away(10));
        assert!(MachineState { asleep: true, ..s }.away(0));
        let idle = |ms| MachineState {
            idle_ms: Some(ms),
            ..s
        };
        assert!(!idle(9 * 60_000).away(10));
        assert!(idle(10 * 60_000).away(10));
        assert!(!idle(u64::MAX).away(0), "0 minutes: never away by idleness");
    }
}
