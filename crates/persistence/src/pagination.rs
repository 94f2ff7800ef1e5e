//! Offset and keyset pages.

/// GitLab stops counting past this many rows; so does Roster.
pub const COUNT_LIMIT: i64 = 10_000;

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    /// Page `page` (from 1) of `per_page` rows, with a total count.
    Offset {
        /// The page number, from 1.
        page: i64,
        /// Rows per page.
        per_page: i64,
    },
    /// `per_page` rows after the row with id `after` in the sort order; no
    /// count, and the same cost at any depth.
    Keyset {
        /// The last id of the previous page, if any.
        after: Option<i64>,
        /// Rows per page.
        per_page: i64,
    },
}

impl PageRequest {
    /// Rows per page.
    pub fn per_page(&self) -> i64 {
        match *self {
            Self::Offset { per_page, .. } | Self::Keyset { per_page, .. } => per_page,
        }
    }
}

/// One page of rows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// All matching rows, when counted and not over [`COUNT_LIMIT`].
    pub total: Option<i64>,
    /// Whether rows follow this page.
    pub has_more: bool,
}
