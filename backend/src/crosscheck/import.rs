//! Importing another agency's list: every row is checked before anything is written,
//! then the list is written in one transaction as a snapshot, with its difference from
//! the snapshot it follows (same scheme and area, the latest of an earlier or equal
//! period). The identity number of a row is kept only as the registry's keyed hash and
//! in masked form.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::crosscheck::{
    parse_period, AgencyList, AgencyScheme, ListUpload, Receipt, MAX_LIST_ROWS,
};
use shared::id_number::IdNumber;
use shared::validation::FieldError;
use uuid::Uuid;

use super::{area_columns, area_in_scope, counties, list_view, LIST_COLUMNS};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{agency_list_rows, agency_lists};
use crate::db::{now, today, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::tabular::Table;

/// Largest list file accepted: a province's list of a million rows is about 70 MB of
/// CSV.
pub const MAX_LIST_UPLOAD: usize = 96 * 1024 * 1024;

/// Most columns of a list read (the six it names and a few an agency adds, such as
/// 序号 or 地址): a hostile workbook with a cell far to the right on every row would
/// otherwise make every row that wide in memory.
pub const MAX_LIST_COLUMNS: u32 = 16;

/// Row errors reported at most (all are counted).
pub const MAX_ROW_ERRORS: usize = 1000;

/// Longest name kept from a list.
const MAX_NAME: usize = 50;

/// What an upload is, checked.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Scheme.
    pub scheme: AgencyScheme,
    /// `YYYY-MM`.
    pub period: String,
    /// Programme year (the period's).
    pub year: i32,
    /// Area covered.
    pub area: String,
    /// The id the client chose, if any.
    pub id: Option<Uuid>,
    /// The file's format, if the client said.
    pub format: Option<shared::api::Format>,
}

/// Checks the query of an upload against the caller's scope.
pub fn upload(conn: &mut DbConn, user: &AuthUser, q: &ListUpload) -> Result<Upload, ApiError> {
    // The other agencies exchange their lists with the province. A county or city that
    // could upload numbers of its choosing would learn, from the gaps, whether each is
    // a registered disabled person anywhere in Hunan.
    if user.scope != crate::auth::Scope::Province {
        return Err(ApiError::Forbidden(
            "agency lists are imported at the province".into(),
        ));
    }
    let Some((year, _)) = parse_period(q.period.trim()) else {
        return Err(ApiError::field(
            "period",
            "invalid_period",
            "a month YYYY-MM from 2000-01 to 2100-12",
        ));
    };
    let area = q
        .area
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(user.scope.region())
        .to_owned();
    if !area_in_scope(conn, &user.scope, &area)? {
        return Err(ApiError::field(
            "area",
            "outside_scope",
            "the province, a city or a county inside your own area",
        ));
    }
    Ok(Upload {
        format: q.format,
        id: q.id,
        scheme: q.scheme,
        period: q.period.trim().to_owned(),
        year,
        area,
    })
}

/// One checked row.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Spreadsheet row number (the header is row 1).
    pub row: i32,
    /// Keyed hash of the identity number.
    pub hmac: String,
    /// Masked identity number.
    pub masked: String,
    /// Name.
    pub name: String,
    /// Status.
    pub receipt: Receipt,
    /// County it is paid in.
    pub county: String,
}

/// A column of the list: its field name and the headers that name it.
const COLUMNS: [(&str, &[&str]); 6] = [
    (
        "id_number",
        &["身份证号", "身份证号码", "公民身份号码", "id_number"],
    ),
    ("name", &["姓名", "name"]),
    ("scheme", &["项目", "救助项目", "scheme"]),
    ("status", &["状态", "享受状态", "status"]),
    ("period", &["期间", "发放期间", "period"]),
    (
        "county",
        &["发放地区", "县市区代码", "county", "county_code"],
    ),
];

/// Checks every row of a list; all errors at once (the first [`MAX_ROW_ERRORS`] and a
/// count), else the rows.
pub fn check(
    conn: &mut DbConn,
    pii: &Pii,
    up: &Upload,
    table: &Table,
) -> Result<Vec<Parsed>, ApiError> {
    let find = |names: &[&str]| {
        table
            .headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|(_, names)| find(names)).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&cols)
        .filter(|((field, _), col)| {
            col.is_none() && matches!(*field, "id_number" | "name" | "status")
        })
        .map(|((_, names), _)| names[0])
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::field(
            "file",
            "missing_column",
            format!("the list has no column {}", missing.join(", ")),
        ));
    }
    if table.rows.is_empty() {
        return Err(ApiError::field(
            "file",
            "empty_file",
            "the list has no rows",
        ));
    }
    if table.rows.len() > MAX_LIST_ROWS {
        return Err(ApiError::field(
            "file",
            "file_too_large",
            format!("a list may have at most {MAX_LIST_ROWS} rows"),
        ));
    }
    let counties: HashSet<String> = counties(conn)?
        .into_iter()
        .map(|(c, _)| c)
        .filter(|c| c.starts_with(&up.area))
        .collect();
    let today = today();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut error_count = 0usize;
    let mut seen: HashMap<String, i32> = HashMap::with_capacity(table.rows.len());
    let mut out = Vec::with_capacity(table.rows.len());
    for (i, cells) in table.rows.iter().enumerate() {
        let row = i32::try_from(i + 2).unwrap_or(i32::MAX);
        let cell = |k: usize| {
            cols[k]
                .and_then(|c| cells.get(c))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut err = |field: &str, code: &str, message: String| {
            error_count += 1;
            if errors.len() < MAX_ROW_ERRORS {
                errors.push(FieldError::new(
                    format!("rows[{row}].{field}"),
                    code,
                    message,
                ));
            }
        };
        let id = match IdNumber::parse(cell(0), today) {
            Ok(id) => Some(id),
            Err(e) => {
                err("id_number", e.code, e.message);
                None
            }
        };
        let name = cell(1);
        if name.is_empty() {
            err("name", "required", "a name".into());
        } else if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            err(
                "name",
                "invalid",
                format!("at most {MAX_NAME} characters, no control characters"),
            );
        }
        if cols[2].is_some() && AgencyScheme::from_cell(cell(2)) != Some(up.scheme) {
            err(
                "scheme",
                "wrong_scheme",
                format!("this list is of {}", up.scheme.label()),
            );
        }
        let receipt = Receipt::from_cell(cell(3));
        if receipt.is_none() {
            err(
                "status",
                "invalid_status",
                "享受 (receiving) or 停发 (stopped)".into(),
            );
        }
        if cols[4].is_some() && !cell(4).is_empty() && cell(4) != up.period {
            err(
                "period",
                "wrong_period",
                format!("this list is of {}", up.period),
            );
        }
        let county = match cell(5) {
            "" if up.area.len() == 6 => up.area.clone(),
            "" => {
                err(
                    "county",
                    "required",
                    "the county it is paid in (6 digits)".into(),
                );
                String::new()
            }
            c if counties.contains(c) => c.to_owned(),
            _ => {
                err(
                    "county",
                    "outside_area",
                    format!("a county of the list's area {}", up.area),
                );
                String::new()
            }
        };
        if let Some(id) = id {
            let hmac = pii.lookup_hash(id.as_str());
            if let Some(first) = seen.insert(hmac.clone(), row) {
                err(
                    "id_number",
                    "duplicate",
                    format!("the same person as row {first}"),
                );
            } else if let Some(receipt) = receipt {
                out.push(Parsed {
                    row,
                    hmac,
                    masked: id.masked(),
                    name: name.to_owned(),
                    receipt,
                    county,
                });
            }
        }
    }
    if error_count > errors.len() {
        errors.push(FieldError::new(
            "file",
            "more_errors",
            format!("{error_count} rows have errors; the first {MAX_ROW_ERRORS} are listed"),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The latest list of `scheme` and `area` of a period up to `period`, if any.
fn previous(
    conn: &mut DbConn,
    scheme: AgencyScheme,
    area: &str,
    period: &str,
) -> Result<Option<String>, ApiError> {
    Ok(agency_lists::table
        .filter(agency_lists::scheme.eq(scheme.as_str()))
        .filter(agency_lists::area_code.eq(area))
        .filter(agency_lists::period.le(period))
        .order((agency_lists::period.desc(), agency_lists::created_at.desc()))
        .select(agency_lists::id)
        .first(conn)
        .optional()?)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The keyed digest of an upload (the write protocol's one idempotency rule): what the
/// list is (scheme, period, area) and the SHA-256 of its bytes.
pub fn digest(pii: &Pii, up: &Upload, file: &[u8]) -> Result<String, ApiError> {
    use sha2::Digest as _;
    let file: String = sha2::Sha256::digest(file)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    crate::record::create_digest(
        pii,
        "agency_list",
        &serde_json::json!({
            "scheme": up.scheme, "period": up.period, "area": up.area, "file": file,
        }),
    )
}

/// The list a retried upload already wrote, by the write protocol's one rule
/// ([`crate::record::replay`]): `Some` when the client-chosen id names the same upload
/// (same list and file, same user, in scope), `None` when the id is free, 409
/// `id_conflict` otherwise.
pub fn replay(
    conn: &mut DbConn,
    user: &AuthUser,
    up: &Upload,
    digest: &str,
) -> Result<Option<AgencyList>, ApiError> {
    let Some(id) = up.id else { return Ok(None) };
    crate::record::lock_id(conn, &id)?;
    let found: Option<(Option<String>, String, String)> = agency_lists::table
        .filter(agency_lists::id.eq(id.to_string()))
        .select((
            agency_lists::create_hash,
            agency_lists::created_by,
            agency_lists::area_code,
        ))
        .first(conn)
        .optional()?;
    let Some((hash, by, area)) = found else {
        return Ok(None);
    };
    crate::record::replay(
        crate::record::Existing {
            create_hash: hash.as_deref(),
            created_by: &by,
            deleted: false,
            in_scope: user.scope.covers_region(&area),
        },
        digest,
        user,
    )?;
    let row = agency_lists::table
        .filter(agency_lists::id.eq(id.to_string()))
        .select(LIST_COLUMNS)
        .first(conn)?;
    Ok(Some(list_view(row)?))
}

/// Writes a checked list as a new snapshot, in one transaction; a retry of an upload
/// already written (see [`replay`]) answers with that list and `false`.
pub fn write(
    conn: &mut DbConn,
    user: &AuthUser,
    up: &Upload,
    digest: &str,
    rows: &[Parsed],
) -> Result<(bool, AgencyList), ApiError> {
    let id = up.id.unwrap_or_else(Uuid::now_v7).to_string();
    write_tx(conn, |conn| {
        crate::db::advisory_lock(
            conn,
            &[format!("agency_list:{}:{}", up.scheme.as_str(), up.area)],
        )?;
        if let Some(done) = replay(conn, user, up, digest)? {
            return Ok((false, done));
        }
        let prev = previous(conn, up.scheme, &up.area, &up.period)?;
        let (city, county) = area_columns(&up.area);
        let receiving = rows
            .iter()
            .filter(|r| r.receipt == Receipt::Receiving)
            .count();
        let at = now();
        diesel::insert_into(agency_lists::table)
            .values((
                agency_lists::id.eq(&id),
                agency_lists::scheme.eq(up.scheme.as_str()),
                agency_lists::period.eq(&up.period),
                agency_lists::year.eq(up.year),
                agency_lists::area_code.eq(&up.area),
                agency_lists::county_code.eq(county),
                agency_lists::city_code.eq(city),
                agency_lists::row_count.eq(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
                agency_lists::receiving_count.eq(i64::try_from(receiving).unwrap_or(i64::MAX)),
                agency_lists::previous_id.eq(&prev),
                agency_lists::added.eq(0),
                agency_lists::removed.eq(0),
                agency_lists::changed.eq(0),
                agency_lists::created_at.eq(at),
                agency_lists::created_by.eq(user.id.to_string()),
                agency_lists::created_by_name.eq(&user.username),
                agency_lists::create_hash.eq(digest),
            ))
            .execute(conn)?;
        // 7 columns × 1,000 rows stays under SQLite's bound-parameter limit.
        for chunk in rows.chunks(1000) {
            let values: Vec<_> = chunk
                .iter()
                .map(|r| {
                    (
                        agency_list_rows::list_id.eq(&id),
                        agency_list_rows::row_no.eq(r.row),
                        agency_list_rows::id_number_hmac.eq(&r.hmac),
                        agency_list_rows::id_number_masked.eq(&r.masked),
                        agency_list_rows::name.eq(&r.name),
                        agency_list_rows::receipt.eq(r.receipt.as_str()),
                        agency_list_rows::county_code.eq(&r.county),
                    )
                })
                .collect();
            crate::db::batch_insert!(conn, agency_list_rows::table, &values)?;
        }
        if let Some(prev) = &prev {
            let (added, removed, changed) = diff_counts(conn, &id, prev)?;
            diesel::update(agency_lists::table.filter(agency_lists::id.eq(&id)))
                .set((
                    agency_lists::added.eq(added),
                    agency_lists::removed.eq(removed),
                    agency_lists::changed.eq(changed),
                ))
                .execute(conn)?;
        } else {
            let n = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            diesel::update(agency_lists::table.filter(agency_lists::id.eq(&id)))
                .set(agency_lists::added.eq(n))
                .execute(conn)?;
        }
        let row = agency_lists::table
            .filter(agency_lists::id.eq(&id))
            .select(LIST_COLUMNS)
            .first(conn)?;
        let view = list_view(row)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "agency_list",
                entity_id: view.id,
                owner_region: &up.area,
                reason: None,
                before: None,
                after: Some(serde_json::json!({
                    "scheme": view.scheme, "period": view.period, "area_code": view.area_code,
                    "rows": view.rows, "receiving": view.receiving, "previous_id": view.previous_id,
                    "added": view.added, "removed": view.removed, "changed": view.changed,
                })),
            },
        )?;
        Ok((true, view))
    })
}

/// Added, removed and changed persons of list `new` against `old` (ids this module
/// made, so they are safe in the SQL).
fn diff_counts(conn: &mut DbConn, new: &str, old: &str) -> Result<(i64, i64, i64), ApiError> {
    let only = |a: &str, b: &str| {
        format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM agency_list_rows x
             WHERE x.list_id = '{a}' AND NOT EXISTS (SELECT 1 FROM agency_list_rows y
                WHERE y.list_id = '{b}' AND y.id_number_hmac = x.id_number_hmac)"
        )
    };
    let added: Count = diesel::sql_query(only(new, old)).get_result(conn)?;
    let removed: Count = diesel::sql_query(only(old, new)).get_result(conn)?;
    let changed: Count = diesel::sql_query(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM agency_list_rows x
         JOIN agency_list_rows y ON y.list_id = '{old}' AND y.id_number_hmac = x.id_number_hmac
         WHERE x.list_id = '{new}' AND (x.receipt <> y.receipt OR x.county_code <> y.county_code)"
    ))
    .get_result(conn)?;
    Ok((added.n, removed.n, changed.n))
}

/// Refreshes PostgreSQL's statistics of the lists after a large import: without them
/// the planner takes the new rows for a handful, and a county's first page of gaps took
/// 12 s instead of 0.1 s on a 500,000-row list (see the note of issue 13). SQLite plans
/// without statistics of this kind.
pub fn refresh_statistics(conn: &mut DbConn) -> Result<(), ApiError> {
    if let DbConn::Pg(c) = conn {
        use diesel::connection::SimpleConnection;
        c.batch_execute("ANALYZE agency_list_rows, agency_lists")?;
    }
    Ok(())
}
