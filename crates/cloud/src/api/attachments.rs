//! Attachments: uploading a file (its type sniffed from its bytes) and downloading it as an
//! attachment that never renders inline.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use stepup_protocol::Attachment;

use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Q, RawBody};
use crate::state::AppState;
use crate::{sniff, store};

#[derive(Debug, Deserialize)]
pub(super) struct UploadQuery {
    filename: Option<String>,
}

fn clean_filename(name: Option<String>) -> String {
    let n: String = name
        .unwrap_or_else(|| "attachment".into())
        .chars()
        .filter(|c| {
            !c.is_control()
                && !stepup_protocol::is_bidi_control(*c)
                && !matches!(c, '/' | '\\' | '"' | ';')
        })
        .take(120)
        .collect();
    if n.trim().is_empty() {
        "attachment".into()
    } else {
        n
    }
}

pub(super) async fn upload_attachment(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<UploadQuery>,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    if body.is_empty() {
        return Err(ApiError::bad_request("empty upload"));
    }
    let a = Attachment {
        id: state.ids().make("att"),
        content_type: sniff::stored_type(&body).to_owned(),
        size: body.len() as u64,
        filename: clean_filename(q.filename),
        sha256: hex::encode(Sha256::digest(&body)),
        created_at: state.now(),
    };
    store::attachments::insert(state.pool(), &auth.workspace_id, &a, &body).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

pub(super) async fn download_attachment(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let store::attachments::StoredFile {
        content_type: ct,
        filename,
        bytes,
    } = store::attachments::file(state.pool(), &auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(resp)
}
