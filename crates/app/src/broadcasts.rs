//! The workspace's broadcasts and their reports, read from the cache (they arrive through the
//! feed like every entity, so they show offline).

use serde::{Deserialize, Serialize};
use stepup_protocol::{
    Audience, Broadcast, BroadcastReport, BroadcastState, NewBroadcast, TemplateParam,
};
use stepup_sync::client::Method;

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

/// What `create_broadcast` takes (see `stepup_protocol::NewBroadcast`).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NewBroadcastArgs {
    pub name: String,
    pub template_id: String,
    pub params: Vec<TemplateParam>,
    pub audience: Audience,
    /// A wall-clock time in the workspace's zone (`2026-12-05T10:00`); absent: now.
    #[ts(optional)]
    pub send_at: Option<String>,
}

fn view(b: Broadcast, names: &Names) -> BroadcastView {
    BroadcastView {
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
    }
}

impl Inbox {
    /// The broadcasts, newest first.
    pub async fn broadcasts(&self) -> Result<Vec<BroadcastView>, AppError> {
        self.with_session(async |s| {
            let names = Names::load(&s.store).await?;
            let mut all: Vec<Broadcast> = s.store.entities("broadcast").await?;
            all.sort_by(|a, b| b.send_at.cmp(&a.send_at).then_with(|| b.id.cmp(&a.id)));
            Ok(all.into_iter().map(|b| view(b, &names)).collect())
        })
        .await
    }

    /// Schedules a broadcast on the cloud (supervisors and admins). It needs the cloud:
    /// offline it fails with `unreachable`; the cloud's refusals (a template not approved, an
    /// empty audience, a time in the past, a role that may not) come back as `rejected`.
    pub async fn create_broadcast(
        &self,
        args: NewBroadcastArgs,
    ) -> Result<BroadcastView, AppError> {
        self.with(async |a| {
            let b: Broadcast = a
                .session
                .client
                .command(
                    Method::POST,
                    "/v1/broadcasts",
                    &NewBroadcast {
                        name: args.name,
                        template_id: args.template_id,
                        params: args.params,
                        audience: args.audience,
                        send_at: args.send_at.filter(|s| !s.trim().is_empty()),
                    },
                )
                .await?;
            let names = Names::load(&a.session.store).await?;
            Ok(view(b, &names))
        })
        .await
    }
}
