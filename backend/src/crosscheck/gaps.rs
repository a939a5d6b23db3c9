//! The gaps of a programme year: who should receive and does not, who receives a
//! scheme for registered persons and is not registered, who receives in another county.
//!
//! Each county's **governing** list of a scheme is the latest (by period, then by
//! import) of the year's lists whose area covers the county; a county without one has
//! no gaps of that scheme (nothing to compare with). The governing lists go into the SQL
//! as a `VALUES` table `g(county_code, list_id)`.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use shared::api::Page;
use shared::crosscheck::{
    AgencyScheme, EligibilityRule, Gap, GapCount, GapKind, GapQuery, GapSummary, GapUnit,
};
use uuid::Uuid;

use super::{area_in_scope, check_year, counties, list_view, rules, LIST_COLUMNS};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{agency_lists, org_units};
use crate::db::{uuid, DbConn};
use crate::error::ApiError;
use crate::pagination::{limit_of, Cursor};

/// A county's governing list of one scheme.
type Governing = Vec<(String, String)>;

/// The governing list of `scheme` in `year` of every county that has one.
fn governing(
    conn: &mut DbConn,
    year: i32,
    scheme: AgencyScheme,
    all: &[(String, String)],
) -> Result<Governing, ApiError> {
    let lists: Vec<(String, String, String, chrono::NaiveDateTime)> = agency_lists::table
        .filter(agency_lists::year.eq(year))
        .filter(agency_lists::scheme.eq(scheme.as_str()))
        .select((
            agency_lists::id,
            agency_lists::area_code,
            agency_lists::period,
            agency_lists::created_at,
        ))
        .load(conn)?;
    Ok(all
        .iter()
        .filter_map(|(county, _)| {
            lists
                .iter()
                .filter(|(_, area, _, _)| county.starts_with(area.as_str()))
                .max_by(|a, b| (&a.2, a.3, a.1.len()).cmp(&(&b.2, b.3, b.1.len())))
                .map(|(id, _, _, _)| (county.clone(), id.clone()))
        })
        .collect())
}

/// `WITH g(county_code, list_id) AS (VALUES …)` of the pairs (county codes and list
/// ids from the database: digits and UUIDs).
fn values(g: &[(String, String)]) -> String {
    let rows: Vec<String> = g.iter().map(|(c, l)| format!("('{c}', '{l}')")).collect();
    format!(
        "WITH g(county_code, list_id) AS (VALUES {})",
        rows.join(", ")
    )
}

/// A row of any kind of gap.
#[derive(QueryableByName, Debug)]
struct GapRow {
    #[diesel(sql_type = Nullable<Text>)]
    person_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    person_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    listed_name: Option<String>,
    #[diesel(sql_type = Text)]
    masked: String,
    #[diesel(sql_type = Nullable<Text>)]
    registered: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    listed: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    receipt: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    level: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Text)]
    list_id: String,
    #[diesel(sql_type = Nullable<Integer>)]
    row_no: Option<i32>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    county: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The SQL of one kind of gap: its `FROM … WHERE …`, the columns of a [`GapRow`], the
/// county it counts under, and its order.
struct Shape {
    from: String,
    columns: &'static str,
    county: String,
    order: &'static str,
}

/// The shape of `kind` for the counties of `area`; None when the year has nothing to
/// compare (no list, or no rule the kind needs).
fn shape(
    kind: GapKind,
    rule: Option<&EligibilityRule>,
    area: &str,
    all: &Governing,
) -> Option<Shape> {
    let local: Governing = all
        .iter()
        .filter(|(c, _)| c.starts_with(area))
        .cloned()
        .collect();
    match kind {
        GapKind::Missing => {
            let rule = rule?;
            if local.is_empty() {
                return None;
            }
            let ids: Vec<String> = all.iter().map(|(_, l)| format!("'{l}'")).collect();
            let mut ids = ids;
            ids.sort();
            ids.dedup();
            Some(Shape {
                from: format!(
                    "{g} FROM persons p JOIN g ON g.county_code = p.county_code
                     WHERE {cond} AND NOT EXISTS (SELECT 1 FROM agency_list_rows x
                        WHERE x.list_id IN ({ids}) AND x.id_number_hmac = p.id_number_hmac
                          AND x.receipt = 'receiving')",
                    g = values(&local),
                    cond = rules::condition(rule),
                    ids = ids.join(", "),
                ),
                columns: "p.id AS person_id, p.name AS person_name, NULL AS listed_name,
                    p.id_number_masked AS masked, p.county_code AS registered,
                    (SELECT r.county_code FROM agency_list_rows r WHERE r.list_id = g.list_id
                        AND r.id_number_hmac = p.id_number_hmac) AS listed,
                    (SELECT r.receipt FROM agency_list_rows r WHERE r.list_id = g.list_id
                        AND r.id_number_hmac = p.id_number_hmac) AS receipt,
                    p.disability_level AS level, p.poverty_status AS status,
                    g.list_id AS list_id, CAST(NULL AS INTEGER) AS row_no",
                county: "p.county_code".into(),
                order: "p.id",
            })
        }
        GapKind::NotInRegistry => {
            if !rule?.recipients_registered || local.is_empty() {
                return None;
            }
            Some(Shape {
                from: format!(
                    "{g} FROM agency_list_rows r
                        JOIN g ON g.list_id = r.list_id AND g.county_code = r.county_code
                     WHERE r.receipt = 'receiving' AND NOT EXISTS (SELECT 1 FROM persons p
                        WHERE p.id_number_hmac = r.id_number_hmac AND p.deleted_at IS NULL)",
                    g = values(&local)
                ),
                columns: "NULL AS person_id, NULL AS person_name, r.name AS listed_name,
                    r.id_number_masked AS masked, NULL AS registered,
                    r.county_code AS listed, r.receipt AS receipt,
                    CAST(NULL AS INTEGER) AS level, NULL AS status,
                    r.list_id AS list_id, r.row_no AS row_no",
                county: "r.county_code".into(),
                order: "r.list_id, r.row_no",
            })
        }
        GapKind::OtherCounty => {
            if all.is_empty() {
                return None;
            }
            Some(Shape {
                from: format!(
                    "{g} FROM agency_list_rows r
                        JOIN g ON g.list_id = r.list_id AND g.county_code = r.county_code
                        JOIN persons p ON p.id_number_hmac = r.id_number_hmac
                            AND p.deleted_at IS NULL
                     WHERE r.receipt = 'receiving' AND p.county_code <> r.county_code
                        AND ({mine} OR {theirs})",
                    g = values(all),
                    mine = crate::auth::area_sql("p.county_code", area),
                    theirs = crate::auth::area_sql("r.county_code", area),
                ),
                columns: "p.id AS person_id, p.name AS person_name, r.name AS listed_name,
                    r.id_number_masked AS masked, p.county_code AS registered,
                    r.county_code AS listed, r.receipt AS receipt,
                    p.disability_level AS level, p.poverty_status AS status,
                    r.list_id AS list_id, r.row_no AS row_no",
                county: format!(
                    "CASE WHEN {} THEN p.county_code ELSE r.county_code END",
                    crate::auth::area_sql("p.county_code", area)
                ),
                order: "r.list_id, r.row_no",
            })
        }
    }
}

/// The area a request asks about: the caller's, or one inside it.
fn area_of(conn: &mut DbConn, scope: &Scope, area: Option<&str>) -> Result<String, ApiError> {
    let area = area
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(scope.region())
        .to_owned();
    if area_in_scope(conn, scope, &area)? {
        Ok(area)
    } else {
        Err(ApiError::field(
            "area",
            "outside_scope",
            "a city or county inside your own area",
        ))
    }
}

/// The rule of `scheme` in `year`, if any.
fn rule_of(
    conn: &mut DbConn,
    year: i32,
    scheme: AgencyScheme,
) -> Result<Option<EligibilityRule>, ApiError> {
    Ok(rules::load(conn, year)?
        .into_iter()
        .find(|r| r.scheme == scheme))
}

/// `GET /crosscheck/gaps`: one page of one kind of gap of one scheme.
pub fn page(conn: &mut DbConn, user: &AuthUser, q: &GapQuery) -> Result<Page<Gap>, ApiError> {
    check_year(q.year)?;
    let limit = limit_of(q.limit)?;
    let area = area_of(conn, &user.scope, q.area.as_deref())?;
    let after = Cursor::decode_opt(q.cursor.as_deref())?.map(|c| c.id);
    let bad_cursor = || {
        ApiError::field(
            "cursor",
            "invalid_cursor",
            "the cursor is not one this server gave out",
        )
    };
    let all = counties(conn)?;
    let g = governing(conn, q.year, q.scheme, &all)?;
    let rule = rule_of(conn, q.year, q.scheme)?;
    let Some(shape) = shape(q.kind, rule.as_ref(), &area, &g) else {
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    };
    // The cursor is re-made from parsed parts, so nothing of it reaches the SQL as sent.
    let after = match (after, q.kind) {
        (None, _) => "TRUE".to_owned(),
        (Some(a), GapKind::Missing) => {
            let id = Uuid::parse_str(&a).map_err(|_| bad_cursor())?;
            format!("p.id > '{id}'")
        }
        (Some(a), _) => {
            let (list, row) = a.split_once(':').ok_or_else(bad_cursor)?;
            let list = Uuid::parse_str(list).map_err(|_| bad_cursor())?;
            let row: i32 = row.parse().map_err(|_| bad_cursor())?;
            format!("(r.list_id > '{list}' OR (r.list_id = '{list}' AND r.row_no > {row}))")
        }
    };
    let sql = format!(
        "{from} AND {after} ORDER BY {order} LIMIT {n}",
        from = shape
            .from
            .replacen(" FROM ", &format!(" SELECT {} FROM ", shape.columns), 1),
        order = shape.order,
        n = limit + 1,
    );
    let mut rows: Vec<GapRow> = diesel::sql_query(sql).load(conn)?;
    let next_cursor = Cursor::next_page(&mut rows, limit, |r| Cursor {
        ts: None,
        id: match r.row_no {
            Some(n) => format!("{}:{n}", r.list_id),
            None => r.person_id.clone().unwrap_or_default(),
        },
    });
    let items = rows
        .into_iter()
        .map(|r| gap(r, q.kind, q.scheme, &user.scope))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A gap as the caller may see it: a registry person outside the caller's area is
/// neither named nor linked, and their level and status are left out.
fn gap(r: GapRow, kind: GapKind, scheme: AgencyScheme, scope: &Scope) -> Result<Gap, ApiError> {
    let mine = r
        .registered
        .as_deref()
        .is_some_and(|c| scope.covers_region(c));
    let internal = |e: shared::codes::UnknownCode| ApiError::Internal(anyhow::anyhow!("{e}"));
    Ok(Gap {
        kind,
        scheme,
        list_id: uuid(&r.list_id)?,
        person_id: if mine {
            r.person_id.as_deref().map(uuid).transpose()?
        } else {
            None
        },
        name: if mine {
            r.person_name.or(r.listed_name).unwrap_or_default()
        } else {
            r.listed_name.unwrap_or_default()
        },
        id_number_masked: r.masked,
        // Where a person of another area is registered is theirs to know.
        registered_county: r.registered.filter(|_| mine),
        listed_county: r.listed,
        receipt: r
            .receipt
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(internal)?,
        disability_level: if mine {
            r.level.and_then(|l| u8::try_from(l).ok())
        } else {
            None
        },
        poverty_status: if mine {
            r.status
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(internal)?
        } else {
            None
        },
    })
}

/// Counts of one kind and scheme per county (the county the gap counts under).
fn counts(conn: &mut DbConn, shape: &Shape) -> Result<Vec<CountRow>, ApiError> {
    let sql = format!(
        "{} GROUP BY {}",
        shape.from.replacen(
            " FROM ",
            &format!(
                " SELECT {} AS county, CAST(COUNT(*) AS BIGINT) AS n FROM ",
                shape.county
            ),
            1
        ),
        shape.county
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

/// `GET /crosscheck/summary`: a year's gaps in the caller's area (or one inside it),
/// in all and per unit below.
pub fn summary(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    area: Option<&str>,
) -> Result<GapSummary, ApiError> {
    check_year(year)?;
    let area = area_of(conn, &user.scope, area)?;
    let all = counties(conn)?;
    let year_rules = rules::load(conn, year)?;
    // The unit below each county: its city under the province, itself under a city.
    let unit_of = |county: &str| -> String {
        match area.len() {
            2 => county.chars().take(4).collect(),
            4 => county.to_owned(),
            _ => area.clone(),
        }
    };
    let mut totals: Vec<GapCount> = Vec::new();
    let mut per_unit: BTreeMap<String, Vec<GapCount>> = BTreeMap::new();
    let mut list_ids: Vec<String> = Vec::new();
    for scheme in AgencyScheme::ALL.iter().copied() {
        let g = governing(conn, year, scheme, &all)?;
        list_ids.extend(
            g.iter()
                .filter(|(c, _)| c.starts_with(&area))
                .map(|(_, l)| l.clone()),
        );
        let rule = year_rules.iter().find(|r| r.scheme == scheme);
        for kind in GapKind::ALL.iter().copied() {
            let Some(shape) = shape(kind, rule, &area, &g) else {
                continue;
            };
            let mut total = 0i64;
            let mut units: BTreeMap<String, i64> = BTreeMap::new();
            for row in counts(conn, &shape)? {
                total = total.saturating_add(row.n);
                let n = units.entry(unit_of(&row.county)).or_default();
                *n = n.saturating_add(row.n);
            }
            if total > 0 {
                totals.push(GapCount {
                    scheme,
                    kind,
                    count: total,
                });
            }
            if area.len() < 6 {
                for (unit, count) in units {
                    per_unit.entry(unit).or_default().push(GapCount {
                        scheme,
                        kind,
                        count,
                    });
                }
            }
        }
    }
    list_ids.sort();
    list_ids.dedup();
    let lists = agency_lists::table
        .filter(agency_lists::id.eq_any(&list_ids))
        .order((agency_lists::scheme.asc(), agency_lists::period.desc()))
        .select(LIST_COLUMNS)
        .load(conn)?
        .into_iter()
        .map(list_view)
        .collect::<Result<_, _>>()?;
    let below: Vec<(String, String)> = org_units::table
        .filter(org_units::parent_code.eq(&area))
        .order(org_units::code.asc())
        .select((org_units::code, org_units::name))
        .load(conn)?;
    let units = if area.len() < 6 {
        below
            .into_iter()
            .filter(|(code, _)| code.len() == area.len() + 2)
            .map(|(code, name)| GapUnit {
                counts: per_unit.remove(&code).unwrap_or_default(),
                code,
                name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(GapSummary {
        year,
        area_code: area,
        lists,
        rules: year_rules.iter().map(|r| r.scheme).collect(),
        totals,
        units,
    })
}
