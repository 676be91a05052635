//! Supervisor analytics behind the UI: the dashboard of the signed-in account, computed from
//! its encrypted cache (so it works offline), for supervisors and admins only; and its CSV
//! export, written by the backend into the app's `exports` folder.

use serde::Serialize;
use stepup_analytics::{Dashboard, Query};
use stepup_protocol::Role;

use crate::{App, AppError};

/// What the Analytics screen shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsView {
    /// The signed-in agent's role in the workspace (from the cloud).
    pub role: Role,
    /// Only supervisors and admins see the dashboard.
    pub allowed: bool,
    pub dashboard: Option<Dashboard>,
    /// When the period starts before this computer holds every message (the server sends the
    /// last 30 days at sign-in; the history setting keeps so many days): from when the figures
    /// counted from messages are complete. `None`: the whole period is complete.
    #[ts(type = "number | null")]
    pub messages_complete_from: Option<i64>,
}

/// Fetch the workspace's older messages, from this day on, for analytics over an older period.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FetchHistory {
    #[ts(type = "number")]
    pub from: i64,
}

/// What a history fetch did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFetched {
    pub messages: u32,
    /// From when the cache now holds every message.
    #[ts(type = "number")]
    pub complete_from: i64,
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    pub path: String,
}

/// CSV headings in the UI's language.
struct CatalogLabels<'a> {
    app: &'a App,
}

impl stepup_analytics::csv::Labels for CatalogLabels<'_> {
    fn label(&self, id: &str) -> String {
        stepup_i18n::strip_isolation(&self.app.catalog().format(self.app.locale(), id, None))
    }
}

fn analytics_err(e: stepup_analytics::AnalyticsError) -> AppError {
    match e {
        stepup_analytics::AnalyticsError::Range(_)
        | stepup_analytics::AnalyticsError::TimeZone(_) => AppError::InvalidInput(e.to_string()),
        other => AppError::Internal(other.to_string()),
    }
}

impl App {
    /// The dashboard for `query` at `now` (Unix ms).
    pub async fn analytics_at(&self, query: Query, now: i64) -> Result<AnalyticsView, AppError> {
        let history_days = self.get_settings().history_days;
        self.inbox()
            .with_session(async |session| {
                let role = session.account.role;
                if role == Role::Agent {
                    return Ok(AnalyticsView {
                        role,
                        allowed: false,
                        dashboard: None,
                        messages_complete_from: None,
                    });
                }
                let dashboard = stepup_analytics::dashboard(&session.store, &query, now)
                    .await
                    .map_err(analytics_err)?;
                let kept_from = now - i64::from(history_days) * 24 * 3_600_000;
                let complete_from = session
                    .store
                    .messages_complete_from()
                    .await?
                    .map_or(kept_from, |snapshot| snapshot.max(kept_from));
                Ok(AnalyticsView {
                    role,
                    allowed: true,
                    messages_complete_from: (dashboard.from < complete_from)
                        .then_some(complete_from),
                    dashboard: Some(dashboard),
                })
            })
            .await
    }

    /// Fetches the messages the cache lacks from `from` (never before what the history
    /// setting keeps), with `historyProgress` events on the way; resumable.
    pub async fn fetch_history(&self, args: FetchHistory) -> Result<HistoryFetched, AppError> {
        let days = i64::from(self.get_settings().history_days);
        let from = args.from.max(crate::now_ms() - days * 24 * 3_600_000);
        let messages = self.inbox().fetch_history(from).await?;
        Ok(HistoryFetched {
            messages: u32::try_from(messages).unwrap_or(u32::MAX),
            complete_from: from,
        })
    }

    pub async fn analytics(&self, query: Query) -> Result<AnalyticsView, AppError> {
        self.analytics_at(query, crate::now_ms()).await
    }

    /// Writes the dashboard for `query` as CSV (UTF-8 with a byte-order mark, headings in the
    /// UI's language) into `<data dir>/exports/` and returns the file's path.
    pub async fn export_analytics_csv(&self, query: Query) -> Result<ExportedFile, AppError> {
        let view = self.analytics(query).await?;
        let dashboard = view.dashboard.ok_or_else(|| {
            AppError::InvalidInput("analytics is for supervisors and admins".into())
        })?;
        let csv = stepup_analytics::csv::to_csv(&dashboard, &CatalogLabels { app: self });
        let dir = self.paths().data_dir().join("exports");
        let io = |context: String| move |source| AppError::Io { context, source };
        stepup_store::private::create_dir(&dir)
            .map_err(io(format!("cannot create {}", dir.display())))?;
        let name = format!(
            "stepup-analytics-{}-{}.csv",
            dashboard.days.first().map_or("", |d| d.date.as_str()),
            dashboard.days.last().map_or("", |d| d.date.as_str())
        );
        let path = dir.join(name);
        stepup_store::private::write_file(&path, csv.as_bytes())
            .map_err(io(format!("cannot write {}", path.display())))?;
        Ok(ExportedFile {
            path: path.display().to_string(),
        })
    }
}
