//! The filtered, ordered and paginated list of users (`GET /users`).
use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::pagination::{Page, PageRequest, COUNT_LIMIT};
use crate::schema::{custom_attributes, identities, users};
use crate::users::{boxed_users, lower, UserRow};
use crate::Db;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// What to match. Every field narrows the list; the defaults match everyone.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Substring of the user name or name (case-insensitive); also a substring
    /// of the e-mail when `search_emails`, else an exact e-mail match.
    pub search: Option<String>,
    /// Whether `search` looks into e-mail addresses (admins only).
    pub search_emails: bool,
    /// Exact user name, ignoring case.
    pub username: Option<String>,
    /// Only active users.
    pub active: bool,
    /// Only blocked users.
    pub blocked: bool,
    /// Only external users.
    pub external: bool,
    /// Only admins.
    pub admins: bool,
    /// Only users with (`true`) or without (`false`) a second factor.
    pub two_factor: Option<bool>,
    /// Created strictly after.
    pub created_after: Option<NaiveDateTime>,
    /// Created strictly before.
    pub created_before: Option<NaiveDateTime>,
    /// Linked to an identity at this provider (`provider`), with this id
    /// there (`extern_uid`), or both.
    pub identity: Option<(Option<String>, Option<String>)>,
    /// Having every one of these custom attributes (`key`, `value`).
    pub custom_attributes: Vec<(String, String)>,
    /// Leave users who are not searchable out of `search` results, except
    /// the user with this id (the viewer), if any.
    pub hide_unsearchable: Option<Option<i64>>,
}

/// The column to order by; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserOrder {
    /// `id` (the default).
    #[default]
    Id,
    /// `name`.
    Name,
    /// `username`.
    Username,
    /// `created_at`.
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
    /// `last_activity_on`.
    LastActivityOn,
}

/// A `LIKE` pattern matching `term` anywhere, lower-cased, with a backslash escaping
/// the wildcards it holds.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len() + 2);
    escaped.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Search terms shorter than this match whole values only (as in GitLab):
/// trigram indexes cannot find shorter substrings without a scan.
pub const MIN_CHARS_FOR_PARTIAL_MATCH: usize = 3;

/// An FTS5 query for `term` as one phrase, which the trigram tokenizer
/// matches as a substring, limited to `columns`.
fn fts_phrase(columns: &str, term: &str) -> String {
    format!("{{{columns}}} : \"{}\"", term.replace('"', "\"\""))
}

fn searched(
    q: users::BoxedQuery<'static, Db>,
    term: &str,
    search_emails: bool,
    sqlite: bool,
) -> users::BoxedQuery<'static, Db> {
    let lowered = term.to_lowercase();
    if term.chars().count() < MIN_CHARS_FOR_PARTIAL_MATCH {
        return q.filter(
            lower(users::username)
                .eq(lowered.clone())
                .or(lower(users::name).eq(lowered.clone()))
                .or(users::email.eq(lowered)),
        );
    }
    if sqlite {
        // One `IN` over the full-text index (and, for others than admins, the
        // exact address): an `OR` beside it would make SQLite walk the whole
        // table in id order instead of looking the matches up.
        let in_index = |columns: &str| {
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "users.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ",
            )
            .bind::<diesel::sql_types::Text, _>(fts_phrase(columns, term))
        };
        return if search_emails {
            q.filter(in_index("username name email").sql(")"))
        } else {
            q.filter(
                in_index("username name")
                    .sql(" UNION ALL SELECT id FROM users WHERE email = ")
                    .bind::<diesel::sql_types::Text, _>(lowered)
                    .sql(")"),
            )
        };
    }
    let pattern = like_pattern(term);
    // One trigram index over user name and name together narrows the rows
    // in one index scan instead of two; the exact test follows, so a match
    // across the joining space is not a match.
    let names =
        diesel::dsl::sql::<diesel::sql_types::Text>("(lower(users.username) || ' ' || lower(users.name))");
    let by_name = names.like(pattern.clone()).escape('\\').and(
        lower(users::username)
            .like(pattern.clone())
            .escape('\\')
            .or(lower(users::name).like(pattern.clone()).escape('\\')),
    );
    if search_emails {
        q.filter(by_name.or(users::email.like(pattern).escape('\\')))
    } else {
        q.filter(by_name.or(users::email.eq(lowered)))
    }
}

fn filtered(filter: &UserFilter, sqlite: bool) -> users::BoxedQuery<'static, Db> {
    let mut q = boxed_users();
    if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = searched(q, term, filter.search_emails, sqlite);
        if let Some(viewer) = filter.hide_unsearchable {
            q = match viewer {
                Some(id) => q.filter(users::searchable.eq(true).or(users::id.eq(id))),
                None => q.filter(users::searchable.eq(true)),
            };
        }
    }
    if let Some(name) = &filter.username {
        q = q.filter(lower(users::username).eq(name.trim().to_ascii_lowercase()));
    }
    if filter.active {
        q = q.filter(users::state.eq("active"));
    }
    if filter.blocked {
        q = q.filter(users::state.eq_any(roster_domain::BLOCKED_STATES));
    }
    if filter.external {
        q = q.filter(users::external.eq(true));
    }
    if filter.admins {
        q = q.filter(users::is_admin.eq(true));
    }
    if let Some(enabled) = filter.two_factor {
        q = q.filter(users::two_factor_enabled.eq(enabled));
    }
    if let Some(after) = filter.created_after {
        q = q.filter(users::created_at.gt(after));
    }
    if let Some(before) = filter.created_before {
        q = q.filter(users::created_at.lt(before));
    }
    for (key, value) in &filter.custom_attributes {
        q = q.filter(
            users::id.eq_any(
                custom_attributes::table
                    .filter(custom_attributes::key.eq(key.clone()))
                    .filter(custom_attributes::value.eq(value.clone()))
                    .select(custom_attributes::user_id),
            ),
        );
    }
    let linked = identities::table.select(identities::user_id);
    q = match filter.identity.clone() {
        Some((Some(provider), Some(uid))) => q.filter(
            users::id.eq_any(
                linked
                    .filter(identities::provider.eq(provider))
                    .filter(identities::extern_uid.eq(uid)),
            ),
        ),
        Some((Some(provider), None)) => {
            q.filter(users::id.eq_any(linked.filter(identities::provider.eq(provider))))
        }
        Some((None, Some(uid))) => q.filter(users::id.eq_any(linked.filter(identities::extern_uid.eq(uid)))),
        Some((None, None)) | None => q,
    };
    q
}

fn ordered(
    q: users::BoxedQuery<'static, Db>,
    order: UserOrder,
    descending: bool,
) -> users::BoxedQuery<'static, Db> {
    macro_rules! by {
        ($col:expr) => {
            if descending {
                q.order(($col.desc(), users::id.desc()))
            } else {
                q.order(($col.asc(), users::id.asc()))
            }
        };
    }
    match order {
        UserOrder::Id => {
            if descending {
                q.order(users::id.desc())
            } else {
                q.order(users::id.asc())
            }
        }
        // Names sort case-insensitively, the same on both backends whatever
        // the PostgreSQL collation.
        UserOrder::Name => by!(lower(users::name)),
        UserOrder::Username => by!(lower(users::username)),
        UserOrder::CreatedAt => by!(users::created_at),
        UserOrder::UpdatedAt => by!(users::updated_at),
        UserOrder::LastActivityOn => by!(users::last_activity_on),
    }
}

/// The users with these ids, in the order of `ids`.
fn rows_in_order(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<UserRow>, RepoError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<UserRow> = users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// Lists users. Offset pages carry a total (absent past [`COUNT_LIMIT`]);
/// keyset pages must be ordered by id and carry none.
pub fn list_users(
    conn: &mut DbConnection,
    filter: &UserFilter,
    order: UserOrder,
    descending: bool,
    page: PageRequest,
) -> Result<Page<UserRow>, RepoError> {
    let per_page = page.per_page();
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    match page {
        PageRequest::Offset { page, .. } => {
            // Counting ids up to the limit keeps the count cheap on huge tables.
            let mut counted: Vec<i64> = filtered(filter, sqlite)
                .select(users::id)
                .limit(COUNT_LIMIT + 1)
                .load(conn)?;
            let count = counted.len() as i64;
            let has_more = page.saturating_mul(per_page) < count;
            let total = (count <= COUNT_LIMIT).then_some(count);
            let offset = (page - 1).saturating_mul(per_page);
            let items = if total.is_some() && order == UserOrder::Id {
                // Every match is in hand: take the page from these ids rather
                // than matching again (a search would run twice).
                counted.sort_unstable();
                if descending {
                    counted.reverse();
                }
                let wanted: Vec<i64> = counted
                    .into_iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(per_page).unwrap_or(0))
                    .collect();
                rows_in_order(conn, &wanted)?
            } else {
                ordered(filtered(filter, sqlite), order, descending)
                    .offset(offset)
                    .limit(per_page)
                    .select(UserRow::as_select())
                    .load(conn)?
            };
            Ok(Page {
                items,
                total,
                has_more,
            })
        }
        PageRequest::Keyset { after, .. } => {
            let mut q = ordered(filtered(filter, sqlite), UserOrder::Id, descending);
            if let Some(after) = after {
                q = if descending {
                    q.filter(users::id.lt(after))
                } else {
                    q.filter(users::id.gt(after))
                };
            }
            let mut items: Vec<UserRow> = q.limit(per_page + 1).select(UserRow::as_select()).load(conn)?;
            let has_more = items.len() as i64 > per_page;
            items.truncate(per_page as usize);
            Ok(Page {
                items,
                total: None,
                has_more,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fts_phrase, like_pattern};

    #[test]
    fn fts_phrases_quote_the_term() {
        assert_eq!(
            fts_phrase("username name", "a\"b"),
            "{username name} : \"a\"\"b\""
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ab"), "%ab%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}

/// `GET /user/activities`: users active on or after `from`, most recent
/// first: `(username, last_activity_on)`.
pub fn activities(
    conn: &mut DbConnection,
    from: NaiveDate,
    page: i64,
    per_page: i64,
) -> Result<Page<(String, NaiveDate)>, RepoError> {
    let base = || users::table.filter(users::last_activity_on.ge(from)).into_boxed();
    let rows: Vec<(String, Option<NaiveDate>)> = base()
        .order((users::last_activity_on.desc(), users::id.desc()))
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .select((users::username, users::last_activity_on))
        .load(conn)?;
    let ids: Vec<i64> = base().select(users::id).limit(COUNT_LIMIT + 1).load(conn)?;
    let count = ids.len() as i64;
    Ok(Page {
        items: rows
            .into_iter()
            .filter_map(|(name, on)| on.map(|on| (name, on)))
            .collect(),
        total: (count <= COUNT_LIMIT).then_some(count),
        has_more: page.saturating_mul(per_page) < count,
    })
}
