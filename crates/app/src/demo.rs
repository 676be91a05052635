//! Demo mode, with the `demo` feature: the reference cloud in-process (see
//! [`Inbox::start_demo`]). Without it the app does not link the cloud and the demo is refused.

#[cfg(not(feature = "demo"))]
use crate::{AppError, inbox::Inbox};

/// The demo's cloud, running in-process beside its session.
#[cfg(feature = "demo")]
pub(crate) use stepup_cloud::RunningServer as DemoCloud;

/// The demo's cloud: without demo mode there never is one.
#[cfg(not(feature = "demo"))]
#[derive(Debug)]
pub(crate) enum DemoCloud {}

#[cfg(not(feature = "demo"))]
impl DemoCloud {
    pub(crate) async fn shutdown(self) {
        match self {}
    }
}

#[cfg(not(feature = "demo"))]
impl Inbox {
    /// This build has no demo mode: refused.
    pub async fn start_demo(
        self: &std::sync::Arc<Self>,
        _data_dir: &std::path::Path,
        _per_minute: f64,
    ) -> Result<(), AppError> {
        Err(AppError::InvalidInput("this build has no demo mode".into()))
    }
}
