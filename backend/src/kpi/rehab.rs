//! Measure 14's numbers for a programme year, per unit, rolled up county → city →
//! province by summing numerators and denominators (never averaging rates).
//!
//! The population is the registered-poor disabled persons; a need is counted in the
//! county of its person (the person's current county), and a person once per county,
//! so the counties' figures add up exactly to their city's and the province's. A need
//! counts when it is of the year, live and not replaced by a re-assessment:
//!
//! - *needed*: assessed as needed and not since refused or withdrawn (statuses assessed,
//!   plan approved, fitted, accepted, followed up, closed);
//! - a device need is *met* when its device was accepted (accepted, followed up or
//!   closed; a refit after a bad fit is not met until the new device is accepted);
//! - *service*: persons with a needed need who had a service episode in the year or a
//!   met device need ÷ persons with a needed need;
//! - *fitting by person*: persons all of whose needed devices are met ÷ persons with
//!   at least one needed device; *by item*: met ÷ needed device needs;
//! - refusals, deferrals and withdrawals are counted apart, never in a denominator (a
//!   withdrawal takes a need out of the rates, so it is shown next to them).
//!
//! Subsidies paid on fittings count where they were paid (the fitting's county); a
//! person's open needs move with them (`rehab::needs::follow_person`).
//!
//! Facts are computed per county by one aggregate query each (the per-person facts in
//! a subquery), so the cost grows with the rows of the year and not with the tree.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared::rehab::{Ratio, RehabKpi, RehabKpiRow, RehabTargets};

use crate::auth::Scope;
use crate::db::schema::rehab_targets;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::plan::aggregates::{id_list, Atom, AtomRow, Subjects};

/// Statuses of a need assessed as needed and still pursued (or done).
const NEEDED: &str = "'assessed', 'plan_approved', 'fitted', 'accepted', 'followed_up', 'closed'";
/// Statuses of a device need whose device was accepted.
const MET: &str = "'accepted', 'followed_up', 'closed'";

#[derive(Debug, Default, Clone, QueryableByName)]
struct PersonFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    service_den: i64,
    #[diesel(sql_type = BigInt)]
    service_num: i64,
    #[diesel(sql_type = BigInt)]
    person_den: i64,
    #[diesel(sql_type = BigInt)]
    person_num: i64,
    #[diesel(sql_type = BigInt)]
    item_den: i64,
    #[diesel(sql_type = BigInt)]
    item_num: i64,
    #[diesel(sql_type = BigInt)]
    partial: i64,
    #[diesel(sql_type = BigInt)]
    refused: i64,
    #[diesel(sql_type = BigInt)]
    deferred: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
}

#[derive(Debug, Default, Clone, QueryableByName)]
struct FittingFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    accepted: i64,
    #[diesel(sql_type = BigInt)]
    followed: i64,
}

#[derive(Debug, Default, Clone, QueryableByName)]
struct MoneyFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    subsidy: i64,
    #[diesel(sql_type = BigInt)]
    cap: i64,
}

#[derive(Debug, Default, Clone, QueryableByName)]
struct EpisodeFacts {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    children: i64,
    #[diesel(sql_type = BigInt)]
    spent: i64,
}

/// The condition keeping the rows of `area` by a table's county (and city) column: an
/// equality below the province, as `scope_filter!` writes it, so that both databases
/// can start from an index of the area (`LIKE 'x%'` uses none: SQLite's is case
/// insensitive, PostgreSQL's needs the C collation or `text_pattern_ops`), and the region
/// prefix at the province, where every row matches.
fn in_area(county: &str, city: Option<&str>, area: &str) -> String {
    match (area.len(), city) {
        (6, _) => format!("{county} = '{area}'"),
        (4, Some(city)) => format!("{city} = '{area}'"),
        _ => format!("{county} LIKE '{area}%'"),
    }
}

/// The SQL of the per-county person facts of `year` inside `area` (a validated region
/// code).
///
/// At the province the needs of the year are grouped by person and then joined to
/// their persons. Below it they are joined to the area's persons first and grouped by
/// (county, person), so that a city or county reads only its own persons' needs
/// (through `persons_city` or `persons_county`, then `rehab_needs_person`) instead of
/// the whole province's; at the province that shape costs more on SQLite (a person
/// lookup per need and a wider sort), the same on PostgreSQL. Both give the same rows.
fn person_facts_sql(area: &str, year: i32) -> String {
    // `area` is 2, 4 or 6 digits and `year` an integer: both are safe to inline, which
    // keeps one SQL text for both databases' placeholder styles.
    let per_person = format!(
        "SUM(CASE WHEN r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS needed,
                SUM(CASE WHEN r.kind = 'device' AND r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS dev,
                SUM(CASE WHEN r.kind = 'device' AND r.status IN ({MET}) THEN 1 ELSE 0 END) AS dev_met,
                SUM(CASE WHEN r.status = 'refused' THEN 1 ELSE 0 END) AS refused,
                SUM(CASE WHEN r.status = 'deferred' THEN 1 ELSE 0 END) AS deferred,
                SUM(CASE WHEN r.status = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn"
    );
    let live = format!("r.year = {year} AND r.deleted_at IS NULL AND r.status <> 'superseded'");
    let person = "p.deleted_at IS NULL AND p.registered_poor = TRUE";
    let within = in_area("p.county_code", Some("p.city_code"), area);
    let (county, from) = if area.len() == 2 {
        (
            "p.county_code",
            format!(
                "FROM (
            SELECT r.person_id AS person_id, {per_person}
            FROM rehab_needs r
            WHERE {live}
            GROUP BY r.person_id
         ) n JOIN persons p ON p.id = n.person_id
         WHERE {person} AND {within}
         GROUP BY p.county_code"
            ),
        )
    } else {
        (
            "n.county",
            format!(
                "FROM (
            SELECT p.county_code AS county, r.person_id AS person_id, {per_person}
            FROM rehab_needs r JOIN persons p ON p.id = r.person_id
            WHERE {live} AND {person} AND {within}
            GROUP BY p.county_code, r.person_id
         ) n
         GROUP BY n.county"
            ),
        )
    };
    format!(
        "SELECT {county} AS county,
            CAST(COALESCE(SUM(CASE WHEN n.needed > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS service_den,
            CAST(COALESCE(SUM(CASE WHEN n.needed > 0 AND (n.dev_met > 0 OR EXISTS (
                SELECT 1 FROM rehab_episodes e WHERE e.person_id = n.person_id
                AND e.year = {year} AND e.deleted_at IS NULL)) THEN 1 ELSE 0 END), 0) AS BIGINT) AS service_num,
            CAST(COALESCE(SUM(CASE WHEN n.dev > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS person_den,
            CAST(COALESCE(SUM(CASE WHEN n.dev > 0 AND n.dev_met = n.dev THEN 1 ELSE 0 END), 0) AS BIGINT) AS person_num,
            CAST(COALESCE(SUM(n.dev), 0) AS BIGINT) AS item_den,
            CAST(COALESCE(SUM(n.dev_met), 0) AS BIGINT) AS item_num,
            CAST(COALESCE(SUM(CASE WHEN n.dev_met > 0 AND n.dev_met < n.dev THEN 1 ELSE 0 END), 0) AS BIGINT) AS partial,
            CAST(COALESCE(SUM(n.refused), 0) AS BIGINT) AS refused,
            CAST(COALESCE(SUM(n.deferred), 0) AS BIGINT) AS deferred,
            CAST(COALESCE(SUM(n.withdrawn), 0) AS BIGINT) AS withdrawn
         {from}"
    )
}

/// The SQL of the accepted devices of the year's needs, and those followed up at least
/// once.
fn fitting_facts_sql(area: &str, year: i32) -> String {
    let area = in_area("p.county_code", Some("p.city_code"), area);
    format!(
        "SELECT p.county_code AS county,
            CAST(COUNT(*) AS BIGINT) AS accepted,
            CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM device_follow_ups u
                WHERE u.fitting_id = f.id) THEN 1 ELSE 0 END), 0) AS BIGINT) AS followed
         FROM device_fittings f
         JOIN rehab_needs n ON n.id = f.need_id
         JOIN persons p ON p.id = n.person_id
         WHERE n.year = {year} AND n.deleted_at IS NULL AND n.status <> 'superseded'
           AND f.accepted_on IS NOT NULL AND f.replaced = FALSE
           AND p.deleted_at IS NULL AND p.registered_poor = TRUE AND {area}
         GROUP BY p.county_code"
    )
}

/// The SQL of the subsidy paid on devices delivered in the year (refits included: the
/// money was spent), against what the caps allowed on them.
fn money_facts_sql(area: &str, year: i32) -> String {
    // Fittings carry no city: a city keeps the prefix.
    let area = in_area("f.county_code", None, area);
    format!(
        "SELECT f.county_code AS county,
            CAST(COALESCE(SUM(f.subsidy_fen), 0) AS BIGINT) AS subsidy,
            CAST(COALESCE(SUM(CASE WHEN f.cap_fen * f.quantity < f.total_fen
                THEN f.cap_fen * f.quantity ELSE f.total_fen END), 0) AS BIGINT) AS cap
         FROM device_fittings f JOIN rehab_needs n ON n.id = f.need_id
         WHERE f.year = {year} AND n.deleted_at IS NULL AND {area}
         GROUP BY f.county_code"
    )
}

/// The SQL of the children in child rehabilitation (distinct, in their own county, so
/// that the counties add up) and money spent on episodes of the year.
fn episode_facts_sql(area: &str, year: i32) -> String {
    let area = in_area("p.county_code", Some("p.city_code"), area);
    format!(
        "SELECT p.county_code AS county,
            CAST(COUNT(DISTINCT CASE WHEN e.project = 'child_rehab' THEN e.person_id END) AS BIGINT) AS children,
            CAST(COALESCE(SUM(e.total_fen), 0) AS BIGINT) AS spent
         FROM rehab_episodes e JOIN persons p ON p.id = e.person_id
         WHERE e.year = {year} AND e.deleted_at IS NULL AND {area}
         GROUP BY p.county_code"
    )
}

/// The atoms of the service rate ([`RateRecords::Service`]) or the fitting rate by
/// person ([`RateRecords::Fitting`]) for the plan's aggregates: one per person and year
/// (the subject is the person, counted in their current county), with the same rules
/// as [`person_facts_sql`].
pub fn rate_atoms(
    conn: &mut DbConn,
    which: RateRecords,
    subjects: Subjects<'_>,
) -> Result<Vec<Atom>, ApiError> {
    let (num, den) = match which {
        RateRecords::Service => (
            "CASE WHEN n.needed > 0 AND (n.dev_met > 0 OR EXISTS (
                SELECT 1 FROM rehab_episodes e WHERE e.person_id = n.person_id
                AND e.year = n.year AND e.deleted_at IS NULL)) THEN 1 ELSE 0 END",
            "CASE WHEN n.needed > 0 THEN 1 ELSE 0 END",
        ),
        RateRecords::Fitting => (
            "CASE WHEN n.dev > 0 AND n.dev_met = n.dev THEN 1 ELSE 0 END",
            "CASE WHEN n.dev > 0 THEN 1 ELSE 0 END",
        ),
    };
    let sql = format!(
        "SELECT n.person_id AS subject, p.county_code AS county, n.year AS year,
            CAST(NULL AS DATE) AS day,
            CAST({num} AS BIGINT) AS numerator, CAST({den} AS BIGINT) AS denominator,
            CAST({den} AS BIGINT) AS records
         FROM (
            SELECT r.person_id AS person_id, r.year AS year,
                SUM(CASE WHEN r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS needed,
                SUM(CASE WHEN r.kind = 'device' AND r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS dev,
                SUM(CASE WHEN r.kind = 'device' AND r.status IN ({MET}) THEN 1 ELSE 0 END) AS dev_met
            FROM rehab_needs r
            WHERE r.deleted_at IS NULL AND r.status <> 'superseded' {only}
            GROUP BY r.person_id, r.year
         ) n JOIN persons p ON p.id = n.person_id
         WHERE p.deleted_at IS NULL AND p.registered_poor = TRUE",
        only = subjects.filter("r.person_id"),
    );
    let rows: Vec<AtomRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(Atom::from).collect())
}

/// The persons whose rehabilitation rates a write to `ids` of `entity_type` may change:
/// a need's or an episode's person (fittings are written as steps of their need), a
/// person (their county, their poverty status).
pub fn rate_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[uuid::Uuid],
) -> Result<Vec<String>, ApiError> {
    let table = match entity_type {
        "person" => return Ok(ids.iter().map(ToString::to_string).collect()),
        "rehab_need" => "rehab_needs",
        "rehab_episode" => "rehab_episodes",
        _ => return Ok(Vec::new()),
    };
    crate::kpi::employment::subject_rows(
        conn,
        format!(
            "SELECT DISTINCT person_id AS subject FROM {table} WHERE id IN {}",
            id_list(ids)
        ),
    )
}

/// The four aggregate queries [`rehab`] runs for `area` (a region code of digits) and
/// `year`, named, so that a benchmark can time and `EXPLAIN` each one alone.
pub fn fact_queries(area: &str, year: i32) -> [(&'static str, String); 4] {
    [
        ("person_facts", person_facts_sql(area, year)),
        ("fitting_facts", fitting_facts_sql(area, year)),
        ("money_facts", money_facts_sql(area, year)),
        ("episode_facts", episode_facts_sql(area, year)),
    ]
}

fn add(r: &mut Ratio, num: i64, den: i64) {
    r.num = r.num.saturating_add(num);
    r.den = r.den.saturating_add(den);
}

/// The numbers of `unit` (province, city or county) and its children for `year`.
pub fn rehab(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
) -> Result<RehabKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let mut by_county: BTreeMap<String, RehabKpiRow> = BTreeMap::new();
    let person: Vec<PersonFacts> = diesel::sql_query(person_facts_sql(&region, year)).load(conn)?;
    for f in person {
        let r = by_county.entry(f.county).or_default();
        add(&mut r.service, f.service_num, f.service_den);
        add(&mut r.fitting_by_person, f.person_num, f.person_den);
        add(&mut r.fitting_by_item, f.item_num, f.item_den);
        r.partial_persons += f.partial;
        r.refused += f.refused;
        r.deferred += f.deferred;
        r.withdrawn += f.withdrawn;
    }
    let fitting: Vec<FittingFacts> =
        diesel::sql_query(fitting_facts_sql(&region, year)).load(conn)?;
    for f in fitting {
        add(
            &mut by_county.entry(f.county).or_default().follow_up,
            f.followed,
            f.accepted,
        );
    }
    let money: Vec<MoneyFacts> = diesel::sql_query(money_facts_sql(&region, year)).load(conn)?;
    for f in money {
        let r = by_county.entry(f.county).or_default();
        r.subsidy_fen += f.subsidy;
        r.cap_fen += f.cap;
    }
    let episodes: Vec<EpisodeFacts> =
        diesel::sql_query(episode_facts_sql(&region, year)).load(conn)?;
    for f in episodes {
        let r = by_county.entry(f.county).or_default();
        r.children_in_service += f.children;
        r.episodes_fen += f.spent;
    }
    let row = |code: &str, name: String| -> RehabKpiRow {
        let mut t = RehabKpiRow {
            unit_code: code.to_owned(),
            unit_name: name,
            ..Default::default()
        };
        for f in by_county
            .iter()
            .filter(|(c, _)| c.starts_with(code))
            .map(|(_, f)| f)
        {
            add(&mut t.service, f.service.num, f.service.den);
            add(
                &mut t.fitting_by_person,
                f.fitting_by_person.num,
                f.fitting_by_person.den,
            );
            add(
                &mut t.fitting_by_item,
                f.fitting_by_item.num,
                f.fitting_by_item.den,
            );
            add(&mut t.follow_up, f.follow_up.num, f.follow_up.den);
            t.partial_persons += f.partial_persons;
            t.refused += f.refused;
            t.deferred += f.deferred;
            t.withdrawn += f.withdrawn;
            t.children_in_service += f.children_in_service;
            t.subsidy_fen = t.subsidy_fen.saturating_add(f.subsidy_fen);
            t.cap_fen = t.cap_fen.saturating_add(f.cap_fen);
            t.episodes_fen = t.episodes_fen.saturating_add(f.episodes_fen);
        }
        t
    };
    let (region_name, children) = super::units_below(conn, &region)?;
    let targets: Option<(i32, i64, i64, i64)> = rehab_targets::table
        .find(year)
        .select((
            rehab_targets::year,
            rehab_targets::service_bp,
            rehab_targets::fitting_bp,
            rehab_targets::children,
        ))
        .first(conn)
        .optional()?;
    Ok(RehabKpi {
        year,
        total: row(&region, region_name),
        children: children
            .into_iter()
            .map(|(code, name)| row(&code, name))
            .collect(),
        targets: targets.map(|(year, service_bp, fitting_bp, children)| RehabTargets {
            year,
            service_bp,
            fitting_bp,
            children,
        }),
    })
}

#[derive(Debug, QueryableByName)]
struct NeedPerson {
    #[diesel(sql_type = Text)]
    person_id: String,
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    id_masked: String,
    #[diesel(sql_type = BigInt)]
    needed: i64,
    #[diesel(sql_type = BigInt)]
    dev: i64,
    #[diesel(sql_type = BigInt)]
    dev_met: i64,
    #[diesel(sql_type = BigInt)]
    episode: i64,
}

/// Which rate's persons [`rate_records`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRecords {
    /// The service rate's: persons with a needed need; in the numerator when served.
    Service,
    /// The fitting rate by person's: persons with a needed device; in the numerator
    /// when every needed device was accepted.
    Fitting,
}

/// The persons behind the service or fitting rate of `region` (a validated region code)
/// for `year`, as the rates count them (see the module's rules), in person id order
/// after `after`, at most `limit`; names and identity numbers masked. For the plan
/// layer's records behind a figure: it never reads these tables itself.
pub fn rate_records(
    conn: &mut DbConn,
    region: &str,
    year: i32,
    which: RateRecords,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    if !region.bytes().all(|b| b.is_ascii_digit()) || !(2000..=2100).contains(&year) {
        return Err(ApiError::NotFound);
    }
    let within = in_area("p.county_code", Some("p.city_code"), region);
    let after = after.map_or_else(String::new, |a| format!("AND p.id > '{a}'"));
    let having = match which {
        RateRecords::Service => "needed > 0",
        RateRecords::Fitting => "dev > 0",
    };
    let sql = format!(
        "SELECT * FROM (
            SELECT p.id AS person_id, p.county_code AS county, p.name AS name,
                p.id_number_masked AS id_masked,
                CAST(SUM(CASE WHEN r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS BIGINT) AS needed,
                CAST(SUM(CASE WHEN r.kind = 'device' AND r.status IN ({NEEDED}) THEN 1 ELSE 0 END) AS BIGINT) AS dev,
                CAST(SUM(CASE WHEN r.kind = 'device' AND r.status IN ({MET}) THEN 1 ELSE 0 END) AS BIGINT) AS dev_met,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM rehab_episodes e WHERE e.person_id = p.id
                    AND e.year = {year} AND e.deleted_at IS NULL) THEN 1 ELSE 0 END AS BIGINT) AS episode
            FROM rehab_needs r JOIN persons p ON p.id = r.person_id
            WHERE r.year = {year} AND r.deleted_at IS NULL AND r.status <> 'superseded'
              AND p.deleted_at IS NULL AND p.registered_poor = TRUE AND {within} {after}
            GROUP BY p.id, p.county_code, p.name, p.id_number_masked
         ) n WHERE {having}
         ORDER BY person_id LIMIT {limit}"
    );
    let rows: Vec<NeedPerson> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let in_numerator = match which {
                RateRecords::Service => r.dev_met > 0 || r.episode > 0,
                RateRecords::Fitting => r.dev_met == r.dev,
            };
            shared::plan::FigureRecord {
                id: r.person_id,
                kind: "rehab_person".into(),
                county_code: r.county,
                date: None,
                label: format!("{} / {}", r.needed, r.dev),
                person_masked: Some(shared::mask::mask_name(&r.name)),
                id_number_masked: Some(r.id_masked),
                amount_fen: None,
                in_numerator,
            }
        })
        .collect())
}
