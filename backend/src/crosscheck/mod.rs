//! Cross-checks with other agencies' lists (measures 5 and 8); see `shared::crosscheck`
//! for the rules of the check.
//!
//! - [`rules`]: the eligibility rules per programme year (data, kept by the provincial
//!   poverty office, audited);
//! - [`import`]: a list of recipients read from XLSX or CSV, every row checked before
//!   anything is written (all rows or none), identity numbers turned into the registry's
//!   keyed hash and masked on the way in, and the snapshot compared with the one before;
//! - [`gaps`]: the gaps of a year in the caller's area, as counts per unit and as pages.
//!
//! Every query here is plain SQL that both databases run; the values put into it are
//! codes and ids this module made or checked itself (digits, UUIDs, enum codes), never
//! text from a request.

pub mod gaps;
pub mod import;
pub mod routes;
pub mod rules;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use diesel::prelude::*;
use shared::api::Page;
use shared::crosscheck::{
    AgencyList, AgencyScheme, ChangeQuery, ListChange, ListChangeKind, ListQuery, Receipt,
};
use shared::OrgUnitKind;
use uuid::Uuid;

use crate::auth::Scope;
use crate::db::schema::{agency_list_rows, agency_lists, org_units};
use crate::db::{utc, uuid, DbConn};
use crate::error::ApiError;
use crate::pagination::{limit_of, Cursor};

/// A programme year from a path or query: 2000–2100.
pub fn check_year(year: i32) -> Result<(), ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(ApiError::field("year", "out_of_range", "2000 to 2100"))
    }
}

/// The region codes a list's `city_code` and `county_code` columns hold for an area
/// (`43`/`43` for the province, the city twice for a city).
pub fn area_columns(area: &str) -> (String, String) {
    match area.len() {
        6 => (area[..4].to_owned(), area.to_owned()),
        _ => (area.to_owned(), area.to_owned()),
    }
}

/// The counties of Hunan (code and city), ascending.
pub fn counties(conn: &mut DbConn) -> Result<Vec<(String, String)>, ApiError> {
    let rows: Vec<(String, Option<String>)> = org_units::table
        .filter(org_units::kind.eq(OrgUnitKind::County.as_str()))
        .order(org_units::code.asc())
        .select((org_units::code, org_units::parent_code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, parent)| {
            let city = parent.unwrap_or_else(|| code[..4.min(code.len())].to_owned());
            (code, city)
        })
        .collect())
}

/// Whether `area` is the province, a city or a county of Hunan that `scope` covers.
pub fn area_in_scope(conn: &mut DbConn, scope: &Scope, area: &str) -> Result<bool, ApiError> {
    if !scope.covers_region(area) {
        return Ok(false);
    }
    if area == "43" {
        return Ok(true);
    }
    let kind = match area.len() {
        4 => OrgUnitKind::City,
        6 => OrgUnitKind::County,
        _ => return Ok(false),
    };
    let n: i64 = org_units::table
        .filter(org_units::code.eq(area))
        .filter(org_units::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n == 1)
}

/// A row of `agency_lists`.
pub type ListRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    i64,
    i64,
    i64,
    chrono::NaiveDateTime,
    String,
);

/// The columns of [`ListRow`].
pub type ListColumns = (
    agency_lists::id,
    agency_lists::scheme,
    agency_lists::period,
    agency_lists::area_code,
    agency_lists::row_count,
    agency_lists::receiving_count,
    agency_lists::previous_id,
    agency_lists::added,
    agency_lists::removed,
    agency_lists::changed,
    agency_lists::created_at,
    agency_lists::created_by_name,
);

/// The columns of [`ListRow`], to select.
pub const LIST_COLUMNS: ListColumns = (
    agency_lists::id,
    agency_lists::scheme,
    agency_lists::period,
    agency_lists::area_code,
    agency_lists::row_count,
    agency_lists::receiving_count,
    agency_lists::previous_id,
    agency_lists::added,
    agency_lists::removed,
    agency_lists::changed,
    agency_lists::created_at,
    agency_lists::created_by_name,
);

/// A list as the API shows it.
pub fn list_view(row: ListRow) -> Result<AgencyList, ApiError> {
    let (id, scheme, period, area, rows, receiving, previous, added, removed, changed, at, by) =
        row;
    let scheme: AgencyScheme = scheme
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(AgencyList {
        id: uuid(&id)?,
        scheme,
        agency: scheme.agency(),
        period,
        area_code: area,
        rows,
        receiving,
        previous_id: previous.as_deref().map(uuid).transpose()?,
        added,
        removed,
        changed,
        created_at: utc(at),
        created_by: by,
    })
}

/// Whether a caller of `scope` sees a list of `area`: a list of their area or below
/// it, or of an area above theirs (the province's list covers every county).
pub fn list_visible(scope: &Scope, area: &str) -> bool {
    scope.covers_region(area) || scope.region().starts_with(area)
}

/// The lists a caller sees (of their area, below it, or covering it), newest period
/// first.
pub fn lists(conn: &mut DbConn, scope: &Scope, q: &ListQuery) -> Result<Vec<AgencyList>, ApiError> {
    if let Some(year) = q.year {
        check_year(year)?;
    }
    let mut query = agency_lists::table.into_boxed();
    if let Some(year) = q.year {
        query = query.filter(agency_lists::year.eq(year));
    }
    if let Some(scheme) = q.scheme {
        query = query.filter(agency_lists::scheme.eq(scheme.as_str()));
    }
    query
        .order((agency_lists::period.desc(), agency_lists::created_at.desc()))
        .select(LIST_COLUMNS)
        .load::<ListRow>(conn)?
        .into_iter()
        .filter(|row| list_visible(scope, &row.3))
        .map(list_view)
        .collect()
}

/// One list the caller sees (404 otherwise).
pub fn one(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<AgencyList, ApiError> {
    let row: ListRow = agency_lists::table
        .filter(agency_lists::id.eq(id.to_string()))
        .select(LIST_COLUMNS)
        .first(conn)?;
    if !list_visible(scope, &row.3) {
        return Err(ApiError::NotFound);
    }
    list_view(row)
}

/// Batches of 500 rows one request of `changes` reads at most.
pub const MAX_CHANGE_BATCHES: usize = 20;

fn parse_receipt(s: &str) -> Result<Receipt, ApiError> {
    s.parse()
        .map_err(|e: shared::codes::UnknownCode| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// One page of the persons a list added, removed or changed against the list it
/// follows, in the caller's area (by the county on the list), in row order. A first
/// list adds everyone on it.
pub fn changes(
    conn: &mut DbConn,
    scope: &Scope,
    id: Uuid,
    q: &ChangeQuery,
) -> Result<Page<ListChange>, ApiError> {
    let list = one(conn, scope, id)?;
    let limit = usize::try_from(limit_of(q.limit)?).unwrap_or(usize::MAX);
    let mut after: i32 = match Cursor::decode_opt(q.cursor.as_deref())? {
        None => 0,
        Some(c) => c.id.parse().map_err(|_| {
            ApiError::field(
                "cursor",
                "invalid_cursor",
                "the cursor is not one this server gave out",
            )
        })?,
    };
    let this = list.id.to_string();
    let prev = list.previous_id.map(|p| p.to_string());
    let (from, other) = match (q.kind, prev) {
        (ListChangeKind::Removed, Some(prev)) => (prev, Some(this)),
        (ListChangeKind::Added, prev) => (this, prev),
        (ListChangeKind::Changed, Some(prev)) => (this, Some(prev)),
        (_, None) => {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            })
        }
    };
    let mut items = Vec::new();
    let mut more = false;
    // The rows of `from` in batches, each set against the same persons on `other`
    // (looked up by their keyed hash), until a page is full, or after
    // [`MAX_CHANGE_BATCHES`] batches with a cursor to go on from (a request's work is
    // bounded even on a million-row list that changed little).
    let mut batches = 0;
    'batches: loop {
        if batches == MAX_CHANGE_BATCHES {
            more = true;
            break;
        }
        batches += 1;
        let mut query = agency_list_rows::table
            .filter(agency_list_rows::list_id.eq(&from))
            .filter(agency_list_rows::row_no.gt(after))
            .into_boxed();
        query = match scope {
            Scope::Province => query,
            Scope::City(c) | Scope::County(c) => {
                query.filter(agency_list_rows::county_code.like(format!("{c}%")))
            }
        };
        let batch: Vec<(i32, String, String, String, String, String)> = query
            .order(agency_list_rows::row_no.asc())
            .limit(500)
            .select((
                agency_list_rows::row_no,
                agency_list_rows::id_number_hmac,
                agency_list_rows::id_number_masked,
                agency_list_rows::name,
                agency_list_rows::receipt,
                agency_list_rows::county_code,
            ))
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        let others: HashMap<String, (String, String)> = match &other {
            None => HashMap::new(),
            Some(other) => {
                let keys: Vec<&str> = batch.iter().map(|b| b.1.as_str()).collect();
                agency_list_rows::table
                    .filter(agency_list_rows::list_id.eq(other))
                    .filter(agency_list_rows::id_number_hmac.eq_any(&keys))
                    .select((
                        agency_list_rows::id_number_hmac,
                        (agency_list_rows::receipt, agency_list_rows::county_code),
                    ))
                    .load::<(String, (String, String))>(conn)?
                    .into_iter()
                    .collect()
            }
        };
        for (row, hmac, masked, name, receipt, county) in batch {
            let counterpart = others.get(&hmac);
            let keep = match q.kind {
                ListChangeKind::Added | ListChangeKind::Removed => counterpart.is_none(),
                ListChangeKind::Changed => {
                    counterpart.is_some_and(|(r, c)| *r != receipt || *c != county)
                }
            };
            if !keep {
                after = row;
                continue;
            }
            if items.len() == limit {
                more = true;
                break 'batches;
            }
            let mine = Some(parse_receipt(&receipt)?);
            let theirs = counterpart.map(|(r, _)| parse_receipt(r)).transpose()?;
            let (before, now, county_before, county_after) = match q.kind {
                ListChangeKind::Removed => (mine, None, Some(county), None),
                _ => (
                    theirs,
                    mine,
                    counterpart.map(|(_, c)| c.clone()),
                    Some(county),
                ),
            };
            items.push(ListChange {
                kind: q.kind,
                id_number_masked: masked,
                name,
                before,
                after: now,
                county_before,
                county_after,
            });
            after = row;
        }
    }
    Ok(Page {
        items,
        next_cursor: more.then(|| {
            Cursor {
                ts: None,
                id: after.to_string(),
            }
            .encode()
        }),
    })
}
