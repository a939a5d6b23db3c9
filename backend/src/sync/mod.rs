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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::person::{PersonItem, Tombstone};
use shared::sync::{GoneReason, PersonChanges};

use crate::auth::Scope;
use crate::db::schema::{persons, sync_changes, sync_epoch};
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
        return Ok(diesel::sql_query(
            "SELECT pg_current_xact_id()::text::bigint + base AS position FROM sync_epoch",
        )
        .get_result::<Position>(pg)?
        .position);
    }
    let last: Option<i64> = sync_changes::table
        .filter(sync_changes::entity.eq(entity.as_str()))
        .select(diesel::dsl::max(sync_changes::position))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

/// One record as a write left it.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Record id.
    pub id: &'a str,
    /// A county it was in before or after the write.
    pub county: &'a str,
    /// Its version after the write.
    pub version: i64,
    /// When it was written.
    pub at: chrono::NaiveDateTime,
}

/// Records that the record `id` changed in the current transaction, in each of
/// `counties` (where it was before the change and where it is after; the same county
/// once), with its version and time after the change. Call it inside the write's
/// transaction.
pub fn record(
    conn: &mut DbConn,
    entity: Entity,
    (id, version, at): (&str, i64, chrono::NaiveDateTime),
    counties: &[&str],
) -> Result<(), ApiError> {
    let counties: BTreeSet<&str> = counties.iter().copied().collect();
    let changes: Vec<Change<'_>> = counties
        .into_iter()
        .map(|county| Change {
            id,
            county,
            version,
            at,
        })
        .collect();
    record_many(conn, entity, &changes)
}

/// [`record`] for many records at once (e.g. a bulk insert).
pub fn record_many(
    conn: &mut DbConn,
    entity: Entity,
    changes: &[Change<'_>],
) -> Result<(), ApiError> {
    if changes.is_empty() {
        return Ok(());
    }
    if !crate::db::in_transaction(conn) {
        // Outside a transaction the position would be one of a transaction that has
        // ended, and a reader could already be past it.
        return Err(ApiError::Internal(anyhow::anyhow!(
            "sync changes must be recorded inside the write's transaction"
        )));
    }
    let position = position(conn, entity)?;
    // One transaction may change a record twice: the later write wins.
    let mut latest: BTreeMap<(&str, &str), Change<'_>> = BTreeMap::new();
    for c in changes {
        latest.insert((c.id, c.county), *c);
    }
    let ids: Vec<&str> = latest.keys().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(500) {
        diesel::delete(
            sync_changes::table
                .filter(sync_changes::entity.eq(entity.as_str()))
                .filter(sync_changes::position.eq(position))
                .filter(sync_changes::entity_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    let rows: Vec<_> = latest
        .values()
        .map(|c| {
            (
                sync_changes::entity.eq(entity.as_str()),
                sync_changes::position.eq(position),
                sync_changes::entity_id.eq(c.id),
                sync_changes::county_code.eq(c.county),
                sync_changes::version.eq(c.version),
                sync_changes::changed_at.eq(c.at),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::db::batch_insert!(conn, sync_changes::table, chunk)?;
    }
    Ok(())
}

/// After a restore: a new epoch, so that every phone's cursor is refused and it syncs
/// again from the start, and a base above every position kept, so that positions keep
/// growing where transaction ids start again.
pub fn new_epoch(conn: &mut DbConn) -> Result<(), ApiError> {
    crate::db::write_tx(conn, |conn| {
        let top: Option<i64> = sync_changes::table
            .select(diesel::dsl::max(sync_changes::position))
            .first(conn)?;
        diesel::update(sync_epoch::table.find(1))
            .set((
                sync_epoch::epoch.eq(uuid::Uuid::new_v4().simple().to_string()),
                sync_epoch::base.eq(top.unwrap_or(0) + 1),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Where a page of the feed ends; given out with the epoch and the caller's region.
struct FeedCursor {
    position: i64,
    entity_id: String,
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "cursor",
        "invalid_cursor",
        "this cursor is not from this feed (the database was restored, or your area \
         changed): sync again from the start, without a cursor",
    )
}

impl FeedCursor {
    fn encode(&self, epoch: &str, region: &str) -> String {
        Cursor {
            ts: Some(self.position),
            id: format!("{epoch}.{region}.{}", self.entity_id),
        }
        .encode()
    }

    /// The cursor's place, if it is of this `epoch` and `region`.
    fn decode(c: Cursor, epoch: &str, region: &str) -> Result<Self, ApiError> {
        let position = c.ts.filter(|p| *p >= -1).ok_or_else(bad_cursor)?;
        let mut parts = c.id.splitn(3, '.');
        let (Some(e), Some(r), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad_cursor());
        };
        if e != epoch || r != region {
            return Err(bad_cursor());
        }
        Ok(Self {
            position,
            entity_id: id.to_owned(),
        })
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
    let (epoch, base): (String, i64) = sync_epoch::table
        .find(1)
        .select((sync_epoch::epoch, sync_epoch::base))
        .first(conn)?;
    let region = scope.region().to_owned();
    let after = match after {
        Some(c) => FeedCursor::decode(c, &epoch, &region)?,
        None => FeedCursor {
            position: -1,
            entity_id: String::new(),
        },
    };
    let mut query = sync_changes::table
        .filter(sync_changes::entity.eq(Entity::Person.as_str()))
        .filter(
            sync_changes::position
                .gt(after.position)
                .or(sync_changes::position
                    .eq(after.position)
                    .and(sync_changes::entity_id.gt(after.entity_id.clone()))),
        )
        .into_boxed();

    query = match scope {
        Scope::Province => query,
        Scope::City(c) => query.filter(sync_changes::county_code.like(format!("{c}%"))),
        Scope::County(c) => query.filter(sync_changes::county_code.eq(c.clone())),
    };
    if matches!(conn, DbConn::Pg(_)) {
        // Only what every transaction still running will come after.
        query = query.filter(
            sync_changes::position.lt(diesel::dsl::sql::<BigInt>(&format!(
                "(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint + {base})"
            ))),
        );
    }
    type Row = (i64, String, i64, chrono::NaiveDateTime);
    let mut changes: Vec<Row> = query
        .order((sync_changes::position.asc(), sync_changes::entity_id.asc()))
        .limit(limit + 1)
        .select((
            sync_changes::position,
            sync_changes::entity_id,
            sync_changes::version,
            sync_changes::changed_at,
        ))
        .load(conn)?;
    let more = changes.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    changes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let cursor = match changes.last() {
        Some((position, id, ..)) => FeedCursor {
            position: *position,
            entity_id: id.clone(),
        },
        None => after,
    }
    .encode(&epoch, &region);
    // Each person once, in the order of their last change on this page.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, (_, id, ..)) in changes.iter().enumerate() {
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
    let mut items = Vec::with_capacity(order.len());
    for (i, id) in order {
        let Some(row) = rows.get(id) else { continue };
        items.push(if !in_scope(scope, row) {
            // Gone from the caller's area: only what the change that took it away (a row
            // of this area) says, never what happened to it since.
            let (_, _, version, at) = &changes[i];
            PersonItem::Tombstone(Tombstone {
                id: uuid(&row.id)?,
                version: *version,
                deleted: true,
                updated_at: utc(*at),
                reason: Some(GoneReason::OutOfScope),
            })
        } else if row.deleted_at.is_some() {
            PersonItem::Tombstone(Tombstone {
                id: uuid(&row.id)?,
                version: row.version,
                deleted: true,
                updated_at: utc(row.updated_at),
                reason: Some(GoneReason::Deleted),
            })
        } else {
            PersonItem::Person(Box::new(row.to_api()?))
        });
    }
    Ok(PersonChanges {
        items,
        cursor,
        more,
    })
}
