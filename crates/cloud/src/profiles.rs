//! Customer names on Messenger and Instagram. Their messaging webhooks carry only the sender's
//! page- or Instagram-scoped id, so a new customer's contact starts out named by that id; the
//! name is then asked for once from the Graph API's user profile (Messenger: `first_name`,
//! `last_name`; Instagram: `name`, else `@username`) with the token of the page or account the
//! customer wrote to (the workspace's connection, else the process-wide one), and the contact is
//! renamed through the feed. Without a token (simulated channels, demo mode) nothing is asked
//! for.

use serde_json::Value;
use stepup_protocol::{Channel, Contact, EntityKind};

use crate::state::AppState;
use crate::store::{self, Placement};

/// Whether customers of `channel` can be named from their profiles (Messenger, Instagram).
pub fn looks_up(channel: Channel) -> bool {
    matches!(channel, Channel::Messenger | Channel::Instagram)
}

/// Names the customers of `channel` (workspace, id) whose contacts are still named by their id.
/// Failures are logged; the contact keeps its id as its name until a later message asks again.
pub async fn name_customers(state: AppState, channel: Channel, customers: Vec<(String, String)>) {
    for (ws, id) in customers {
        if let Err(e) = name_customer(&state, &ws, channel, &id).await {
            tracing::warn!(channel = channel.as_str(), error = %e, "customer profile lookup failed");
        }
    }
}

async fn name_customer(
    state: &AppState,
    ws: &str,
    channel: Channel,
    id: &str,
) -> Result<(), String> {
    let cfg = state
        .outbound_for(ws, channel, id)
        .await
        .map_err(|e| e.to_string())?
        .into_owned();
    let token = match channel {
        Channel::Messenger => cfg.messenger_page_access_token.clone(),
        Channel::Instagram => cfg.instagram_access_token.clone(),
        _ => None,
    };
    let Some(token) = token else {
        return Ok(());
    };
    let Some(contact_id) = unnamed_contact(state, ws, channel, id).await? else {
        return Ok(());
    };
    let Some(name) = fetch_name(state, &cfg, &token, channel, id).await? else {
        return Ok(());
    };
    let db = |e: sqlx::Error| e.to_string();
    let mut w = state.write(ws).await.map_err(|e| e.to_string())?;
    let Some(mut contact) = w
        .get::<Contact>(EntityKind::Contact, &contact_id)
        .await
        .map_err(db)?
    else {
        return Ok(());
    };
    // Renamed meanwhile (by an agent, or by another lookup): theirs stands.
    if contact.name != id {
        return Ok(());
    }
    contact.name = name;
    let placement = Placement {
        parent_id: None,
        sort_at: contact.created_at,
    };
    w.put(EntityKind::Contact, &contact.id, placement, &contact)
        .await
        .map_err(db)?;
    state.commit(w).await.map_err(db)
}

/// The contact of customer `id`, when it is still named by that id.
async fn unnamed_contact(
    state: &AppState,
    ws: &str,
    channel: Channel,
    id: &str,
) -> Result<Option<String>, String> {
    let db = |e: sqlx::Error| e.to_string();
    let mut conn = state.pool().acquire().await.map_err(db)?;
    let contact_id = store::lookup(
        &mut conn,
        ws,
        "identity",
        &crate::ingest::pmid_key(channel, id),
    )
    .await
    .map_err(db)?;
    let Some(contact_id) = contact_id else {
        return Ok(None);
    };
    let contact: Option<Contact> = store::get(&mut conn, ws, EntityKind::Contact, &contact_id)
        .await
        .map_err(db)?;
    Ok(contact.filter(|c| c.name == id).map(|c| c.id))
}

/// The customer's name from the Graph API; `None` when the profile has none.
async fn fetch_name(
    state: &AppState,
    cfg: &crate::config::OutboundConfig,
    token: &crate::secret::Secret,
    channel: Channel,
    id: &str,
) -> Result<Option<String>, String> {
    let fields = match channel {
        Channel::Messenger => "first_name,last_name",
        Channel::Instagram => "name,username",
        _ => return Ok(None),
    };
    let url = format!(
        "{}/{}/{id}",
        cfg.graph_base_url.trim_end_matches('/'),
        cfg.graph_api_version
    );
    let resp = state
        .http()
        .get(url)
        .query(&[("fields", fields)])
        .bearer_auth(token.expose())
        .timeout(cfg.request_timeout)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let reason = body["error"]["message"].as_str().unwrap_or_default();
        return Err(format!("the Graph API answered {status}: {reason}"));
    }
    Ok(profile_name(channel, &body))
}

/// The name a user profile answer gives, trimmed; `None` when it has none.
pub fn profile_name(channel: Channel, body: &Value) -> Option<String> {
    let text = |k: &str| body[k].as_str().map(str::trim).filter(|s| !s.is_empty());
    let name = match channel {
        Channel::Messenger => {
            let parts: Vec<&str> = [text("first_name"), text("last_name")]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        Channel::Instagram => text("name")
            .map(str::to_owned)
            .or_else(|| text("username").map(|u| format!("@{u}"))),
        _ => None,
    };
    name.map(|n| n.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_from_the_profile_answers() {
        let m = |v| profile_name(Channel::Messenger, &v);
        let i = |v| profile_name(Channel::Instagram, &v);
        assert_eq!(
            m(json!({"first_name": "Layla", "last_name": "Haddad", "id": "1"})).as_deref(),
            Some("Layla Haddad")
        );
        assert_eq!(
            m(json!({"first_name": " ليلى ", "id": "1"})).as_deref(),
            Some("ليلى")
        );
        assert_eq!(m(json!({"id": "1"})), None);
        assert_eq!(
            i(json!({"name": "Noor Store", "username": "noor"})).as_deref(),
            Some("Noor Store")
        );
        assert_eq!(
            i(json!({"name": "", "username": "noor.uae"})).as_deref(),
            Some("@noor.uae")
        );
        assert_eq!(i(json!({"error": {"message": "x"}})), None);
    }
}
