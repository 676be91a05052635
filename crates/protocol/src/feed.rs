//! The change feed's entries, typed end to end: a change carries its entity as the Rust type of
//! its kind, decoded once as the page is read (no intermediate JSON tree).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::{
    Agent, Broadcast, CannedResponse, Contact, Conversation, Label, Message, Note, Team, Template,
    Workspace,
};

macro_rules! entities {
    ($( $variant:ident ( $ty:ty ) = $name:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EntityKind {
            $( $variant, )*
        }

        impl EntityKind {
            pub const ALL: &[EntityKind] = &[$( EntityKind::$variant, )*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( EntityKind::$variant => $name, )*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $( $name => Some(EntityKind::$variant), )*
                    _ => None,
                }
            }
        }

        /// The latest state of one entity, as an upsert carries it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Entity {
            $( $variant($ty), )*
        }

        impl Entity {
            pub fn kind(&self) -> EntityKind {
                match self {
                    $( Entity::$variant(_) => EntityKind::$variant, )*
                }
            }

            /// Reads an entity of `kind` (its JSON object, without a tag).
            pub fn deserialize_kind<'de, D: Deserializer<'de>>(
                kind: EntityKind,
                d: D,
            ) -> Result<Entity, D::Error> {
                Ok(match kind {
                    $( EntityKind::$variant => Entity::$variant(<$ty>::deserialize(d)?), )*
                })
            }
        }

        impl Serialize for Entity {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Entity::$variant(v) => v.serialize(s), )*
                }
            }
        }

        $(
            impl From<$ty> for Entity {
                fn from(v: $ty) -> Entity {
                    Entity::$variant(v)
                }
            }

            impl EntityType for $ty {
                const KIND: EntityKind = EntityKind::$variant;

                fn of(e: &Entity) -> Option<&Self> {
                    match e {
                        Entity::$variant(v) => Some(v),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                fn from_entity(e: Entity) -> Option<Self> {
                    match e {
                        Entity::$variant(v) => Some(v),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*
    };
}

entities! {
    Workspace(Workspace) = "workspace";
    Agent(Agent) = "agent";
    Team(Team) = "team";
    Contact(Contact) = "contact";
    Conversation(Conversation) = "conversation";
    Message(Message) = "message";
    Note(Note) = "note";
    Label(Label) = "label";
    CannedResponse(CannedResponse) = "canned_response";
    Template(Template) = "template";
    Broadcast(Broadcast) = "broadcast";
}

/// A type the feed carries, and its kind.
pub trait EntityType: Sized + Into<Entity> {
    const KIND: EntityKind;
    /// The entity, if it is of this type.
    fn of(e: &Entity) -> Option<&Self>;
    fn from_entity(e: Entity) -> Option<Self>;
}

impl Entity {
    /// Reads an entity of `kind` from its JSON text.
    pub fn from_json(kind: EntityKind, json: &str) -> Result<Entity, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(json);
        let e = Entity::deserialize_kind(kind, &mut d)?;
        d.end()?;
        Ok(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Upsert,
    Delete,
}

/// One entry of the change feed. Upserts carry the entity's full latest state in `data`, typed
/// by `entity`; tombstones (`delete`) carry none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub seq: u64,
    pub at: i64,
    pub entity: EntityKind,
    pub id: String,
    pub op: ChangeOp,
    pub data: Option<Entity>,
}

impl Change {
    /// An upsert of `data` at `seq`.
    pub fn upsert(seq: u64, at: i64, id: impl Into<String>, data: impl Into<Entity>) -> Change {
        let data = data.into();
        Change {
            seq,
            at,
            entity: data.kind(),
            id: id.into(),
            op: ChangeOp::Upsert,
            data: Some(data),
        }
    }

    /// The upsert's entity, if it is a `T`.
    pub fn get<T: EntityType>(&self) -> Option<&T> {
        self.data.as_ref().and_then(T::of)
    }

    /// The upsert's entity, if it is a `T`.
    pub fn into_data<T: EntityType>(self) -> Option<T> {
        self.data.and_then(T::from_entity)
    }

    /// A tombstone.
    pub fn delete(seq: u64, at: i64, entity: EntityKind, id: impl Into<String>) -> Change {
        Change {
            seq,
            at,
            entity,
            id: id.into(),
            op: ChangeOp::Delete,
            data: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Seq,
    At,
    Entity,
    Id,
    Op,
    Data,
    #[serde(other)]
    Other,
}

/// `data` read straight into the type its `entity` names.
struct DataSeed(EntityKind);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = Option<Entity>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = Option<Entity>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} or null", self.0.as_str())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Entity::deserialize_kind(self.0, d).map(Some)
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["seq", "at", "entity", "id", "op", "data"];
        d.deserialize_struct("Change", FIELDS, ChangeVisitor)
    }
}

struct ChangeVisitor;

impl<'de> Visitor<'de> for ChangeVisitor {
    type Value = Change;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a change of the feed")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Change, A::Error> {
        let mut seq = None;
        let mut at = None;
        let mut entity: Option<EntityKind> = None;
        let mut id = None;
        let mut op = None;
        let mut data: Option<Option<Entity>> = None;
        // `data` before `entity` (not how this protocol writes it, but valid JSON): kept as
        // text until its type is known.
        let mut early: Option<Box<serde_json::value::RawValue>> = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Seq => seq = Some(map.next_value()?),
                Field::At => at = Some(map.next_value()?),
                Field::Entity => entity = Some(map.next_value()?),
                Field::Id => id = Some(map.next_value()?),
                Field::Op => op = Some(map.next_value()?),
                Field::Data => match entity {
                    Some(kind) => data = Some(map.next_value_seed(DataSeed(kind))?),
                    None => early = Some(map.next_value()?),
                },
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let entity = entity.ok_or_else(|| de::Error::missing_field("entity"))?;
        if let Some(raw) = early {
            let mut d = serde_json::Deserializer::from_str(raw.get());
            data = Some(
                DataSeed(entity)
                    .deserialize(&mut d)
                    .map_err(de::Error::custom)?,
            );
        }
        let op: ChangeOp = op.ok_or_else(|| de::Error::missing_field("op"))?;
        let data = data.flatten();
        if op == ChangeOp::Upsert && data.is_none() {
            return Err(de::Error::custom("an upsert without its data"));
        }
        Ok(Change {
            seq: seq.ok_or_else(|| de::Error::missing_field("seq"))?,
            at: at.ok_or_else(|| de::Error::missing_field("at"))?,
            entity,
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            op,
            data: if op == ChangeOp::Delete { None } else { data },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    fn label() -> Label {
        Label {
            id: "lbl_1".into(),
            name: "VIP".into(),
            color: "#aa0000".into(),
        }
    }

    #[test]
    fn a_change_round_trips_typed() {
        let c = Change::upsert(7, 1, "lbl_1", label());
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.contains(r#""entity":"label""#), "{text}");
        assert!(text.contains(r#""data":{"id":"lbl_1""#), "{text}");
        let back: Change = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.data, Some(Entity::Label(label())));
        assert_eq!(
            EntityKind::parse("canned_response"),
            Some(EntityKind::CannedResponse)
        );
        assert_eq!(EntityKind::parse("nope"), None);
        for k in EntityKind::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
    }

    #[test]
    fn data_before_its_kind_and_unknown_fields_are_read() {
        let text = r##"{"data":{"id":"lbl_1","name":"VIP","color":"#aa0000"},"future":[1,2],
            "seq":3,"at":4,"entity":"label","id":"lbl_1","op":"upsert"}"##;
        let c: Change = serde_json::from_str(text).unwrap();
        assert_eq!(c.data, Some(Entity::Label(label())));
        assert_eq!(c.seq, 3);
    }

    #[test]
    fn tombstones_carry_nothing_and_bad_data_is_refused() {
        let d: Change = serde_json::from_str(
            r#"{"seq":1,"at":2,"entity":"note","id":"nt_1","op":"delete","data":null}"#,
        )
        .unwrap();
        assert_eq!(d, Change::delete(1, 2, EntityKind::Note, "nt_1"));
        // A label where a message is expected.
        let wrong = r##"{"seq":1,"at":2,"entity":"message","id":"lbl_1","op":"upsert","data":{"id":"lbl_1","name":"VIP","color":"#a"}}"##;
        assert!(serde_json::from_str::<Change>(wrong).is_err());
        let missing = r#"{"seq":1,"at":2,"entity":"label","id":"lbl_1","op":"upsert"}"#;
        assert!(serde_json::from_str::<Change>(missing).is_err());
        assert!(serde_json::from_str::<Change>(r#"{"seq":1}"#).is_err());
    }
}
