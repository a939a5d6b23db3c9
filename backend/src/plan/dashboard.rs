//! The leaders' dashboard: for a unit and each of its children, every indicator's
//! target, live figure, approved figure, share of the target and pace against the time
//! elapsed; the milestones' standing; a monthly series for the line chart; the records
//! behind a figure; and the table as XLSX.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use shared::auth::Capability;
use shared::plan::{
    pace, percent_bp, CountyRanking, Dashboard, DashboardCell, DashboardCounters, DashboardRow,
    Figure, FigureRecord, IndicatorKind, IndicatorSource, MilestoneStatus, Period, PeriodKind,
    RankedCounty, Series, SeriesPoint,
};
use uuid::Uuid;

use super::indicators::{figures, stored_periods, IndicatorDef};
use super::queries::{delivered_units, indicator, indicator_defs, milestone_list, targets_of};
use super::region_in_scope;
use crate::auth::AuthUser;
use crate::db::{today, DbConn};
use crate::error::ApiError;

/// The target of `unit` for `period` on `ind`: the period's own, or for a quarterly
/// indicator's year the sum of its quarters' (when any is set); none is "no target".
fn target_for(
    ind: &IndicatorDef,
    unit: &str,
    period: Period,
    targets: &BTreeMap<(String, Period), shared::plan::Target>,
) -> Option<i64> {
    if let Some(t) = targets.get(&(unit.to_owned(), period)) {
        return Some(t.value);
    }
    if ind.period == PeriodKind::Quarter && period.quarter.is_none() {
        let qs: Vec<i64> = stored_periods(ind.period, period)
            .into_iter()
            .filter(|p| p.quarter.is_some())
            .filter_map(|p| targets.get(&(unit.to_owned(), p)).map(|t| t.value))
            .collect();
        if !qs.is_empty() {
            return Some(qs.iter().fold(0i64, |a, v| a.saturating_add(*v)));
        }
    }
    None
}

/// Share of `period` elapsed on `day`, in basis points.
pub fn elapsed_bp(period: Period, day: NaiveDate) -> i64 {
    let (start, end) = (period.start(), period.end());
    if day < start {
        return 0;
    }
    if day >= end {
        return 10_000;
    }
    let total = (end - start).num_days() + 1;
    let gone = (day - start).num_days() + 1;
    gone * 10_000 / total.max(1)
}

fn same(a: &Figure, b: &Figure) -> bool {
    a.value == b.value && a.numerator == b.numerator && a.denominator == b.denominator
}

/// One unit's cell of an indicator: its target, live and approved figures, share of
/// the target and pace against `elapsed` (basis points of the period gone).
fn cell(
    indicator: &str,
    target: Option<i64>,
    live: Option<Figure>,
    approved: Option<Figure>,
    elapsed: i64,
    cumulative: bool,
) -> DashboardCell {
    let value = live.as_ref().and_then(|f| f.value);
    let percent = percent_bp(value, target);
    let live_differs = match (&live, &approved) {
        (Some(l), Some(a)) => !same(l, a),
        _ => false,
    };
    DashboardCell {
        indicator: indicator.to_owned(),
        target,
        pace: pace(percent, elapsed, cumulative, target.is_some()),
        percent_bp: percent,
        live,
        approved,
        live_differs,
    }
}

/// Every county of `unit` (the province or a city; a county ranks alone) ranked on
/// `code` for `period`: the same cells as the dashboard's, read from the kept per-unit
/// aggregates, so the whole province costs about what one city does.
pub fn ranking(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    code: &str,
    period: Period,
) -> Result<CountyRanking, ApiError> {
    use crate::db::schema::org_units;
    use diesel::prelude::*;
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let (ind, def) = indicator(conn, code).map_err(|e| match e {
        ApiError::NotFound => ApiError::field("indicator", "not_found", "no such indicator"),
        other => other,
    })?;
    let counties: Vec<(String, String, Option<String>)> = org_units::table
        .filter(org_units::kind.eq(shared::OrgUnitKind::County.as_str()))
        .filter(
            org_units::code
                .eq(unit)
                .or(org_units::code.like(format!("{unit}%"))),
        )
        .order(org_units::code.asc())
        .select((org_units::code, org_units::name, org_units::parent_code))
        .load(conn)?;
    let cities: BTreeMap<String, String> = org_units::table
        .filter(org_units::kind.eq(shared::OrgUnitKind::City.as_str()))
        .select((org_units::code, org_units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let codes: Vec<String> = counties.iter().map(|c| c.0.clone()).collect();
    let at = Utc::now();
    let elapsed = elapsed_bp(period, today());
    let live = figures(conn, &def, unit, &codes, period, at)?;
    let approved = super::reports::snapshots(conn, &codes, period)?;
    let periods = if def.period == PeriodKind::Quarter && period.quarter.is_none() {
        stored_periods(def.period, period)
    } else {
        vec![period]
    };
    let targets = targets_of(conn, &ind.code, &codes, &periods)?;
    let applies = !(def.period == PeriodKind::Year && period.quarter.is_some());
    let cumulative = ind.kind != IndicatorKind::Ratio;
    let mut rows: Vec<RankedCounty> = counties
        .into_iter()
        .map(|(county, name, parent)| {
            let target = applies
                .then(|| target_for(&def, &county, period, &targets))
                .flatten();
            let c = cell(
                &ind.code,
                target,
                live.get(&county).cloned(),
                approved.get(&(ind.code.clone(), county.clone())).cloned(),
                elapsed,
                cumulative,
            );
            RankedCounty {
                rank: 0,
                city_name: parent
                    .and_then(|p| cities.get(&p).cloned())
                    .unwrap_or_default(),
                unit_code: county,
                unit_name: name,
                cell: c,
            }
        })
        .collect();
    let value = |r: &RankedCounty| r.cell.live.as_ref().and_then(|f| f.value);
    rows.sort_by(|a, b| {
        b.cell
            .percent_bp
            .is_some()
            .cmp(&a.cell.percent_bp.is_some())
            .then(b.cell.percent_bp.cmp(&a.cell.percent_bp))
            .then(value(b).cmp(&value(a)))
            .then(a.unit_code.cmp(&b.unit_code))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Ok(CountyRanking {
        unit_code: unit.to_owned(),
        period,
        indicator: ind,
        as_of: at,
        rows,
    })
}

/// The dashboard of `unit` (a region in scope; default the caller's) for `period`.
pub fn dashboard(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    period: Period,
) -> Result<Dashboard, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    super::queries::plan(conn, period.year)?;
    let (unit_name, children) = super::units_below(conn, unit)?;
    let child_codes: Vec<String> = children.iter().map(|(c, _)| c.clone()).collect();
    let mut all_units = vec![unit.to_owned()];
    all_units.extend(child_codes.iter().cloned());
    let at = Utc::now();
    let day = today();
    let elapsed = elapsed_bp(period, day);
    let defs = indicator_defs(conn, period.year)?;
    let approved = super::reports::snapshots(conn, &all_units, period)?;
    let reports = super::reports::reports_of(conn, &all_units, period)?;

    // One column per indicator, computed for all rows at once.
    let mut columns: Vec<BTreeMap<String, DashboardCell>> = Vec::new();
    for (ind, def) in &defs {
        let live = figures(conn, def, unit, &child_codes, period, at)?;
        let periods = if def.period == PeriodKind::Quarter && period.quarter.is_none() {
            stored_periods(def.period, period)
        } else {
            vec![period]
        };
        let targets = targets_of(conn, &ind.code, &all_units, &periods)?;
        // A year's target does not apply to a quarter of a yearly indicator.
        let applies = !(def.period == PeriodKind::Year && period.quarter.is_some());
        let cumulative = ind.kind != IndicatorKind::Ratio;
        let mut col = BTreeMap::new();
        for u in &all_units {
            let target = if applies {
                target_for(def, u, period, &targets)
            } else {
                None
            };
            let live_f = live.get(u).cloned();
            let approved_f = approved.get(&(ind.code.clone(), u.clone())).cloned();
            col.insert(
                u.clone(),
                cell(&ind.code, target, live_f, approved_f, elapsed, cumulative),
            );
        }
        columns.push(col);
    }
    let mut names = vec![(unit.to_owned(), unit_name.clone())];
    names.extend(children);
    let rows = names
        .into_iter()
        .zip(reports)
        .map(|((code, name), report)| DashboardRow {
            cells: columns.iter_mut().filter_map(|c| c.remove(&code)).collect(),
            unit_code: code,
            unit_name: name,
            report_status: report.status,
        })
        .collect();

    let milestones = milestone_standing(conn, unit, period.year, day)?;
    let overdue = milestones
        .iter()
        .filter(|m| m.overdue)
        .map(|m| m.due_units - m.delivered)
        .sum();
    let next_deadline = milestones
        .iter()
        .map(|m| m.milestone.due)
        .filter(|d| *d >= day && period.contains(*d))
        .min()
        .or_else(|| (day <= period.end()).then(|| period.end()));
    Ok(Dashboard {
        unit_code: unit.to_owned(),
        unit_name,
        period,
        as_of: at,
        next_deadline,
        elapsed_bp: elapsed,
        indicators: defs.into_iter().map(|(i, _)| i).collect(),
        rows,
        counters: DashboardCounters {
            overdue_milestones: overdue,
            open_problems: None,
            overdue_petitions: Some(crate::petitions::cases::overdue_count(conn, unit, day)?),
        },
        milestones,
    })
}

/// Each milestone of `year` with how many of the units within `region` that must
/// deliver it did.
fn milestone_standing(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    day: NaiveDate,
) -> Result<Vec<MilestoneStatus>, ApiError> {
    use diesel::prelude::*;

    use crate::db::schema::org_units;
    let units: Vec<(String, String, String)> = org_units::table
        .filter(org_units::region_code.like(format!("{region}%")))
        .select((org_units::code, org_units::kind, org_units::region_code))
        .load(conn)?;
    let delivered = delivered_units(conn, year, region)?;
    let mut out = Vec::new();
    for m in milestone_list(conn, year)? {
        let due: Vec<&str> = units
            .iter()
            .filter(|(code, kind, _)| {
                kind.parse()
                    .is_ok_and(|k| super::queries::delivers(m.deliverer, code, k))
            })
            .map(|(code, _, _)| code.as_str())
            .collect();
        let done = delivered.get(&m.id.to_string());
        let n_due = i64::try_from(due.len()).unwrap_or(i64::MAX);
        let n_done = i64::try_from(
            due.iter()
                .filter(|u| done.is_some_and(|d| d.contains(**u)))
                .count(),
        )
        .unwrap_or(0);
        out.push(MilestoneStatus {
            overdue: m.due < day && n_done < n_due,
            milestone: m,
            due_units: n_due,
            delivered: n_done,
        });
    }
    Ok(out)
}

/// The monthly cumulative figures of `indicator` for `unit` in `year`.
pub fn series(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    year: i32,
) -> Result<Series, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let (ind, def) = indicator(conn, indicator_code)?;
    let period = Period::year(year);
    let periods = stored_periods(def.period, period);
    let targets = targets_of(conn, indicator_code, &[unit.to_owned()], &periods)?;
    let target = target_for(&def, unit, period, &targets);
    let months = match def.computation() {
        Some(c) => c.series(conn, unit, year)?,
        None => None,
    };
    let points = months
        .as_ref()
        .map(|m| {
            m.iter()
                .zip(1u32..)
                .map(|(p, month)| SeriesPoint {
                    month,
                    value: shared::plan::figure_value(ind.kind, p.numerator, p.denominator),
                    numerator: p.numerator,
                    denominator: p.denominator,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Series {
        indicator: indicator_code.to_owned(),
        unit_code: unit.to_owned(),
        year,
        target,
        datable: months.is_some(),
        points,
    })
}

/// The records behind the figure of `indicator` for `unit` and `period`: a page in id
/// order, persons masked. Reading them takes the module's read right as well as
/// `read_kpi`; out of scope is 404.
pub fn records(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
    paging: &crate::pagination::Paging,
) -> Result<shared::api::Page<FigureRecord>, ApiError> {
    user.require(Capability::ReadKpi)?;
    region_in_scope(conn, user, unit)?;
    let (_, def) = indicator(conn, indicator_code)?;
    let items = match def.source {
        IndicatorSource::Computed => {
            let c = def.computation().ok_or(ApiError::NotFound)?;
            user.require(c.read_capability())?;
            let after = paging
                .after
                .as_deref()
                .map(|a| {
                    Uuid::parse_str(a).map_err(|_| {
                        ApiError::field("cursor", "invalid_cursor", "not a cursor of this list")
                    })
                })
                .transpose()?;
            c.records(conn, unit, period, after, paging.fetch())?
        }
        IndicatorSource::Reported => {
            reported_records(conn, user, indicator_code, unit, period, paging)?
        }
    };
    Ok(paging.page(items, |r| r.id.clone()))
}

fn reported_records(
    conn: &mut DbConn,
    user: &AuthUser,
    indicator_code: &str,
    unit: &str,
    period: Period,
    paging: &crate::pagination::Paging,
) -> Result<Vec<FigureRecord>, ApiError> {
    let values = super::queries::list_reported(conn, user, indicator_code, unit, period)?;
    let limit = usize::try_from(paging.fetch()).unwrap_or(usize::MAX);
    Ok(values
        .into_iter()
        .map(|v| FigureRecord {
            id: format!("{}:{}", v.unit_code, v.period),
            kind: "reported_value".into(),
            county_code: v.unit_code,
            date: Some((v.updated_at + chrono::TimeDelta::hours(8)).date_naive()),
            label: v.note,
            person_masked: None,
            id_number_masked: None,
            amount_fen: Some(v.value),
            in_numerator: true,
        })
        .filter(|r| paging.after.as_deref().is_none_or(|a| r.id.as_str() > a))
        .take(limit)
        .collect())
}

/// The dashboard as a table: one row per unit and indicator.
pub fn table(d: &Dashboard, english: bool) -> crate::tabular::Table {
    let h = |zh: &str, en: &str| {
        if english {
            en.to_owned()
        } else {
            zh.to_owned()
        }
    };
    let headers = vec![
        h("单位代码", "Unit code"),
        h("单位", "Unit"),
        h("指标", "Indicator"),
        h("目标", "Target"),
        h("实时值", "Live"),
        h("分子", "Numerator"),
        h("分母", "Denominator"),
        h("审定值", "Approved"),
        h("完成率(%)", "% of target"),
        h("进度", "Pace"),
        h("报告状态", "Report status"),
        h("数据时间", "As of"),
    ];
    let names: BTreeMap<&str, (&str, IndicatorKind)> = d
        .indicators
        .iter()
        .map(|i| {
            (
                i.code.as_str(),
                (
                    if english {
                        i.name_en.as_str()
                    } else {
                        i.name_zh.as_str()
                    },
                    i.kind,
                ),
            )
        })
        .collect();
    let show = |v: Option<i64>, kind: IndicatorKind| match (v, kind) {
        (None, _) => String::new(),
        (Some(v), IndicatorKind::Ratio) => format!("{}.{:02}%", v / 100, v % 100),
        (Some(v), IndicatorKind::SumFen) => format!("{}.{:02}", v / 100, v % 100),
        (Some(v), _) => v.to_string(),
    };
    let mut rows = Vec::new();
    for r in &d.rows {
        for c in &r.cells {
            let (name, kind) = names
                .get(c.indicator.as_str())
                .copied()
                .unwrap_or(("", IndicatorKind::Count));
            rows.push(vec![
                r.unit_code.clone(),
                r.unit_name.clone(),
                name.to_owned(),
                show(c.target, kind),
                show(c.live.as_ref().and_then(|f| f.value), kind),
                c.live
                    .as_ref()
                    .map(|f| f.numerator.to_string())
                    .unwrap_or_default(),
                c.live
                    .as_ref()
                    .and_then(|f| f.denominator)
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                show(c.approved.as_ref().and_then(|f| f.value), kind),
                c.percent_bp
                    .map(|p| format!("{}.{:02}", p / 100, p % 100))
                    .unwrap_or_default(),
                c.pace.as_str().to_owned(),
                r.report_status.as_str().to_owned(),
                d.as_of.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            ]);
        }
    }
    crate::tabular::Table {
        headers,
        rows,
        choices: Vec::new(),
    }
}
