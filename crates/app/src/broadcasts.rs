//! The workspace's broadcasts and their reports, read from the cache (they arrive through the
//! feed like every entity, so they show offline).

use serde::Serialize;
use stepup_protocol::{Broadcast, BroadcastReport, BroadcastState};

use crate::{AppError, inbox::Inbox, views::Names};

/// A broadcast as the UI lists it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BroadcastView {
    pub id: String,
    pub name: String,
    pub template_name: String,
    pub language: String,
    pub state: BroadcastState,
    #[ts(type = "number")]
    pub send_at: i64,
    pub time_zone: String,
    /// Who scheduled it.
    pub created_by: Option<String>,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    pub report: BroadcastReport,
}

impl Inbox {
    /// The broadcasts, newest first.
    pub async fn broadcasts(&self) -> Result<Vec<BroadcastView>, AppError> {
        self.with_session(async |s| {
            let names = Names::load(&s.store).await?;
            let mut all: Vec<Broadcast> = s.store.entities("broadcast").await?;
            all.sort_by(|a, b| b.send_at.cmp(&a.send_at).then_with(|| b.id.cmp(&a.id)));
            Ok(all
                .into_iter()
                .map(|b| BroadcastView {
                    created_by: names.agents.get(&b.created_by_agent_id).cloned(),
                    id: b.id,
                    name: crate::views::plain_name(&b.name),
                    template_name: b.template_name,
                    language: b.language,
                    state: b.state,
                    send_at: b.send_at,
                    time_zone: b.time_zone,
                    finished_at: b.finished_at,
                    report: b.report,
                })
                .collect())
        })
        .await
    }
}
