//! Helpers shared by the sync tests.

use std::time::Duration;

use stepup_sync::SyncEvent;
use tokio::sync::broadcast;

pub const WAIT: Duration = Duration::from_secs(20);

/// Waits for the first event that `pick` accepts.
pub async fn wait_for<T>(
    rx: &mut broadcast::Receiver<SyncEvent>,
    mut pick: impl FnMut(&SyncEvent) -> Option<T>,
) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            match rx.recv().await {
                Ok(ev) => {
                    if let Some(t) = pick(&ev) {
                        return t;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("event channel closed: {e}"),
            }
        }
    })
    .await
    .expect("the event arrived in time")
}
