//! Every table, row by row, in a form both backends share: what `roster
//! export`, `roster import` and `roster copy` move. The tables and their
//! columns come from the database's own catalog, so a new migration needs
//! nothing here; values are read and written by each column's declared
//! type, so that SQLite's integers-for-booleans and text-for-times come out
//! exactly as PostgreSQL's booleans and timestamps do.
use crate::connection::DbConnection;
use crate::error::RepoError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::DefaultLoadingMode;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::pg::Pg;
use diesel::row::{Field, NamedRow, Row};
use diesel::sql_types::{BigInt, Binary, Bool, Date, Double, Text, Timestamp};
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
    pub(crate) fn of_declared(declared: &str) -> Option<Self> {
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
        DbConnection::Sqlite(c) => catalog::sqlite_tables(c)?,
        DbConnection::Postgres(c) => catalog::pg_tables(c)?,
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

pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(crate) fn column_list(table: &Table) -> String {
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

pub(crate) fn kind_of(table: &Table, column: &str) -> Option<Kind> {
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

/// Whether the database holds any user.
pub fn has_users(conn: &mut DbConnection) -> Result<bool, RepoError> {
    crate::users::any_user(conn)
}

mod catalog;
mod load;

pub use load::{
    clear, continue_sequences, finish_load, insert_rows, prepare_for_load, rows_per_insert,
    with_indexes_set_aside,
};

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
