//! What the analytics dashboard reads from the cache: the conversations in scope with their
//! timelines, reduced to who wrote what when, and the reference data that names things. The
//! figures themselves are computed by `stepup-analytics`.
//!
//! One statement reads the conversations and every timeline through the covering index
//! `messages_timeline` (migration 0003), each conversation's entries packed into one string, so
//! a 90-day range over a million messages crosses from SQLite in as many rows as conversations.

use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Result, Store, StoreError};

/// Which conversations the dashboard looks at.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsScope {
    /// Conversations with activity (or a resolution) at or after this instant, Unix ms.
    pub active_since: i64,
    /// Conversations created before this instant, Unix ms.
    pub created_before: i64,
    /// Timeline entries at or after this instant are read, Unix ms.
    pub entries_since: i64,
    pub channel: Option<String>,
    /// Team the conversation is assigned to.
    pub team: Option<String>,
    /// Agent the conversation is assigned to.
    pub agent: Option<String>,
    /// Label id.
    pub label: Option<String>,
}

/// Who wrote a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The customer.
    Inbound,
    /// An agent's reply.
    Human,
    /// The AI assistant's reply.
    Ai,
    /// An automated flow (greeting, away message, survey).
    Bot,
    /// A timeline event, not a message.
    System,
}

impl EntryKind {
    fn from_code(code: i64) -> EntryKind {
        match code {
            0 => EntryKind::Inbound,
            1 => EntryKind::Human,
            2 => EntryKind::Ai,
            3 => EntryKind::Bot,
            _ => EntryKind::System,
        }
    }
}

/// The `kind` column of a message: 0 customer, 1 agent, 2 AI, 3 bot, 4 timeline event.
pub(crate) fn kind_code(m: &stepup_protocol::Message) -> i64 {
    use stepup_protocol::{Direction, Origin};
    match (m.direction, m.origin) {
        (Direction::Inbound, _) => 0,
        (_, Origin::Human) => 1,
        (_, Origin::Ai) => 2,
        (_, Origin::Bot) => 3,
        (_, Origin::System) => 4,
    }
}

/// One entry of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub at: i64,
    pub kind: EntryKind,
    /// Index into [`AnalyticsData::agents`] of the agent who sent it.
    pub agent: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct AnalyticsConversation {
    pub id: String,
    pub channel: String,
    pub status: String,
    pub assignee_agent_id: Option<String>,
    pub assignee_team_id: Option<String>,
    pub labels: Vec<String>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub csat: Option<u8>,
    /// Oldest first.
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default)]
pub struct AnalyticsData {
    pub conversations: Vec<AnalyticsConversation>,
    /// Agent ids that sent timeline entries, indexed by [`Entry::agent`].
    pub agents: Vec<String>,
}

/// A named thing of the workspace (agent, team, label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// The workspace's reference data, as cached.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsReference {
    /// The workspace's IANA time zone, when the workspace is cached.
    pub time_zone: Option<String>,
    pub agents: Vec<Named>,
    pub teams: Vec<Named>,
    pub labels: Vec<Named>,
}

impl Store {
    /// The conversations in `scope` with their timelines.
    pub async fn analytics_data(&self, scope: &AnalyticsScope) -> Result<AnalyticsData> {
        // One row per conversation, its timeline packed by a correlated subquery that walks
        // the covering index `messages_timeline` in time order (no sort, no temporary table):
        // entries are `(created_at - entries_since) * 8 + kind` (shorter numbers to write and
        // read), and an agent's reply (kind 1) carries its sender after a colon.
        // `since` is an integer, written into the statement: it is used three times.
        let since = scope.entries_since;
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT c.id, c.channel, c.status, c.assignee_agent_id, c.assignee_team_id, c.created_at,
                json_extract(c.data, '$.resolved_at'), json_extract(c.data, '$.csat'),
                (SELECT group_concat(l.label, char(31)) FROM conversation_labels l WHERE l.conversation_id = c.id),
                (SELECT group_concat(CASE WHEN m.kind = 1
                            THEN ((m.created_at - {since}) * 8 + 1) || ':' || coalesce(m.sender_agent_id, '')
                            ELSE (m.created_at - {since}) * 8 + m.kind END, ',')
                   FROM messages m WHERE m.conversation_id = c.id AND m.created_at >= {since})
             FROM conversations c WHERE c.created_at < "
        ));
        q.push_bind(scope.created_before);
        q.push(" AND (c.last_message_at >= ")
            .push_bind(scope.active_since)
            .push(" OR json_extract(c.data, '$.resolved_at') >= ")
            .push_bind(scope.active_since)
            .push(")");
        push_scope_filters(&mut q, scope);
        // Newest first: the order the drill-down lists them in.
        q.push(" ORDER BY c.created_at DESC, c.id");
        let rows = q.build().fetch_all(self.pool()).await?;
        let mut conversations = Vec::with_capacity(rows.len());
        let mut agents: Vec<String> = Vec::new();
        let mut agent_index: std::collections::HashMap<String, u32> =
            std::collections::HashMap::new();
        for row in rows {
            let packed: Option<&str> = row.get(9);
            let mut entries = Vec::new();
            if let Some(packed) = packed {
                entries.reserve(packed.len() / 15);
                for item in packed.split(',') {
                    let (code, sender) = match item.split_once(':') {
                        Some((code, sender)) => (code, Some(sender)),
                        None => (item, None),
                    };
                    let code: i64 = code
                        .parse()
                        .map_err(|_| StoreError::Data("a malformed timeline entry".into()))?;
                    let agent = match sender {
                        Some("") | None => None,
                        Some(a) => Some(match agent_index.get(a) {
                            Some(&n) => n,
                            None => {
                                let n = u32::try_from(agents.len()).unwrap_or(u32::MAX);
                                agents.push(a.to_owned());
                                agent_index.insert(a.to_owned(), n);
                                n
                            }
                        }),
                    };
                    entries.push(Entry {
                        at: scope.entries_since + code.div_euclid(8),
                        kind: EntryKind::from_code(code.rem_euclid(8)),
                        agent,
                    });
                }
                // In index order already; equal times keep their order.
                entries.sort_by_key(|e| e.at);
            }
            conversations.push(AnalyticsConversation {
                id: row.get(0),
                channel: row.get(1),
                status: row.get(2),
                assignee_agent_id: row.get(3),
                assignee_team_id: row.get(4),
                created_at: row.get(5),
                resolved_at: row.get(6),
                csat: row
                    .get::<Option<i64>, _>(7)
                    .and_then(|v| u8::try_from(v).ok()),
                labels: row
                    .get::<Option<String>, _>(8)
                    .map(|l| l.split('\u{1f}').map(str::to_owned).collect())
                    .unwrap_or_default(),
                entries,
            });
        }
        Ok(AnalyticsData {
            conversations,
            agents,
        })
    }

    /// The workspace's time zone and the names of its agents, teams and labels.
    pub async fn analytics_reference(&self) -> Result<AnalyticsReference> {
        let rows = sqlx::query(
            "SELECT kind, id, json_extract(data, '$.name'), json_extract(data, '$.time_zone')
             FROM entities WHERE kind IN ('workspace', 'agent', 'team', 'label') ORDER BY kind, id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = AnalyticsReference::default();
        for row in rows {
            let kind: &str = row.get(0);
            let named = Named {
                id: row.get(1),
                name: row.get::<Option<String>, _>(2).unwrap_or_default(),
            };
            match kind {
                "workspace" => out.time_zone = row.get(3),
                "agent" => out.agents.push(named),
                "team" => out.teams.push(named),
                _ => out.labels.push(named),
            }
        }
        for list in [&mut out.agents, &mut out.teams, &mut out.labels] {
            list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        }
        Ok(out)
    }
}

fn push_scope_filters(q: &mut QueryBuilder<Sqlite>, scope: &AnalyticsScope) {
    if let Some(channel) = &scope.channel {
        q.push(" AND c.channel = ").push_bind(channel.clone());
    }
    if let Some(team) = &scope.team {
        q.push(" AND c.assignee_team_id = ").push_bind(team.clone());
    }
    if let Some(agent) = &scope.agent {
        q.push(" AND c.assignee_agent_id = ")
            .push_bind(agent.clone());
    }
    if let Some(label) = &scope.label {
        q.push(" AND EXISTS (SELECT 1 FROM conversation_labels l WHERE l.conversation_id = c.id AND l.label = ")
            .push_bind(label.clone())
            .push(")");
    }
}
