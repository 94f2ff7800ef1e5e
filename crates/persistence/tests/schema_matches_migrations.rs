//! `schema.rs` (what the queries are compiled against) and the migrations
//! (what the database holds) are written by hand, apart: this test holds
//! them to each other on the backend the suite runs on (SQLite by default,
//! PostgreSQL when `ROSTER_TEST_DATABASE_URL` names a server). Every table
//! the migrations make is declared, and every declared table has exactly
//! the migrated columns.
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_persistence::schema;
use roster_persistence::testing::TestDatabase;
use roster_persistence::{build_pool, migrations, DbConnection, PoolOptions};
use std::collections::{BTreeMap, BTreeSet};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The column names a `SELECT` of every declared column names.
fn columns_in(sql: &str) -> BTreeSet<String> {
    sql.split(['"', '`'])
        .collect::<Vec<_>>()
        .windows(3)
        .filter(|w| w[1] == ".")
        .map(|w| w[2].to_owned())
        .collect()
}

macro_rules! declared {
    ($($table:ident),* $(,)?) => {{
        let mut tables = BTreeMap::new();
        $(
            let select = schema::$table::table.select(schema::$table::all_columns);
            let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&select).to_string();
            tables.insert(stringify!($table).to_owned(), columns_in(&sql));
        )*
        tables
    }};
}

fn names(conn: &mut DbConnection, sql: &str) -> BTreeSet<String> {
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .expect(sql)
        .into_iter()
        .map(|n| n.name)
        .collect()
}

fn migrated_tables(conn: &mut DbConnection) -> BTreeMap<String, BTreeSet<String>> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let tables = if sqlite {
        // The full-text index of user search (an FTS5 virtual table and its
        // shadow tables) is SQLite's own machinery, queried in raw SQL.
        let virtual_tables = names(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
        );
        names(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .into_iter()
        .filter(|t| {
            !virtual_tables
                .iter()
                .any(|v| t == v || t.starts_with(&format!("{v}_")))
        })
        .collect()
    } else {
        names(
            conn,
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
    };
    tables
        .into_iter()
        .filter(|t| t != "__diesel_schema_migrations")
        .map(|table| {
            let sql = if sqlite {
                format!("SELECT name FROM pragma_table_info('{table}')")
            } else {
                format!(
                    "SELECT column_name::text AS name FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}'"
                )
            };
            let columns = names(conn, &sql);
            (table, columns)
        })
        .collect()
}

#[test]
fn schema_rs_declares_exactly_the_migrated_tables_and_columns() {
    let db = TestDatabase::create();
    let pool = build_pool(db.url(), &PoolOptions::default()).expect("pool");
    let mut conn = pool.get().expect("connection");
    migrations::run_pending(&mut conn).expect("migrations");
    let migrated = migrated_tables(&mut conn);
    let declared = declared!(
        users,
        avatars,
        follows,
        user_preferences,
        custom_attributes,
        emails,
        identities,
        personal_access_tokens,
        oauth_tokens,
        keys,
        email_confirmations,
        outbox,
        password_resets,
        email_changes,
        unknown_sign_in_failures,
        rate_limits,
        audit_events,
        user_statuses,
        groups,
        group_ancestors,
        group_members,
        group_invitations,
        oauth_applications,
        signing_keys,
        browser_sessions,
        oauth_grants,
        oauth_codes,
        oauth_device_codes,
        totp_credentials,
        recovery_codes,
        mfa_challenges,
        webauthn_credentials,
        webauthn_ceremonies,
        gpg_keys,
        sealed_values,
        system_hooks,
        system_events,
        hook_deliveries,
    );
    let migrated_names: BTreeSet<&String> = migrated.keys().collect();
    let declared_names: BTreeSet<&String> = declared.keys().collect();
    assert_eq!(
        migrated_names, declared_names,
        "tables: migrated (left) vs declared in schema.rs and listed here (right)"
    );
    for (table, columns) in &declared {
        assert_eq!(
            &migrated[table], columns,
            "columns of {table}: migrated vs schema.rs"
        );
    }
}
