//! What the analytics dashboard reads from the cache: the conversations in scope with their
//! timelines, reduced to who wrote what when, and the reference data that names things. The
//! figures themselves are computed by `stepup-analytics`.
//!
//! One statement reads the conversations and every timeline through the covering index
//! `messages_timeline` (migration 0004), each conversation's entries packed into one string, so
//! a 90-day range over a million messages crosses from SQLite in as many rows as conversations.
//! Slices of the conversations are read in parallel, one per core.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use stepup_protocol::{Channel, ConversationStatus};

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
    pub channel: Option<Channel>,
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
    pub channel: Channel,
    pub status: ConversationStatus,
    pub assignee_agent_id: Option<String>,
    pub assignee_team_id: Option<String>,
    pub labels: Vec<String>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub csat: Option<u8>,
    /// The cloud's SLA deadlines for the conversation's current request, when it has a policy.
    pub sla: Option<stepup_protocol::SlaClock>,
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
    /// The conversations in `scope` with their timelines, newest first.
    ///
    /// The work is split into slices of conversations (by rowid) read at once on separate
    /// connections and parsed on separate tasks, one per core the pool can use: walking a
    /// million index entries is CPU-bound, in SQLCipher's page decryption and SQLite's own
    /// record decoding alike.
    pub async fn analytics_data(&self, scope: &AnalyticsScope) -> Result<AnalyticsData> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let slices = cores.clamp(
            1,
            self.pool().options().get_max_connections().max(1) as usize,
        ) as i64;
        let mut tasks = Vec::new();
        for slice in 0..slices {
            let pool = self.pool().clone();
            let scope = scope.clone();
            tasks.push(tokio::spawn(async move {
                read_slice(&pool, &scope, slices, slice).await
            }));
        }
        let mut out = AnalyticsData::default();
        let mut agent_index: HashMap<String, u32> = HashMap::new();
        for task in tasks {
            let part = task
                .await
                .map_err(|e| StoreError::Data(format!("an analytics reader stopped: {e}")))??;
            // Each slice numbered the agents it met; renumber into the shared list.
            let remap: Vec<u32> = part
                .agents
                .iter()
                .map(|id| intern(&mut out.agents, &mut agent_index, id))
                .collect();
            out.conversations
                .extend(part.conversations.into_iter().map(|mut c| {
                    for e in &mut c.entries {
                        e.agent = e.agent.map(|a| remap[a as usize]);
                    }
                    c
                }));
        }
        // Newest first: the order the drill-down lists them in.
        out.conversations.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(out)
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
        q.push(" AND c.channel = ").push_bind(channel.as_str());
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

/// The number of agent `id` in `agents`, added at the end when new (allocating only then).
fn intern(agents: &mut Vec<String>, index: &mut HashMap<String, u32>, id: &str) -> u32 {
    if let Some(&n) = index.get(id) {
        return n;
    }
    let n = u32::try_from(agents.len()).unwrap_or(u32::MAX);
    index.insert(id.to_owned(), n);
    agents.push(id.to_owned());
    n
}

/// The conversations of `scope` whose rowid is `slice` modulo `slices`, with their timelines.
async fn read_slice(
    pool: &SqlitePool,
    scope: &AnalyticsScope,
    slices: i64,
    slice: i64,
) -> Result<AnalyticsData> {
    // One row per conversation, its timeline packed by a correlated subquery that walks the
    // covering index `messages_timeline` in time order (no sort, no temporary table): entries
    // are `(created_at - entries_since) * 8 + kind` (shorter numbers to write and read), and an
    // agent's reply (kind 1) carries its sender after a colon. `since` is an integer, written
    // into the statement: it is used three times.
    let since = scope.entries_since;
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT c.id, c.channel, c.status, c.assignee_agent_id, c.assignee_team_id, c.created_at,
            c.resolved_at, c.csat,
            (SELECT group_concat(l.label, char(31)) FROM conversation_labels l WHERE l.conversation_id = c.id),
            (SELECT group_concat(CASE WHEN m.kind = 1
                        THEN ((m.created_at - {since}) * 8 + 1) || ':' || coalesce(m.sender_agent_id, '')
                        ELSE (m.created_at - {since}) * 8 + m.kind END, ',')
               FROM messages m WHERE m.conversation_id = c.id AND m.created_at >= {since}),
            json_extract(c.data, '$.sla')
         FROM conversations c WHERE c.created_at < "
    ));
    q.push_bind(scope.created_before);
    q.push(" AND (c.last_message_at >= ")
        .push_bind(scope.active_since)
        .push(" OR c.resolved_at >= ")
        .push_bind(scope.active_since)
        .push(")");
    q.push(" AND c.rowid % ")
        .push_bind(slices)
        .push(" = ")
        .push_bind(slice);
    push_scope_filters(&mut q, scope);
    let rows = q.build().fetch_all(pool).await?;
    let mut conversations = Vec::with_capacity(rows.len());
    let mut agents: Vec<String> = Vec::new();
    let mut agent_index: HashMap<String, u32> = HashMap::new();
    for row in rows {
        let packed: Option<&str> = row.get(9);
        let mut entries = Vec::new();
        if let Some(packed) = packed {
            entries.reserve(packed.len() / 12);
            for item in Packed(packed.as_bytes()) {
                let (code, sender) = item?;
                let agent = match sender {
                    Some("") | None => None,
                    Some(a) => Some(intern(&mut agents, &mut agent_index, a)),
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
            channel: {
                let name: &str = row.get(1);
                Channel::parse(name)
                    .ok_or_else(|| StoreError::Data(format!("no channel {name:?}")))?
            },
            status: {
                let name: &str = row.get(2);
                ConversationStatus::parse(name)
                    .ok_or_else(|| StoreError::Data(format!("no status {name:?}")))?
            },
            assignee_agent_id: row.get(3),
            assignee_team_id: row.get(4),
            created_at: row.get(5),
            resolved_at: row.get(6),
            csat: row
                .get::<Option<i64>, _>(7)
                .and_then(|v| u8::try_from(v).ok()),
            sla: row
                .get::<Option<&str>, _>(10)
                .and_then(|v| serde_json::from_str(v).ok()),
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

/// The entries of a packed timeline, `code[:sender],code[:sender],…`, read byte by byte: a
/// million of them are read for a 90-day dashboard.
struct Packed<'a>(&'a [u8]);

impl<'a> Iterator for Packed<'a> {
    type Item = Result<(i64, Option<&'a str>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        let malformed = || StoreError::Data("a malformed timeline entry".into());
        let bytes = self.0;
        let (negative, mut i) = match bytes.first() {
            Some(b'-') => (true, 1),
            _ => (false, 0),
        };
        let digits_from = i;
        let mut code: i64 = 0;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            code = match code
                .checked_mul(10)
                .and_then(|c| c.checked_add(i64::from(b - b'0')))
            {
                Some(c) => c,
                None => return Some(Err(malformed())),
            };
            i += 1;
        }
        if i == digits_from {
            self.0 = &[];
            return Some(Err(malformed()));
        }
        if negative {
            code = -code;
        }
        let mut sender = None;
        if bytes.get(i) == Some(&b':') {
            let start = i + 1;
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |p| start + p);
            // Split at ASCII bytes of a `&str`: still valid UTF-8.
            sender = Some(std::str::from_utf8(&bytes[start..end]).unwrap_or_default());
            i = end;
        }
        match bytes.get(i) {
            None => self.0 = &[],
            Some(b',') if i + 1 < bytes.len() => self.0 = &bytes[i + 1..],
            Some(_) => {
                self.0 = &[];
                return Some(Err(malformed()));
            }
        }
        Some(Ok((code, sender)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(packed: &str) -> Result<Vec<(i64, Option<&str>)>> {
        Packed(packed.as_bytes()).collect()
    }

    #[test]
    fn packed_timelines_are_read_entry_by_entry() {
        assert_eq!(
            read("16,25:agt_1,-8,33:,2").expect("valid"),
            vec![
                (16, None),
                (25, Some("agt_1")),
                (-8, None),
                (33, Some("")),
                (2, None)
            ]
        );
        assert_eq!(read("").expect("empty"), vec![]);
        assert_eq!(
            read("9:وكيل").expect("non-ASCII sender"),
            vec![(9, Some("وكيل"))]
        );
    }

    #[test]
    fn malformed_timelines_are_an_error_not_a_guess() {
        for bad in ["x", "1,,2", "1;2", "-", "99999999999999999999", "1,"] {
            assert!(read(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
