//! `roster export`, `roster import` and `roster copy` (§13): every table
//! as JSON Lines, the same from either backend.
//!
//! The file:
//! 1. a header, `{"format": "roster-export", "format_version": 1,
//!    "schema_version": …, "roster_version": …, "exported_at": …,
//!    "backend": …}` — the only line that differs between two exports of
//!    the same data;
//! 2. for each table, each after those it refers to: `{"table": name,
//!    "columns": [names, in name order]}`, one JSON array a row in key
//!    order, then `{"end_of_table": name, "rows": n, "sha256": …}` (the
//!    digest of its row lines, each with its newline);
//! 3. `{"end_of_export": {"tables": n, "rows": n}}`, so a cut-off file is
//!    refused.
//!
//! Values: integers and booleans as JSON's, text as strings, times as
//! `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, to the microsecond), dates as
//! `YYYY-MM-DD`, bytes as standard base64, `NULL` as `null`. What is stored
//! hashed or encrypted stays so: the file holds no secret in the clear (but
//! the sealed ones open only with the deployment's secret key).
use anyhow::{anyhow, bail, Context};
use base64::Engine;
use chrono::NaiveDate;
use roster_persistence::dump::{self, Cell, Kind, Table};
use roster_persistence::{migrations, write_transaction, DbConnection};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};

/// The version of the file format this binary writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// What an export or an import saw of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    /// The table.
    pub name: String,
    /// Its rows.
    pub rows: u64,
    /// The SHA-256 of its row lines, in hexadecimal.
    pub sha256: String,
}

/// Writes every table of `conn` to `out`, as of one moment.
pub fn export(conn: &mut DbConnection, out: impl Write) -> anyhow::Result<Vec<TableSummary>> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let schema_version = migrations::schema_version(conn)?.context("the database has no schema")?;
    let backend = match conn {
        DbConnection::Sqlite(_) => "sqlite",
        DbConnection::Postgres(_) => "postgresql",
    };
    let header = json!({
        "format": "roster-export",
        "format_version": FORMAT_VERSION,
        "schema_version": schema_version,
        "roster_version": env!("CARGO_PKG_VERSION"),
        "exported_at": dump::format_time(roster_persistence::now()),
        "backend": backend,
    });
    writeln!(out, "{header}")?;
    let summaries = dump::in_snapshot(conn, |conn| -> anyhow::Result<Vec<TableSummary>> {
        let mut summaries = Vec::new();
        for table in dump::tables(conn)? {
            let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            writeln!(out, "{}", json!({"table": table.name, "columns": columns}))?;
            let mut digest = Sha256::new();
            let mut line = Vec::with_capacity(512);
            let rows = dump::read_rows(conn, &table, |cells| -> anyhow::Result<()> {
                line.clear();
                write_row(&mut line, &cells)?;
                line.push(b'\n');
                digest.update(&line);
                out.write_all(&line)?;
                Ok(())
            })?;
            let sha256 = format!("{:x}", digest.finalize());
            writeln!(
                out,
                "{}",
                json!({"end_of_table": table.name, "rows": rows, "sha256": sha256})
            )?;
            summaries.push(TableSummary {
                name: table.name,
                rows,
                sha256,
            });
        }
        Ok(summaries)
    })?;
    let rows: u64 = summaries.iter().map(|s| s.rows).sum();
    writeln!(
        out,
        "{}",
        json!({"end_of_export": {"tables": summaries.len(), "rows": rows}})
    )?;
    out.flush()?;
    Ok(summaries)
}

/// One row as a JSON array.
fn write_row(out: &mut Vec<u8>, cells: &[Cell]) -> anyhow::Result<()> {
    let values: Vec<Value> = cells.iter().map(cell_json).collect();
    serde_json::to_writer(out, &values)?;
    Ok(())
}

fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(v) => json!(v),
        Cell::Bool(v) => json!(v),
        Cell::Text(v) => json!(v),
        Cell::Timestamp(v) => json!(dump::format_time(*v)),
        Cell::Date(v) => json!(v.format("%Y-%m-%d").to_string()),
        Cell::Bytes(v) => json!(base64::engine::general_purpose::STANDARD.encode(v)),
        Cell::Float(v) => json!(v),
    }
}

/// A value of the file as a cell of a column of `kind`.
fn json_cell(value: Value, kind: Kind) -> Option<Cell> {
    Some(match (kind, value) {
        (_, Value::Null) => Cell::Null,
        (Kind::Int, Value::Number(n)) => Cell::Int(n.as_i64()?),
        (Kind::Bool, Value::Bool(b)) => Cell::Bool(b),
        (Kind::Text, Value::String(s)) => Cell::Text(s),
        (Kind::Timestamp, Value::String(s)) => Cell::Timestamp(dump::parse_time(&s)?),
        (Kind::Date, Value::String(s)) => Cell::Date(NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()?),
        (Kind::Bytes, Value::String(s)) => {
            Cell::Bytes(base64::engine::general_purpose::STANDARD.decode(s).ok()?)
        }
        (Kind::Float, Value::Number(n)) => Cell::Float(n.as_f64()?),
        _ => return None,
    })
}

/// Reads an export into `conn`, which must hold no user (a new database,
/// or one migrated, even started, with no user yet: whatever else it holds
/// is replaced). All of it, or nothing: one transaction. The file must be of
/// this binary's schema version (run `roster migrate` on the source first).
/// One thread reads and checks the file while this one writes.
pub fn import(conn: &mut DbConnection, input: impl BufRead + Send) -> anyhow::Result<Vec<TableSummary>> {
    let mut lines = input.lines().enumerate();
    let (_, header) = lines.next().context("the file is empty")?;
    let header: Value = serde_json::from_str(&header?).context("line 1 is not a Roster export's header")?;
    if header["format"] != "roster-export" {
        bail!("line 1 is not a Roster export's header");
    }
    if header["format_version"] != FORMAT_VERSION {
        bail!(
            "the file is of format version {}; this Roster reads version {FORMAT_VERSION}",
            header["format_version"]
        );
    }
    let ours = migrations::schema_version(conn)?.context("the database has no schema")?;
    if header["schema_version"].as_str() != Some(ours.as_str()) {
        bail!(
            "the file was exported at schema version {}, this database is at {ours}: \
             export again after `roster migrate` with this Roster",
            header["schema_version"]
        );
    }
    if dump::has_users(conn)? {
        bail!("the database already has users: import only into an empty database");
    }
    dump::prepare_for_load(conn).context("the database is in use: stop every Roster on it first")?;
    let loaded = write_transaction(conn, |conn| {
        if dump::has_users(conn)? {
            bail!("the database already has users: import only into an empty database");
        }
        let tables = dump::tables(conn)?;
        dump::clear(conn, &tables)?;
        let summaries = dump::with_indexes_set_aside(conn, |conn| {
            std::thread::scope(|scope| {
                let (sender, batches) = std::sync::mpsc::sync_channel::<Batch>(2);
                let tables = &tables;
                let reader = scope.spawn(move || read_tables(lines, tables, &sender));
                let written = write_batches(conn, tables, batches);
                // A failed write drops the receiver, which stops the reader;
                // a failed read ends the batches early: the reader says why.
                let read = reader.join().map_err(|_| anyhow!("the reader stopped"))?;
                let summaries = read?;
                written?;
                Ok::<_, anyhow::Error>(summaries)
            })
        })?;
        dump::continue_sequences(conn, &tables)?;
        Ok(summaries)
    });
    dump::finish_load(conn)?;
    loaded
}

/// Rows of the table at an index of the tables, ready to insert.
type Batch = (usize, Vec<Vec<Cell>>);

fn write_batches(
    conn: &mut DbConnection,
    tables: &[Table],
    batches: std::sync::mpsc::Receiver<Batch>,
) -> anyhow::Result<()> {
    for (table, rows) in batches {
        dump::insert_rows(conn, &tables[table], rows)?;
    }
    Ok(())
}

/// Reads every line after the header: each table's rows in batches to
/// `sender`, each table's count and checksum checked at its end.
fn read_tables(
    lines: impl Iterator<Item = (usize, std::io::Result<String>)>,
    tables: &[Table],
    sender: &std::sync::mpsc::SyncSender<Batch>,
) -> anyhow::Result<Vec<TableSummary>> {
    let mut reader = TableReader::default();
    for (index, line) in lines {
        let line = line?;
        let number = index + 1;
        match reader
            .read(tables, &line)
            .with_context(|| format!("line {number}"))?
        {
            Read::More => {}
            Read::Batch(batch) => {
                if sender.send(batch).is_err() {
                    // The writer failed; its error is the one to tell.
                    return Ok(reader.summaries);
                }
            }
            Read::End => return Ok(reader.summaries),
        }
    }
    bail!("the file ends before its last line (`end_of_export`): it was cut off")
}

/// What a line made.
enum Read {
    /// Nothing to write yet.
    More,
    /// Rows to write.
    Batch(Batch),
    /// The end of the export.
    End,
}

/// The table being read, and what was read so far.
#[derive(Default)]
struct TableReader {
    current: Option<(usize, Sha256, u64)>,
    pending: Vec<Vec<Cell>>,
    summaries: Vec<TableSummary>,
}

impl TableReader {
    /// Reads one line after the header.
    fn read(&mut self, tables: &[Table], line: &str) -> anyhow::Result<Read> {
        if line.starts_with('[') {
            let (index, digest, rows) = self.current.as_mut().context("a row outside any table")?;
            let table = &tables[*index];
            let Value::Array(values) = serde_json::from_str(line)? else {
                bail!("a row is not an array");
            };
            if values.len() != table.columns.len() {
                bail!(
                    "{}: a row of {} values for {} columns",
                    table.name,
                    values.len(),
                    table.columns.len()
                );
            }
            let cells = values
                .into_iter()
                .zip(&table.columns)
                .map(|(v, c)| {
                    json_cell(v, c.kind)
                        .ok_or_else(|| anyhow!("{}.{}: not a {:?}", table.name, c.name, c.kind))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            digest.update(line.as_bytes());
            digest.update(b"\n");
            *rows += 1;
            self.pending.push(cells);
            if self.pending.len() >= dump::rows_per_insert(table) {
                return Ok(Read::Batch((*index, std::mem::take(&mut self.pending))));
            }
            return Ok(Read::More);
        }
        let control: Value = serde_json::from_str(line)?;
        if let Some(name) = control["table"].as_str() {
            if self.current.is_some() {
                bail!("table {name} begins before the previous one ended");
            }
            let index = tables
                .iter()
                .position(|t| t.name == name)
                .with_context(|| format!("this database has no table {name}"))?;
            let columns: Vec<&str> = tables[index].columns.iter().map(|c| c.name.as_str()).collect();
            if control["columns"] != json!(columns) {
                bail!(
                    "table {name}: the file's columns {} are not this database's {columns:?}",
                    control["columns"]
                );
            }
            self.current = Some((index, Sha256::new(), 0));
            Ok(Read::More)
        } else if let Some(name) = control["end_of_table"].as_str() {
            let (index, digest, rows) = self
                .current
                .take()
                .context("the end of a table that did not begin")?;
            let table = &tables[index];
            if table.name != name {
                bail!("table {} ends as {name}", table.name);
            }
            let sha256 = format!("{:x}", digest.finalize());
            if control["rows"] != rows || control["sha256"] != sha256.as_str() {
                bail!("table {name}: {rows} rows read, which do not match its count and checksum");
            }
            self.summaries.push(TableSummary {
                name: table.name.clone(),
                rows,
                sha256,
            });
            Ok(Read::Batch((index, std::mem::take(&mut self.pending))))
        } else if control.get("end_of_export").is_some() {
            if self.current.is_some() {
                bail!("the export ends inside a table");
            }
            Ok(Read::End)
        } else {
            bail!("not a line of a Roster export");
        }
    }
}

/// What `roster copy` found: each table of the source beside the copy's.
pub struct CopyReport {
    /// The source's tables.
    pub source: Vec<TableSummary>,
    /// The copy's, read back after the copy.
    pub copy: Vec<TableSummary>,
}

impl CopyReport {
    /// Whether every table has the same rows, count and checksum.
    pub fn identical(&self) -> bool {
        self.source == self.copy
    }

    /// A table of the report, one line a table.
    pub fn render(&self) -> String {
        let mut text = format!(
            "{:<32} {:>10} {:>10}  {:<16}  result\n",
            "table", "source", "copy", "sha256"
        );
        for s in &self.source {
            let copy = self.copy.iter().find(|c| c.name == s.name);
            let (rows, same) = match copy {
                Some(c) => (c.rows.to_string(), c == s),
                None => ("missing".to_owned(), false),
            };
            text += &format!(
                "{:<32} {:>10} {:>10}  {:<16}  {}\n",
                s.name,
                s.rows,
                rows,
                &s.sha256[..16],
                if same { "identical" } else { "DIFFERS" }
            );
        }
        text
    }
}

/// Copies `source` whole into `target` (empty, migrated to the same
/// schema), streaming the export through a pipe, then exports the copy and
/// compares each table's count and checksum with the source's.
pub fn copy(source: &mut DbConnection, target: &mut DbConnection) -> anyhow::Result<CopyReport> {
    let (reader, writer) = std::io::pipe()?;
    let source_tables = std::thread::scope(|scope| {
        let importing = {
            let target = &mut *target;
            scope.spawn(move || import(target, std::io::BufReader::with_capacity(1 << 16, reader)))
        };
        let exported = export(source, writer);
        let imported = importing.join().map_err(|_| anyhow!("the import stopped"))?;
        // An import that failed closes the pipe, and the export then fails
        // to write: the import's error is the one that tells why.
        imported?;
        exported
    })?;
    let copy_tables = export(target, std::io::sink())?;
    Ok(CopyReport {
        source: source_tables,
        copy: copy_tables,
    })
}
