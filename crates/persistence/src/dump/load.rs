//! Writing an export's rows: multi-row `INSERT`s with every value bound by
//! its column's type, and what makes a bulk load fast and correct (indexes
//! set aside and made again, SQLite's journal, PostgreSQL's sequences).
use super::{column_list, kind_of, quoted, Cell, Column, Kind, Table};
use crate::connection::DbConnection;
use crate::error::RepoError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Double, HasSqlType, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::RunQueryDsl;

/// The most values one `INSERT` binds (below SQLite's 32,766 and
/// PostgreSQL's 65,535).
const MAX_BINDS: usize = 30_000;

/// The most rows one `INSERT` writes.
const MAX_ROWS_PER_INSERT: usize = 500;

/// How many rows [`insert_rows`] takes at once, for `table`.
pub fn rows_per_insert(table: &Table) -> usize {
    (MAX_BINDS / table.columns.len().max(1)).clamp(1, MAX_ROWS_PER_INSERT)
}

/// Inserts rows, their cells in `table.columns`' order, with multi-row
/// `INSERT`s (of at most [`rows_per_insert`] rows each).
pub fn insert_rows(
    conn: &mut DbConnection,
    table: &Table,
    mut rows: Vec<Vec<Cell>>,
) -> Result<(), RepoError> {
    let per_insert = rows_per_insert(table);
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(per_insert));
        let chunk = std::mem::replace(&mut rows, rest);
        match conn {
            DbConnection::Sqlite(c) => {
                insert_statement::<Sqlite>(table, chunk, false)?.execute(c)?;
            }
            DbConnection::Postgres(c) => {
                insert_statement::<Pg>(table, chunk, true)?.execute(c)?;
            }
        }
    }
    Ok(())
}

/// Readies a connection for a bulk load into an empty database. On SQLite:
/// a rollback journal instead of the write-ahead log, for this connection's
/// transaction only (a rollback journal keeps only the pages a transaction
/// changes that existed before it — next to nothing when loading an empty
/// file — where the log would hold every page written, then copy it all
/// again at the checkpoint); and a page cache of 16 MiB (the default 2 MiB
/// makes building the indexes afterwards read the file over and over).
/// Every connection Roster opens puts the write-ahead log back.
pub fn prepare_for_load(conn: &mut DbConnection) -> Result<(), RepoError> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query("PRAGMA journal_mode = DELETE").execute(c)?;
        diesel::sql_query("PRAGMA cache_size = -16384").execute(c)?;
    }
    Ok(())
}

/// Ends a bulk load: the write-ahead log again, on SQLite.
pub fn finish_load(conn: &mut DbConnection) -> Result<(), RepoError> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query("PRAGMA journal_mode = WAL").execute(c)?;
    }
    Ok(())
}

/// One multi-row `INSERT` with its values bound; PostgreSQL numbers its
/// placeholders (`$1`), SQLite does not (`?`).
fn insert_statement<DB>(
    table: &Table,
    rows: Vec<Vec<Cell>>,
    numbered: bool,
) -> Result<BoxedSqlQuery<'static, DB, SqlQuery>, RepoError>
where
    DB: Backend
        + HasSqlType<BigInt>
        + HasSqlType<Bool>
        + HasSqlType<Text>
        + HasSqlType<Timestamp>
        + HasSqlType<Date>
        + HasSqlType<Binary>
        + HasSqlType<Double>,
    Option<i64>: ToSql<Nullable<BigInt>, DB>,
    Option<bool>: ToSql<Nullable<Bool>, DB>,
    Option<String>: ToSql<Nullable<Text>, DB>,
    Option<NaiveDateTime>: ToSql<Nullable<Timestamp>, DB>,
    Option<NaiveDate>: ToSql<Nullable<Date>, DB>,
    Option<Vec<u8>>: ToSql<Nullable<Binary>, DB>,
    Option<f64>: ToSql<Nullable<Double>, DB>,
{
    let mut placeholders = Vec::with_capacity(rows.len());
    let mut n = 0;
    for _ in &rows {
        let row: Vec<String> = table
            .columns
            .iter()
            .map(|_| {
                n += 1;
                if numbered {
                    format!("${n}")
                } else {
                    "?".to_owned()
                }
            })
            .collect();
        placeholders.push(format!("({})", row.join(", ")));
    }
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quoted(&table.name),
        column_list(table),
        placeholders.join(", ")
    );
    let mut query = diesel::sql_query(sql).into_boxed::<DB>();
    for row in rows {
        if row.len() != table.columns.len() {
            return Err(RepoError::Config(format!(
                "{}: a row of {} values for {} columns",
                table.name,
                row.len(),
                table.columns.len()
            )));
        }
        for (cell, column) in row.into_iter().zip(&table.columns) {
            query = bind_cell(query, cell, column, &table.name)?;
        }
    }
    Ok(query)
}

fn bind_cell<'f, DB>(
    query: BoxedSqlQuery<'f, DB, SqlQuery>,
    cell: Cell,
    column: &Column,
    table: &str,
) -> Result<BoxedSqlQuery<'f, DB, SqlQuery>, RepoError>
where
    DB: Backend
        + HasSqlType<BigInt>
        + HasSqlType<Bool>
        + HasSqlType<Text>
        + HasSqlType<Timestamp>
        + HasSqlType<Date>
        + HasSqlType<Binary>
        + HasSqlType<Double>,
    Option<i64>: ToSql<Nullable<BigInt>, DB>,
    Option<bool>: ToSql<Nullable<Bool>, DB>,
    Option<String>: ToSql<Nullable<Text>, DB>,
    Option<NaiveDateTime>: ToSql<Nullable<Timestamp>, DB>,
    Option<NaiveDate>: ToSql<Nullable<Date>, DB>,
    Option<Vec<u8>>: ToSql<Nullable<Binary>, DB>,
    Option<f64>: ToSql<Nullable<Double>, DB>,
{
    Ok(match (column.kind, cell) {
        (Kind::Int, Cell::Null) => query.bind::<Nullable<BigInt>, _>(None::<i64>),
        (Kind::Int, Cell::Int(v)) => query.bind::<Nullable<BigInt>, _>(Some(v)),
        (Kind::Bool, Cell::Null) => query.bind::<Nullable<Bool>, _>(None::<bool>),
        (Kind::Bool, Cell::Bool(v)) => query.bind::<Nullable<Bool>, _>(Some(v)),
        (Kind::Text, Cell::Null) => query.bind::<Nullable<Text>, _>(None::<String>),
        (Kind::Text, Cell::Text(v)) => query.bind::<Nullable<Text>, _>(Some(v)),
        (Kind::Timestamp, Cell::Null) => query.bind::<Nullable<Timestamp>, _>(None::<NaiveDateTime>),
        (Kind::Timestamp, Cell::Timestamp(v)) => query.bind::<Nullable<Timestamp>, _>(Some(v)),
        (Kind::Date, Cell::Null) => query.bind::<Nullable<Date>, _>(None::<NaiveDate>),
        (Kind::Date, Cell::Date(v)) => query.bind::<Nullable<Date>, _>(Some(v)),
        (Kind::Bytes, Cell::Null) => query.bind::<Nullable<Binary>, _>(None::<Vec<u8>>),
        (Kind::Bytes, Cell::Bytes(v)) => query.bind::<Nullable<Binary>, _>(Some(v)),
        (Kind::Float, Cell::Null) => query.bind::<Nullable<Double>, _>(None::<f64>),
        (Kind::Float, Cell::Float(v)) => query.bind::<Nullable<Double>, _>(Some(v)),
        (kind, cell) => {
            return Err(RepoError::Config(format!(
                "{table}.{}: {cell:?} is not {kind:?}",
                column.name
            )))
        }
    })
}

/// Runs `f` (a bulk load, inside a transaction) with the secondary indexes
/// and SQLite's triggers set aside, then makes them again: an index built
/// once over a million rows costs a fraction of a million insertions into
/// it (PostgreSQL's trigram indexes most of all). A unique index made again
/// over rows that break it fails, and the load with it. SQLite's full-text
/// index, kept by those triggers, is rebuilt.
pub fn with_indexes_set_aside<T, E: From<RepoError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let set_aside: Vec<SchemaObject> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT type AS kind, name, sql AS definition FROM sqlite_schema \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
        )
        .load(c)
        .map_err(RepoError::from)?,
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT 'index' AS kind, quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = ic.relnamespace \
             WHERE n.nspname = current_schema() AND NOT i.indisprimary \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             ORDER BY 2",
        )
        .load(c)
        .map_err(RepoError::from)?,
    };
    for object in &set_aside {
        let drop = match object.kind.as_str() {
            "trigger" => format!("DROP TRIGGER {}", quoted(&object.name)),
            _ if matches!(conn, DbConnection::Postgres(_)) => format!("DROP INDEX {}", object.name),
            _ => format!("DROP INDEX {}", quoted(&object.name)),
        };
        diesel::sql_query(drop).execute(conn).map_err(RepoError::from)?;
    }
    let started = std::time::Instant::now();
    let loaded = f(conn)?;
    log::info!(
        "rows loaded in {:.1?}; making {} indexes and triggers again",
        started.elapsed(),
        set_aside.len()
    );
    let started = std::time::Instant::now();
    for object in &set_aside {
        diesel::sql_query(object.definition.as_str())
            .execute(conn)
            .map_err(RepoError::from)?;
    }
    log::info!("indexes made in {:.1?}", started.elapsed());
    let started = std::time::Instant::now();
    if let DbConnection::Sqlite(c) = conn {
        let full_text: Vec<SchemaObject> = diesel::sql_query(
            "SELECT type AS kind, name, sql AS definition FROM sqlite_schema \
             WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'",
        )
        .load(c)
        .map_err(RepoError::from)?;
        for table in full_text {
            let name = quoted(&table.name);
            diesel::sql_query(format!("INSERT INTO {name} ({name}) VALUES ('rebuild')"))
                .execute(c)
                .map_err(RepoError::from)?;
        }
    }
    log::info!("full-text index made in {:.1?}", started.elapsed());
    Ok(loaded)
}

/// An index or trigger, with the statement that makes it.
#[derive(diesel::QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Deletes every row of every table (newest references first), for an
/// import into a database that was migrated, and perhaps started, but
/// holds no user: the signing keys and limits a start made go.
pub fn clear(conn: &mut DbConnection, tables: &[Table]) -> Result<(), RepoError> {
    for table in tables.iter().rev() {
        diesel::sql_query(format!("DELETE FROM {}", quoted(&table.name))).execute(conn)?;
    }
    Ok(())
}

/// Moves every id sequence past the largest id stored, so that the next row
/// gets a fresh id (PostgreSQL's sequences do not follow inserted ids;
/// SQLite's do by themselves).
pub fn continue_sequences(conn: &mut DbConnection, tables: &[Table]) -> Result<(), RepoError> {
    let DbConnection::Postgres(c) = conn else {
        return Ok(());
    };
    for table in tables {
        if table.key != ["id"] || kind_of(table, "id") != Some(Kind::Int) {
            continue;
        }
        let name = quoted(&table.name);
        diesel::sql_query(format!(
            "SELECT setval(seq, COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false) \
             FROM pg_get_serial_sequence($1, 'id') AS seq WHERE seq IS NOT NULL"
        ))
        .bind::<Text, _>(&name)
        .execute(c)?;
    }
    Ok(())
}
