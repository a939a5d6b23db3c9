//! The change feed phones sync from (docs/SYNC.md).
//!
//! Every write of a synced record calls [`record`] in its transaction: one row of
//! `sync_changes` per county the record was in before or after the write, at the
//! transaction's *position*. On PostgreSQL the position is the transaction's id
//! (`pg_current_xact_id()`), and the feed returns only positions below the oldest
//! transaction still running (`pg_snapshot_xmin`): every transaction below it has ended,
//! and every transaction that has not yet ended (or not yet begun) gets a position at or
//! above it, so a cursor never passes a change that commits later. (`updated_at`, set
//! before the commit, cannot promise that: a transaction that commits after a reader
//! passed its timestamp is skipped.) On SQLite writes are serialised, and the position
//! is one more than the highest so far.
//!
//! A page names each record once, as it is now: a person in the caller's scope, or a
//! tombstone saying it was deleted or left the scope (never where it went).

pub mod routes;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::person::{PersonItem, Tombstone};
use shared::sync::{GoneReason, PersonChanges};

use crate::auth::Scope;
use crate::db::schema::{persons, sync_changes};
use crate::db::{utc, uuid, DbConn};
use crate::error::ApiError;
use crate::pagination::Cursor;
use crate::persons::model::PersonRow;

/// Kinds of synced records (the `entity` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Registry entries.
    Person,
}

impl Entity {
    fn as_str(self) -> &'static str {
        match self {
            Entity::Person => "person",
        }
    }
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    position: i64,
}

/// The position of the changes the current transaction writes.
fn position(conn: &mut DbConn, entity: Entity) -> Result<i64, ApiError> {
    if let DbConn::Pg(pg) = conn {
        return Ok(
            diesel::sql_query("SELECT pg_current_xact_id()::text::bigint AS position")
                .get_result::<Position>(pg)?
                .position,
        );
    }
    let last: Option<i64> = sync_changes::table
        .filter(sync_changes::entity.eq(entity.as_str()))
        .select(diesel::dsl::max(sync_changes::position))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

/// Records that the record `id` changed in the current transaction, in each of
/// `counties` (where it was before the change and where it is after; the same county
/// once). Call it inside the write's transaction.
pub fn record(
    conn: &mut DbConn,
    entity: Entity,
    id: &str,
    counties: &[&str],
) -> Result<(), ApiError> {
    let counties: BTreeSet<&str> = counties.iter().copied().collect();
    record_many(
        conn,
        entity,
        &counties.into_iter().map(|c| (id, c)).collect::<Vec<_>>(),
    )
}

/// [`record`] for many records at once (`(id, county)` pairs), e.g. a bulk insert.
pub fn record_many(
    conn: &mut DbConn,
    entity: Entity,
    changes: &[(&str, &str)],
) -> Result<(), ApiError> {
    if changes.is_empty() {
        return Ok(());
    }
    let position = position(conn, entity)?;
    // One transaction may change a record twice: its row at this position is there.
    let ids: Vec<&str> = changes.iter().map(|(id, _)| *id).collect();
    let mut there: BTreeSet<(String, String)> = BTreeSet::new();
    for chunk in ids.chunks(500) {
        there.extend(
            sync_changes::table
                .filter(sync_changes::entity.eq(entity.as_str()))
                .filter(sync_changes::position.eq(position))
                .filter(sync_changes::entity_id.eq_any(chunk))
                .select((sync_changes::entity_id, sync_changes::county_code))
                .load::<(String, String)>(conn)?,
        );
    }
    let rows: Vec<_> = changes
        .iter()
        .filter(|(id, county)| !there.contains(&((*id).to_owned(), (*county).to_owned())))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|(id, county)| {
            (
                sync_changes::entity.eq(entity.as_str()),
                sync_changes::position.eq(position),
                sync_changes::entity_id.eq(*id),
                sync_changes::county_code.eq(*county),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::db::batch_insert!(conn, sync_changes::table, chunk)?;
    }
    Ok(())
}

/// The cursor of the start of the feed.
fn start() -> Cursor {
    Cursor {
        ts: Some(-1),
        id: String::new(),
    }
}

/// Whether a person's row lies in `scope`.
fn in_scope(scope: &Scope, row: &PersonRow) -> bool {
    match scope {
        Scope::Province => true,
        Scope::City(c) => row.city_code == *c,
        Scope::County(c) => row.county_code == *c,
    }
}

/// One page of the persons feed of `scope` after `after` (the start when `None`): at
/// most `limit` changes, each person once, as it is now.
pub fn person_changes(
    conn: &mut DbConn,
    scope: &Scope,
    after: Option<Cursor>,
    limit: i64,
) -> Result<PersonChanges, ApiError> {
    let after = after.unwrap_or_else(start);
    let Some(after_position) = after.ts else {
        return Err(ApiError::field(
            "cursor",
            "invalid_cursor",
            "the cursor is not one this feed gave out",
        ));
    };
    let mut query = sync_changes::table
        .filter(sync_changes::entity.eq(Entity::Person.as_str()))
        .filter(
            sync_changes::position
                .gt(after_position)
                .or(sync_changes::position
                    .eq(after_position)
                    .and(sync_changes::entity_id.gt(after.id.clone()))),
        )
        .into_boxed();
    query = match scope {
        Scope::Province => query,
        Scope::City(c) => query.filter(sync_changes::county_code.like(format!("{c}%"))),
        Scope::County(c) => query.filter(sync_changes::county_code.eq(c.clone())),
    };
    if matches!(conn, DbConn::Pg(_)) {
        // Only what every transaction still running will come after.
        query = query.filter(sync_changes::position.lt(diesel::dsl::sql::<BigInt>(
            "(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)",
        )));
    }
    let mut changes: Vec<(i64, String)> = query
        .order((sync_changes::position.asc(), sync_changes::entity_id.asc()))
        .limit(limit + 1)
        .select((sync_changes::position, sync_changes::entity_id))
        .load(conn)?;
    let more = changes.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    changes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let cursor = match changes.last() {
        Some((position, id)) => Cursor {
            ts: Some(*position),
            id: id.clone(),
        },
        None => after,
    }
    .encode();
    // Each person once, in the order of their last change on this page.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, (_, id)) in changes.iter().enumerate() {
        last.insert(id.as_str(), i);
    }
    let mut order: Vec<(usize, &str)> = last.into_iter().map(|(id, i)| (i, id)).collect();
    order.sort_unstable();
    let ids: Vec<&str> = order.iter().map(|(_, id)| *id).collect();
    let mut rows: HashMap<String, PersonRow> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in persons::table
            .filter(persons::id.eq_any(chunk))
            .select(PersonRow::as_select())
            .load::<PersonRow>(conn)?
        {
            rows.insert(row.id.clone(), row);
        }
    }
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(row) = rows.get(id) else { continue };
        let gone = if row.deleted_at.is_some() {
            Some(GoneReason::Deleted)
        } else if !in_scope(scope, row) {
            Some(GoneReason::OutOfScope)
        } else {
            None
        };
        items.push(match gone {
            None => PersonItem::Person(Box::new(row.to_api()?)),
            Some(reason) => PersonItem::Tombstone(Tombstone {
                id: uuid(&row.id)?,
                version: row.version,
                deleted: true,
                updated_at: utc(row.updated_at),
                reason: Some(reason),
            }),
        });
    }
    Ok(PersonChanges {
        items,
        cursor,
        more,
    })
}
