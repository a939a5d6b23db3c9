//! Funds allocated to counties by factors (measure 21): compute from the registry,
//! adjust by hand (the amounts still adding up to the fund), approve, export, record
//! spending, and the performance table of spent against allocated.
//!
//! The rule itself is [`shared::duties::allocate`]; this module counts its factors per
//! county from the registry and keeps what it gave with its working.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::duties::{
    allocate, AllocateError, AllocationAdjust, AllocationApprove, AllocationCreate,
    AllocationInput, AllocationLine, AllocationRecompute, AllocationStatus, CountyFactors,
    CountyList, Factor, FundAllocation, Performance, PerformanceRow, Spending, SpendingCreate,
    Weight,
};
use shared::{FieldErrors, OrgUnitKind};
use uuid::Uuid;

use super::lists;
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    audit_log, fund_allocation_lines, fund_allocations, fund_spending, org_units,
};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::record;

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A factor's value per county, counted from the registry now.
fn count(conn: &mut DbConn, factor: Factor, year: i32) -> Result<HashMap<String, i64>, ApiError> {
    let live = "p.deleted_at IS NULL AND p.registered_poor = TRUE";
    let sql = match factor {
        Factor::RegisteredPoor => format!(
            "SELECT p.county_code AS county, CAST(COUNT(*) AS BIGINT) AS n
             FROM persons p WHERE {live} GROUP BY p.county_code"
        ),
        Factor::NotLifted => format!(
            "SELECT p.county_code AS county, CAST(COUNT(*) AS BIGINT) AS n
             FROM persons p WHERE {live} AND p.poverty_status = 'in_poverty'
             GROUP BY p.county_code"
        ),
        Factor::Severe => format!(
            "SELECT p.county_code AS county, CAST(COUNT(*) AS BIGINT) AS n
             FROM persons p WHERE {live} AND p.disability_level <= 2 GROUP BY p.county_code"
        ),
        Factor::RetrofitNeed => format!(
            "SELECT c.county_code AS county, CAST(COUNT(DISTINCT c.household_key) AS BIGINT) AS n
             FROM retrofit_cases c
             WHERE c.deleted_at IS NULL AND c.year = {year} AND c.need_verified = TRUE
                AND c.status NOT IN ({exits})
             GROUP BY c.county_code",
            exits = crate::kpi::retrofits::EXITS
        ),
    };
    let rows: Vec<CountRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.county, r.n)).collect())
}

/// A county as the allocation needs it: code, city, name.
type County = (String, String, String);

fn counties(conn: &mut DbConn) -> Result<Vec<County>, ApiError> {
    let rows: Vec<(String, Option<String>, String)> = org_units::table
        .filter(org_units::kind.eq(OrgUnitKind::County.as_str()))
        .order(org_units::code.asc())
        .select((org_units::code, org_units::parent_code, org_units::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, p, n)| {
            let city = p.unwrap_or_else(|| c.get(..4).unwrap_or(&c).to_owned());
            (c, city, n)
        })
        .collect())
}

/// What a computation gives: per county its inputs and share, and the factors' totals.
struct Computed {
    lines: Vec<(County, CountyFactors, shared::duties::Share)>,
    totals: Vec<i64>,
}

fn compute(conn: &mut DbConn, f: &AllocationInput) -> Result<Computed, ApiError> {
    let all = counties(conn)?;
    let deep: BTreeSet<String> = lists::counties(conn, f.year, CountyList::DeeplyPoor)?
        .into_iter()
        .collect();
    let mut per_factor = Vec::new();
    for w in &f.weights {
        per_factor.push(count(conn, w.factor, f.year)?);
    }
    let inputs: Vec<CountyFactors> = all
        .iter()
        .map(|(c, _, _)| CountyFactors {
            county_code: c.clone(),
            values: per_factor
                .iter()
                .map(|m| m.get(c).copied().unwrap_or(0))
                .collect(),
            deeply_poor: deep.contains(c),
        })
        .collect();
    let shares = allocate(f.total_fen, &f.weights, f.uplift_bp, &inputs).map_err(|e| match e {
        AllocateError::EmptyFactor(i) => ApiError::field(
            "weights",
            "empty_factor",
            format!(
                "{} is 0 in every county: drop it or wait for the data",
                f.weights.get(i).map_or("a factor", |w| w.factor.as_str())
            ),
        ),
        AllocateError::NoCounties | AllocateError::BadValues => {
            ApiError::field("weights", "empty_factor", "no county has any value")
        }
    })?;
    let totals = (0..f.weights.len())
        .map(|i| {
            inputs
                .iter()
                .fold(0i64, |s, c| s.saturating_add(c.values[i]))
        })
        .collect();
    Ok(Computed {
        lines: all
            .into_iter()
            .zip(inputs)
            .zip(shares)
            .map(|((c, i), s)| (c, i, s))
            .collect(),
        totals,
    })
}

fn province_only(user: &AuthUser, cap: Capability) -> Result<(), ApiError> {
    user.require(cap)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "funds are allocated by the province".into(),
        ));
    }
    Ok(())
}

fn check_input(conn: &mut DbConn, f: &AllocationInput) -> Result<(), ApiError> {
    let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
    if errs.0.iter().all(|e| e.field != "department_code") {
        let known: i64 = org_units::table
            .filter(org_units::code.eq(&f.department_code))
            .filter(org_units::kind.eq(OrgUnitKind::Department.as_str()))
            .count()
            .get_result(conn)?;
        if known == 0 {
            errs.add(
                "department_code",
                "unknown_unit",
                "not a department of the provincial DPF",
            );
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errs.0))
    }
}

fn write_lines(conn: &mut DbConn, id: &str, c: &Computed) -> Result<(), ApiError> {
    diesel::delete(
        fund_allocation_lines::table.filter(fund_allocation_lines::allocation_id.eq(id)),
    )
    .execute(conn)?;
    let rows: Vec<_> = c
        .lines
        .iter()
        .map(|((county, city, _), input, share)| {
            (
                fund_allocation_lines::allocation_id.eq(id.to_owned()),
                fund_allocation_lines::county_code.eq(county.clone()),
                fund_allocation_lines::city_code.eq(city.clone()),
                fund_allocation_lines::factor_values
                    .eq(serde_json::to_string(&input.values).unwrap_or_default()),
                fund_allocation_lines::deeply_poor.eq(input.deeply_poor),
                fund_allocation_lines::base_score.eq(share.base_score),
                fund_allocation_lines::score.eq(share.score),
                fund_allocation_lines::computed_fen.eq(share.amount_fen),
                fund_allocation_lines::amount_fen.eq(share.amount_fen),
                fund_allocation_lines::adjust_reason.eq(None::<String>),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(fund_allocation_lines::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

type Head = (
    String,
    i64,
    i32,
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
);

fn heads(
    conn: &mut DbConn,
    ids: Option<&[String]>,
    year: Option<i32>,
) -> Result<Vec<(Head, String)>, ApiError> {
    let mut q = fund_allocations::table
        .filter(fund_allocations::deleted_at.is_null())
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(fund_allocations::id.eq_any(ids.to_vec()));
    }
    if let Some(y) = year {
        q = q.filter(fund_allocations::year.eq(y));
    }
    Ok(q.order(fund_allocations::id.desc())
        .select((
            (
                fund_allocations::id,
                fund_allocations::version,
                fund_allocations::year,
                fund_allocations::title,
                fund_allocations::department_code,
                fund_allocations::total_fen,
                fund_allocations::uplift_bp,
                fund_allocations::weights,
                fund_allocations::factor_totals,
                fund_allocations::status,
                fund_allocations::computed_at,
                fund_allocations::approved_by,
                fund_allocations::approved_at,
                fund_allocations::approve_reason,
            ),
            fund_allocations::computed_by,
        ))
        .load(conn)?)
}

/// Whether `user` may see drafts (the province's fund makers and approvers).
fn sees_drafts(user: &AuthUser) -> bool {
    user.scope == Scope::Province
        && (user.can(Capability::ManageFunds) || user.can(Capability::ApproveFunds))
}

fn assemble(
    conn: &mut DbConn,
    user: &AuthUser,
    rows: Vec<(Head, String)>,
) -> Result<Vec<FundAllocation>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.0 .0.clone()).collect();
    let mut lq = fund_allocation_lines::table
        .filter(fund_allocation_lines::allocation_id.eq_any(&ids))
        .into_boxed();
    lq = crate::scope_filter!(lq, &user.scope, fund_allocation_lines);
    type LineRow = (
        String,
        String,
        String,
        bool,
        i64,
        i64,
        i64,
        i64,
        Option<String>,
    );
    let lines: Vec<LineRow> = lq
        .order((
            fund_allocation_lines::allocation_id.asc(),
            fund_allocation_lines::county_code.asc(),
        ))
        .select((
            fund_allocation_lines::allocation_id,
            fund_allocation_lines::county_code,
            fund_allocation_lines::factor_values,
            fund_allocation_lines::deeply_poor,
            fund_allocation_lines::base_score,
            fund_allocation_lines::score,
            fund_allocation_lines::computed_fen,
            fund_allocation_lines::amount_fen,
            fund_allocation_lines::adjust_reason,
        ))
        .load(conn)?;
    let spent: Vec<(String, String, i64)> = fund_spending::table
        .filter(fund_spending::allocation_id.eq_any(&ids))
        .filter(fund_spending::deleted_at.is_null())
        .select((
            fund_spending::allocation_id,
            fund_spending::county_code,
            fund_spending::amount_fen,
        ))
        .load(conn)?;
    let mut spent_by: HashMap<(String, String), i64> = HashMap::new();
    for (a, c, f) in spent {
        let e = spent_by.entry((a, c)).or_default();
        *e = e.saturating_add(f);
    }
    let names: HashMap<String, String> = org_units::table
        .filter(org_units::kind.eq(OrgUnitKind::County.as_str()))
        .select((org_units::code, org_units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut by_alloc: BTreeMap<String, Vec<AllocationLine>> = BTreeMap::new();
    for (a, county, values, deep, base, score, computed, amount, reason) in lines {
        let spent_fen = spent_by
            .get(&(a.clone(), county.clone()))
            .copied()
            .unwrap_or(0);
        by_alloc.entry(a).or_default().push(AllocationLine {
            county_name: names.get(&county).cloned().unwrap_or_default(),
            county_code: county,
            values: serde_json::from_str(&values).unwrap_or_default(),
            deeply_poor: deep,
            base_score: base,
            score,
            computed_fen: computed,
            amount_fen: amount,
            adjust_reason: reason,
            spent_fen,
        });
    }
    rows.into_iter()
        .map(|(h, _)| {
            let (
                id,
                version,
                year,
                title,
                dept,
                total,
                uplift,
                weights,
                totals,
                status,
                at,
                by,
                approved_at,
                reason,
            ) = h;
            let weights: Vec<Weight> =
                serde_json::from_str(&weights).map_err(|e| ApiError::Internal(e.into()))?;
            Ok(FundAllocation {
                lines: by_alloc.remove(&id).unwrap_or_default(),
                id: uuid(&id)?,
                version,
                fields: AllocationInput {
                    year,
                    title,
                    department_code: dept,
                    total_fen: total,
                    weights,
                    uplift_bp: uplift,
                },
                status: code(&status)?,
                factor_totals: serde_json::from_str(&totals).unwrap_or_default(),
                computed_at: utc(at),
                approved_by: by,
                approved_at: approved_at.map(utc),
                approve_reason: reason,
            })
        })
        .collect()
}

/// An allocation the caller may see: a draft only at the province's fund makers and
/// approvers; its lines in the caller's area.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<FundAllocation, ApiError> {
    let rows = heads(conn, Some(&[id.to_string()]), None)?;
    let rows: Vec<(Head, String)> = rows
        .into_iter()
        .filter(|r| sees_drafts(user) || r.0 .9 == AllocationStatus::Approved.as_str())
        .collect();
    assemble(conn, user, rows)?.pop().ok_or(ApiError::NotFound)
}

/// The allocations the caller may see, newest first; of one year if asked.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    year: Option<i32>,
) -> Result<Vec<FundAllocation>, ApiError> {
    let rows: Vec<(Head, String)> = heads(conn, None, year)?
        .into_iter()
        .filter(|r| sees_drafts(user) || r.0 .9 == AllocationStatus::Approved.as_str())
        .collect();
    assemble(conn, user, rows)
}

fn summary(a: &FundAllocation) -> serde_json::Value {
    serde_json::json!({
        "fields": a.fields,
        "status": a.status,
        "amounts": a.lines.iter().filter(|l| l.amount_fen > 0)
            .map(|l| (l.county_code.clone(), l.amount_fen)).collect::<BTreeMap<_, _>>(),
    })
}

/// Computes a new draft allocation from the registry as it is now.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &AllocationCreate,
) -> Result<(bool, FundAllocation), ApiError> {
    province_only(user, Capability::ManageFunds)?;
    let hash = record::create_digest(pii, "fund_allocation", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, bool)> = fund_allocations::table
            .find(id.to_string())
            .select((
                fund_allocations::create_hash,
                fund_allocations::created_by,
                fund_allocations::deleted_at.is_not_null(),
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, deleted)) = stored {
            record::replay(
                record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: true,
                },
                &hash,
                user,
            )?;
            return Ok((false, get(conn, user, id)?));
        }
        check_input(conn, &body.fields)?;
        let f = &body.fields;
        let c = compute(conn, f)?;
        let at = now();
        diesel::insert_into(fund_allocations::table)
            .values((
                fund_allocations::id.eq(id.to_string()),
                fund_allocations::year.eq(f.year),
                fund_allocations::title.eq(f.title.trim()),
                fund_allocations::department_code.eq(&f.department_code),
                fund_allocations::total_fen.eq(f.total_fen),
                fund_allocations::uplift_bp.eq(f.uplift_bp),
                fund_allocations::weights.eq(serde_json::to_string(&f.weights).unwrap_or_default()),
                fund_allocations::factor_totals
                    .eq(serde_json::to_string(&c.totals).unwrap_or_default()),
                fund_allocations::status.eq(AllocationStatus::Draft.as_str()),
                fund_allocations::computed_at.eq(at),
                fund_allocations::computed_by.eq(user.id.to_string()),
                fund_allocations::create_hash.eq(&hash),
                fund_allocations::version.eq(1),
                fund_allocations::created_at.eq(at),
                fund_allocations::created_by.eq(user.id.to_string()),
                fund_allocations::updated_at.eq(at),
                fund_allocations::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        write_lines(conn, &id.to_string(), &c)?;
        let a = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: "43",
                reason: None,
                before: None,
                after: Some(summary(&a)),
            },
        )?;
        Ok((true, a))
    })
}

/// The draft `id` at `version`, for a change.
fn draft(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
) -> Result<FundAllocation, ApiError> {
    let a = get(conn, user, id)?;
    if a.version != version {
        return Err(ApiError::stale_version());
    }
    if a.status != AllocationStatus::Draft {
        return Err(ApiError::Conflict {
            code: "invalid_transition",
            detail: "the allocation is approved: it no longer changes".into(),
        });
    }
    Ok(a)
}

fn bump(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    let n = diesel::update(
        fund_allocations::table
            .filter(fund_allocations::id.eq(id.to_string()))
            .filter(fund_allocations::version.eq(version)),
    )
    .set((
        fund_allocations::version.eq(version + 1),
        fund_allocations::computed_by.eq(user.id.to_string()),
        fund_allocations::updated_at.eq(now()),
        fund_allocations::updated_by.eq(user.id.to_string()),
    ))
    .execute(conn)?;
    record::changed(n)
}

/// Changes a draft's fields and computes it again from the registry as it is now
/// (adjustments are dropped).
pub fn recompute(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &AllocationRecompute,
) -> Result<FundAllocation, ApiError> {
    province_only(user, Capability::ManageFunds)?;
    write_tx(conn, |conn| {
        let before = draft(conn, user, id, body.version)?;
        check_input(conn, &body.fields)?;
        let f = &body.fields;
        let c = compute(conn, f)?;
        bump(conn, user, id, body.version)?;
        diesel::update(fund_allocations::table.filter(fund_allocations::id.eq(id.to_string())))
            .set((
                fund_allocations::year.eq(f.year),
                fund_allocations::title.eq(f.title.trim()),
                fund_allocations::department_code.eq(&f.department_code),
                fund_allocations::total_fen.eq(f.total_fen),
                fund_allocations::uplift_bp.eq(f.uplift_bp),
                fund_allocations::weights.eq(serde_json::to_string(&f.weights).unwrap_or_default()),
                fund_allocations::factor_totals
                    .eq(serde_json::to_string(&c.totals).unwrap_or_default()),
                fund_allocations::computed_at.eq(now()),
            ))
            .execute(conn)?;
        write_lines(conn, &id.to_string(), &c)?;
        let after = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: "43",
                reason: None,
                before: Some(summary(&before)),
                after: Some(summary(&after)),
            },
        )?;
        Ok(after)
    })
}

fn reason_of(reason: &str) -> Result<&str, ApiError> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ApiError::field("reason", "required", "give a reason"));
    }
    shared::validation::validate_text(r, 500)
        .map_err(|e| ApiError::field("reason", e.code, e.message))?;
    Ok(r)
}

/// Sets counties' amounts by hand; afterwards the amounts must still add up to the
/// fund exactly.
pub fn adjust(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &AllocationAdjust,
) -> Result<FundAllocation, ApiError> {
    province_only(user, Capability::ManageFunds)?;
    let reason = reason_of(&body.reason)?;
    if body.amounts.is_empty() {
        return Err(ApiError::field(
            "amounts",
            "required",
            "name at least one county",
        ));
    }
    write_tx(conn, |conn| {
        let before = draft(conn, user, id, body.version)?;
        let mut amounts: BTreeMap<&str, i64> = before
            .lines
            .iter()
            .map(|l| (l.county_code.as_str(), l.amount_fen))
            .collect();
        let mut errs = FieldErrors::new();
        let mut changed = BTreeSet::new();
        for (i, a) in body.amounts.iter().enumerate() {
            let field = format!("amounts[{i}]");
            let code_ = a.county_code.trim();
            match amounts.get_mut(code_) {
                None => errs.add(&field, "unknown_county", "not a county of this allocation"),
                Some(_) if !changed.insert(code_.to_owned()) => {
                    errs.add(&field, "duplicate", "each county once")
                }
                Some(_) if a.amount_fen < 0 || a.amount_fen > before.fields.total_fen => {
                    errs.add(&field, "out_of_range", "between 0 and the fund")
                }
                Some(v) => *v = a.amount_fen,
            }
        }
        if !errs.is_empty() {
            return Err(ApiError::Validation(errs.0));
        }
        if changed.iter().all(|c| {
            before
                .lines
                .iter()
                .any(|l| &l.county_code == c && Some(&l.amount_fen) == amounts.get(c.as_str()))
        }) {
            return Err(ApiError::field(
                "amounts",
                "unchanged",
                "no county's amount changes",
            ));
        }
        let sum = amounts.values().try_fold(0i64, |s, v| s.checked_add(*v));
        if sum != Some(before.fields.total_fen) {
            return Err(ApiError::field(
                "amounts",
                "unbalanced",
                format!(
                    "the counties' amounts add up to {} fen, the fund is {} fen: they must be equal",
                    sum.map_or_else(|| "too much".to_owned(), |s| s.to_string()),
                    before.fields.total_fen
                ),
            ));
        }
        bump(conn, user, id, body.version)?;
        for county in &changed {
            let amount = amounts.get(county.as_str()).copied().unwrap_or(0);
            diesel::update(
                fund_allocation_lines::table
                    .filter(fund_allocation_lines::allocation_id.eq(id.to_string()))
                    .filter(fund_allocation_lines::county_code.eq(county)),
            )
            .set((
                fund_allocation_lines::amount_fen.eq(amount),
                fund_allocation_lines::adjust_reason.eq(reason),
            ))
            .execute(conn)?;
        }
        let after = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: "43",
                reason: Some(reason),
                before: Some(summary(&before)),
                after: Some(summary(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Approves a draft: a provincial leader who neither computed nor last adjusted it.
pub fn approve(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &AllocationApprove,
) -> Result<FundAllocation, ApiError> {
    province_only(user, Capability::ApproveFunds)?;
    let reason = reason_of(&body.reason)?;
    write_tx(conn, |conn| {
        let before = draft(conn, user, id, body.version)?;
        // Whoever computed, recomputed or adjusted it, at any time, does not approve it.
        let touched: i64 = audit_log::table
            .filter(audit_log::entity_type.eq("fund_allocation"))
            .filter(audit_log::entity_id.eq(id.to_string()))
            .filter(
                audit_log::action
                    .eq_any([AuditAction::Create.as_str(), AuditAction::Update.as_str()]),
            )
            .filter(audit_log::actor_id.eq(user.id.to_string()))
            .count()
            .get_result(conn)?;
        if touched > 0 {
            return Err(ApiError::Forbidden(
                "you computed or adjusted this allocation; another person must approve it".into(),
            ));
        }
        let at = now();
        let n = diesel::update(
            fund_allocations::table
                .filter(fund_allocations::id.eq(id.to_string()))
                .filter(fund_allocations::version.eq(body.version)),
        )
        .set((
            fund_allocations::status.eq(AllocationStatus::Approved.as_str()),
            fund_allocations::approved_at.eq(at),
            fund_allocations::approved_by.eq(&user.username),
            fund_allocations::approve_reason.eq(reason),
            fund_allocations::version.eq(body.version + 1),
            fund_allocations::updated_at.eq(at),
            fund_allocations::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let after = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: "43",
                reason: Some(reason),
                before: Some(summary(&before)),
                after: Some(summary(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Deletes a draft computed in error.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    province_only(user, Capability::ManageFunds)?;
    write_tx(conn, |conn| {
        let before = draft(conn, user, id, version)?;
        let at = now();
        let n = diesel::update(
            fund_allocations::table
                .filter(fund_allocations::id.eq(id.to_string()))
                .filter(fund_allocations::version.eq(version)),
        )
        .set((
            fund_allocations::deleted_at.eq(at),
            fund_allocations::deleted_by.eq(user.id.to_string()),
            fund_allocations::version.eq(version + 1),
            fund_allocations::updated_at.eq(at),
            fund_allocations::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: "43",
                reason: None,
                before: Some(summary(&before)),
                after: None,
            },
        )
    })
}

/// The allocation as a spreadsheet with its working (the lines in the caller's area,
/// then a total row); the export is audited.
pub fn export(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
) -> Result<crate::tabular::Table, ApiError> {
    let a = get(conn, user, id)?;
    let yuan = shared::money::format_hundredths;
    let mut headers: Vec<String> = vec!["县市区代码".into(), "县市区".into()];
    for w in &a.fields.weights {
        headers.push(format!(
            "{}（权重{}%）",
            factor_zh(w.factor),
            yuan(w.weight_bp)
        ));
    }
    headers.extend(
        [
            "深度贫困县",
            "基础得分（10⁻¹²）",
            "上浮后得分（10⁻¹²）",
            "测算金额（元）",
            "分配金额（元）",
            "调整原因",
            "已支出（元）",
        ]
        .map(String::from),
    );
    let mut rows: Vec<Vec<String>> = a
        .lines
        .iter()
        .map(|l| {
            let mut r = vec![l.county_code.clone(), l.county_name.clone()];
            r.extend(l.values.iter().map(ToString::to_string));
            r.push(if l.deeply_poor { "是" } else { "否" }.into());
            r.push(l.base_score.to_string());
            r.push(l.score.to_string());
            r.push(yuan(l.computed_fen));
            r.push(yuan(l.amount_fen));
            r.push(l.adjust_reason.clone().unwrap_or_default());
            r.push(yuan(l.spent_fen));
            r
        })
        .collect();
    let sum =
        |f: fn(&AllocationLine) -> i64| a.lines.iter().fold(0i64, |s, l| s.saturating_add(f(l)));
    let mut total = vec!["合计".to_owned(), a.fields.title.clone()];
    total.extend(a.factor_totals.iter().map(ToString::to_string));
    total.extend([
        String::new(),
        String::new(),
        String::new(),
        yuan(sum(|l| l.computed_fen)),
        yuan(sum(|l| l.amount_fen)),
        format!(
            "资金总额 {} 元；深度贫困县上浮 {}%",
            yuan(a.fields.total_fen),
            yuan(a.fields.uplift_bp)
        ),
        yuan(sum(|l| l.spent_fen)),
    ]);
    rows.push(total);
    write_tx(conn, |conn| {
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Export,
                entity_type: "fund_allocation",
                entity_id: id,
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(serde_json::json!({"rows": a.lines.len()})),
            },
        )
    })?;
    Ok(crate::tabular::Table {
        headers,
        rows,
        choices: Vec::new(),
    })
}

/// A factor's Chinese name (export headers).
pub fn factor_zh(f: Factor) -> &'static str {
    match f {
        Factor::RegisteredPoor => "建档立卡残疾人数",
        Factor::NotLifted => "未脱贫残疾人数",
        Factor::Severe => "建档立卡重度残疾人数",
        Factor::RetrofitNeed => "无障碍改造需求户数",
    }
}

// ------------------------------------------------------------------------------------
// Spending

type SpendRow = (
    String,
    i64,
    String,
    String,
    NaiveDate,
    i64,
    String,
    chrono::NaiveDateTime,
);

fn spending_rows(
    conn: &mut DbConn,
    scope: &Scope,
    allocation: Option<Uuid>,
    id: Option<Uuid>,
) -> Result<Vec<Spending>, ApiError> {
    let mut q = fund_spending::table
        .filter(fund_spending::deleted_at.is_null())
        .into_boxed();
    q = crate::scope_filter!(q, scope, fund_spending);
    if let Some(a) = allocation {
        q = q.filter(fund_spending::allocation_id.eq(a.to_string()));
    }
    if let Some(i) = id {
        q = q.filter(fund_spending::id.eq(i.to_string()));
    }
    let rows: Vec<SpendRow> = q
        .order(fund_spending::id.asc())
        .select((
            fund_spending::id,
            fund_spending::version,
            fund_spending::allocation_id,
            fund_spending::county_code,
            fund_spending::spent_on,
            fund_spending::amount_fen,
            fund_spending::purpose,
            fund_spending::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, version, a, county, on, fen, purpose, at)| {
            Ok(Spending {
                id: uuid(&id)?,
                version,
                allocation_id: uuid(&a)?,
                county_code: county,
                spent_on: on,
                amount_fen: fen,
                purpose,
                created_at: utc(at),
            })
        })
        .collect()
}

/// The spending of an allocation the caller may see, in the caller's area.
pub fn spending(
    conn: &mut DbConn,
    user: &AuthUser,
    allocation: Uuid,
) -> Result<Vec<Spending>, ApiError> {
    get(conn, user, allocation)?;
    spending_rows(conn, &user.scope, Some(allocation), None)
}

/// Records money spent from a county's share of an approved allocation; the county's
/// spending may not pass its amount.
pub fn spend(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &SpendingCreate,
) -> Result<(bool, Spending), ApiError> {
    user.require(Capability::RecordSpending)?;
    body.validate(today())?;
    let hash = record::create_digest(pii, "fund_spending", body)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, fund_spending, id, &hash, user)? {
            let s = spending_rows(conn, &user.scope, None, Some(id))?;
            return s
                .into_iter()
                .next()
                .map(|s| (false, s))
                .ok_or(ApiError::NotFound);
        }
        let county = body.county_code.trim();
        if !user.scope.covers_region(county) {
            return Err(ApiError::field(
                "county_code",
                "outside_scope",
                "this county lies outside your unit's area",
            ));
        }
        let a = get(conn, user, body.allocation_id).map_err(|_| {
            ApiError::field("allocation_id", "not_found", "no such approved allocation")
        })?;
        if a.status != AllocationStatus::Approved {
            return Err(ApiError::field(
                "allocation_id",
                "not_approved",
                "money is spent only from an approved allocation",
            ));
        }
        // Serialise spending on one county's share, so two at once cannot both pass.
        crate::db::advisory_lock(conn, &[format!("spend:{}:{county}", a.id)])?;
        let Some(line) = a.lines.iter().find(|l| l.county_code == county) else {
            return Err(ApiError::field(
                "county_code",
                "unknown_county",
                "this county has no share of the allocation",
            ));
        };
        let spent: Vec<i64> = fund_spending::table
            .filter(fund_spending::allocation_id.eq(a.id.to_string()))
            .filter(fund_spending::county_code.eq(county))
            .filter(fund_spending::deleted_at.is_null())
            .select(fund_spending::amount_fen)
            .load(conn)?;
        let after = shared::money::checked_sum(spent.into_iter().chain([body.amount_fen]));
        if after.is_none_or(|s| s > line.amount_fen) {
            return Err(ApiError::field(
                "amount_fen",
                "above_allocated",
                format!(
                    "the county's spending would pass its share of {} yuan",
                    shared::money::format_hundredths(line.amount_fen)
                ),
            ));
        }
        let at = now();
        diesel::insert_into(fund_spending::table)
            .values((
                fund_spending::id.eq(id.to_string()),
                fund_spending::allocation_id.eq(a.id.to_string()),
                fund_spending::county_code.eq(county),
                fund_spending::city_code.eq(super::city_of(county)),
                fund_spending::spent_on.eq(body.spent_on),
                fund_spending::amount_fen.eq(body.amount_fen),
                fund_spending::purpose.eq(body.purpose.trim()),
                fund_spending::create_hash.eq(&hash),
                fund_spending::version.eq(1),
                fund_spending::created_at.eq(at),
                fund_spending::created_by.eq(user.id.to_string()),
                fund_spending::updated_at.eq(at),
                fund_spending::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let s = spending_rows(conn, &user.scope, None, Some(id))?
            .pop()
            .ok_or(ApiError::NotFound)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "fund_spending",
                entity_id: id,
                owner_region: county,
                reason: None,
                before: None,
                after: Some(serde_json::to_value(&s).unwrap_or_default()),
            },
        )?;
        Ok((true, s))
    })
}

/// Deletes spending recorded in error.
pub fn unspend(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    user.require(Capability::RecordSpending)?;
    write_tx(conn, |conn| {
        let before = spending_rows(conn, &user.scope, None, Some(id))?
            .pop()
            .ok_or(ApiError::NotFound)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let at = now();
        let n = diesel::update(
            fund_spending::table
                .filter(fund_spending::id.eq(id.to_string()))
                .filter(fund_spending::version.eq(version))
                .filter(fund_spending::deleted_at.is_null()),
        )
        .set((
            fund_spending::deleted_at.eq(at),
            fund_spending::deleted_by.eq(user.id.to_string()),
            fund_spending::version.eq(version + 1),
            fund_spending::updated_at.eq(at),
            fund_spending::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "fund_spending",
                entity_id: id,
                owner_region: &before.county_code,
                reason: None,
                before: Some(serde_json::to_value(&before).unwrap_or_default()),
                after: None,
            },
        )
    })
}

/// Spent against allocated per approved allocation of `year`, for `unit` (a region in
/// the caller's scope) and the units below it.
pub fn performance(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    year: i32,
) -> Result<Performance, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !user.scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let allocations: Vec<FundAllocation> = list(conn, user, Some(year))?
        .into_iter()
        .filter(|a| a.status == AllocationStatus::Approved)
        .collect();
    let (name, children) = crate::kpi::units_below(conn, &region)?;
    let mut rows = Vec::new();
    for a in &allocations {
        for (code_, name_) in
            std::iter::once((region.clone(), name.clone())).chain(children.iter().cloned())
        {
            let (allocated, spent) = a
                .lines
                .iter()
                .filter(|l| l.county_code.starts_with(&code_))
                .fold((0i64, 0i64), |(x, y), l| {
                    (
                        x.saturating_add(l.amount_fen),
                        y.saturating_add(l.spent_fen),
                    )
                });
            rows.push(PerformanceRow {
                allocation_id: a.id,
                title: a.fields.title.clone(),
                department_code: a.fields.department_code.clone(),
                unit_code: code_,
                unit_name: name_,
                allocated_fen: allocated,
                spent_fen: spent,
                rate_bp: shared::duties::share_bp(spent, allocated),
            });
        }
    }
    Ok(Performance {
        year,
        unit_code: region,
        rows,
    })
}
