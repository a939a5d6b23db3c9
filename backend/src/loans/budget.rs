//! Programme years (the subsidy rule, budget and targets) and city allocations.

//!
//! Every sum of fen is checked ([`shared::money::checked_sum`]): an overflow is a 422 field
//! error, never a panic or a wrapped value. Changes of a year's budget and allocations are
//! serialised: SQLite's `BEGIN IMMEDIATE` ([`write_tx`]) takes the write lock up front, and
//! on PostgreSQL [`lock_year`] and [`lock_allocation`] take row locks (`SELECT … FOR
//! UPDATE`) before anything is read, so two concurrent changes cannot both pass a check
//! that only one of them may.

use diesel::prelude::*;
pub use shared::employment::{Allocation, AllocationSet, ProgrammeYear, ProgrammeYearSet};
use shared::employment::{EmploymentTargets, SubsidyRule};
use shared::money::checked_sum;

use crate::db::schema::{city_allocations, org_units, programme_years};
use crate::db::{write_tx, DbConn};
use crate::error::ApiError;

/// Locks a programme year's row until the transaction ends (PostgreSQL `FOR UPDATE`; on
/// SQLite the transaction already holds the write lock). Whether the year exists.
pub fn lock_year(conn: &mut DbConn, y: i32) -> Result<bool, ApiError> {
    let q = programme_years::table.find(y).select(programme_years::year);
    let found: Option<i32> = match conn {
        DbConn::Pg(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    };
    Ok(found.is_some())
}

/// Locks a city's allocation row until the transaction ends, as [`lock_year`] does, and
/// returns its (allocated, committed), if the city has an allocation for the year.
pub fn lock_allocation(
    conn: &mut DbConn,
    y: i32,
    city: &str,
) -> Result<Option<(i64, i64)>, ApiError> {
    let q = city_allocations::table.find((y, city)).select((
        city_allocations::allocated_fen,
        city_allocations::committed_fen,
    ));
    Ok(match conn {
        DbConn::Pg(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    })
}

/// Creates or replaces a programme year. The budget never drops below what the cities
/// were allocated.
pub fn set_year(
    conn: &mut DbConn,
    actor: &crate::auth::AuthUser,
    y: i32,
    b: &ProgrammeYearSet,
) -> Result<ProgrammeYear, ApiError> {
    let mut errs = shared::FieldErrors::new();
    if !(2000..=2100).contains(&y) {
        errs.add("year", "out_of_range", "2000 to 2100");
    }
    if !(0..=10_000).contains(&b.share_bp) {
        errs.add("share_bp", "out_of_range", "0 to 10,000 basis points");
    }
    for (field, v) in [
        ("cap_person_fen", b.cap_person_fen),
        ("cap_base_fen", b.cap_base_fen),
        ("max_principal_fen", b.max_principal_fen),
        ("budget_fen", b.budget_fen),
        ("target_persons_trained", b.target_persons_trained),
        ("target_subsidy_fen", b.target_subsidy_fen),
    ] {
        if v < 0 {
            errs.add(field, "out_of_range", "cannot be negative");
        }
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs.0));
    }
    write_tx(conn, |conn| {
        let exists = lock_year(conn, y)?;
        let allocated: Vec<i64> = city_allocations::table
            .filter(city_allocations::year.eq(y))
            .select(city_allocations::allocated_fen)
            .load(conn)?;
        if checked_sum(allocated).is_none_or(|sum| sum > b.budget_fen) {
            return Err(ApiError::field(
                "budget_fen",
                "below_allocated",
                "the cities were already allocated more than this",
            ));
        }
        let values = (
            programme_years::share_bp.eq(b.share_bp),
            programme_years::cap_person_fen.eq(b.cap_person_fen),
            programme_years::cap_base_fen.eq(b.cap_base_fen),
            programme_years::max_principal_fen.eq(b.max_principal_fen),
            programme_years::budget_fen.eq(b.budget_fen),
            programme_years::target_persons_trained.eq(b.target_persons_trained),
            programme_years::target_subsidy_fen.eq(b.target_subsidy_fen),
        );
        let before = if exists {
            Some(programme_year(conn, y)?)
        } else {
            None
        };
        if exists {
            diesel::update(programme_years::table.find(y))
                .set(values)
                .execute(conn)?;
        } else {
            diesel::insert_into(programme_years::table)
                .values((programme_years::year.eq(y), values))
                .execute(conn)?;
        }
        let after = programme_year(conn, y)?;
        audit_change(
            conn,
            actor,
            "programme_year",
            year_key(y, 0),
            "43",
            before,
            &after,
        )?;
        Ok(after)
    })
}

/// A stable record id for a year (and city) in the audit log, which keys records by UUID.
fn year_key(y: i32, city: u32) -> uuid::Uuid {
    uuid::Uuid::from_u128((u128::from(y.unsigned_abs()) << 32) | u128::from(city))
}

/// Audits a change of the budget's data in the transaction that makes it.
fn audit_change(
    conn: &mut DbConn,
    actor: &crate::auth::AuthUser,
    entity_type: &str,
    id: uuid::Uuid,
    owner: &str,
    before: Option<ProgrammeYear>,
    after: &ProgrammeYear,
) -> Result<(), ApiError> {
    let json = |p: &ProgrammeYear| serde_json::to_value(p).unwrap_or_default();
    crate::audit::record(
        conn,
        crate::audit::Event {
            actor,
            action: if before.is_some() {
                shared::api::AuditAction::Update
            } else {
                shared::api::AuditAction::Create
            },
            entity_type,
            entity_id: id,
            owner_region: owner,
            reason: None,
            before: before.as_ref().map(json),
            after: Some(json(after)),
        },
    )
}

type YearRow = (i32, i64, i64, i64, i64, i64, i64, i64);

/// The subsidy rule, budget and targets of a year, if the year is set up.
pub fn year(
    conn: &mut DbConn,
    y: i32,
) -> Result<Option<(SubsidyRule, i64, EmploymentTargets)>, ApiError> {
    let row: Option<YearRow> = programme_years::table
        .find(y)
        .select((
            programme_years::year,
            programme_years::share_bp,
            programme_years::cap_person_fen,
            programme_years::cap_base_fen,
            programme_years::max_principal_fen,
            programme_years::budget_fen,
            programme_years::target_persons_trained,
            programme_years::target_subsidy_fen,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(
            year,
            share_bp,
            cap_person_fen,
            cap_base_fen,
            max_principal_fen,
            budget,
            persons,
            subsidy,
        )| {
            (
                SubsidyRule {
                    year,
                    share_bp,
                    cap_person_fen,
                    cap_base_fen,
                    max_principal_fen,
                },
                budget,
                EmploymentTargets {
                    persons_trained: persons,
                    subsidy_fen: subsidy,
                },
            )
        },
    ))
}

/// A year with its allocations.
pub fn programme_year(conn: &mut DbConn, y: i32) -> Result<ProgrammeYear, ApiError> {
    let (rule, budget_fen, targets) = year(conn, y)?.ok_or(ApiError::NotFound)?;
    let rows: Vec<(String, i64, i64, i64)> = city_allocations::table
        .filter(city_allocations::year.eq(y))
        .order(city_allocations::city_code.asc())
        .select((
            city_allocations::city_code,
            city_allocations::allocated_fen,
            city_allocations::committed_fen,
            city_allocations::disbursed_fen,
        ))
        .load(conn)?;
    let allocations = rows
        .into_iter()
        .map(
            |(city_code, allocated_fen, committed_fen, disbursed_fen)| Allocation {
                city_code,
                allocated_fen,
                committed_fen,
                disbursed_fen,
            },
        )
        .collect();
    Ok(ProgrammeYear {
        rule,
        budget_fen,
        targets,
        allocations,
    })
}

/// Sets a city's allocation: never below what it has committed, and all cities together
/// never above the year's budget.
pub fn set_allocation(
    conn: &mut DbConn,
    actor: Option<&crate::auth::AuthUser>,
    y: i32,
    city: &str,
    allocated: i64,
) -> Result<ProgrammeYear, ApiError> {
    write_tx(conn, |conn| {
        if !lock_year(conn, y)? {
            return Err(ApiError::NotFound);
        }
        let (_, budget, _) = year(conn, y)?.ok_or(ApiError::NotFound)?;
        let is_city: i64 = org_units::table
            .filter(org_units::code.eq(city))
            .filter(org_units::kind.eq(shared::OrgUnitKind::City.as_str()))
            .count()
            .get_result(conn)?;
        if is_city == 0 {
            return Err(ApiError::NotFound);
        }
        if allocated < 0 {
            return Err(ApiError::field(
                "allocated_fen",
                "out_of_range",
                "an allocation cannot be negative",
            ));
        }
        let current = lock_allocation(conn, y, city)?;
        let committed = current.map_or(0, |(_, c)| c);
        if allocated < committed {
            return Err(ApiError::field(
                "allocated_fen",
                "below_committed",
                format!("{committed} fen are already committed in this city"),
            ));
        }
        // At most 14 rows; summed here because SUM(BIGINT) is NUMERIC on PostgreSQL. The
        // other cities' allocations plus the new one, checked: i64::MAX must not wrap.
        let others: Vec<i64> = city_allocations::table
            .filter(city_allocations::year.eq(y))
            .filter(city_allocations::city_code.ne(city))
            .select(city_allocations::allocated_fen)
            .load(conn)?;
        if checked_sum(others.into_iter().chain([allocated])).is_none_or(|sum| sum > budget) {
            return Err(ApiError::field(
                "allocated_fen",
                "above_budget",
                format!("the cities' allocations would exceed the budget of {budget} fen"),
            ));
        }
        let before = programme_year(conn, y)?;
        if current.is_some() {
            diesel::update(city_allocations::table.find((y, city)))
                .set(city_allocations::allocated_fen.eq(allocated))
                .execute(conn)?;
        } else {
            diesel::insert_into(city_allocations::table)
                .values((
                    city_allocations::year.eq(y),
                    city_allocations::city_code.eq(city),
                    city_allocations::allocated_fen.eq(allocated),
                ))
                .execute(conn)?;
        }
        let after = programme_year(conn, y)?;
        // Seeding the demo has no actor; every change through the API is audited.
        if let Some(actor) = actor {
            let key = year_key(y, city.parse().unwrap_or(0));
            audit_change(
                conn,
                actor,
                "city_allocation",
                key,
                city,
                Some(before),
                &after,
            )?;
        }
        Ok(after)
    })
}

/// Commits `amount` (positive) from a city's allocation, atomically: the conditional
/// UPDATE cannot take a city past its allocation however many approvals race. False if
/// it would. The condition is written `committed <= allocated - amount`, which cannot
/// overflow (both are non-negative), so the sum it allows always fits.
pub fn commit(conn: &mut DbConn, y: i32, city: &str, amount: i64) -> Result<bool, ApiError> {
    if amount <= 0 {
        return Ok(false);
    }
    let n = diesel::update(
        city_allocations::table
            .filter(city_allocations::year.eq(y))
            .filter(city_allocations::city_code.eq(city))
            .filter(city_allocations::committed_fen.le(city_allocations::allocated_fen - amount)),
    )
    .set(city_allocations::committed_fen.eq(city_allocations::committed_fen + amount))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records `amount` (positive) paid out of a city's committed budget: never more than is
/// committed (`disbursed <= committed - amount`, which cannot overflow). False if it would.
pub fn disburse(conn: &mut DbConn, y: i32, city: &str, amount: i64) -> Result<bool, ApiError> {
    if amount <= 0 {
        return Ok(false);
    }
    let n = diesel::update(
        city_allocations::table
            .filter(city_allocations::year.eq(y))
            .filter(city_allocations::city_code.eq(city))
            .filter(city_allocations::disbursed_fen.le(city_allocations::committed_fen - amount)),
    )
    .set(city_allocations::disbursed_fen.eq(city_allocations::disbursed_fen + amount))
    .execute(conn)?;
    Ok(n == 1)
}
