//! One customer across channels. A contact holds the customer's identities on each channel; the
//! cloud links a new identity to an existing contact when the channel verified a phone number the
//! contact already has (WhatsApp's number, a Telegram customer sharing their own contact), and
//! agents merge and split contacts by hand. Every change goes through the feed (the contact, its
//! moved conversations, the merged contact's deletion), so every agent's cache follows.

use stepup_protocol::{
    Channel, ChannelIdentity, Contact, Conversation, EntityKind, UpdateContactRequest,
};

use crate::store::{self, Placement, Writer};

/// A lookup key scoped to a channel: a provider message id, a customer id (`identity`) or a
/// contact id (`conversation`).
pub(crate) fn pmid_key(channel: Channel, id: &str) -> String {
    format!("{}:{id}", channel.as_str())
}

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("a contact cannot be merged into itself")]
    SameContact,
    #[error("no such contact")]
    NotFound,
    #[error("the contact has no identity {0}")]
    NoIdentity(String),
    #[error("a contact's only identity cannot be split off")]
    OnlyIdentity,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A phone number as the lookup keys it: `+` and its digits.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (6..=15)
        .contains(&digits.len())
        .then(|| format!("+{digits}"))
}

async fn contact(w: &mut Writer, id: &str) -> Result<Contact, ContactError> {
    w.get(EntityKind::Contact, id)
        .await?
        .ok_or(ContactError::NotFound)
}

async fn put_contact(w: &mut Writer, c: &Contact) -> Result<(), sqlx::Error> {
    w.put(
        EntityKind::Contact,
        &c.id,
        Placement {
            parent_id: None,
            sort_at: c.created_at,
        },
        c,
    )
    .await?;
    Ok(())
}

async fn conversations_of(
    w: &mut Writer,
    contact_id: &str,
) -> Result<Vec<Conversation>, sqlx::Error> {
    let ws = w.workspace_id().to_owned();
    store::children(
        w.conn(),
        &ws,
        EntityKind::Conversation,
        contact_id,
        None,
        u32::MAX,
    )
    .await
}

/// Moves a conversation to another contact: its placement, and the contact's conversation on
/// that channel when it has none yet.
async fn move_conversation(
    w: &mut Writer,
    mut conv: Conversation,
    to: &str,
) -> Result<(), sqlx::Error> {
    conv.contact_id = to.to_owned();
    w.put_conversation(&conv).await?;
    let key = pmid_key(conv.channel, to);
    if w.lookup("conversation", &key).await?.is_none() {
        w.set_lookup("conversation", &key, &conv.id).await?;
    }
    Ok(())
}

/// `from` becomes part of `into`: its identities, its conversations, what `into` does not know
/// yet (phone, email, language, attributes). `from` is deleted.
pub async fn merge_in(
    w: &mut Writer,
    into_id: &str,
    from_id: &str,
) -> Result<Contact, ContactError> {
    if into_id == from_id {
        return Err(ContactError::SameContact);
    }
    let mut into = contact(w, into_id).await?;
    let from = contact(w, from_id).await?;
    // A contact named only by its channel id (a Messenger customer before their profile is
    // known) takes the other's real name.
    let unnamed = |c: &Contact| c.identities.iter().any(|i| i.external_id == c.name);
    if unnamed(&into) && !unnamed(&from) {
        into.name = from.name.clone();
    }
    for identity in from.identities {
        w.set_lookup(
            "identity",
            &pmid_key(identity.channel, &identity.external_id),
            &into.id,
        )
        .await?;
        if !into.identities.contains(&identity) {
            into.identities.push(identity);
        }
    }
    into.phone = into.phone.or(from.phone);
    into.email = into.email.or(from.email);
    into.language = into.language.or(from.language);
    for (k, v) in from.attributes {
        into.attributes.entry(k).or_insert(v);
    }
    into.created_at = into.created_at.min(from.created_at);
    if let Some(phone) = into.phone.as_deref().and_then(normalize_phone) {
        w.set_lookup("phone", &phone, &into.id).await?;
    }
    for conv in conversations_of(w, from_id).await? {
        move_conversation(w, conv, &into.id).await?;
    }
    put_contact(w, &into).await?;
    w.delete(EntityKind::Contact, from_id).await?;
    Ok(into)
}

/// The identity becomes a contact of its own (same name and language), with the contact's
/// conversations on its channel unless another identity on that channel stays behind.
pub async fn split_in(
    w: &mut Writer,
    contact_id: &str,
    channel: Channel,
    external_id: &str,
    new_id: String,
    now: i64,
) -> Result<Contact, ContactError> {
    let mut original = contact(w, contact_id).await?;
    let identity = ChannelIdentity {
        channel,
        external_id: external_id.to_owned(),
    };
    if !original.identities.contains(&identity) {
        return Err(ContactError::NoIdentity(format!(
            "{}:{external_id}",
            channel.as_str()
        )));
    }
    if original.identities.len() == 1 {
        return Err(ContactError::OnlyIdentity);
    }
    original.identities.retain(|i| i != &identity);
    let split = Contact {
        id: new_id,
        name: original.name.clone(),
        phone: None,
        language: original.language.clone(),
        identities: vec![identity.clone()],
        created_at: now,
        email: None,
        attributes: Default::default(),
    };
    w.set_lookup("identity", &pmid_key(channel, external_id), &split.id)
        .await?;
    put_contact(w, &split).await?;
    if !original.identities.iter().any(|i| i.channel == channel) {
        for conv in conversations_of(w, contact_id).await? {
            if conv.channel == channel {
                move_conversation(w, conv, &split.id).await?;
            }
        }
    }
    put_contact(w, &original).await?;
    Ok(split)
}

/// Applies an edit by an agent: name, language, email, attributes.
pub async fn update_in(
    w: &mut Writer,
    contact_id: &str,
    req: UpdateContactRequest,
) -> Result<Contact, ContactError> {
    let mut c = contact(w, contact_id).await?;
    if let Some(name) = req.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > Contact::MAX_NAME {
            return Err(ContactError::Invalid(format!(
                "a name has 1 to {} characters",
                Contact::MAX_NAME
            )));
        }
        c.name = name.to_owned();
    }
    if let Some(language) = req.language {
        c.language = match language.trim() {
            "" => None,
            l @ ("ar" | "en") => Some(l.to_owned()),
            other => {
                return Err(ContactError::Invalid(format!(
                    "language {other:?}: ar, en or empty"
                )));
            }
        };
    }
    if let Some(email) = req.email {
        let email = email.trim();
        c.email = match email {
            "" => None,
            e if e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.')) =>
            {
                Some(e.to_owned())
            }
            e => {
                return Err(ContactError::Invalid(format!(
                    "{e:?} is not an email address"
                )));
            }
        };
    }
    for (key, value) in req.attributes {
        let key = key.trim().to_owned();
        if key.is_empty() || key.chars().count() > Contact::MAX_KEY {
            return Err(ContactError::Invalid(format!(
                "an attribute's name has 1 to {} characters",
                Contact::MAX_KEY
            )));
        }
        match value.map(|v| v.trim().to_owned()) {
            None => {
                c.attributes.remove(&key);
            }
            Some(v) if v.is_empty() => {
                c.attributes.remove(&key);
            }
            Some(v) if v.chars().count() > Contact::MAX_VALUE => {
                return Err(ContactError::Invalid(format!(
                    "an attribute's value has at most {} characters",
                    Contact::MAX_VALUE
                )));
            }
            Some(v) => {
                c.attributes.insert(key, v);
            }
        }
    }
    if c.attributes.len() > Contact::MAX_ATTRIBUTES {
        return Err(ContactError::Invalid(format!(
            "at most {} attributes",
            Contact::MAX_ATTRIBUTES
        )));
    }
    put_contact(w, &c).await?;
    Ok(c)
}

/// The contact of a customer's channel identity: its own; else, when the channel verified a
/// phone number another contact has, that contact (the identity joins it); else a new one, named
/// `name` or by the id. A verified number given with a known identity links its contact too
/// ([`verified_phone`]).
pub async fn contact_for(
    w: &mut Writer,
    identity: ChannelIdentity,
    name: Option<&str>,
    phone: Option<&str>,
    new_id: impl FnOnce() -> String,
    at: i64,
) -> Result<String, ContactError> {
    let ident_key = pmid_key(identity.channel, &identity.external_id);
    if let Some(id) = w.lookup("identity", &ident_key).await? {
        return match phone {
            Some(p) => verified_phone(w, &id, p).await,
            None => Ok(id),
        };
    }
    let normalized = phone.and_then(normalize_phone);
    let holder = match &normalized {
        Some(p) => w.lookup("phone", p).await?,
        None => None,
    };
    if let Some(holder) = holder
        && let Some(mut c) = w.get::<Contact>(EntityKind::Contact, &holder).await?
    {
        c.identities.push(identity);
        put_contact(w, &c).await?;
        w.set_lookup("identity", &ident_key, &holder).await?;
        return Ok(holder);
    }
    let contact = Contact {
        id: new_id(),
        name: name.map_or_else(|| identity.external_id.clone(), str::to_owned),
        phone: phone.map(str::to_owned),
        language: None,
        identities: vec![identity],
        created_at: at,
        email: None,
        attributes: Default::default(),
    };
    put_contact(w, &contact).await?;
    w.set_lookup("identity", &ident_key, &contact.id).await?;
    if let Some(p) = &normalized {
        w.set_lookup("phone", p, &contact.id).await?;
    }
    Ok(contact.id)
}

/// A channel verified `phone` for `contact_id`'s customer: another contact with that number is
/// the same customer and is merged into the one that had it first; otherwise the contact keeps
/// the number (and the lookup learns it). Returns the contact the customer now is.
pub async fn verified_phone(
    w: &mut Writer,
    contact_id: &str,
    phone: &str,
) -> Result<String, ContactError> {
    let Some(phone) = normalize_phone(phone) else {
        return Ok(contact_id.to_owned());
    };
    match w.lookup("phone", &phone).await? {
        Some(holder) if holder == contact_id => return Ok(holder),
        // The holder may have been merged away since: then this contact takes the number.
        Some(holder)
            if w.get::<Contact>(EntityKind::Contact, &holder)
                .await?
                .is_some() =>
        {
            merge_in(w, &holder, contact_id).await?;
            return Ok(holder);
        }
        _ => {}
    }
    let mut c = contact(w, contact_id).await?;
    if c.phone.is_none() {
        c.phone = Some(phone.clone());
        put_contact(w, &c).await?;
    }
    w.set_lookup("phone", &phone, contact_id).await?;
    Ok(contact_id.to_owned())
}
