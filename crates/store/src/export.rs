//! Export of everything cached for an account, as JSON: the user's right to a
//! portable copy of their data. Written in chunks, so a large cache never
//! sits in memory whole.

use std::io::Write;

use sqlx::Row;

use crate::{Result, Store, StoreError};

const CHUNK: i64 = 2_000;

impl Store {
    /// Writes `{"format": "stepup-export/1", "exported_at": …, "conversations": […], …}`.
    pub async fn export_json(&self, out: &mut impl Write, exported_at: i64) -> Result<u64> {
        let io = |source| StoreError::Io {
            context: "cannot write the export".into(),
            source,
        };
        write!(
            out,
            "{{\"format\":\"stepup-export/1\",\"exported_at\":{exported_at}"
        )
        .map_err(io)?;
        let mut total = 0;
        for (name, sql) in [
            ("conversations", "SELECT rowid, data FROM conversations WHERE rowid > ? ORDER BY rowid LIMIT ?"),
            ("messages", "SELECT rowid, data FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?"),
            ("contacts", "SELECT rowid, data FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT ?"),
            ("notes", "SELECT rowid, data FROM notes WHERE rowid > ? ORDER BY rowid LIMIT ?"),
            (
                "reference",
                "SELECT rowid, json_object('kind', kind, 'id', id, 'data', json(data)) FROM
                   (SELECT row_number() OVER (ORDER BY kind, id) AS rowid, kind, id, data FROM entities)
                 WHERE rowid > ? ORDER BY rowid LIMIT ?",
            ),
            (
                "outbox",
                "SELECT rowid, json_object('local_id', local_id, 'conversation_id', conversation_id,
                   'request', json(request), 'state', state, 'created_at', created_at, 'error', error)
                 FROM outbox WHERE rowid > ? ORDER BY rowid LIMIT ?",
            ),
            (
                "saved_views",
                "SELECT rowid, json_object('name', name, 'query', json(query), 'saved_at', saved_at)
                 FROM saved_views WHERE rowid > ? ORDER BY rowid LIMIT ?",
            ),
        ] {
            write!(out, ",\"{name}\":[").map_err(io)?;
            let mut after = 0i64;
            let mut first = true;
            loop {
                let rows = sqlx::query(sql).bind(after).bind(CHUNK).fetch_all(self.pool()).await?;
                for row in &rows {
                    if !first {
                        out.write_all(b",").map_err(io)?;
                    }
                    first = false;
                    out.write_all(row.get::<&str, _>(1).as_bytes()).map_err(io)?;
                    total += 1;
                }
                match rows.last() {
                    Some(last) if rows.len() as i64 == CHUNK => after = last.get(0),
                    _ => break,
                }
            }
            out.write_all(b"]").map_err(io)?;
        }
        out.write_all(b"}\n").map_err(io)?;
        out.flush().map_err(io)?;
        Ok(total)
    }
}
