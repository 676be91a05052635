//! Auto-assignment: when a workspace turns it on, a customer's new conversation goes to the next
//! available agent, round robin among the workspace's agents (role `agent`) who are online, each
//! under a cap of open conversations; when all are away or full it stays unassigned for a human
//! to pick. Availability is the presence the app already reports.

use serde::{Deserialize, Serialize};
use stepup_protocol::{
    Agent, Conversation, ConversationEvent, ConversationEventKind, Direction, EntityKind, Message,
    MessageContent, MessageStatus, Presence, Role,
};

use crate::state::AppState;
use crate::store::{self, Writer};

/// A workspace's routing settings (`GET`/`PUT /v1/routing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    pub auto_assign: bool,
    /// Open or pending conversations an agent may hold before the next one passes them by.
    pub max_open_per_agent: u32,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            auto_assign: false,
            max_open_per_agent: 20,
        }
    }
}

impl Routing {
    pub const MAX_CAP: u32 = 1_000;
}

fn key(workspace_id: &str) -> String {
    format!("routing:{workspace_id}")
}

pub async fn routing(state: &AppState, workspace_id: &str) -> Result<Routing, sqlx::Error> {
    Ok(store::workspaces::setting(state.pool(), &key(workspace_id))
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub async fn set_routing(
    state: &AppState,
    workspace_id: &str,
    routing: Routing,
) -> Result<(), sqlx::Error> {
    let value = serde_json::to_string(&routing).unwrap_or_default();
    store::workspaces::set_setting(state.pool(), &key(workspace_id), &value).await
}

/// Assigns a just-created conversation when the workspace routes automatically: the next
/// online agent after the last one picked, under the cap. Writes the assignment and its
/// timeline event into the open transaction.
pub async fn auto_assign(
    state: &AppState,
    w: &mut Writer,
    conv: &mut Conversation,
) -> Result<(), sqlx::Error> {
    let ws = w.workspace_id().to_owned();
    // Read in the transaction: an in-memory database locks its tables to other connections.
    let routing: Routing = store::workspaces::setting_in(w.conn(), &key(&ws))
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    if !routing.auto_assign || conv.assignee_agent_id.is_some() {
        return Ok(());
    }
    let mut agents: Vec<Agent> = store::list(w.conn(), &ws, EntityKind::Agent).await?;
    agents.retain(|a| a.role == Role::Agent && a.presence == Presence::Online);
    if agents.is_empty() {
        return Ok(());
    }
    agents.sort_by(|a, b| a.id.cmp(&b.id));
    let open = store::conversations::open_per_agent(w.conn(), &ws).await?;
    let load = |id: &str| open.iter().find(|(a, _)| a == id).map_or(0, |(_, n)| *n);
    let last = w.lookup("routing", "last").await?;
    let start = last.as_deref().map_or(0, |l| {
        agents.iter().position(|a| a.id.as_str() > l).unwrap_or(0)
    });
    let Some(agent) = (0..agents.len())
        .map(|i| &agents[(start + i) % agents.len()])
        .find(|a| load(&a.id) < i64::from(routing.max_open_per_agent))
    else {
        return Ok(());
    };
    conv.assignee_agent_id = Some(agent.id.clone());
    w.set_lookup("routing", "last", &agent.id).await?;
    let event = Message {
        id: state.message_id(),
        conversation_id: conv.id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: None,
        origin: stepup_protocol::Origin::System,
        content: MessageContent::Event {
            event: ConversationEvent {
                kind: ConversationEventKind::Assigned,
                actor_agent_id: None,
                agent_id: Some(agent.id.clone()),
                team_id: None,
                reason: None,
            },
        },
        reply_to_message_id: None,
        status: MessageStatus::Sent,
        error: None,
        provider_message_id: None,
        created_at: conv.created_at,
        edited_at: None,
    };
    w.put_message(&event).await?;
    Ok(())
}
