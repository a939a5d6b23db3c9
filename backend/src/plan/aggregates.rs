//! Per-unit aggregates of the computed indicators, kept up to date in the transaction
//! of every write, so that the dashboard reads a few rows per unit instead of
//! scanning the records (issue 11, "Speed").
//!
//! A computation ([`Computation`]) describes its figure as a sum over **subjects** (a
//! person, a loan, a household) of **atoms**: one fact of a subject in a county, a
//! year and maybe on a day, with a numerator, a denominator and a record count. The
//! atoms of one subject in one unit combine by [`Combine`]: summed (money, rates by
//! person where a person counts in one county), or distinct (a person trained in two
//! counties counts once in their city and in the province).
//!
//! - `kpi_contributions` keeps each subject's combined atoms per county, year (quarter
//!   0) and quarter; its contribution to a city or the province is combined from its
//!   counties when needed, never stored.
//! - `kpi_totals` keeps, per unit (county, city, province), year and quarter, the sum of
//!   the subjects' contributions.
//! - Every audited create, update or delete names its record ([`touch`], called by
//!   [`crate::audit::record`]); when the write transaction commits
//!   ([`crate::db::write_tx`]), [`flush`] asks each computation which subjects the
//!   records touched, recomputes their atoms from the module's rows, and adds the
//!   difference between their new and old contributions to the totals — all in the
//!   same transaction, so the totals are never out of step with the records.
//! - A contribution that changes with the calendar alone (days of care still running)
//!   carries `valid_until`; after that day it is recomputed before it is read.
//! - A computation is built from all its records once (`kpi_builds`, with the version
//!   of its rules), at start-up or before its first use.
//!
//! The naive figures ([`Computation::figures`]) remain the reference: tests compare the
//! two after random writes and deletes, and the benchmark times one against the other.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use shared::plan::Period;
use uuid::Uuid;

use super::indicators::{Computation, Parts, REGISTRY};
use crate::db::schema::{kpi_builds, kpi_contributions, kpi_totals};
use crate::db::DbConn;
use crate::error::ApiError;

/// One fact of a subject, as a computation's module gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// The subject (person id, loan id, household key).
    pub subject: String,
    /// The county where it counts.
    pub county: String,
    /// The year of the figure it counts in.
    pub year: i32,
    /// Its day, for quarterly figures (none: it counts in the year only).
    pub day: Option<NaiveDate>,
    /// Numerator (the value of a count or sum).
    pub numerator: i64,
    /// Denominator (ratios; 0 otherwise).
    pub denominator: i64,
    /// Records behind it.
    pub records: i64,
    /// The last day on which it holds without a write (none: until the next write).
    pub valid_until: Option<NaiveDate>,
}

/// An atom as a module's SQL selects it (columns `subject`, `county`, `year`, `day`,
/// `numerator`, `denominator`, `records`).
#[derive(Debug, QueryableByName)]
pub struct AtomRow {
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = Nullable<Date>)]
    day: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    numerator: i64,
    #[diesel(sql_type = BigInt)]
    denominator: i64,
    #[diesel(sql_type = BigInt)]
    records: i64,
}

impl From<AtomRow> for Atom {
    fn from(r: AtomRow) -> Self {
        Atom {
            subject: r.subject,
            county: r.county,
            year: r.year,
            day: r.day,
            numerator: r.numerator,
            denominator: r.denominator,
            records: r.records,
            valid_until: None,
        }
    }
}

/// How the atoms of one subject inside one unit make its contribution there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Numerators, denominators and records add up.
    Sum,
    /// The subject counts once: numerator and denominator are the largest of its
    /// atoms' (0 or 1), records add up.
    Distinct,
}

/// Which subjects' atoms to load.
#[derive(Debug, Clone, Copy)]
pub enum Subjects<'a> {
    /// Every subject (a rebuild).
    All,
    /// These subjects only.
    Only(&'a [String]),
}

impl Subjects<'_> {
    /// `AND column IN (...)` for [`Subjects::Only`], nothing for [`Subjects::All`]. The
    /// subjects are written as SQL string literals (quotes doubled), which both
    /// databases read the same way.
    pub fn filter(self, column: &str) -> String {
        match self {
            Subjects::All => String::new(),
            Subjects::Only(list) => {
                let items: Vec<String> = list.iter().map(|s| sql_literal(s)).collect();
                format!("AND {column} IN ({})", items.join(", "))
            }
        }
    }

    /// Whether no subject at all is asked for.
    fn is_empty(self) -> bool {
        matches!(self, Subjects::Only(list) if list.is_empty())
    }
}

/// A text as an SQL string literal: single quotes doubled, NUL dropped (standard SQL,
/// read alike by SQLite and by PostgreSQL with `standard_conforming_strings`, its
/// default).
pub fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\0', "").replace('\'', "''"))
}

/// `IN (...)` of record ids for a module's lookup of the subjects behind them.
pub fn id_list(ids: &[Uuid]) -> String {
    let items: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    format!("({})", items.join(", "))
}

/// A subject's contribution in one unit (or county), year and quarter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Share {
    numerator: i64,
    denominator: i64,
    records: i64,
    valid_until: Option<NaiveDate>,
}

impl Share {
    fn absorb(&mut self, how: Combine, n: i64, d: i64, r: i64, until: Option<NaiveDate>) {
        match how {
            Combine::Sum => {
                self.numerator = self.numerator.saturating_add(n);
                self.denominator = self.denominator.saturating_add(d);
            }
            Combine::Distinct => {
                self.numerator = self.numerator.max(n);
                self.denominator = self.denominator.max(d);
            }
        }
        self.records = self.records.saturating_add(r);
        self.valid_until = match (self.valid_until, until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn is_zero(&self) -> bool {
        self.numerator == 0 && self.denominator == 0 && self.records == 0
    }
}

/// (subject, year, quarter, county or unit).
type Key = (String, i32, i32, String);

/// The quarter (1–4) of `day` when it lies in `year`.
fn quarter_of(day: NaiveDate, year: i32) -> Option<i32> {
    (day.year() == year).then(|| i32::try_from(day.month0() / 3 + 1).unwrap_or(1))
}

/// The atoms of each subject combined per county, year (quarter 0) and quarter.
fn per_county(how: Combine, quarterly: bool, atoms: Vec<Atom>) -> BTreeMap<Key, Share> {
    let mut out: BTreeMap<Key, Share> = BTreeMap::new();
    for a in atoms {
        let mut quarters = vec![0];
        if quarterly {
            quarters.extend(a.day.and_then(|d| quarter_of(d, a.year)));
        }
        for q in quarters {
            out.entry((a.subject.clone(), a.year, q, a.county.clone()))
                .or_default()
                .absorb(how, a.numerator, a.denominator, a.records, a.valid_until);
        }
    }
    out
}

/// The units a county counts in: itself, its city and the province.
fn units_of(county: &str) -> impl Iterator<Item = &str> {
    [6usize, 4, 2]
        .into_iter()
        .filter_map(move |n| county.get(..n))
        .filter(|u| !u.is_empty())
}

/// The subjects' contributions per unit, combined from their per-county ones.
fn per_unit(how: Combine, counties: &BTreeMap<Key, Share>) -> BTreeMap<(i32, i32, String), Share> {
    // Combine within each subject first (a person counts once in a city), then add the
    // subjects up.
    let mut by_subject: BTreeMap<(&str, i32, i32, &str), Share> = BTreeMap::new();
    for ((subject, year, quarter, county), s) in counties {
        let mut seen = BTreeSet::new();
        for unit in units_of(county) {
            if seen.insert(unit) {
                by_subject
                    .entry((subject.as_str(), *year, *quarter, unit))
                    .or_default()
                    .absorb(how, s.numerator, s.denominator, s.records, None);
            }
        }
    }
    let mut out: BTreeMap<(i32, i32, String), Share> = BTreeMap::new();
    for ((_, year, quarter, unit), s) in by_subject {
        out.entry((year, quarter, unit.to_owned()))
            .or_default()
            .absorb(Combine::Sum, s.numerator, s.denominator, s.records, None);
    }
    out
}

thread_local! {
    /// The records that the open write transaction of this thread has audited as
    /// created, changed or deleted: (entity type, id).
    static TOUCHED: RefCell<BTreeSet<(String, Uuid)>> = const { RefCell::new(BTreeSet::new()) };
}

/// Notes that the current write transaction changed the record `(entity_type, id)`.
pub fn touch(entity_type: &str, id: Uuid) {
    TOUCHED.with(|t| {
        t.borrow_mut().insert((entity_type.to_owned(), id));
    });
}

/// Forgets what an earlier, abandoned transaction of this thread touched.
pub(crate) fn begin() {
    TOUCHED.with(|t| t.borrow_mut().clear());
}

/// Brings the aggregates up to date with the records the transaction touched: called by
/// [`crate::db::write_tx`] just before it commits, on the same connection.
pub(crate) fn flush(conn: &mut DbConn) -> Result<(), diesel::result::Error> {
    let touched = TOUCHED.with(|t| std::mem::take(&mut *t.borrow_mut()));
    if touched.is_empty() {
        return Ok(());
    }
    let mut by_type: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
    for (kind, id) in &touched {
        by_type.entry(kind.as_str()).or_default().push(*id);
    }
    flush_touched(conn, &by_type).map_err(into_diesel)
}

fn flush_touched(conn: &mut DbConn, by_type: &BTreeMap<&str, Vec<Uuid>>) -> Result<(), ApiError> {
    for c in REGISTRY {
        let mut subjects = BTreeSet::new();
        for (kind, ids) in by_type {
            subjects.extend(c.subjects(conn, kind, ids)?);
        }
        if subjects.is_empty() {
            continue;
        }
        if !is_built(conn, *c)? {
            // Built from the records as they are now, this transaction's included.
            rebuild(conn, *c)?;
            continue;
        }
        let subjects: Vec<String> = subjects.into_iter().collect();
        refresh(conn, *c, &subjects)?;
    }
    Ok(())
}

/// An error of ours inside `write_tx` (whose error type only promises to hold diesel's).
fn into_diesel(e: ApiError) -> diesel::result::Error {
    match e {
        ApiError::Internal(a) => match a.downcast::<diesel::result::Error>() {
            Ok(d) => d,
            Err(a) => diesel::result::Error::QueryBuilderError(
                format!("updating the KPI aggregates: {a:#}").into(),
            ),
        },
        other => diesel::result::Error::QueryBuilderError(
            format!("updating the KPI aggregates: {other}").into(),
        ),
    }
}

/// Whether `c` has been built under its current rules.
fn is_built(conn: &mut DbConn, c: &dyn Computation) -> Result<bool, ApiError> {
    let version: Option<i32> = kpi_builds::table
        .find(c.key())
        .select(kpi_builds::version)
        .first(conn)
        .optional()?;
    Ok(version == Some(c.version()))
}

/// Serialises work on the same aggregate rows across PostgreSQL transactions (one
/// writer at a time on SQLite already).
fn lock(conn: &mut DbConn, keys: &[String]) -> Result<(), ApiError> {
    crate::db::advisory_lock(conn, keys)
}

/// A stored contribution: subject, year, quarter, county, numerator, denominator,
/// records, valid until.
type StoredRow = (String, i32, i32, String, i64, i64, i64, Option<NaiveDate>);

/// Stored contributions of `subjects` (per county).
fn stored(
    conn: &mut DbConn,
    c: &dyn Computation,
    subjects: &[String],
) -> Result<BTreeMap<Key, Share>, ApiError> {
    let mut out = BTreeMap::new();
    for chunk in subjects.chunks(500) {
        let rows: Vec<StoredRow> = kpi_contributions::table
            .filter(kpi_contributions::computation.eq(c.key()))
            .filter(kpi_contributions::subject.eq_any(chunk))
            .select((
                kpi_contributions::subject,
                kpi_contributions::year,
                kpi_contributions::quarter,
                kpi_contributions::unit_code,
                kpi_contributions::numerator,
                kpi_contributions::denominator,
                kpi_contributions::records,
                kpi_contributions::valid_until,
            ))
            .load(conn)?;
        for (s, y, q, u, numerator, denominator, records, valid_until) in rows {
            out.insert(
                (s, y, q, u),
                Share {
                    numerator,
                    denominator,
                    records,
                    valid_until,
                },
            );
        }
    }
    Ok(out)
}

/// Recomputes the contributions of `subjects` from the records and moves the totals by
/// the difference.
pub fn refresh(
    conn: &mut DbConn,
    c: &dyn Computation,
    subjects: &[String],
) -> Result<(), ApiError> {
    if Subjects::Only(subjects).is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = subjects
        .iter()
        .map(|s| format!("kpi:{}:{s}", c.key()))
        .collect();
    lock(conn, &keys)?;
    let mut atoms = Vec::new();
    for chunk in subjects.chunks(500) {
        atoms.extend(c.atoms(conn, Subjects::Only(chunk))?);
    }
    let new = per_county(c.combine(), c.quarterly(), atoms);
    let old = stored(conn, c, subjects)?;
    let how = c.combine();
    let (after, before) = (per_unit(how, &new), per_unit(how, &old));
    let mut deltas: BTreeMap<(i32, i32, String), (i64, i64, i64)> = BTreeMap::new();
    for (k, s) in &after {
        let d = deltas.entry(k.clone()).or_default();
        d.0 = d.0.saturating_add(s.numerator);
        d.1 = d.1.saturating_add(s.denominator);
        d.2 = d.2.saturating_add(s.records);
    }
    for (k, s) in &before {
        let d = deltas.entry(k.clone()).or_default();
        d.0 = d.0.saturating_sub(s.numerator);
        d.1 = d.1.saturating_sub(s.denominator);
        d.2 = d.2.saturating_sub(s.records);
    }
    deltas.retain(|_, d| *d != (0, 0, 0));
    add_to_totals(conn, c.key(), &deltas)?;
    for chunk in subjects.chunks(500) {
        diesel::delete(
            kpi_contributions::table
                .filter(kpi_contributions::computation.eq(c.key()))
                .filter(kpi_contributions::subject.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    insert_contributions(conn, c.key(), &new)?;
    Ok(())
}

/// Adds `deltas` to the totals, in key order (so that two transactions lock the rows
/// in the same order).
fn add_to_totals(
    conn: &mut DbConn,
    key: &str,
    deltas: &BTreeMap<(i32, i32, String), (i64, i64, i64)>,
) -> Result<(), ApiError> {
    let rows: Vec<String> = deltas
        .iter()
        .filter(|((_, _, unit), _)| unit.bytes().all(|b| b.is_ascii_digit()))
        .map(|((year, quarter, unit), (n, d, r))| {
            format!(
                "({}, {year}, {quarter}, '{unit}', {n}, {d}, {r})",
                sql_literal(key)
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        diesel::sql_query(format!(
            "INSERT INTO kpi_totals (computation, year, quarter, unit_code, numerator, denominator, records)
             VALUES {}
             ON CONFLICT (computation, year, quarter, unit_code) DO UPDATE SET
                numerator = kpi_totals.numerator + excluded.numerator,
                denominator = kpi_totals.denominator + excluded.denominator,
                records = kpi_totals.records + excluded.records",
            chunk.join(", ")
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Stores per-county contributions (zero ones only while the calendar may change them).
fn insert_contributions(
    conn: &mut DbConn,
    key: &str,
    shares: &BTreeMap<Key, Share>,
) -> Result<(), ApiError> {
    let rows: Vec<_> = shares
        .iter()
        .filter(|(_, s)| !s.is_zero() || s.valid_until.is_some())
        .map(|((subject, year, quarter, county), s)| {
            (
                kpi_contributions::computation.eq(key.to_owned()),
                kpi_contributions::subject.eq(subject.clone()),
                kpi_contributions::year.eq(*year),
                kpi_contributions::quarter.eq(*quarter),
                kpi_contributions::unit_code.eq(county.clone()),
                kpi_contributions::numerator.eq(s.numerator),
                kpi_contributions::denominator.eq(s.denominator),
                kpi_contributions::records.eq(s.records),
                kpi_contributions::valid_until.eq(s.valid_until),
            )
        })
        .collect();
    // 9 columns × 1,000 rows stays under SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(1000) {
        crate::db::batch_insert!(conn, kpi_contributions::table, chunk)?;
    }
    Ok(())
}

/// Builds `c` from all its records: contributions and totals replaced, the build noted
/// under the computation's current version.
pub fn rebuild(conn: &mut DbConn, c: &dyn Computation) -> Result<(), ApiError> {
    lock(conn, &[format!("kpi:{}", c.key())])?;
    diesel::delete(kpi_contributions::table.filter(kpi_contributions::computation.eq(c.key())))
        .execute(conn)?;
    diesel::delete(kpi_totals::table.filter(kpi_totals::computation.eq(c.key()))).execute(conn)?;
    let new = per_county(c.combine(), c.quarterly(), c.atoms(conn, Subjects::All)?);
    let totals = per_unit(c.combine(), &new);
    let deltas: BTreeMap<(i32, i32, String), (i64, i64, i64)> = totals
        .into_iter()
        .filter(|(_, s)| !s.is_zero())
        .map(|(k, s)| (k, (s.numerator, s.denominator, s.records)))
        .collect();
    add_to_totals(conn, c.key(), &deltas)?;
    insert_contributions(conn, c.key(), &new)?;
    diesel::delete(kpi_builds::table.find(c.key())).execute(conn)?;
    diesel::insert_into(kpi_builds::table)
        .values((
            kpi_builds::computation.eq(c.key()),
            kpi_builds::version.eq(c.version()),
            kpi_builds::built_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Builds every registered computation from its records (start-up after seeding, and
/// the `kpi-rebuild` command).
pub fn rebuild_all(conn: &mut DbConn) -> Result<(), ApiError> {
    crate::db::write_tx(conn, |conn| {
        for c in REGISTRY {
            rebuild(conn, *c)?;
        }
        Ok(())
    })
}

/// Builds the computations not yet built under their current rules (start-up, after
/// the migrations and any demo seeding): an empty database costs nothing, a new rule
/// version rebuilds its computation once.
pub fn build_missing(conn: &mut DbConn) -> Result<(), ApiError> {
    crate::db::write_tx(conn, |conn| {
        for c in REGISTRY {
            if !is_built(conn, *c)? {
                rebuild(conn, *c)?;
            }
        }
        Ok(())
    })
}

/// Builds `c` if it is not built under its current rules, and recomputes the
/// contributions whose calendar has run out: what [`figures`] needs before it reads.
fn make_ready(conn: &mut DbConn, c: &dyn Computation) -> Result<(), ApiError> {
    let today = crate::db::today();
    let expired = |conn: &mut DbConn| -> Result<Vec<String>, ApiError> {
        Ok(kpi_contributions::table
            .filter(kpi_contributions::computation.eq(c.key()))
            .filter(kpi_contributions::valid_until.lt(today))
            .select(kpi_contributions::subject)
            .distinct()
            .load(conn)?)
    };
    if is_built(conn, c)? && expired(conn)?.is_empty() {
        return Ok(());
    }
    let work = |conn: &mut DbConn| -> Result<(), ApiError> {
        // Again under the lock: another request may have done it meanwhile.
        lock(conn, &[format!("kpi:{}", c.key())])?;
        if !is_built(conn, c)? {
            return rebuild(conn, c);
        }
        let stale = expired(conn)?;
        refresh(conn, c, &stale)
    };
    if crate::db::in_transaction(conn) {
        conn.transaction(work)
    } else {
        crate::db::write_tx(conn, work)
    }
}

/// The parts of `parent` and each of `children` for `period`, from the totals: what
/// [`Computation::figures`] gives, at the cost of reading one row per unit.
pub fn figures(
    conn: &mut DbConn,
    c: &dyn Computation,
    parent: &str,
    children: &[String],
    period: Period,
) -> Result<BTreeMap<String, Parts>, ApiError> {
    make_ready(conn, c)?;
    let quarter = period.quarter.map_or(0, i32::from);
    let units: Vec<&str> = std::iter::once(parent)
        .chain(children.iter().map(String::as_str))
        .collect();
    let rows: Vec<(String, i64, i64, i64)> = kpi_totals::table
        .filter(kpi_totals::computation.eq(c.key()))
        .filter(kpi_totals::year.eq(period.year))
        .filter(kpi_totals::quarter.eq(quarter))
        .filter(kpi_totals::unit_code.eq_any(&units))
        .select((
            kpi_totals::unit_code,
            kpi_totals::numerator,
            kpi_totals::denominator,
            kpi_totals::records,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(unit, numerator, denominator, record_count)| {
            (
                unit,
                Parts {
                    numerator,
                    denominator: c.has_denominator().then_some(denominator),
                    record_count,
                },
            )
        })
        .collect())
}

/// Where the totals of `c` differ from the naive figures computed from the records,
/// for `parents` (each with its child units) and every period of `years`: a line per
/// difference, none when they agree. For tests, benchmarks and an operator's check.
pub fn differences(
    conn: &mut DbConn,
    c: &dyn Computation,
    parents: &[&str],
    years: &[i32],
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let normal = |p: Option<&Parts>| -> (i64, i64, i64) {
        p.map_or((0, 0, 0), |p| {
            (p.numerator, p.denominator.unwrap_or(0), p.record_count)
        })
    };
    for parent in parents {
        let (_, children) = crate::kpi::units_below(conn, parent)?;
        let children: Vec<String> = children.into_iter().map(|(code, _)| code).collect();
        for year in years {
            let mut periods = vec![Period::year(*year)];
            if c.quarterly() {
                periods.extend((1..=4).filter_map(|q| Period::quarter(*year, q)));
            }
            for period in periods {
                let kept = figures(conn, c, parent, &children, period)?;
                let naive = c.figures(conn, parent, &children, period)?;
                for unit in std::iter::once(*parent).chain(children.iter().map(String::as_str)) {
                    let (a, b) = (normal(kept.get(unit)), normal(naive.get(unit)));
                    if a != b {
                        out.push(format!(
                            "{} {period} {unit}: kept {a:?}, naive {b:?}",
                            c.key()
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// [`differences`] for every registered computation.
pub fn all_differences(
    conn: &mut DbConn,
    parents: &[&str],
    years: &[i32],
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for c in REGISTRY {
        out.extend(differences(conn, *c, parents, years)?);
    }
    Ok(out)
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn atom(subject: &str, county: &str, day: Option<(i32, u32, u32)>, n: i64) -> Atom {
        Atom {
            subject: subject.into(),
            county: county.into(),
            year: 2020,
            day: day.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            numerator: n,
            denominator: 0,
            records: 1,
            valid_until: None,
        }
    }

    #[test]
    fn a_person_in_two_counties_counts_once_in_their_city_and_province() {
        let shares = BTreeMap::from([
            (
                ("p1".to_owned(), 2020, 0, "430381".to_owned()),
                Share {
                    numerator: 1,
                    records: 2,
                    ..Share::default()
                },
            ),
            (
                ("p1".to_owned(), 2020, 0, "430302".to_owned()),
                Share {
                    numerator: 1,
                    records: 1,
                    ..Share::default()
                },
            ),
            (
                ("p2".to_owned(), 2020, 0, "430381".to_owned()),
                Share {
                    numerator: 1,
                    records: 1,
                    ..Share::default()
                },
            ),
        ]);
        let units = per_unit(Combine::Distinct, &shares);
        let get = |u: &str| {
            units
                .get(&(2020, 0, u.to_owned()))
                .map(|s| (s.numerator, s.records))
        };
        assert_eq!(get("430381"), Some((2, 3)));
        assert_eq!(get("430302"), Some((1, 1)));
        assert_eq!(get("4303"), Some((2, 4)));
        assert_eq!(get("43"), Some((2, 4)));
        let summed = per_unit(Combine::Sum, &shares);
        assert_eq!(
            summed.get(&(2020, 0, "43".to_owned())).map(|s| s.numerator),
            Some(3)
        );
    }

    #[test]
    fn an_atom_counts_in_its_year_and_in_the_quarter_of_its_day_in_that_year() {
        let shares = per_county(
            Combine::Distinct,
            true,
            vec![
                atom("a", "430381", Some((2020, 5, 10)), 1),
                atom("a", "430381", Some((2020, 6, 1)), 1),
                // A 2020 course completed in January 2021 counts in 2020, in no quarter.
                atom("b", "430381", Some((2021, 1, 5)), 1),
                atom("c", "430381", None, 1),
            ],
        );
        let keys: Vec<(&str, i32, i64, i64)> = shares
            .iter()
            .map(|((s, _, q, _), v)| (s.as_str(), *q, v.numerator, v.records))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("a", 0, 1, 2),
                ("a", 2, 1, 2),
                ("b", 0, 1, 1),
                ("c", 0, 1, 1)
            ]
        );
        // Without quarterly figures, the year only.
        assert_eq!(
            per_county(
                Combine::Sum,
                false,
                vec![atom("a", "430381", Some((2020, 5, 10)), 7)]
            )
            .len(),
            1
        );
    }

    #[test]
    fn sql_literals_double_quotes_and_drop_nul() {
        assert_eq!(sql_literal("h:430381:O'Brien\0"), "'h:430381:O''Brien'");
        assert_eq!(Subjects::All.filter("x"), "");
        let list = ["a".to_owned(), "b'".to_owned()];
        assert_eq!(Subjects::Only(&list).filter("x"), "AND x IN ('a', 'b''')");
    }
}
