//! Migrations run up on both databases, down again, and up once more; the write
//! transaction helper commits and rolls back on both.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel_migrations::MigrationHarness;

use super::schema::org_units;
use super::{write_tx, DbConn, MIGRATIONS};
use crate::testing::{empty_database, Backend};

fn migrations_go_up_and_down(backend: Backend) {
    let (url, _guard) = empty_database(backend);
    let pool = Pool::builder()
        .max_size(1)
        .build(ConnectionManager::<DbConn>::new(url))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut conn = pool.get().unwrap_or_else(|e| panic!("{e}"));
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .unwrap_or_else(|e| panic!("up: {e}"));
    assert!(!applied.is_empty());
    assert_eq!(
        org_units::table.count().get_result::<i64>(&mut conn).ok(),
        Some(0)
    );
    conn.revert_all_migrations(MIGRATIONS)
        .unwrap_or_else(|e| panic!("down: {e}"));
    assert!(
        org_units::table
            .count()
            .get_result::<i64>(&mut conn)
            .is_err(),
        "tables are gone after down"
    );
    conn.run_pending_migrations(MIGRATIONS)
        .unwrap_or_else(|e| panic!("up again: {e}"));
    // The write helper commits on Ok and rolls back on Err.
    let insert = |conn: &mut DbConn, code: &str| {
        diesel::insert_into(org_units::table)
            .values((
                org_units::code.eq(code),
                org_units::name.eq("测试"),
                org_units::kind.eq("province"),
                org_units::region_code.eq(code),
            ))
            .execute(conn)
    };
    let ok: Result<(), crate::error::ApiError> = write_tx(&mut conn, |c| {
        insert(c, "98").map(|_| ()).map_err(Into::into)
    });
    assert!(ok.is_ok());
    let failed: Result<(), crate::error::ApiError> = write_tx(&mut conn, |c| {
        insert(c, "99")?;
        Err(crate::error::ApiError::NotFound)
    });
    assert!(failed.is_err());
    let codes: Vec<String> = org_units::table
        .select(org_units::code)
        .load(&mut conn)
        .unwrap_or_default();
    assert_eq!(codes, vec!["98".to_owned()]);
    conn.batch_execute("SELECT 1")
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn migrations_sqlite() {
    migrations_go_up_and_down(Backend::Sqlite);
}

#[test]
fn migrations_postgres() {
    migrations_go_up_and_down(Backend::Postgres);
}
