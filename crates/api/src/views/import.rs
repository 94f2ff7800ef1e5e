//! The answer of `POST /users/import`: one result per item, in order.
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What became of one imported user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Stored.
    Created,
    /// Would be stored (a dry run).
    Valid,
    /// Refused; nothing of it was stored.
    Failed,
}

/// One item's result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// The item's place in the array, from 0.
    pub index: usize,
    /// What became of it.
    pub status: ImportStatus,
    /// The new user's id (`created` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// What was wrong, by field (`failed` only), with the messages of
    /// `POST /users`; a nested item's field is named with its place
    /// (`ssh_keys[0].key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
}

impl ImportResult {
    /// A refused item.
    pub fn failed(index: usize, errors: BTreeMap<String, Vec<String>>) -> Self {
        Self {
            index,
            status: ImportStatus::Failed,
            id: None,
            errors: Some(errors),
        }
    }
}
