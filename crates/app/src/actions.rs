//! What an agent does to a conversation beyond writing: assign, change the
//! status, label, prioritise, add private notes, send templates, retry or
//! discard a failed message, read older history. (Suggested replies and summaries:
//! `assistant.rs`.)
//!
//! Messages and templates go through the outbox, so they work offline.
//! Conversation changes and notes need the cloud: offline they fail with
//! `unreachable` and change nothing; the change arrives in the cache through
//! the sync feed like every other.

use serde::Deserialize;
use stepup_protocol::{
    AddNoteRequest, Assignee, ConversationStatus, MarkReadRequest, MergeContactRequest, Priority,
    SendMessageRequest, SplitContactRequest, UpdateContactRequest, UpdateConversationRequest,
};
use stepup_sync::client::{Method, urlencode};

use crate::{
    AppError,
    inbox::Inbox,
    views::{Directory, LabelView, TeamView, agent_view, canned_view, template_view},
};

/// A change to a conversation.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    AssignAgent {
        agent_id: String,
    },
    AssignTeam {
        team_id: String,
    },
    Unassign,
    /// `snoozed` needs `snoozedUntil`.
    Status {
        status: ConversationStatus,
        #[ts(optional, type = "number")]
        snoozed_until: Option<i64>,
    },
    /// Replaces the conversation's labels.
    Labels {
        label_ids: Vec<String>,
    },
    Priority {
        priority: Priority,
    },
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationAction {
    pub conversation_id: String,
    pub action: Action,
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AddNote {
    pub conversation_id: String,
    /// `@Name` mentions are resolved to agents by the cloud.
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SendTemplate {
    pub conversation_id: String,
    pub template_id: String,
    pub params: Vec<String>,
}

/// An edit of a customer: each field given is set (an empty language or email forgets it; an
/// attribute set to `null` is removed).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateContact {
    pub contact_id: String,
    #[ts(optional)]
    pub name: Option<String>,
    #[ts(optional)]
    pub language: Option<String>,
    #[ts(optional)]
    pub email: Option<String>,
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, Option<String>>,
}

/// `fromContactId` becomes part of `contactId`: one customer across channels.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeContacts {
    pub contact_id: String,
    pub from_contact_id: String,
}

/// The identity becomes a customer of its own.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SplitContact {
    pub contact_id: String,
    pub channel: stepup_protocol::Channel,
    pub external_id: String,
}

impl Action {
    fn request(&self) -> Result<UpdateConversationRequest, AppError> {
        let mut req = UpdateConversationRequest::default();
        match self {
            Action::AssignAgent { agent_id } => {
                req.assignee = Some(Assignee::Agent {
                    id: agent_id.clone(),
                });
            }
            Action::AssignTeam { team_id } => {
                req.assignee = Some(Assignee::Team {
                    id: team_id.clone(),
                });
            }
            Action::Unassign => req.assignee = Some(Assignee::Nobody),
            Action::Status {
                status,
                snoozed_until,
            } => {
                let status = *status;
                if status == ConversationStatus::Snoozed && snoozed_until.is_none() {
                    return Err(AppError::InvalidInput("snoozing needs a time".into()));
                }
                req.status = Some(status);
                req.snoozed_until = *snoozed_until;
            }
            Action::Labels { label_ids } => req.labels = Some(label_ids.clone()),
            Action::Priority { priority } => {
                req.priority = Some(*priority);
            }
        }
        Ok(req)
    }
}

fn path(conversation_id: &str, rest: &str) -> String {
    format!("/v1/conversations/{}{rest}", urlencode(conversation_id))
}

impl Inbox {
    /// The signed-in agent and the workspace's agents, teams, labels,
    /// canned responses and approved templates.
    pub async fn directory(&self) -> Result<Directory, AppError> {
        self.with(async |a| {
            let store = &a.session.store;
            let agents: Vec<stepup_protocol::Agent> = store.entities("agent").await?;
            let teams: Vec<stepup_protocol::Team> = store.entities("team").await?;
            let labels: Vec<stepup_protocol::Label> = store.entities("label").await?;
            let canned: Vec<stepup_protocol::CannedResponse> =
                store.entities("canned_response").await?;
            let templates: Vec<stepup_protocol::Template> = store.entities("template").await?;
            let me = agents
                .iter()
                .find(|x| x.id == a.session.account.agent_id)
                .map(agent_view);
            let mut agents: Vec<_> = agents.iter().map(agent_view).collect();
            agents.sort_by(|x, y| x.name.cmp(&y.name));
            Ok(Directory {
                me,
                agents,
                teams: teams
                    .into_iter()
                    .map(|t| TeamView {
                        id: t.id,
                        name: t.name,
                    })
                    .collect(),
                labels: labels
                    .into_iter()
                    .map(|l| LabelView {
                        id: l.id,
                        name: l.name,
                        color: l.color,
                    })
                    .collect(),
                canned: canned.into_iter().map(canned_view).collect(),
                templates: templates.into_iter().filter_map(template_view).collect(),
            })
        })
        .await
    }

    /// Changes a conversation in the cloud; the change comes back through
    /// the feed.
    pub async fn act(&self, args: ConversationAction) -> Result<(), AppError> {
        let request = args.action.request()?;
        self.with(async |a| {
            let _: stepup_protocol::Conversation = a
                .session
                .client
                .command(Method::PATCH, &path(&args.conversation_id, ""), &request)
                .await?;
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Edits a customer in the cloud; the change comes back through the feed.
    pub async fn update_contact(&self, args: UpdateContact) -> Result<(), AppError> {
        if args.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(AppError::InvalidInput("an empty name".into()));
        }
        let request = UpdateContactRequest {
            name: args.name,
            language: args.language,
            email: args.email,
            attributes: args.attributes,
        };
        self.contact_command(&args.contact_id, "", Method::PATCH, &request)
            .await
    }

    /// Merges two customers into one; the contact, its conversations and the merged contact's
    /// deletion come back through the feed.
    pub async fn merge_contacts(&self, args: MergeContacts) -> Result<(), AppError> {
        if args.contact_id == args.from_contact_id {
            return Err(AppError::InvalidInput(
                "a customer cannot be merged with themselves".into(),
            ));
        }
        let request = MergeContactRequest {
            from_contact_id: args.from_contact_id,
        };
        self.contact_command(&args.contact_id, "/merge", Method::POST, &request)
            .await
    }

    /// Splits an identity off into a customer of its own.
    pub async fn split_contact(&self, args: SplitContact) -> Result<(), AppError> {
        let request = SplitContactRequest {
            channel: args.channel,
            external_id: args.external_id,
        };
        self.contact_command(&args.contact_id, "/split", Method::POST, &request)
            .await
    }

    async fn contact_command<B: serde::Serialize + Sync>(
        &self,
        contact_id: &str,
        rest: &str,
        method: Method,
        body: &B,
    ) -> Result<(), AppError> {
        let path = format!("/v1/contacts/{}{rest}", urlencode(contact_id));
        self.with(async |a| {
            let _: stepup_protocol::Contact = a.session.client.command(method, &path, body).await?;
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Adds a private note (agents only, never sent to the customer).
    pub async fn add_note(&self, args: AddNote) -> Result<(), AppError> {
        let body = args.body.trim();
        if body.is_empty() {
            return Err(AppError::InvalidInput("an empty note".into()));
        }
        self.with(async |a| {
            let _: stepup_protocol::Note = a
                .session
                .client
                .command(
                    Method::POST,
                    &path(&args.conversation_id, "/notes"),
                    &AddNoteRequest {
                        body: body.to_owned(),
                    },
                )
                .await?;
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Queues an approved template (allowed outside the reply window).
    pub async fn send_template(&self, args: SendTemplate) -> Result<(), AppError> {
        if args.params.iter().any(|p| p.trim().is_empty()) {
            return Err(AppError::InvalidInput(
                "every template parameter needs a value".into(),
            ));
        }
        self.with(async |a| {
            a.engine
                .enqueue(
                    &args.conversation_id,
                    &SendMessageRequest::Template {
                        template_id: args.template_id.clone(),
                        params: args.params.clone(),
                    },
                )
                .await?;
            Ok(())
        })
        .await
    }

    /// Sends a failed outbox message again, with its original idempotency
    /// key (so it can never arrive twice).
    pub async fn retry_message(&self, local_id: String) -> Result<(), AppError> {
        self.with(async |a| {
            let now = crate::now_ms();
            if !a.session.store.outbox_retry_now(&local_id, now).await? {
                return Err(AppError::NotFound(local_id.clone()));
            }
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Drops a failed message from the outbox.
    pub async fn discard_message(&self, local_id: String) -> Result<(), AppError> {
        self.with(async |a| {
            if !a.session.store.outbox_discard(&local_id).await? {
                return Err(AppError::NotFound(local_id.clone()));
            }
            Ok(())
        })
        .await
    }

    /// Tells the cloud the team has read the conversation up to its latest
    /// customer message. Best effort: offline it is done on the next open.
    pub async fn mark_read(&self, conversation_id: String) -> Result<(), AppError> {
        self.with(async |a| {
            let messages = a.session.store.messages(&conversation_id, None, 50).await?;
            let Some(last) = messages
                .iter()
                .rev()
                .find(|m| m.direction == stepup_protocol::Direction::Inbound)
            else {
                return Ok(());
            };
            let body = MarkReadRequest {
                message_id: last.id.clone(),
            };
            let done: Result<serde_json::Value, _> = a
                .session
                .client
                .command(Method::POST, &path(&conversation_id, "/read"), &body)
                .await;
            if let Err(e) = done {
                tracing::debug!(error = %e, "mark read later");
            }
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Marks the conversation unread from its latest customer message, for the whole team.
    /// Unlike reading, this is the agent's explicit request: an error (offline included) is
    /// theirs to see.
    pub async fn mark_unread(&self, conversation_id: String) -> Result<(), AppError> {
        self.with(async |a| {
            let _: stepup_protocol::Conversation = a
                .session
                .client
                .command(
                    Method::POST,
                    &path(&conversation_id, "/unread"),
                    &serde_json::json!({}),
                )
                .await?;
            a.engine.nudge();
            Ok(())
        })
        .await
    }

    /// Fetches older history than the cache holds; returns whether there is
    /// still more.
    pub async fn load_older(&self, conversation_id: String) -> Result<bool, AppError> {
        self.with(async |a| {
            let (_, more) = a.engine.load_older(&conversation_id, 100).await?;
            Ok(more)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_become_the_clouds_requests() {
        let r = Action::Status {
            status: ConversationStatus::Snoozed,
            snoozed_until: Some(5),
        }
        .request()
        .unwrap();
        assert_eq!(r.status, Some(ConversationStatus::Snoozed));
        assert_eq!(r.snoozed_until, Some(5));
        assert!(matches!(
            Action::Status {
                status: ConversationStatus::Snoozed,
                snoozed_until: None
            }
            .request(),
            Err(AppError::InvalidInput(_))
        ));
        // A priority that does not exist never reaches the app: the action does not decode.
        assert!(
            serde_json::from_str::<Action>(r#"{"type":"priority","priority":"extreme"}"#).is_err()
        );
        assert_eq!(
            Action::Priority {
                priority: Priority::Urgent
            }
            .request()
            .unwrap()
            .priority,
            Some(Priority::Urgent)
        );
        let json: Action =
            serde_json::from_str(r#"{"type":"assign_agent","agentId":"agt_1"}"#).unwrap();
        assert!(matches!(json, Action::AssignAgent { agent_id } if agent_id == "agt_1"));
    }
}
