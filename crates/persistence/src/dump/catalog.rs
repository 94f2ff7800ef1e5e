//! The tables of the schema, read from each backend's own catalog: their
//! columns and declared types, primary keys, and the tables they refer to.
pub(super) use pg::tables as pg_tables;
pub(super) use sqlite::tables as sqlite_tables;

mod sqlite {
    use super::super::{Column, Kind, Table};
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

mod pg {
    use super::super::{Column, Kind, Table};
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
