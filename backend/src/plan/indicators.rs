//! The indicator registry: how a module's records become the plan's figures.
//!
//! A module registers each computed indicator it can answer as a [`Computation`] in
//! [`REGISTRY`], under a key that the plan's `indicators.computation` column names
//! (`training.trained_poor_persons`). A computation describes its figure as atoms of
//! subjects, from which [`super::aggregates`] keeps per-unit totals up to date with
//! every write (what the dashboard reads), and it answers for a parent region and all
//! its children in one grouped query (the reference the totals are tested against); it
//! can list the records behind a figure (persons masked), and, when it can date its
//! records, give a monthly series. The plan layer never names a module's tables: the
//! queries live in the modules (`kpi::employment`, `kpi::rehab`).
//!
//! To add one (retrofits, care, …): implement [`Computation`] next to the module's
//! KPI code, add it to [`REGISTRY`], and seed or create an indicator whose
//! `computation` is its key.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use shared::auth::Capability;
use shared::plan::{
    figure_value, FigureRecord, IndicatorKind, IndicatorSource, Period, PeriodKind,
};
use uuid::Uuid;

use crate::auth::Scope;
use crate::db::schema::reported_values;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::kpi::employment::{
    committed_facts, committed_records, trained_facts, trained_records, TrainedFact,
};
use crate::kpi::rehab::{rate_records, RateRecords};
use crate::plan::aggregates::{Atom, Combine, Subjects};

/// The parts of a figure as a computation gives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    /// Numerator (for sums and counts: the value).
    pub numerator: i64,
    /// Denominator (ratios).
    pub denominator: Option<i64>,
    /// Records it was computed from.
    pub record_count: i64,
}

/// A computed indicator, as a module registers it.
pub trait Computation: Sync {
    /// Registry key (`module.name`).
    fn key(&self) -> &'static str;

    /// What reading the records behind a figure takes, besides `read_kpi`.
    fn read_capability(&self) -> Capability;

    /// Whether it has figures for quarters too (else for years only: a programme year's
    /// rate or count has no quarterly figure).
    fn quarterly(&self) -> bool {
        true
    }

    /// The version of its rules: raise it when they change, and the stored aggregates
    /// are rebuilt from the records before their next use.
    fn version(&self) -> i32 {
        1
    }

    /// How the atoms of one subject inside one unit combine ([`Combine`]).
    fn combine(&self) -> Combine;

    /// Whether its figures have a denominator (ratios).
    fn has_denominator(&self) -> bool {
        false
    }

    /// The subjects whose figures a write to the records `ids` of `entity_type` (as
    /// the audit log names them) may change; none for records it does not read.
    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError>;

    /// The atoms of `subjects`, every year, from the module's records: what the
    /// per-unit aggregates are kept from ([`super::aggregates`]).
    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError>;

    /// The parts of `parent` (a region code) and of each of `children` (its child
    /// regions) for `period`, computed from the records by one grouped query for all
    /// of them: the reference the aggregates are tested and measured against. A unit
    /// without records may be absent (its parts are zero).
    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError>;

    /// The cumulative parts of `unit` at the end of each month of `year` (12 entries),
    /// or none when the module cannot date its records.
    fn series(
        &self,
        _conn: &mut DbConn,
        _unit: &str,
        _year: i32,
    ) -> Result<Option<Vec<Parts>>, ApiError> {
        Ok(None)
    }

    /// The records behind the figure of `unit` for `period`, in id order after `after`,
    /// at most `limit`, persons masked. The caller has checked scope and rights.
    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError>;
}

/// Every registered computation.
pub static REGISTRY: &[&dyn Computation] = &[
    &TrainedPoorPersons,
    &LoanSubsidy,
    &RehabRate(RateRecords::Service),
    &RehabRate(RateRecords::Fitting),
    &RetrofitCoverage,
    &CarePersonsServed,
    &CanteenShare,
    &VillagesLinked,
    &SupportReceived,
];

/// The computation registered under `key`.
pub fn find(key: &str) -> Option<&'static dyn Computation> {
    REGISTRY.iter().copied().find(|c| c.key() == key)
}

/// The date window of a period for a module that counts a year's records: none for a
/// year, the quarter's days for a quarter.
fn window(period: Period) -> Option<(NaiveDate, NaiveDate)> {
    period.quarter.map(|_| (period.start(), period.end()))
}

/// Whether a county lies in `unit` (a region code).
fn inside(county: &str, unit: &str) -> bool {
    county.starts_with(unit)
}

/// The units a figure is asked for: the parent, then its children.
fn units<'a>(parent: &'a str, children: &'a [String]) -> impl Iterator<Item = &'a str> {
    std::iter::once(parent).chain(children.iter().map(String::as_str))
}

/// Distinct persons per unit from (county, person) facts: a person trained in two
/// counties counts once for each county and once for the city and the province.
fn distinct_persons(
    facts: &[TrainedFact],
    parent: &str,
    children: &[String],
) -> BTreeMap<String, Parts> {
    units(parent, children)
        .map(|u| {
            let mut persons = HashSet::new();
            let mut records = 0i64;
            for f in facts.iter().filter(|f| inside(&f.county, u)) {
                persons.insert(f.person_id.as_str());
                records = records.saturating_add(f.enrolments);
            }
            (
                u.to_owned(),
                Parts {
                    numerator: i64::try_from(persons.len()).unwrap_or(i64::MAX),
                    denominator: None,
                    record_count: records,
                },
            )
        })
        .collect()
}

/// Months of a year to show: all 12 for a past year, up to the current month for this
/// year, none for a future one.
fn months_of(year: i32) -> u32 {
    let today = crate::db::today();
    match today.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => today.month(),
        std::cmp::Ordering::Less => 0,
    }
}

/// Measure 13: registered-poor persons who completed a course of the year.
struct TrainedPoorPersons;

impl Computation for TrainedPoorPersons {
    fn key(&self) -> &'static str {
        "training.trained_poor_persons"
    }

    fn combine(&self) -> Combine {
        Combine::Distinct
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::kpi::employment::trained_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::kpi::employment::trained_atoms(conn, subjects)
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadPersons
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        let facts = trained_facts(conn, parent, period.year, window(period))?;
        Ok(distinct_persons(&facts, parent, children))
    }

    fn series(
        &self,
        conn: &mut DbConn,
        unit: &str,
        year: i32,
    ) -> Result<Option<Vec<Parts>>, ApiError> {
        let facts = trained_facts(conn, unit, year, None)?;
        // Each person counts from their first completion anywhere in the unit.
        let mut first: BTreeMap<&str, (NaiveDate, i64)> = BTreeMap::new();
        for f in &facts {
            let e = first.entry(f.person_id.as_str()).or_insert((f.day, 0));
            e.0 = e.0.min(f.day);
            e.1 = e.1.saturating_add(f.enrolments);
        }
        let months = months_of(year);
        Ok(Some(
            (1..=months)
                .map(|m| {
                    let counted = first
                        .values()
                        .filter(|(d, _)| d.year() < year || (d.year() == year && d.month() <= m));
                    let (n, r) =
                        counted.fold((0i64, 0i64), |(n, r), (_, e)| (n + 1, r.saturating_add(*e)));
                    Parts {
                        numerator: n,
                        denominator: None,
                        record_count: r,
                    }
                })
                .collect(),
        ))
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        trained_records(conn, unit, period.year, window(period), after, limit)
    }
}

/// Measure 13: loan interest subsidies committed (approved or paid), in fen.
struct LoanSubsidy;

impl Computation for LoanSubsidy {
    fn key(&self) -> &'static str {
        "loans.subsidy_committed_fen"
    }

    fn combine(&self) -> Combine {
        Combine::Sum
    }

    fn subjects(
        &self,
        _conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        Ok(match entity_type {
            "loan" => ids.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        })
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::kpi::employment::committed_atoms(conn, subjects)
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadPersons
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        let facts = committed_facts(conn, parent, period.year, window(period), false)?;
        Ok(units(parent, children)
            .map(|u| {
                let mut p = Parts::default();
                for f in facts.iter().filter(|f| inside(&f.county, u)) {
                    p.numerator = p.numerator.saturating_add(f.fen);
                    p.record_count = p.record_count.saturating_add(f.loans);
                }
                (u.to_owned(), p)
            })
            .collect())
    }

    fn series(
        &self,
        conn: &mut DbConn,
        unit: &str,
        year: i32,
    ) -> Result<Option<Vec<Parts>>, ApiError> {
        let facts = committed_facts(conn, unit, year, None, true)?;
        Ok(Some(
            (1..=months_of(year))
                .map(|m| {
                    let mut p = Parts::default();
                    for f in facts.iter().filter(|f| {
                        f.day.year() < year || (f.day.year() == year && f.day.month() <= m)
                    }) {
                        p.numerator = p.numerator.saturating_add(f.fen);
                        p.record_count = p.record_count.saturating_add(f.loans);
                    }
                    p
                })
                .collect(),
        ))
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        committed_records(conn, unit, period.year, window(period), after, limit)
    }
}

/// Measure 14: the rehab service rate or the device fitting rate by person, summed as
/// numerators over denominators up the tree (from `kpi::rehab`).
struct RehabRate(RateRecords);

impl Computation for RehabRate {
    fn quarterly(&self) -> bool {
        false
    }

    fn combine(&self) -> Combine {
        // A person counts in one county (their own), so sums are distinct already.
        Combine::Sum
    }

    fn has_denominator(&self) -> bool {
        true
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::kpi::rehab::rate_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::kpi::rehab::rate_atoms(conn, self.0, subjects)
    }

    fn key(&self) -> &'static str {
        match self.0 {
            RateRecords::Service => "rehab.service_rate",
            RateRecords::Fitting => "rehab.fitting_rate",
        }
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadRehab
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        // The rates are of a programme year: a quarter has none.
        if period.quarter.is_some() {
            return Ok(BTreeMap::new());
        }
        let kpi = crate::kpi::rehab::rehab(conn, &Scope::Province, parent, period.year)?;
        let wanted: HashSet<&str> = units(parent, children).collect();
        Ok(std::iter::once(&kpi.total)
            .chain(kpi.children.iter())
            .filter(|r| wanted.contains(r.unit_code.as_str()))
            .map(|r| {
                let ratio = match self.0 {
                    RateRecords::Service => r.service,
                    RateRecords::Fitting => r.fitting_by_person,
                };
                (
                    r.unit_code.clone(),
                    Parts {
                        numerator: ratio.num,
                        denominator: Some(ratio.den),
                        record_count: ratio.den,
                    },
                )
            })
            .collect())
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        if period.quarter.is_some() {
            return Ok(Vec::new());
        }
        rate_records(conn, unit, period.year, self.0, after, limit)
    }
}

/// Measure 15: households with a verified need whose retrofit was accepted ÷ households
/// with a verified need (from `kpi::retrofits`).
struct RetrofitCoverage;

impl Computation for RetrofitCoverage {
    fn quarterly(&self) -> bool {
        false
    }

    fn combine(&self) -> Combine {
        // A household counts in each county it has a case in, as the module's KPI
        // counts it; the counties add up.
        Combine::Sum
    }

    fn has_denominator(&self) -> bool {
        true
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::kpi::retrofits::coverage_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::kpi::retrofits::coverage_atoms(conn, subjects)
    }

    fn key(&self) -> &'static str {
        "retrofits.coverage"
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadRetrofits
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        if period.quarter.is_some() {
            return Ok(BTreeMap::new());
        }
        let kpi = crate::kpi::retrofits::retrofits(conn, &Scope::Province, parent, period.year)?;
        let wanted: HashSet<&str> = units(parent, children).collect();
        Ok(std::iter::once(&kpi.total)
            .chain(kpi.children.iter())
            .filter(|r| wanted.contains(r.unit_code.as_str()))
            .map(|r| {
                (
                    r.unit_code.clone(),
                    Parts {
                        numerator: r.coverage.num,
                        denominator: Some(r.coverage.den),
                        record_count: r.coverage.den,
                    },
                )
            })
            .collect())
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        if period.quarter.is_some() {
            return Ok(Vec::new());
        }
        crate::kpi::retrofits::coverage_records(conn, unit, period.year, after, limit)
    }
}

/// Measure 9: registered-poor persons given care services for at least the year's
/// threshold of days (from `kpi::care`).
struct CarePersonsServed;

impl Computation for CarePersonsServed {
    fn quarterly(&self) -> bool {
        false
    }

    fn combine(&self) -> Combine {
        // A person counts in one county (that of their latest placement).
        Combine::Sum
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::kpi::care::served_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::kpi::care::served_atoms(conn, subjects)
    }

    fn key(&self) -> &'static str {
        "care.persons_served"
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadCare
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        if period.quarter.is_some() {
            return Ok(BTreeMap::new());
        }
        let kpi = crate::kpi::care::care(conn, &Scope::Province, parent, period.year)?;
        let wanted: HashSet<&str> = units(parent, children).collect();
        Ok(std::iter::once(&kpi.total)
            .chain(kpi.children.iter())
            .filter(|r| wanted.contains(r.unit_code.as_str()))
            .map(|r| {
                (
                    r.unit_code.clone(),
                    Parts {
                        numerator: r.served,
                        denominator: None,
                        record_count: r.served.saturating_add(r.below_threshold),
                    },
                )
            })
            .collect())
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        if period.quarter.is_some() {
            return Ok(Vec::new());
        }
        crate::kpi::care::served_records(conn, unit, period.year, after, limit)
    }
}

/// Measure 17: the share of canteen farm produce bought from the key poverty counties,
/// a ratio of sums of fen (from `duties::purchases`). A purchase counts in its DPF's
/// region: a county's canteen in the county, its city and the province; a city's own in
/// the city and the province; the provincial DPF's in the province only.
struct CanteenShare;

impl Computation for CanteenShare {
    fn key(&self) -> &'static str {
        "consumption.key_county_share"
    }

    fn combine(&self) -> Combine {
        Combine::Sum
    }

    fn has_denominator(&self) -> bool {
        true
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::duties::purchases::share_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::duties::purchases::share_atoms(conn, subjects)
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadKpi
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        crate::duties::purchases::share_figures(conn, parent, children, period.year, window(period))
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        crate::duties::purchases::share_records(
            conn,
            unit,
            period.year,
            window(period),
            after,
            limit,
        )
    }
}

/// Measure 12: distinct villages linked by the DPF units of an area in a year (from
/// `duties::villages`); a village linked by two units counts once above both.
struct VillagesLinked;

impl Computation for VillagesLinked {
    fn key(&self) -> &'static str {
        "villages.linked"
    }

    fn quarterly(&self) -> bool {
        false
    }

    fn combine(&self) -> Combine {
        Combine::Distinct
    }

    fn subjects(
        &self,
        conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        crate::duties::villages::linked_subjects(conn, entity_type, ids)
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::duties::villages::linked_atoms(conn, subjects)
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadKpi
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        if period.quarter.is_some() {
            return Ok(BTreeMap::new());
        }
        crate::duties::villages::linked_figures(conn, parent, children, period.year)
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        if period.quarter.is_some() {
            return Ok(Vec::new());
        }
        crate::duties::villages::linked_records(conn, unit, period.year, after, limit)
    }
}

/// Measure 16: the value of the paired support a unit received (money, goods and
/// projects, in fen; from `duties::support`).
struct SupportReceived;

impl Computation for SupportReceived {
    fn key(&self) -> &'static str {
        "support.received_fen"
    }

    fn combine(&self) -> Combine {
        Combine::Sum
    }

    fn subjects(
        &self,
        _conn: &mut DbConn,
        entity_type: &str,
        ids: &[Uuid],
    ) -> Result<Vec<String>, ApiError> {
        Ok(match entity_type {
            "support_entry" => ids.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        })
    }

    fn atoms(&self, conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
        crate::duties::support::received_atoms(conn, subjects)
    }

    fn read_capability(&self) -> Capability {
        Capability::ReadKpi
    }

    fn figures(
        &self,
        conn: &mut DbConn,
        parent: &str,
        children: &[String],
        period: Period,
    ) -> Result<BTreeMap<String, Parts>, ApiError> {
        crate::duties::support::received_figures(
            conn,
            parent,
            children,
            period.year,
            window(period),
        )
    }

    fn records(
        &self,
        conn: &mut DbConn,
        unit: &str,
        period: Period,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, ApiError> {
        crate::duties::support::received_records(
            conn,
            unit,
            period.year,
            window(period),
            after,
            limit,
        )
    }
}

/// An indicator as the figure functions need it.
#[derive(Debug, Clone)]
pub struct IndicatorDef {
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: IndicatorKind,
    /// Source.
    pub source: IndicatorSource,
    /// Period kind.
    pub period: PeriodKind,
    /// Registered computation key.
    pub computation: Option<String>,
}

impl IndicatorDef {
    /// The registered computation, if this is a computed indicator whose module is
    /// present.
    pub fn computation(&self) -> Option<&'static dyn Computation> {
        match self.source {
            IndicatorSource::Computed => self.computation.as_deref().and_then(find),
            IndicatorSource::Reported => None,
        }
    }

    /// Whether figures can be given at all.
    pub fn available(&self) -> bool {
        self.source == IndicatorSource::Reported || self.computation().is_some()
    }
}

/// The stored periods of a reported indicator that make up `period`: a year of a
/// quarterly indicator is its four quarters (and a year value, if one was entered).
pub fn stored_periods(kind: PeriodKind, period: Period) -> Vec<Period> {
    match (kind, period.quarter) {
        (PeriodKind::Quarter, None) => std::iter::once(period)
            .chain((1..=4).filter_map(|q| Period::quarter(period.year, q)))
            .collect(),
        _ => vec![period],
    }
}

/// The parts of a reported indicator for `parent` and each child: the sum of the
/// values entered by the unit and every unit below it (departments of the provincial
/// DPF count in the province), in one query.
fn reported(
    conn: &mut DbConn,
    ind: &IndicatorDef,
    parent: &str,
    children: &[String],
    period: Period,
) -> Result<BTreeMap<String, Parts>, ApiError> {
    let periods: Vec<String> = stored_periods(ind.period, period)
        .into_iter()
        .map(|p| p.to_string())
        .collect();
    let rows: Vec<(String, i64)> = reported_values::table
        .filter(reported_values::indicator.eq(&ind.code))
        .filter(reported_values::period.eq_any(&periods))
        .filter(
            reported_values::unit_code
                .eq(parent)
                .or(reported_values::unit_code.like(format!("{parent}%"))),
        )
        .select((reported_values::unit_code, reported_values::value))
        .load(conn)?;
    Ok(units(parent, children)
        .map(|u| {
            let mut p = Parts::default();
            for (_, v) in rows.iter().filter(|(c, _)| c.starts_with(u)) {
                p.numerator = p.numerator.saturating_add(*v);
                p.record_count += 1;
            }
            (u.to_owned(), p)
        })
        .collect())
}

/// The figures of `ind` for `parent` (a region code) and each of `children`, for
/// `period`, as of `at`: the one function every computed or reported figure of the
/// plan goes through (the dashboard, approval snapshots, exports). Units without
/// records get a zero figure; an indicator whose module is absent gets none.
pub fn figures(
    conn: &mut DbConn,
    ind: &IndicatorDef,
    parent: &str,
    children: &[String],
    period: Period,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<BTreeMap<String, shared::plan::Figure>, ApiError> {
    let parts = match ind.source {
        IndicatorSource::Reported => reported(conn, ind, parent, children, period)?,
        IndicatorSource::Computed => match ind.computation() {
            Some(c) if period.quarter.is_some() && !c.quarterly() => return Ok(BTreeMap::new()),
            Some(c) => super::aggregates::figures(conn, c, parent, children, period)?,
            None => return Ok(BTreeMap::new()),
        },
    };
    Ok(units(parent, children)
        .map(|u| {
            let mut p = parts.get(u).copied().unwrap_or_default();
            if ind.kind == IndicatorKind::Ratio && p.denominator.is_none() {
                p.denominator = Some(0);
            }
            (
                u.to_owned(),
                shared::plan::Figure {
                    value: figure_value(ind.kind, p.numerator, p.denominator),
                    numerator: p.numerator,
                    denominator: p.denominator,
                    computed_at: at,
                    record_count: p.record_count,
                },
            )
        })
        .collect())
}
