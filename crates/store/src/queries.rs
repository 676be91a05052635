//! Reading the cache: the conversation list with filters and a conversation's messages
//! (search is `search.rs`).

use serde::Serialize;
use sqlx::AssertSqlSafe;
use sqlx::{QueryBuilder, Row, Sqlite};
use stepup_protocol::{Channel, Contact, Conversation, ConversationStatus, Message, Note};

use crate::{Result, Store, StoreError};

/// Whose conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Assigned to this agent.
    Agent(String),
    /// Assigned to no agent.
    Nobody,
}

#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub channel: Option<Channel>,
    pub status: Option<ConversationStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub label: Option<String>,
    /// Only this contact's conversations.
    pub contact: Option<String>,
    /// Only conversations assigned to one of these teams (and to nobody in
    /// particular when `assignee` is [`AssigneeFilter::Nobody`]).
    pub teams: Vec<String>,
    /// Only conversations with unread customer messages.
    pub unread_only: bool,
    pub sort: ListSort,
    pub limit: u32,
    pub offset: u32,
}

/// How the conversation list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ListSort {
    /// Latest activity first.
    #[default]
    Latest,
    /// Customers waiting for an answer first, the longest-waiting on top.
    Waiting,
    /// Urgent first, then high, normal and low; the latest activity first within each.
    Priority,
    /// The nearest SLA deadline first (overdue ones on top); those without one last.
    SlaDue,
}

impl ListSort {
    pub const ALL: &[ListSort] = &[
        ListSort::Latest,
        ListSort::Waiting,
        ListSort::Priority,
        ListSort::SlaDue,
    ];

    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            ListSort::Latest => "latest",
            ListSort::Waiting => "waiting",
            ListSort::Priority => "priority",
            ListSort::SlaDue => "sla_due",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationRow {
    pub conversation: Conversation,
    pub contact_name: Option<String>,
}

pub(crate) fn push_conversation_filters<'a>(
    q: &mut QueryBuilder<Sqlite>,
    channel: &'a Option<Channel>,
    status: &'a Option<ConversationStatus>,
    assignee: &'a Option<AssigneeFilter>,
    label: &'a Option<String>,
) {
    if let Some(channel) = channel {
        q.push(" AND c.channel = ").push_bind(channel.as_str());
    }
    if let Some(status) = status {
        q.push(" AND c.status = ").push_bind(status.as_str());
    }
    match assignee {
        Some(AssigneeFilter::Nobody) => {
            q.push(" AND c.assignee_agent_id IS NULL");
        }
        Some(AssigneeFilter::Agent(agent)) => {
            q.push(" AND c.assignee_agent_id = ").push_bind(agent);
        }
        None => {}
    }
    if let Some(label) = label {
        // Through the label's index: the conversations that carry it, not every conversation
        // asked whether it does.
        q.push(
            " AND c.id IN (SELECT l.conversation_id FROM conversation_labels l WHERE l.label = ",
        )
        .push_bind(label)
        .push(")");
    }
}

/// The `WHERE` terms of the conversation list (after `WHERE 1 = 1`, table alias `c`).
pub(crate) fn push_list_filter(q: &mut QueryBuilder<Sqlite>, filter: &ConversationFilter) {
    push_conversation_filters(
        q,
        &filter.channel,
        &filter.status,
        &filter.assignee,
        &filter.label,
    );
    if !filter.teams.is_empty() {
        q.push(" AND c.assignee_team_id IN (");
        let mut list = q.separated(", ");
        for team in &filter.teams {
            list.push_bind(team);
        }
        q.push(")");
    }
    if let Some(contact) = &filter.contact {
        q.push(" AND c.contact_id = ").push_bind(contact);
    }
    if filter.unread_only {
        q.push(" AND c.unread_count > 0");
    }
}

impl Store {
    /// Conversations, latest activity first.
    pub async fn conversations(&self, filter: &ConversationFilter) -> Result<Vec<ConversationRow>> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT c.data, p.name FROM conversations c LEFT JOIN contacts p ON p.id = c.contact_id WHERE 1 = 1",
        );
        push_list_filter(&mut q, filter);
        q.push(match filter.sort {
            ListSort::Latest => " ORDER BY c.last_message_at DESC, c.id",
            // The customer is waiting when their message is the latest one.
            ListSort::Waiting => {
                " ORDER BY (c.last_inbound_at IS NULL OR c.last_inbound_at < c.last_message_at),
                   c.last_inbound_at ASC, c.id"
            }
            ListSort::Priority => {
                " ORDER BY CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
                   c.last_message_at DESC, c.id"
            }
            ListSort::SlaDue => " ORDER BY c.sla_due_at IS NULL, c.sla_due_at ASC, c.last_message_at DESC, c.id",
        });
        q.push(" LIMIT ")
            .push_bind(i64::from(if filter.limit == 0 {
                100
            } else {
                filter.limit
            }))
            .push(" OFFSET ")
            .push_bind(i64::from(filter.offset));
        let rows = q.build().fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|row| {
                Ok(ConversationRow {
                    conversation: serde_json::from_str(row.get::<&str, _>(0))?,
                    contact_name: row.get(1),
                })
            })
            .collect()
    }

    /// The conversations with these ids that are in the cache (others are left out), latest
    /// first, with their contacts' names.
    pub async fn conversations_by_id(&self, ids: &[String]) -> Result<Vec<ConversationRow>> {
        // Well under SQLite's limit of bound parameters per statement.
        const CHUNK: usize = 500;
        let ids: Vec<&String> = ids
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT c.data, p.name FROM conversations c
                 LEFT JOIN contacts p ON p.id = c.contact_id WHERE c.id IN (",
            );
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            for row in q.build().fetch_all(self.pool()).await? {
                out.push(ConversationRow {
                    conversation: serde_json::from_str(row.get::<&str, _>(0))?,
                    contact_name: row.get(1),
                });
            }
        }
        out.sort_by(|a, b| {
            (b.conversation.last_message_at)
                .cmp(&a.conversation.last_message_at)
                .then_with(|| a.conversation.id.cmp(&b.conversation.id))
        });
        Ok(out)
    }

    /// How many conversations `filter` lets through (its `limit`, `offset`
    /// and `sort` aside): the length of the list a window is cut from.
    pub async fn conversation_count(&self, filter: &ConversationFilter) -> Result<u32> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM conversations c WHERE 1 = 1");
        push_list_filter(&mut q, filter);
        let n: i64 = q.build_query_scalar().fetch_one(self.pool()).await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The reference data of one kind (`agent`, `team`, `label`,
    /// `canned_response`, `template`, `workspace`), ordered by id.
    pub async fn entities<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM entities WHERE kind = ? ORDER BY id")
                .bind(kind)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|d| serde_json::from_str(d).map_err(StoreError::from))
            .collect()
    }

    /// The workspace's privacy settings as last synced (the defaults before the first sync).
    pub async fn workspace_privacy(&self) -> Result<stepup_protocol::WorkspacePrivacy> {
        Ok(self
            .entities::<stepup_protocol::Workspace>("workspace")
            .await?
            .into_iter()
            .next()
            .map(|w| w.privacy)
            .unwrap_or_default())
    }

    /// The role of `agent_id` as last synced, if the cache knows the agent.
    pub async fn agent_role(&self, agent_id: &str) -> Result<Option<stepup_protocol::Role>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM entities WHERE kind = 'agent' AND id = ?")
                .bind(agent_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(match data {
            Some(d) => Some(serde_json::from_str::<stepup_protocol::Agent>(&d)?.role),
            None => None,
        })
    }

    /// Unread customer messages over every conversation (one aggregate,
    /// cheap enough to follow every change).
    pub async fn unread_total(&self) -> Result<u32> {
        // The condition lets SQLite read the partial index `conversations_unread` alone.
        let n: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(unread_count), 0) FROM conversations WHERE unread_count > 0",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Each conversation's id and the agent it is assigned to, if any (without reading
    /// the conversations themselves).
    pub async fn assignees(&self) -> Result<Vec<(String, Option<String>)>> {
        Ok(
            sqlx::query_as("SELECT id, assignee_agent_id FROM conversations")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// One message by id.
    pub async fn message(&self, id: &str) -> Result<Option<Message>> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM messages WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        data.map(|d| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    pub async fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM conversations WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    pub async fn contact(&self, id: &str) -> Result<Option<Contact>> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM contacts WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Another synced entity (`agent`, `team`, `workspace`, …) by kind and id.
    pub async fn entity<T: serde::de::DeserializeOwned>(
        &self,
        kind: stepup_protocol::EntityKind,
        id: &str,
    ) -> Result<Option<T>> {
        let data: Option<String> =
            sqlx::query_scalar("SELECT data FROM entities WHERE kind = ? AND id = ?")
                .bind(kind.as_str())
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// A conversation's cached messages, oldest first: the latest `limit`
    /// before `before` (Unix ms), or the latest overall.
    pub async fn messages(
        &self,
        conversation_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM (SELECT data, created_at, id FROM messages
                WHERE conversation_id = ? AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?)
             ORDER BY created_at, id",
        )
        .bind(conversation_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit.max(1)))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    /// When the oldest cached message of a conversation was written.
    pub async fn oldest_message_at(&self, conversation_id: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT min(created_at) FROM messages WHERE conversation_id = ?")
                .bind(conversation_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn notes(&self, conversation_id: &str) -> Result<Vec<Note>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM notes WHERE conversation_id = ? ORDER BY created_at, id",
        )
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    /// The notes on all of a customer's conversations, newest first.
    pub async fn contact_notes(&self, contact_id: &str, limit: u32) -> Result<Vec<Note>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT n.data FROM notes n JOIN conversations c ON c.id = n.conversation_id
             WHERE c.contact_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
        )
        .bind(contact_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    /// How many of a conversation's cached messages are at or after `message_id` (the newest
    /// first: how far back the timeline must reach to show it); `None` when it is not cached.
    pub async fn messages_from(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<Option<u32>> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM messages m
                     WHERE m.conversation_id = t.conversation_id
                       AND (m.created_at > t.created_at OR (m.created_at = t.created_at AND m.id >= t.id)))
             FROM messages t WHERE t.id = ? AND t.conversation_id = ?",
        )
        .bind(message_id)
        .bind(conversation_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(n.map(|n| n as u32))
    }

    /// Counts of cached rows, by table.
    pub async fn counts(&self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for table in [
            "conversations",
            "messages",
            "contacts",
            "notes",
            "entities",
            "outbox",
        ] {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(self.pool())
                .await?;
            out.push((table.to_owned(), n));
        }
        Ok(out)
    }
}
