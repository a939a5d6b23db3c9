//! One plan per household (一户一策): the measures agreed for a household, each with its
//! responsible unit and due day. The plan belongs to the household (the registry's
//! household number in its county), so every disabled member of it reaches the same
//! plan; a person without a household number has a plan of their own.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::survey::{HouseholdPlan, HouseholdPlanInput, PlanMeasure};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{household_plan_measures, household_plans, persons};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

/// The household a person belongs to, as the plan's key, and the person's county.
fn household_of(
    conn: &mut DbConn,
    user: &AuthUser,
    person: Uuid,
) -> Result<(String, String, Option<String>), ApiError> {
    let (county, number): (String, Option<String>) = crate::persons::queries::live(&user.scope)
        .filter(persons::id.eq(person.to_string()))
        .select((persons::county_code, persons::household_number))
        .first(conn)?;
    let number = number
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let key = match &number {
        Some(n) => format!("h:{county}:{n}"),
        None => format!("p:{person}"),
    };
    Ok((key, county, number))
}

type PlanRow = (String, i64, String, String, Option<String>, String);

fn load(
    conn: &mut DbConn,
    key: &str,
    household: Option<String>,
) -> Result<Option<HouseholdPlan>, ApiError> {
    let row: Option<PlanRow> = household_plans::table
        .filter(household_plans::household_key.eq(key))
        .select((
            household_plans::id,
            household_plans::version,
            household_plans::person_id,
            household_plans::county_code,
            household_plans::note,
            household_plans::updated_by,
        ))
        .first(conn)
        .optional()?;
    let Some((id, version, person, county, note, by)) = row else {
        return Ok(None);
    };
    let measures: Vec<PlanMeasure> = household_plan_measures::table
        .filter(household_plan_measures::plan_id.eq(&id))
        .order(household_plan_measures::seq.asc())
        .select((
            household_plan_measures::measure,
            household_plan_measures::responsible_unit,
            household_plan_measures::due_on,
            household_plan_measures::done_on,
        ))
        .load::<(String, String, chrono::NaiveDate, Option<chrono::NaiveDate>)>(conn)?
        .into_iter()
        .map(|(measure, responsible_unit, due_on, done_on)| PlanMeasure {
            measure,
            responsible_unit,
            due_on,
            done_on,
        })
        .collect();
    let day = today();
    let overdue = measures
        .iter()
        .filter(|m| m.done_on.is_none() && m.due_on < day)
        .count();
    let updated_by: String = crate::users::queries::login_of(conn, &by)?;
    Ok(Some(HouseholdPlan {
        id: uuid(&id)?,
        version,
        person_id: uuid(&person)?,
        household_number: household,
        county_code: county,
        measures,
        note,
        overdue: i64::try_from(overdue).unwrap_or(i64::MAX),
        updated_by,
    }))
}

/// The plan of `person`'s household; 404 when the person is not in `user`'s scope or
/// the household has no plan.
pub fn get(conn: &mut DbConn, user: &AuthUser, person: Uuid) -> Result<HouseholdPlan, ApiError> {
    super::reader(user)?;
    let (key, _, household) = household_of(conn, user, person)?;
    load(conn, &key, household)?.ok_or(ApiError::NotFound)
}

/// The plan as the audit log keeps it: its measures (they name no one) and remark.
fn plan_json(p: &HouseholdPlan) -> serde_json::Value {
    serde_json::json!({"person_id": p.person_id, "measures": p.measures, "note": p.note})
}

/// Whether `p` holds what `f` asks for, as stored (trimmed).
fn holds(p: &HouseholdPlan, f: &HouseholdPlanInput) -> bool {
    let note = f.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    p.note.as_deref() == note
        && p.measures.len() == f.measures.len()
        && p.measures.iter().zip(&f.measures).all(|(a, b)| {
            a.measure == b.measure.trim()
                && a.responsible_unit == b.responsible_unit.trim()
                && a.due_on == b.due_on
                && a.done_on == b.done_on
        })
}

/// Makes or replaces the plan of `person`'s household. `version` is None for a new plan
/// and the version the client saw otherwise: anything else is 409 `stale_version` with
/// the plan as it is (if any) in `current`. A new plan sent again by its maker (a retry
/// after a lost answer) is answered with the plan when it still holds what was sent.
pub fn put(
    conn: &mut DbConn,
    user: &AuthUser,
    person: Uuid,
    version: Option<i64>,
    f: &HouseholdPlanInput,
) -> Result<HouseholdPlan, ApiError> {
    super::writer(user)?;
    write_tx(conn, |conn| {
        let (key, county, household) = household_of(conn, user, person)?;
        f.validate(today()).map_err(ApiError::Validation)?;
        crate::db::advisory_lock(conn, &[format!("household_plan:{key}")])?;
        let before = load(conn, &key, household.clone())?;
        let me = user.id.to_string();
        let at = now();
        let id = match (&before, version) {
            (None, None) => {
                let id = Uuid::now_v7().to_string();
                diesel::insert_into(household_plans::table)
                    .values((
                        household_plans::id.eq(&id),
                        household_plans::household_key.eq(&key),
                        household_plans::person_id.eq(person.to_string()),
                        household_plans::county_code.eq(&county),
                        household_plans::note.eq(f
                            .note
                            .as_deref()
                            .map(str::trim)
                            .filter(|n| !n.is_empty())),
                        household_plans::version.eq(1),
                        household_plans::created_at.eq(at),
                        household_plans::created_by.eq(&me),
                        household_plans::updated_at.eq(at),
                        household_plans::updated_by.eq(&me),
                    ))
                    .execute(conn)?;
                id
            }
            (Some(p), Some(v)) if p.version == v => {
                let id = p.id.to_string();
                let n = diesel::update(
                    household_plans::table
                        .filter(household_plans::id.eq(&id))
                        .filter(household_plans::version.eq(v)),
                )
                .set((
                    household_plans::note.eq(f
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())),
                    household_plans::version.eq(v.saturating_add(1)),
                    household_plans::updated_at.eq(at),
                    household_plans::updated_by.eq(&me),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
                diesel::delete(
                    household_plan_measures::table.filter(household_plan_measures::plan_id.eq(&id)),
                )
                .execute(conn)?;
                id
            }
            (Some(p), None) if p.version == 1 && p.updated_by == user.username && holds(p, f) => {
                return Ok(p.clone());
            }
            (Some(p), _) => return Err(ApiError::stale_with(p)),
            (None, Some(_)) => return Err(ApiError::stale_version()),
        };
        let rows: Vec<_> = f
            .measures
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    household_plan_measures::plan_id.eq(id.clone()),
                    household_plan_measures::seq.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    household_plan_measures::measure.eq(m.measure.trim().to_owned()),
                    household_plan_measures::responsible_unit
                        .eq(m.responsible_unit.trim().to_owned()),
                    household_plan_measures::due_on.eq(m.due_on),
                    household_plan_measures::done_on.eq(m.done_on),
                )
            })
            .collect();
        crate::db::batch_insert!(conn, household_plan_measures::table, rows)?;
        let after = load(conn, &key, household)?.ok_or(ApiError::NotFound)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: if before.is_some() {
                    AuditAction::Update
                } else {
                    AuditAction::Create
                },
                entity_type: "household_plan",
                entity_id: after.id,
                owner_region: &after.county_code,
                reason: None,
                before: before.as_ref().map(plan_json),
                after: Some(plan_json(&after)),
            },
        )?;
        Ok(after)
    })
}
