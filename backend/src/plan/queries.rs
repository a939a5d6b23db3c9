//! The plan's records: the plan, measures and their units, indicators, targets,
//! milestones and their deliveries, reported values. Reads are for `read_kpi`; the
//! plan is edited by the poverty office (`manage_plan`), targets are set top-down
//! (`set_targets`), deliveries and reported values are entered per unit
//! (`submit_reports`) while the period is open.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::{Capability, PLAN_OFFICE};
use shared::plan::{
    department_unit, Aggregation, ChildTarget, Deliverer, Indicator, IndicatorInput, IndicatorKind,
    IndicatorSource, Measure, MeasureInput, Milestone, MilestoneSubmission, Period, PeriodKind,
    Plan, PlanDetail, PlanInput, ReportedValue, ReportedValueInput, ResponsibleUnit,
    SubmissionInput, Target, TargetAnswer, TargetInput, TargetSplit, TargetWarning,
    TargetWarningCode, UnitPart,
};
use uuid::Uuid;

use super::indicators::IndicatorDef;
use super::{check_text, check_value, key_id, region_in_scope};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{
    indicators, measure_units, milestone_submissions, milestones, org_units, plan_measures, plans,
    reported_values, targets,
};
use crate::db::{code, now, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;

fn to_json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

// ---------------------------------------------------------------------------------------
// Plans and measures
// ---------------------------------------------------------------------------------------

type PlanRow = (i32, String, NaiveDate, String, Option<NaiveDate>, i64);

fn plan_of(r: PlanRow) -> Result<Plan, ApiError> {
    Ok(Plan {
        year: r.0,
        title: r.1,
        document_date: r.2,
        status: code(&r.3)?,
        entry_deadline: r.4,
        version: r.5,
    })
}

/// Every plan, newest first.
pub fn list_plans(conn: &mut DbConn) -> Result<Vec<Plan>, ApiError> {
    let rows: Vec<PlanRow> = plans::table
        .order(plans::year.desc())
        .select((
            plans::year,
            plans::title,
            plans::document_date,
            plans::status,
            plans::entry_deadline,
            plans::version,
        ))
        .load(conn)?;
    rows.into_iter().map(plan_of).collect()
}

/// The plan of `year`; 404 when there is none.
pub fn plan(conn: &mut DbConn, year: i32) -> Result<Plan, ApiError> {
    let row: PlanRow = plans::table
        .find(year)
        .select((
            plans::year,
            plans::title,
            plans::document_date,
            plans::status,
            plans::entry_deadline,
            plans::version,
        ))
        .first(conn)?;
    plan_of(row)
}

/// The measures of `year`'s plan with their responsible units.
pub fn measures(conn: &mut DbConn, year: i32) -> Result<Vec<Measure>, ApiError> {
    let rows: Vec<(i32, i32, String, String, String, bool, i64)> = plan_measures::table
        .filter(plan_measures::plan_year.eq(year))
        .order(plan_measures::number.asc())
        .select((
            plan_measures::number,
            plan_measures::section,
            plan_measures::short_zh,
            plan_measures::short_en,
            plan_measures::text_zh,
            plan_measures::local_dpfs,
            plan_measures::version,
        ))
        .load(conn)?;
    let units: Vec<(i32, String, String)> = measure_units::table
        .filter(measure_units::plan_year.eq(year))
        .order((
            measure_units::number.asc(),
            measure_units::part.desc(),
            measure_units::unit_code.asc(),
        ))
        .select((
            measure_units::number,
            measure_units::unit_code,
            measure_units::part,
        ))
        .load(conn)?;
    let mut by_measure: BTreeMap<i32, Vec<ResponsibleUnit>> = BTreeMap::new();
    for (n, unit, part) in units {
        by_measure.entry(n).or_default().push(ResponsibleUnit {
            department: unit.strip_prefix("43.").unwrap_or(&unit).to_owned(),
            part: code(&part)?,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| Measure {
            plan_year: year,
            number: r.0,
            section: r.1,
            short_zh: r.2,
            short_en: r.3,
            text_zh: r.4,
            units: by_measure.remove(&r.0).unwrap_or_default(),
            local_dpfs: r.5,
            version: r.6,
        })
        .collect())
}

/// The plan of `year` with everything in it.
pub fn plan_detail(conn: &mut DbConn, year: i32) -> Result<PlanDetail, ApiError> {
    Ok(PlanDetail {
        plan: plan(conn, year)?,
        measures: measures(conn, year)?,
        indicators: indicator_list(conn, year)?,
        milestones: milestone_list(conn, year)?,
    })
}

fn require_planner(user: &AuthUser) -> Result<(), ApiError> {
    user.require(Capability::ManagePlan)
}

/// Changes a plan (poverty office).
pub fn update_plan(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    input: &PlanInput,
    version: i64,
) -> Result<Plan, ApiError> {
    require_planner(user)?;
    check_text("title", &input.title, 200)?;
    if input.title.trim().is_empty() {
        return Err(ApiError::field("title", "required", "a title"));
    }
    write_tx(conn, |conn| {
        let before = plan(conn, year)?;
        let n = diesel::update(plans::table.find(year).filter(plans::version.eq(version)))
            .set((
                plans::title.eq(input.title.trim()),
                plans::document_date.eq(input.document_date),
                plans::status.eq(input.status.as_str()),
                plans::entry_deadline.eq(input.entry_deadline),
                plans::version.eq(version + 1),
                plans::updated_at.eq(now()),
                plans::updated_by.eq(&user.username),
            ))
            .execute(conn)?;
        crate::record::changed(n)?;
        let after = plan(conn, year)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "plan",
                entity_id: key_id("plan", &[&year.to_string()]),
                owner_region: "43",
                reason: None,
                before: to_json(&before),
                after: to_json(&after),
            },
        )?;
        Ok(after)
    })
}

/// Changes a measure and its responsible units (poverty office).
pub fn update_measure(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    number: i32,
    input: &MeasureInput,
    version: i64,
) -> Result<Measure, ApiError> {
    require_planner(user)?;
    check_text("short_zh", &input.short_zh, 100)?;
    check_text("short_en", &input.short_en, 200)?;
    check_text("text_zh", &input.text_zh, 5000)?;
    if !(1..=9).contains(&input.section) {
        return Err(ApiError::field("section", "out_of_range", "1 to 9"));
    }
    if input.short_zh.trim().is_empty() {
        return Err(ApiError::field("short_zh", "required", "a short name"));
    }
    if !input.units.iter().any(|u| u.part == UnitPart::Lead) {
        return Err(ApiError::field(
            "units",
            "required",
            "at least one lead department",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, u) in input.units.iter().enumerate() {
        if !seen.insert(u.department.as_str()) {
            return Err(ApiError::field(
                &format!("units[{i}].department"),
                "duplicate",
                "each department once",
            ));
        }
    }
    write_tx(conn, |conn| {
        for (i, u) in input.units.iter().enumerate() {
            let kind: Option<String> = org_units::table
                .find(department_unit(&u.department))
                .select(org_units::kind)
                .first(conn)
                .optional()?;
            if kind.as_deref() != Some(shared::OrgUnitKind::Department.as_str()) {
                return Err(ApiError::field(
                    &format!("units[{i}].department"),
                    "unknown_code",
                    "not a department of the provincial DPF",
                ));
            }
        }
        let before = measures(conn, year)?
            .into_iter()
            .find(|m| m.number == number)
            .ok_or(ApiError::NotFound)?;
        let n = diesel::update(
            plan_measures::table
                .find((year, number))
                .filter(plan_measures::version.eq(version)),
        )
        .set((
            plan_measures::section.eq(input.section),
            plan_measures::short_zh.eq(input.short_zh.trim()),
            plan_measures::short_en.eq(input.short_en.trim()),
            plan_measures::text_zh.eq(input.text_zh.trim()),
            plan_measures::local_dpfs.eq(input.local_dpfs),
            plan_measures::version.eq(version + 1),
            plan_measures::updated_at.eq(now()),
            plan_measures::updated_by.eq(&user.username),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        diesel::delete(
            measure_units::table
                .filter(measure_units::plan_year.eq(year))
                .filter(measure_units::number.eq(number)),
        )
        .execute(conn)?;
        for u in &input.units {
            diesel::insert_into(measure_units::table)
                .values((
                    measure_units::plan_year.eq(year),
                    measure_units::number.eq(number),
                    measure_units::unit_code.eq(department_unit(&u.department)),
                    measure_units::part.eq(u.part.as_str()),
                ))
                .execute(conn)?;
        }
        let after = measures(conn, year)?
            .into_iter()
            .find(|m| m.number == number)
            .ok_or(ApiError::NotFound)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "plan_measure",
                entity_id: key_id("plan_measure", &[&year.to_string(), &number.to_string()]),
                owner_region: "43",
                reason: None,
                before: to_json(&before),
                after: to_json(&after),
            },
        )?;
        Ok(after)
    })
}

// ---------------------------------------------------------------------------------------
// Indicators
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = indicators)]
struct IndicatorRow {
    code: String,
    plan_year: i32,
    measure: i32,
    name_zh: String,
    name_en: String,
    kind: String,
    source: String,
    aggregation: String,
    period_kind: String,
    computation: Option<String>,
    position: i32,
    version: i64,
}

impl IndicatorRow {
    fn def(&self) -> Result<IndicatorDef, ApiError> {
        Ok(IndicatorDef {
            code: self.code.clone(),
            kind: code(&self.kind)?,
            source: code(&self.source)?,
            period: code(&self.period_kind)?,
            computation: self.computation.clone(),
        })
    }

    fn api(self) -> Result<Indicator, ApiError> {
        let def = self.def()?;
        Ok(Indicator {
            available: def.available(),
            code: self.code,
            plan_year: self.plan_year,
            measure: self.measure,
            name_zh: self.name_zh,
            name_en: self.name_en,
            kind: def.kind,
            source: def.source,
            aggregation: code(&self.aggregation)?,
            period: def.period,
            position: self.position,
            computation: self.computation,
            version: self.version,
        })
    }
}

/// The indicators of `year`'s plan in dashboard order.
pub fn indicator_list(conn: &mut DbConn, year: i32) -> Result<Vec<Indicator>, ApiError> {
    let rows: Vec<IndicatorRow> = indicators::table
        .filter(indicators::plan_year.eq(year))
        .order((indicators::position.asc(), indicators::code.asc()))
        .select(IndicatorRow::as_select())
        .load(conn)?;
    rows.into_iter().map(IndicatorRow::api).collect()
}

/// One indicator with what the figure functions need; 404 when unknown.
pub fn indicator(conn: &mut DbConn, code_: &str) -> Result<(Indicator, IndicatorDef), ApiError> {
    let row: IndicatorRow = indicators::table
        .find(code_)
        .select(IndicatorRow::as_select())
        .first(conn)?;
    let def = row.def()?;
    Ok((row.api()?, def))
}

/// The definitions of `year`'s indicators, in dashboard order.
pub fn indicator_defs(
    conn: &mut DbConn,
    year: i32,
) -> Result<Vec<(Indicator, IndicatorDef)>, ApiError> {
    let rows: Vec<IndicatorRow> = indicators::table
        .filter(indicators::plan_year.eq(year))
        .order((indicators::position.asc(), indicators::code.asc()))
        .select(IndicatorRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let d = r.def()?;
            Ok((r.api()?, d))
        })
        .collect()
}

fn check_indicator(conn: &mut DbConn, year: i32, input: &IndicatorInput) -> Result<(), ApiError> {
    check_text("name_zh", &input.name_zh, 200)?;
    check_text("name_en", &input.name_en, 200)?;
    if input.name_zh.trim().is_empty() {
        return Err(ApiError::field("name_zh", "required", "a name"));
    }
    if (input.kind == IndicatorKind::Ratio) != (input.aggregation == Aggregation::RatioOfSums) {
        return Err(ApiError::field(
            "aggregation",
            "inconsistent",
            "a ratio is aggregated as a ratio of sums, anything else as a sum",
        ));
    }
    match (input.source, input.computation.as_deref()) {
        (IndicatorSource::Computed, Some(key)) => {
            if key.len() > 100
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
            {
                return Err(ApiError::field(
                    "computation",
                    "invalid_format",
                    "a computation key",
                ));
            }
        }
        (IndicatorSource::Computed, None) => {
            return Err(ApiError::field(
                "computation",
                "required",
                "the module's computation key",
            ))
        }
        (IndicatorSource::Reported, Some(_)) => {
            return Err(ApiError::field(
                "computation",
                "unexpected",
                "a reported indicator is not computed",
            ))
        }
        (IndicatorSource::Reported, None) => {}
    }
    let measure: i64 = plan_measures::table
        .filter(plan_measures::plan_year.eq(year))
        .filter(plan_measures::number.eq(input.measure))
        .count()
        .get_result(conn)?;
    if measure == 0 {
        return Err(ApiError::field(
            "measure",
            "unknown_code",
            "no such measure in the plan",
        ));
    }
    Ok(())
}

/// Adds an indicator to `year`'s plan (poverty office).
pub fn create_indicator(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    input: &IndicatorInput,
) -> Result<Indicator, ApiError> {
    require_planner(user)?;
    let ok = (3..=64).contains(&input.code.len())
        && input
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(ApiError::field(
            "code",
            "invalid_format",
            "3 to 64 of a–z, 0–9, _",
        ));
    }
    write_tx(conn, |conn| {
        plan(conn, year)?;
        check_indicator(conn, year, input)?;
        let taken: i64 = indicators::table
            .filter(indicators::code.eq(&input.code))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(ApiError::field(
                "code",
                "duplicate",
                "an indicator has this code",
            ));
        }
        diesel::insert_into(indicators::table)
            .values((
                indicators::code.eq(&input.code),
                indicators::plan_year.eq(year),
                indicators::measure.eq(input.measure),
                indicators::name_zh.eq(input.name_zh.trim()),
                indicators::name_en.eq(input.name_en.trim()),
                indicators::kind.eq(input.kind.as_str()),
                indicators::source.eq(input.source.as_str()),
                indicators::aggregation.eq(input.aggregation.as_str()),
                indicators::period_kind.eq(input.period.as_str()),
                indicators::computation.eq(&input.computation),
                indicators::position.eq(input.position),
                indicators::version.eq(1i64),
                indicators::updated_at.eq(now()),
                indicators::updated_by.eq(&user.username),
            ))
            .execute(conn)?;
        let (after, _) = indicator(conn, &input.code)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "indicator",
                entity_id: key_id("indicator", &[&input.code]),
                owner_region: "43",
                reason: None,
                before: None,
                after: to_json(&after),
            },
        )?;
        Ok(after)
    })
}

/// Changes an indicator (poverty office); its code and plan stay.
pub fn update_indicator(
    conn: &mut DbConn,
    user: &AuthUser,
    code_: &str,
    input: &IndicatorInput,
    version: i64,
) -> Result<Indicator, ApiError> {
    require_planner(user)?;
    write_tx(conn, |conn| {
        let (before, _) = indicator(conn, code_)?;
        check_indicator(conn, before.plan_year, input)?;
        let n = diesel::update(
            indicators::table
                .find(code_)
                .filter(indicators::version.eq(version)),
        )
        .set((
            indicators::measure.eq(input.measure),
            indicators::name_zh.eq(input.name_zh.trim()),
            indicators::name_en.eq(input.name_en.trim()),
            indicators::kind.eq(input.kind.as_str()),
            indicators::source.eq(input.source.as_str()),
            indicators::aggregation.eq(input.aggregation.as_str()),
            indicators::period_kind.eq(input.period.as_str()),
            indicators::computation.eq(&input.computation),
            indicators::position.eq(input.position),
            indicators::version.eq(version + 1),
            indicators::updated_at.eq(now()),
            indicators::updated_by.eq(&user.username),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let (after, _) = indicator(conn, code_)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "indicator",
                entity_id: key_id("indicator", &[code_]),
                owner_region: "43",
                reason: None,
                before: to_json(&before),
                after: to_json(&after),
            },
        )?;
        Ok(after)
    })
}

// ---------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------

type TargetRow = (
    String,
    String,
    String,
    i64,
    String,
    chrono::NaiveDateTime,
    i64,
);

fn target_of(r: TargetRow) -> Result<Target, ApiError> {
    Ok(Target {
        indicator: r.0,
        unit_code: r.1,
        period: code(&r.2)?,
        value: r.3,
        set_by: r.4,
        set_at: utc(r.5),
        version: r.6,
    })
}

/// The targets of `indicator` for `units` and `periods`, by (unit, period).
pub fn targets_of(
    conn: &mut DbConn,
    indicator: &str,
    units: &[String],
    periods: &[Period],
) -> Result<BTreeMap<(String, Period), Target>, ApiError> {
    let periods: Vec<String> = periods.iter().map(Period::to_string).collect();
    let rows: Vec<TargetRow> = targets::table
        .filter(targets::indicator.eq(indicator))
        .filter(targets::unit_code.eq_any(units))
        .filter(targets::period.eq_any(&periods))
        .select((
            targets::indicator,
            targets::unit_code,
            targets::period,
            targets::value,
            targets::set_by,
            targets::set_at,
            targets::version,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let t = target_of(r)?;
            Ok(((t.unit_code.clone(), t.period), t))
        })
        .collect()
}

fn check_period_kind(kind: PeriodKind, period: Period) -> Result<(), ApiError> {
    if period.kind() != kind {
        return Err(ApiError::field(
            "period",
            "invalid_value",
            format!("this indicator's period is a {kind}"),
        ));
    }
    Ok(())
}

/// The warnings about the split below `parent`: the children's targets add up to less
/// than the parent's (sums), or differ from it (rates, which are not split).
fn split_warnings(
    conn: &mut DbConn,
    ind: &Indicator,
    parent: &str,
    period: Period,
) -> Result<Vec<TargetWarning>, ApiError> {
    let (_, children) = super::units_below(conn, parent)?;
    let mut units: Vec<String> = children.iter().map(|(c, _)| c.clone()).collect();
    units.push(parent.to_owned());
    let t = targets_of(conn, &ind.code, &units, &[period])?;
    let Some(parent_t) = t.get(&(parent.to_owned(), period)) else {
        return Ok(Vec::new());
    };
    let set: Vec<i64> = children
        .iter()
        .filter_map(|(c, _)| t.get(&(c.clone(), period)).map(|t| t.value))
        .collect();
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let without = i64::try_from(children.len() - set.len()).unwrap_or(i64::MAX);
    let sum = set.iter().fold(0i64, |a, v| a.saturating_add(*v));
    let warning = |code| TargetWarning {
        code,
        parent_code: parent.to_owned(),
        parent_value: parent_t.value,
        children_sum: sum,
        children_without: without,
    };
    Ok(if ind.kind == IndicatorKind::Ratio {
        if set.iter().any(|v| *v != parent_t.value) {
            vec![warning(TargetWarningCode::RatioDiffersFromParent)]
        } else {
            Vec::new()
        }
    } else if sum < parent_t.value {
        vec![warning(TargetWarningCode::ChildrenBelowParent)]
    } else {
        Vec::new()
    })
}

/// A unit's target of an indicator and period, and its children's.
pub fn target_split(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
) -> Result<TargetSplit, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let (ind, _) = indicator(conn, indicator_code)?;
    let (_, children) = super::units_below(conn, unit)?;
    let mut units: Vec<String> = children.iter().map(|(c, _)| c.clone()).collect();
    units.push(unit.to_owned());
    let mut t = targets_of(conn, indicator_code, &units, &[period])?;
    Ok(TargetSplit {
        indicator: indicator_code.to_owned(),
        period,
        target: t.remove(&(unit.to_owned(), period)),
        children: children
            .into_iter()
            .map(|(c, name)| ChildTarget {
                target: t.remove(&(c.clone(), period)),
                unit_code: c,
                unit_name: name,
            })
            .collect(),
        warnings: split_warnings(conn, &ind, unit, period)?,
    })
}

/// Who may set `unit`'s targets: the level above it (the province's: the poverty
/// office). Out of the caller's scope is 404; the caller's own unit or a unit above it
/// is 403 `target_not_settable`.
fn may_set_target(conn: &mut DbConn, user: &AuthUser, unit: &str) -> Result<(), ApiError> {
    user.require(Capability::SetTargets)?;
    region_in_scope(conn, user, unit)?;
    let allowed = match super::parent_region(unit) {
        Some(parent) => user.scope.region() == parent,
        None => user.unit_code == PLAN_OFFICE,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Denied {
            code: "target_not_settable",
            detail:
                "targets are set by the level above the unit (the province's by the poverty office)"
                    .into(),
        })
    }
}

/// Sets (creates or changes) a target. `version` is the one the client saw (none to
/// create). Answers the target and warnings about the split around it.
pub fn set_target(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
    input: &TargetInput,
    version: Option<i64>,
) -> Result<TargetAnswer, ApiError> {
    may_set_target(conn, user, unit)?;
    let (ind, _) = indicator(conn, indicator_code)?;
    check_period_kind(ind.period, period)?;
    check_value("value", input.value, ind.kind == IndicatorKind::Ratio)?;
    if ind.plan_year != period.year {
        return Err(ApiError::field(
            "period",
            "invalid_value",
            "a period of the indicator's plan year",
        ));
    }
    let key = (
        indicator_code.to_owned(),
        unit.to_owned(),
        period.to_string(),
    );
    write_tx(conn, |conn| {
        let before = targets_of(conn, indicator_code, &[unit.to_owned()], &[period])?
            .remove(&(unit.to_owned(), period));
        let at = now();
        match (&before, version) {
            (None, None) => {
                diesel::insert_into(targets::table)
                    .values((
                        targets::indicator.eq(&key.0),
                        targets::unit_code.eq(&key.1),
                        targets::period.eq(&key.2),
                        targets::value.eq(input.value),
                        targets::set_by.eq(&user.username),
                        targets::set_at.eq(at),
                        targets::version.eq(1i64),
                    ))
                    .execute(conn)?;
            }
            (Some(_), None) => return Err(crate::extract::version_required()),
            (None, Some(_)) => return Err(ApiError::stale_version()),
            (Some(_), Some(v)) => {
                let n = diesel::update(
                    targets::table
                        .find((&key.0, &key.1, &key.2))
                        .filter(targets::version.eq(v)),
                )
                .set((
                    targets::value.eq(input.value),
                    targets::set_by.eq(&user.username),
                    targets::set_at.eq(at),
                    targets::version.eq(v + 1),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
            }
        }
        let after = targets_of(conn, indicator_code, &[unit.to_owned()], &[period])?
            .remove(&(unit.to_owned(), period))
            .ok_or(ApiError::NotFound)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: if before.is_some() {
                    AuditAction::Update
                } else {
                    AuditAction::Create
                },
                entity_type: "target",
                entity_id: key_id("target", &[&key.0, &key.1, &key.2]),
                owner_region: unit,
                reason: None,
                before: before.as_ref().and_then(to_json),
                after: to_json(&after),
            },
        )?;
        let mut warnings = split_warnings(conn, &ind, unit, period)?;
        if let Some(parent) = super::parent_region(unit) {
            warnings.extend(split_warnings(conn, &ind, parent, period)?);
        }
        Ok(TargetAnswer {
            target: after,
            warnings,
        })
    })
}

/// Removes a target: the unit has no target (which is not a target of zero).
pub fn delete_target(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
    version: i64,
) -> Result<(), ApiError> {
    may_set_target(conn, user, unit)?;
    write_tx(conn, |conn| {
        let before = targets_of(conn, indicator_code, &[unit.to_owned()], &[period])?
            .remove(&(unit.to_owned(), period))
            .ok_or(ApiError::NotFound)?;
        let p = period.to_string();
        let n = diesel::delete(
            targets::table
                .find((indicator_code, unit, &p))
                .filter(targets::version.eq(version)),
        )
        .execute(conn)?;
        crate::record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "target",
                entity_id: key_id("target", &[indicator_code, unit, &p]),
                owner_region: unit,
                reason: None,
                before: to_json(&before),
                after: None,
            },
        )
    })
}

// ---------------------------------------------------------------------------------------
// Milestones and deliveries
// ---------------------------------------------------------------------------------------

type MilestoneRow = (
    String,
    i32,
    Option<i32>,
    String,
    String,
    NaiveDate,
    String,
    String,
);

fn milestone_of(r: MilestoneRow) -> Result<Milestone, ApiError> {
    Ok(Milestone {
        id: uuid(&r.0)?,
        plan_year: r.1,
        measure: r.2,
        title_zh: r.3,
        title_en: r.4,
        due: r.5,
        deliverer: code(&r.6)?,
        receiver: r.7,
    })
}

/// The milestones of `year`'s plan by due date.
pub fn milestone_list(conn: &mut DbConn, year: i32) -> Result<Vec<Milestone>, ApiError> {
    let rows: Vec<MilestoneRow> = milestones::table
        .filter(milestones::plan_year.eq(year))
        .order((milestones::due.asc(), milestones::id.asc()))
        .select((
            milestones::id,
            milestones::plan_year,
            milestones::measure,
            milestones::title_zh,
            milestones::title_en,
            milestones::due,
            milestones::deliverer,
            milestones::receiver,
        ))
        .load(conn)?;
    rows.into_iter().map(milestone_of).collect()
}

fn milestone(conn: &mut DbConn, id: Uuid) -> Result<Milestone, ApiError> {
    let row: MilestoneRow = milestones::table
        .find(id.to_string())
        .select((
            milestones::id,
            milestones::plan_year,
            milestones::measure,
            milestones::title_zh,
            milestones::title_en,
            milestones::due,
            milestones::deliverer,
            milestones::receiver,
        ))
        .first(conn)?;
    milestone_of(row)
}

/// Whether a unit (org unit code and kind) is one that must deliver `deliverer`'s
/// milestones.
pub fn delivers(deliverer: Deliverer, unit_code: &str, kind: shared::OrgUnitKind) -> bool {
    use shared::OrgUnitKind as K;
    match deliverer {
        Deliverer::Departments => kind == K::Department,
        Deliverer::Cities => kind == K::City,
        Deliverer::Counties => kind == K::County,
        Deliverer::Province => kind == K::Province || unit_code == PLAN_OFFICE,
    }
}

#[derive(Debug, Queryable)]
struct SubmissionRow {
    id: String,
    milestone_id: String,
    unit_code: String,
    attachment_id: Option<String>,
    note: String,
    create_hash: Option<String>,
    submitted_at: chrono::NaiveDateTime,
    submitted_by: String,
    created_by: String,
}

fn submission_of(r: SubmissionRow, due: NaiveDate) -> Result<MilestoneSubmission, ApiError> {
    let at = utc(r.submitted_at);
    Ok(MilestoneSubmission {
        id: uuid(&r.id)?,
        milestone_id: uuid(&r.milestone_id)?,
        unit_code: r.unit_code,
        late: (at + chrono::TimeDelta::hours(8)).date_naive() > due,
        submitted_at: at,
        submitted_by: r.submitted_by,
        attachment_id: r.attachment_id.as_deref().map(uuid).transpose()?,
        note: r.note,
    })
}

macro_rules! submission_columns {
    () => {
        (
            milestone_submissions::id,
            milestone_submissions::milestone_id,
            milestone_submissions::unit_code,
            milestone_submissions::attachment_id,
            milestone_submissions::note,
            milestone_submissions::create_hash,
            milestone_submissions::submitted_at,
            milestone_submissions::submitted_by,
            milestone_submissions::created_by,
        )
    };
}

/// The deliveries of a milestone by units in the caller's scope, oldest first.
pub fn list_submissions(
    conn: &mut DbConn,
    user: &AuthUser,
    milestone_id: Uuid,
) -> Result<Vec<MilestoneSubmission>, ApiError> {
    user.require(Capability::ReadKpi)?;
    let m = milestone(conn, milestone_id)?;
    let region = user.scope.region().to_owned();
    let rows: Vec<SubmissionRow> = milestone_submissions::table
        .inner_join(org_units::table.on(org_units::code.eq(milestone_submissions::unit_code)))
        .filter(milestone_submissions::milestone_id.eq(milestone_id.to_string()))
        .filter(org_units::region_code.like(format!("{region}%")))
        .order((
            milestone_submissions::submitted_at.asc(),
            milestone_submissions::id.asc(),
        ))
        .select(submission_columns!())
        .load(conn)?;
    rows.into_iter().map(|r| submission_of(r, m.due)).collect()
}

/// An attachment given as evidence: one the caller may read now, else 422.
fn check_evidence(
    conn: &mut DbConn,
    user: &AuthUser,
    field: &str,
    id: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(id) = id {
        match crate::attachments::queries::visible(conn, user, id) {
            Ok(_) => {}
            Err(ApiError::NotFound | ApiError::Forbidden(_)) => {
                return Err(ApiError::field(
                    field,
                    "evidence_not_found",
                    "no such attachment in your scope",
                ))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Records a delivery of a milestone by the caller's unit. A retry with the same
/// client-chosen id and body answers the first (`false`), anything else with a taken
/// id is 409.
pub fn create_submission(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    milestone_id: Uuid,
    input: &SubmissionInput,
) -> Result<(bool, MilestoneSubmission), ApiError> {
    user.require(Capability::SubmitReports)?;
    check_text("note", &input.note, 2000)?;
    let m = milestone(conn, milestone_id)?;
    let digest = crate::record::create_digest(pii, "milestone_submission", &(milestone_id, input))?;
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    write_tx(conn, |conn| {
        let existing: Option<SubmissionRow> = milestone_submissions::table
            .find(id.to_string())
            .select(submission_columns!())
            .first(conn)
            .optional()?;
        if let Some(row) = existing {
            let region = crate::org::queries::region_of(conn, &row.unit_code)?.unwrap_or_default();
            crate::record::replay(
                crate::record::Existing {
                    create_hash: row.create_hash.as_deref(),
                    created_by: &row.created_by,
                    deleted: false,
                    in_scope: user.scope.covers_region(&region),
                },
                &digest,
                user,
            )?;
            return Ok((false, submission_of(row, m.due)?));
        }
        let kind: String = org_units::table
            .find(&user.unit_code)
            .select(org_units::kind)
            .first(conn)?;
        if !delivers(m.deliverer, &user.unit_code, code(&kind)?) {
            return Err(ApiError::Denied {
                code: "not_your_level",
                detail: "your unit does not deliver this milestone".into(),
            });
        }
        check_evidence(conn, user, "attachment_id", input.attachment_id)?;
        let region = user.scope.region().to_owned();
        let period = Period::quarter_of(m.due);
        super::lock::ensure_open_period(conn, &region, period)?;
        let at = now();
        diesel::insert_into(milestone_submissions::table)
            .values((
                milestone_submissions::id.eq(id.to_string()),
                milestone_submissions::milestone_id.eq(milestone_id.to_string()),
                milestone_submissions::unit_code.eq(&user.unit_code),
                milestone_submissions::period.eq(period.to_string()),
                milestone_submissions::attachment_id.eq(input.attachment_id.map(|a| a.to_string())),
                milestone_submissions::note.eq(input.note.trim()),
                milestone_submissions::create_hash.eq(&digest),
                milestone_submissions::submitted_at.eq(at),
                milestone_submissions::submitted_by.eq(&user.username),
                milestone_submissions::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let row: SubmissionRow = milestone_submissions::table
            .find(id.to_string())
            .select(submission_columns!())
            .first(conn)?;
        let s = submission_of(row, m.due)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "milestone_submission",
                entity_id: id,
                owner_region: &region,
                reason: None,
                before: None,
                after: to_json(&s),
            },
        )?;
        Ok((true, s))
    })
}

/// Per milestone, the units (org unit codes) that delivered it, among those whose
/// region lies in `region`.
pub fn delivered_units(
    conn: &mut DbConn,
    year: i32,
    region: &str,
) -> Result<BTreeMap<String, std::collections::BTreeSet<String>>, ApiError> {
    let rows: Vec<(String, String)> = milestone_submissions::table
        .inner_join(milestones::table)
        .inner_join(org_units::table.on(org_units::code.eq(milestone_submissions::unit_code)))
        .filter(milestones::plan_year.eq(year))
        .filter(org_units::region_code.like(format!("{region}%")))
        .select((
            milestone_submissions::milestone_id,
            milestone_submissions::unit_code,
        ))
        .distinct()
        .load(conn)?;
    let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (m, u) in rows {
        out.entry(m).or_default().insert(u);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Reported values
// ---------------------------------------------------------------------------------------

type ReportedRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    String,
    chrono::NaiveDateTime,
    i64,
);

fn reported_of(r: ReportedRow) -> Result<ReportedValue, ApiError> {
    Ok(ReportedValue {
        indicator: r.0,
        unit_code: r.1,
        period: code(&r.2)?,
        value: r.3,
        evidence_id: r.4.as_deref().map(uuid).transpose()?,
        note: r.5,
        updated_by: r.6,
        updated_at: utc(r.7),
        version: r.8,
    })
}

macro_rules! reported_columns {
    () => {
        (
            reported_values::indicator,
            reported_values::unit_code,
            reported_values::period,
            reported_values::value,
            reported_values::evidence_id,
            reported_values::note,
            reported_values::updated_by,
            reported_values::updated_at,
            reported_values::version,
        )
    };
}

/// The values reported for an indicator and period by `unit` and every unit below it
/// (a quarterly indicator's year: its quarters), in unit order.
pub fn list_reported(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
) -> Result<Vec<ReportedValue>, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let (_, def) = indicator(conn, indicator_code)?;
    let periods: Vec<String> = super::indicators::stored_periods(def.period, period)
        .iter()
        .map(Period::to_string)
        .collect();
    let rows: Vec<ReportedRow> = reported_values::table
        .filter(reported_values::indicator.eq(indicator_code))
        .filter(reported_values::period.eq_any(&periods))
        .filter(
            reported_values::unit_code
                .eq(unit)
                .or(reported_values::unit_code.like(format!("{unit}%"))),
        )
        .order((
            reported_values::unit_code.asc(),
            reported_values::period.asc(),
        ))
        .select(reported_columns!())
        .load(conn)?;
    rows.into_iter().map(reported_of).collect()
}

/// Enters or changes the value a unit reports (its own unit, or a region in the
/// caller's scope) while the period is open.
pub fn put_reported(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
    input: &ReportedValueInput,
    version: Option<i64>,
) -> Result<ReportedValue, ApiError> {
    user.require(Capability::SubmitReports)?;
    check_text("note", &input.note, 2000)?;
    let region = if unit == user.unit_code {
        user.scope.region().to_owned()
    } else {
        region_in_scope(conn, user, unit)?;
        unit.to_owned()
    };
    let (ind, def) = indicator(conn, indicator_code)?;
    if def.source != IndicatorSource::Reported {
        return Err(ApiError::field(
            "indicator",
            "not_editable",
            "this indicator is computed from records",
        ));
    }
    check_period_kind(ind.period, period)?;
    check_value("value", input.value, ind.kind == IndicatorKind::Ratio)?;
    let p = period.to_string();
    write_tx(conn, |conn| {
        check_evidence(conn, user, "evidence_id", input.evidence_id)?;
        super::lock::ensure_open_period(conn, &region, period)?;
        let before: Option<ReportedValue> = reported_values::table
            .find((indicator_code, unit, &p))
            .select(reported_columns!())
            .first(conn)
            .optional()?
            .map(reported_of)
            .transpose()?;
        let at = now();
        let evidence = input.evidence_id.map(|e| e.to_string());
        match (&before, version) {
            (None, None) => {
                diesel::insert_into(reported_values::table)
                    .values((
                        reported_values::indicator.eq(indicator_code),
                        reported_values::unit_code.eq(unit),
                        reported_values::period.eq(&p),
                        reported_values::value.eq(input.value),
                        reported_values::evidence_id.eq(&evidence),
                        reported_values::note.eq(input.note.trim()),
                        reported_values::version.eq(1i64),
                        reported_values::updated_at.eq(at),
                        reported_values::updated_by.eq(&user.username),
                    ))
                    .execute(conn)?;
            }
            (Some(_), None) => return Err(crate::extract::version_required()),
            (None, Some(_)) => return Err(ApiError::stale_version()),
            (Some(_), Some(v)) => {
                let n = diesel::update(
                    reported_values::table
                        .find((indicator_code, unit, &p))
                        .filter(reported_values::version.eq(v)),
                )
                .set((
                    reported_values::value.eq(input.value),
                    reported_values::evidence_id.eq(&evidence),
                    reported_values::note.eq(input.note.trim()),
                    reported_values::version.eq(v + 1),
                    reported_values::updated_at.eq(at),
                    reported_values::updated_by.eq(&user.username),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
            }
        }
        let after: ReportedValue = reported_of(
            reported_values::table
                .find((indicator_code, unit, &p))
                .select(reported_columns!())
                .first(conn)?,
        )?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: if before.is_some() {
                    AuditAction::Update
                } else {
                    AuditAction::Create
                },
                entity_type: "reported_value",
                entity_id: key_id("reported_value", &[indicator_code, unit, &p]),
                owner_region: &region,
                reason: None,
                before: before.as_ref().and_then(to_json),
                after: to_json(&after),
            },
        )?;
        Ok(after)
    })
}
