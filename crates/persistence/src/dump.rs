//! Every table, row by row, in a form both backends share: what `roster
//! export`, `roster import` and `roster copy` move. The tables and their
//! columns come from the database's own catalog, so a new migration needs
//! nothing here; values are read and written by each column's declared
//! type, so that SQLite's integers-for-booleans and text-for-times come out
//! exactly as PostgreSQL's booleans and timestamps do.
use crate::connection::DbConnection;
use crate::error::RepoError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::connection::DefaultLoadingMode;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::row::{Field, NamedRow, Row};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Binary, Bool, Date, Double, HasSqlType, Nullable, Text, Timestamp};
use diesel::sqlite::{Sqlite, SqliteType};
use diesel::RunQueryDsl;

/// The type of a column, as both backends declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any integer.
    Int,
    /// A boolean.
    Bool,
    /// Text.
    Text,
    /// A time without zone (UTC).
    Timestamp,
    /// A date.
    Date,
    /// Bytes.
    Bytes,
    /// A floating-point number.
    Float,
}

impl Kind {
    /// The kind of a declared SQL type (SQLite's affinity names or
    /// PostgreSQL's `information_schema` names).
    fn of_declared(declared: &str) -> Option<Self> {
        let t = declared.to_ascii_uppercase();
        Some(if t.contains("BOOL") {
            Self::Bool
        } else if t.contains("INT") || t == "BIGSERIAL" {
            Self::Int
        } else if t.starts_with("TIMESTAMP") || t == "DATETIME" {
            Self::Timestamp
        } else if t == "DATE" {
            Self::Date
        } else if t.contains("BLOB") || t.contains("BYTEA") || t.contains("BINARY") {
            Self::Bytes
        } else if t.contains("REAL") || t.contains("DOUBLE") || t.contains("FLOAT") {
            Self::Float
        } else if t.contains("TEXT") || t.contains("CHAR") {
            Self::Text
        } else {
            return None;
        })
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(String),
    /// A time (to the microsecond).
    Timestamp(NaiveDateTime),
    /// A date.
    Date(NaiveDate),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A floating-point number.
    Float(f64),
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: Kind,
}

/// A table: its columns by name, its key, and the tables it refers to.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Its columns, ordered by name (the same on both backends, whatever
    /// order the migrations added them in).
    pub columns: Vec<Column>,
    /// The primary key's columns: rows are read in this order.
    pub key: Vec<String>,
    /// The other tables its foreign keys point at.
    pub refers_to: Vec<String>,
}

/// The tables of the schema (but the migrations' own), each after those
/// it refers to, so that rows written in this order satisfy every foreign
/// key (a table's reference to itself is satisfied by reading rows in key
/// order: a parent group, a rotated token's predecessor, is older).
pub fn tables(conn: &mut DbConnection) -> Result<Vec<Table>, RepoError> {
    let mut tables = match conn {
        DbConnection::Sqlite(c) => sqlite_catalog::tables(c)?,
        DbConnection::Postgres(c) => pg_catalog::tables(c)?,
    };
    for table in &mut tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(in_reference_order(tables))
}

/// Orders tables so that each comes after those it refers to.
fn in_reference_order(mut pending: Vec<Table>) -> Vec<Table> {
    let mut ordered: Vec<Table> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| {
            t.refers_to
                .iter()
                .all(|r| r == &t.name || ordered.iter().any(|o| &o.name == r))
        });
        // A cycle (none exists today) falls back to name order for the rest.
        let next = ready.unwrap_or(0);
        ordered.push(pending.remove(next));
    }
    ordered
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|c| quoted(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads every row of `table` in key order, one at a time (memory stays flat
/// however large the table), each cell by its column's kind. `each` may
/// stop the reading with its own error.
pub fn read_rows<E: From<RepoError>>(
    conn: &mut DbConnection,
    table: &Table,
    mut each: impl FnMut(Vec<Cell>) -> Result<(), E>,
) -> Result<u64, E> {
    let mut count = 0u64;
    let mut take = |raw: Vec<Cell>| -> Result<(), E> {
        count += 1;
        let cells = raw
            .into_iter()
            .zip(&table.columns)
            .map(|(cell, column)| normalized(cell, column, &table.name))
            .collect::<Result<Vec<_>, RepoError>>()?;
        each(cells)
    };
    match conn {
        DbConnection::Sqlite(c) => {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                column_list(table),
                quoted(&table.name),
                table.key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
            );
            let rows = diesel::sql_query(sql)
                .load_iter::<SqliteRow, DefaultLoadingMode>(c)
                .map_err(RepoError::from)?;
            for row in rows {
                take(row.map_err(RepoError::from)?.0)?;
            }
        }
        DbConnection::Postgres(c) => {
            // A cursor, fetched in batches: libpq would otherwise hold the
            // whole result in memory. Text keys in byte order, as SQLite
            // orders them.
            let order = table
                .key
                .iter()
                .map(|k| match kind_of(table, k) {
                    Some(Kind::Text) => format!("{} COLLATE \"C\"", quoted(k)),
                    _ => quoted(k),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "DECLARE roster_dump NO SCROLL CURSOR FOR SELECT {} FROM {} ORDER BY {order}",
                column_list(table),
                quoted(&table.name)
            );
            diesel::sql_query(sql).execute(c).map_err(RepoError::from)?;
            loop {
                let batch = diesel::sql_query("FETCH FORWARD 2000 FROM roster_dump")
                    .load::<PgRow>(c)
                    .map_err(RepoError::from)?;
                if batch.is_empty() {
                    break;
                }
                for row in batch {
                    take(row.0)?;
                }
            }
            diesel::sql_query("CLOSE roster_dump")
                .execute(c)
                .map_err(RepoError::from)?;
        }
    }
    Ok(count)
}

fn kind_of(table: &Table, column: &str) -> Option<Kind> {
    table.columns.iter().find(|c| c.name == column).map(|c| c.kind)
}

/// A cell as read, turned into its column's kind (SQLite keeps booleans as
/// integers and times as text).
fn normalized(cell: Cell, column: &Column, table: &str) -> Result<Cell, RepoError> {
    let wrong = || {
        RepoError::Config(format!(
            "{table}.{}: a value that is not {:?}",
            column.name, column.kind
        ))
    };
    Ok(match (column.kind, cell) {
        (_, Cell::Null) => Cell::Null,
        (Kind::Bool, Cell::Int(i)) => Cell::Bool(i != 0),
        (Kind::Timestamp, Cell::Text(text)) => Cell::Timestamp(parse_time(&text).ok_or_else(wrong)?),
        (Kind::Date, Cell::Text(text)) => {
            Cell::Date(NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| wrong())?)
        }
        (Kind::Float, Cell::Int(i)) => Cell::Float(i as f64),
        (Kind::Text, Cell::Int(i)) => Cell::Text(i.to_string()),
        (Kind::Int, c @ Cell::Int(_))
        | (Kind::Bool, c @ Cell::Bool(_))
        | (Kind::Text, c @ Cell::Text(_))
        | (Kind::Timestamp, c @ Cell::Timestamp(_))
        | (Kind::Date, c @ Cell::Date(_))
        | (Kind::Bytes, c @ Cell::Bytes(_))
        | (Kind::Float, c @ Cell::Float(_)) => c,
        (Kind::Bytes, Cell::Text(text)) => Cell::Bytes(text.into_bytes()),
        _ => return Err(wrong()),
    })
}

/// A time as SQLite holds it (Diesel's `YYYY-MM-DD HH:MM:SS.ffffff`) or
/// as an export writes it (with a `T`); the fraction may be left out or
/// hold up to nine digits. Read by hand: chrono's format parser cost a
/// tenth of an import.
pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.trim().as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)?;
    let mut nanos = 0;
    if b.len() > 19 {
        let digits = &b[20..];
        if b[19] != b'.' || digits.is_empty() || digits.len() > 9 {
            return None;
        }
        nanos = number(20..b.len())? * 10u32.pow(9 - digits.len() as u32);
    }
    date.and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanos)
}

/// A time as an export writes it: `YYYY-MM-DDTHH:MM:SS.ffffff`.
pub fn format_time(t: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 1000
    )
}

/// A row of SQLite, each cell as its storage class holds it.
struct SqliteRow(Vec<Cell>);

impl QueryableByName<Sqlite> for SqliteRow {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        let mut cells = Vec::with_capacity(row.field_count());
        for index in 0..row.field_count() {
            let field = Row::get(row, index).ok_or("a column is missing")?;
            cells.push(match field.value() {
                None => Cell::Null,
                Some(mut value) => match value.value_type() {
                    Some(SqliteType::Long) => Cell::Int(value.read_long()),
                    Some(SqliteType::Double) => Cell::Float(value.read_double()),
                    Some(SqliteType::Binary) => Cell::Bytes(value.read_blob().to_vec()),
                    _ => Cell::Text(value.read_text().to_owned()),
                },
            });
        }
        Ok(Self(cells))
    }
}

/// A row of PostgreSQL, each cell decoded by its type.
struct PgRow(Vec<Cell>);

impl QueryableByName<Pg> for PgRow {
    fn build<'a>(row: &impl NamedRow<'a, Pg>) -> deserialize::Result<Self> {
        let mut cells = Vec::with_capacity(row.field_count());
        for index in 0..row.field_count() {
            let field = Row::get(row, index).ok_or("a column is missing")?;
            cells.push(match field.value() {
                None => Cell::Null,
                Some(value) => match value.get_oid().get() {
                    16 => Cell::Bool(<bool as FromSql<Bool, Pg>>::from_sql(value)?),
                    20 => Cell::Int(<i64 as FromSql<BigInt, Pg>>::from_sql(value)?),
                    23 => {
                        Cell::Int(<i32 as FromSql<diesel::sql_types::Integer, Pg>>::from_sql(value)?.into())
                    }
                    21 => {
                        Cell::Int(<i16 as FromSql<diesel::sql_types::SmallInt, Pg>>::from_sql(value)?.into())
                    }
                    17 => Cell::Bytes(<Vec<u8> as FromSql<Binary, Pg>>::from_sql(value)?),
                    1114 => Cell::Timestamp(<NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value)?),
                    1082 => Cell::Date(<NaiveDate as FromSql<Date, Pg>>::from_sql(value)?),
                    700 => {
                        Cell::Float(<f32 as FromSql<diesel::sql_types::Float, Pg>>::from_sql(value)?.into())
                    }
                    701 => Cell::Float(<f64 as FromSql<Double, Pg>>::from_sql(value)?),
                    25 | 1043 | 19 => Cell::Text(<String as FromSql<Text, Pg>>::from_sql(value)?),
                    other => {
                        return Err(format!("a column of type oid {other}, which Roster does not use").into())
                    }
                },
            });
        }
        Ok(Self(cells))
    }
}

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

/// Runs `f` in one read transaction, so that every table is read as of
/// one moment while other connections go on writing (on PostgreSQL, a
/// repeatable-read snapshot; SQLite's read transaction is one already).
pub fn in_snapshot<T, E: From<RepoError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::Connection;
    let mut outcome = None;
    let result = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        if let DbConnection::Postgres(c) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(c)?;
        }
        outcome = Some(f(conn));
        Ok(())
    });
    result.map_err(RepoError::from)?;
    outcome.expect("the transaction ran")
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

/// Whether the database holds any user.
pub fn has_users(conn: &mut DbConnection) -> Result<bool, RepoError> {
    crate::users::any_user(conn)
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

mod sqlite_catalog {
    use super::{Column, Kind, Table};
    use crate::error::RepoError;
    use diesel::sql_types::{Integer, Text};
    use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};

    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[derive(QueryableByName)]
    struct ColumnInfo {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        declared: String,
        #[diesel(sql_type = Integer)]
        pk: i32,
    }

    #[derive(QueryableByName)]
    struct Reference {
        #[diesel(sql_type = Text)]
        target: String,
    }

    pub fn tables(conn: &mut SqliteConnection) -> Result<Vec<Table>, RepoError> {
        let names = diesel::sql_query(
            // Ordinary tables only: not the full-text index (a virtual table,
            // kept by triggers on `users`) nor its shadow tables.
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
        )
        .load::<Name>(conn)?;
        let mut tables = Vec::with_capacity(names.len());
        for Name { name } in names {
            let infos = diesel::sql_query("SELECT name, type AS declared, pk FROM pragma_table_info(?)")
                .bind::<Text, _>(&name)
                .load::<ColumnInfo>(conn)?;
            let mut key: Vec<(i32, String)> = infos
                .iter()
                .filter(|c| c.pk > 0)
                .map(|c| (c.pk, c.name.clone()))
                .collect();
            key.sort();
            let columns = infos
                .into_iter()
                .map(|c| {
                    let kind = Kind::of_declared(&c.declared).ok_or_else(|| {
                        RepoError::Config(format!("{name}.{}: an unknown type {}", c.name, c.declared))
                    })?;
                    Ok(Column { name: c.name, kind })
                })
                .collect::<Result<Vec<_>, RepoError>>()?;
            let refers_to =
                diesel::sql_query("SELECT DISTINCT \"table\" AS target FROM pragma_foreign_key_list(?)")
                    .bind::<Text, _>(&name)
                    .load::<Reference>(conn)?
                    .into_iter()
                    .map(|r| r.target)
                    .collect();
            let key = key.into_iter().map(|(_, k)| k).collect::<Vec<_>>();
            let key = if key.is_empty() {
                columns.iter().map(|c| c.name.clone()).collect()
            } else {
                key
            };
            tables.push(Table {
                name,
                columns,
                key,
                refers_to,
            });
        }
        Ok(tables)
    }
}

mod pg_catalog {
    use super::{Column, Kind, Table};
    use crate::error::RepoError;
    use diesel::sql_types::Text;
    use diesel::{PgConnection, QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[derive(QueryableByName)]
    struct ColumnInfo {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        declared: String,
    }

    pub fn tables(conn: &mut PgConnection) -> Result<Vec<Table>, RepoError> {
        let names = diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
        )
        .load::<Name>(conn)?;
        let mut tables = Vec::with_capacity(names.len());
        for Name { name } in names {
            let columns = diesel::sql_query(
                "SELECT column_name::text AS name, data_type::text AS declared \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind::<Text, _>(&name)
            .load::<ColumnInfo>(conn)?
            .into_iter()
            .map(|c| {
                let kind = Kind::of_declared(&c.declared).ok_or_else(|| {
                    RepoError::Config(format!("{name}.{}: an unknown type {}", c.name, c.declared))
                })?;
                Ok(Column { name: c.name, kind })
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
            let key: Vec<String> = diesel::sql_query(
                "SELECT a.attname::text AS name FROM pg_index i \
                 JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary ORDER BY k.n",
            )
            .bind::<Text, _>(&name)
            .load::<Name>(conn)?
            .into_iter()
            .map(|n| n.name)
            .collect();
            let refers_to = diesel::sql_query(
                "SELECT DISTINCT c.confrelid::regclass::text AS name FROM pg_constraint c \
                 WHERE c.contype = 'f' AND c.conrelid = to_regclass(quote_ident($1))",
            )
            .bind::<Text, _>(&name)
            .load::<Name>(conn)?
            .into_iter()
            .map(|n| n.name.trim_matches('"').to_owned())
            .collect();
            let key = if key.is_empty() {
                columns.iter().map(|c| c.name.clone()).collect()
            } else {
                key
            };
            tables.push(Table {
                name,
                columns,
                key,
                refers_to,
            });
        }
        Ok(tables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, refers_to: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            key: Vec::new(),
            refers_to: refers_to.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn tables_come_after_those_they_refer_to() {
        let ordered = in_reference_order(vec![
            table("emails", &["users"]),
            table("group_members", &["groups", "users"]),
            table("groups", &["groups"]),
            table("users", &["groups"]),
        ]);
        let names: Vec<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["groups", "users", "emails", "group_members"]);
    }

    #[test]
    fn declared_types_have_kinds_on_both_backends() {
        for (declared, kind) in [
            ("INTEGER", Kind::Int),
            ("bigint", Kind::Int),
            ("BOOLEAN", Kind::Bool),
            ("boolean", Kind::Bool),
            ("TIMESTAMP", Kind::Timestamp),
            ("timestamp without time zone", Kind::Timestamp),
            ("DATE", Kind::Date),
            ("BLOB", Kind::Bytes),
            ("bytea", Kind::Bytes),
            ("TEXT", Kind::Text),
            ("character varying", Kind::Text),
            ("REAL", Kind::Float),
            ("double precision", Kind::Float),
        ] {
            assert_eq!(Kind::of_declared(declared), Some(kind), "{declared}");
        }
        assert_eq!(Kind::of_declared("jsonb"), None);
    }

    #[test]
    fn times_read_in_either_form_and_write_to_the_microsecond() {
        let t = parse_time("2026-12-04 10:11:12.123456").unwrap();
        assert_eq!(parse_time("2026-12-04T10:11:12.123456"), Some(t));
        assert_eq!(format_time(t), "2026-12-04T10:11:12.123456");
        assert_eq!(
            parse_time("2026-12-04 10:11:12.5"),
            NaiveDate::from_ymd_opt(2026, 12, 4)
                .unwrap()
                .and_hms_milli_opt(10, 11, 12, 500)
        );
        assert_eq!(
            parse_time("2026-12-04 10:11:12"),
            NaiveDate::from_ymd_opt(2026, 12, 4)
                .unwrap()
                .and_hms_opt(10, 11, 12)
        );
        assert_eq!(
            format_time(parse_time("2026-01-02 03:04:05").unwrap()),
            "2026-01-02T03:04:05.000000"
        );
        for bad in [
            "yesterday",
            "2026-13-04 10:11:12",
            "2026-12-04 10:11:12.",
            "2026-12-04 10:11:12.1234567890",
            "2026-12-04x10:11:12",
            "2026-12-04 25:11:12",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
