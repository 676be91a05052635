//! Helpers shared by the store's tests.

use stepup_protocol::{Change, ChangeOp, Entity, EntityKind};
use stepup_store::Store;

/// An upsert of an entity written as its JSON, read into its type as the feed is.
pub fn change(seq: u64, entity: EntityKind, id: &str, data: serde_json::Value) -> Change {
    Change {
        seq,
        at: 1_700_000_000_000,
        entity,
        id: id.into(),
        op: ChangeOp::Upsert,
        data: Some(Entity::deserialize_kind(entity, data).unwrap()),
    }
}

/// Closes the cache and waits for its database threads, so the test process
/// does not exit while SQLCipher is still closing under it.
pub async fn finish(store: Store) {
    store.close().await;
    assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
}
