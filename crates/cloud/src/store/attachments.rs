//! Uploaded files: their metadata and bytes, per workspace.

use sqlx::AnyExecutor;
use stepup_protocol::Attachment;

/// A stored file with what it is sent or downloaded as.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub content_type: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Stores a file described by `a`.
pub async fn insert(
    db: impl AnyExecutor<'_>,
    workspace_id: &str,
    a: &Attachment,
    bytes: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO attachments (workspace_id, id, content_type, filename, size, sha256, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(workspace_id)
        .bind(&a.id)
        .bind(&a.content_type)
        .bind(&a.filename)
        .bind(a.size as i64)
        .bind(&a.sha256)
        .bind(bytes)
        .bind(a.created_at)
        .execute(db)
        .await?;
    Ok(())
}

/// The content type and file name of an attachment.
pub async fn meta(
    db: impl AnyExecutor<'_>,
    workspace_id: &str,
    id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT content_type, filename FROM attachments WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An attachment with its bytes.
pub async fn file(
    db: impl AnyExecutor<'_>,
    workspace_id: &str,
    id: &str,
) -> Result<Option<StoredFile>, sqlx::Error> {
    let row: Option<(String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT content_type, filename, bytes FROM attachments WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace_id)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(content_type, filename, bytes)| StoredFile {
        content_type,
        filename,
        bytes,
    }))
}
