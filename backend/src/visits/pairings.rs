//! Pairings of a cadre with a registered-poor disabled household.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::visits::{Pairing, PairingCreate, PairingInput};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{org_units, pairings, persons, users, villages, visits};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `pairings`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pairings)]
pub struct PairingRow {
    /// Id.
    pub id: String,
    /// Cadre (user id).
    pub cadre_id: String,
    /// The cadre's unit when paired.
    pub cadre_unit: String,
    /// The cadre's post.
    pub cadre_post: String,
    /// Person.
    pub person_id: String,
    /// Household number.
    pub household_number: Option<String>,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// First day.
    pub from_on: chrono::NaiveDate,
    /// Last day.
    pub to_on: Option<chrono::NaiveDate>,
    /// Version.
    pub version: i64,
}

/// Live pairings `user` may see: those of households in their scope with
/// `read_pairings`, and their own as a cadre.
pub fn visible(user: &AuthUser) -> pairings::BoxedQuery<'static, Backend> {
    let me = user.id.to_string();
    let q = pairings::table
        .into_boxed()
        .filter(pairings::deleted_at.is_null());
    if user.can(Capability::ReadPairings) {
        let area = format!("{}%", user.scope.region());
        q.filter(
            pairings::county_code
                .like(area)
                .or(pairings::cadre_id.eq(me)),
        )
    } else {
        q.filter(pairings::cadre_id.eq(me))
    }
}

/// A pairing's row visible to `user`; 404 otherwise.
pub fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<PairingRow, ApiError> {
    Ok(visible(user)
        .filter(pairings::id.eq(id))
        .select(PairingRow::as_select())
        .first(conn)?)
}

fn to_api(conn: &mut DbConn, r: PairingRow) -> Result<Pairing, ApiError> {
    let cadre_name: String = users::table
        .find(&r.cadre_id)
        .select(users::display_name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let (person_name, village, detail): (String, Option<String>, Option<String>) = persons::table
        .find(&r.person_id)
        .select((
            persons::name,
            persons::village_code,
            persons::address_detail,
        ))
        .first(conn)?;
    let village_name: Option<String> = match village {
        Some(v) => villages::table
            .find(v)
            .select(villages::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let address = match (village_name, detail) {
        (Some(v), Some(d)) => Some(format!("{v} {d}")),
        (v, d) => v.or(d),
    };
    let (visits, last_visit_on): (i64, Option<chrono::NaiveDate>) = visits::table
        .filter(visits::pairing_id.eq(&r.id))
        .filter(visits::deleted_at.is_null())
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(visits::visited_on),
        ))
        .first(conn)?;
    Ok(Pairing {
        id: uuid(&r.id)?,
        version: r.version,
        fields: PairingInput {
            cadre_id: uuid(&r.cadre_id)?,
            cadre_post: r.cadre_post,
            person_id: uuid(&r.person_id)?,
            from_on: r.from_on,
            to_on: r.to_on,
        },
        cadre_name,
        cadre_unit: r.cadre_unit,
        person_name,
        household_number: r.household_number,
        address,
        county_code: r.county_code,
        last_visit_on,
        visits,
    })
}

/// A pairing visible to `user`.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Pairing, ApiError> {
    let r = row(conn, user, &id.to_string())?;
    to_api(conn, r)
}

/// Filters of `GET /api/v1/pairings`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairingQuery {
    /// Only the caller's own pairings (as a cadre).
    pub mine: Option<bool>,
    /// Only this cadre's.
    pub cadre_id: Option<Uuid>,
    /// Only this person's household.
    pub person_id: Option<Uuid>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
    /// Only pairings in force on this day.
    pub active_on: Option<chrono::NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of the pairings visible to `user`.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &PairingQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Pairing>, ApiError> {
    let mut q = visible(user);
    if f.mine == Some(true) {
        q = q.filter(pairings::cadre_id.eq(user.id.to_string()));
    }
    if let Some(c) = f.cadre_id {
        q = q.filter(pairings::cadre_id.eq(c.to_string()));
    }
    if let Some(p) = f.person_id {
        q = q.filter(pairings::person_id.eq(p.to_string()));
    }
    if let Some(area) = f.area.as_deref() {
        q = q.filter(pairings::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(d) = f.active_on {
        q = q
            .filter(pairings::from_on.le(d))
            .filter(pairings::to_on.is_null().or(pairings::to_on.ge(d)));
    }
    if let Some(a) = after {
        q = q.filter(pairings::id.gt(a.to_owned()));
    }
    let rows: Vec<PairingRow> = q
        .order(pairings::id.asc())
        .limit(limit)
        .select(PairingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// A cadre who may be paired: an enabled user of a DPF unit.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CadreOption {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
}

/// Whether a user holding `roles` (the stored comma-separated list) is a DPF cadre: one
/// role of the DPF's work at least, not only administration or audit.
pub fn is_cadre(roles: &str) -> bool {
    crate::users::queries::parse_roles(roles).is_ok_and(|rs| {
        rs.iter()
            .any(|r| !matches!(r, shared::auth::Role::Admin | shared::auth::Role::Auditor))
    })
}

/// The cadres a county's staff may pair: enabled users of units whose region is the
/// county, its city or the province (the cadres who may come to its households).
pub fn cadres(conn: &mut DbConn, user: &AuthUser) -> Result<Vec<CadreOption>, ApiError> {
    super::require_county_manager(user)?;
    let county = user.scope.region().to_owned();
    let regions = [
        county.clone(),
        county.get(..4).unwrap_or("43").to_owned(),
        "43".to_owned(),
    ];
    let rows: Vec<(String, String, String, String, String)> = users::table
        .inner_join(org_units::table)
        .filter(users::disabled.eq(false))
        .filter(org_units::region_code.eq_any(regions))
        .order((org_units::region_code.desc(), users::display_name.asc()))
        .select((
            users::id,
            users::display_name,
            users::unit_code,
            org_units::name,
            users::roles,
        ))
        .load(conn)?;
    rows.into_iter()
        .filter(|r| is_cadre(&r.4))
        .map(|(id, display_name, unit_code, unit_name, _)| {
            Ok(CadreOption {
                id: uuid(&id)?,
                display_name,
                unit_code,
                unit_name,
            })
        })
        .collect()
}

/// The cadre's unit: 422 unless they are an enabled DPF cadre.
fn cadre_unit(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    cadre: Uuid,
) -> Result<Option<String>, ApiError> {
    let found: Option<(String, bool, String)> = users::table
        .find(cadre.to_string())
        .select((users::unit_code, users::disabled, users::roles))
        .first(conn)
        .optional()?;
    Ok(match found {
        None => {
            errs.add("cadre_id", "not_found", "no such user");
            None
        }
        Some((_, true, _)) => {
            errs.add("cadre_id", "account_disabled", "the account is disabled");
            None
        }
        Some((_, false, roles)) if !is_cadre(&roles) => {
            errs.add("cadre_id", "invalid_value", "not a DPF cadre");
            None
        }
        Some((unit, false, _)) => Some(unit),
    })
}

/// The household of a pairing: a live registered-poor person of the caller's county.
fn household(
    conn: &mut DbConn,
    user: &AuthUser,
    errs: &mut FieldErrors,
    person: Uuid,
) -> Result<Option<crate::persons::model::PersonRow>, ApiError> {
    match crate::persons::queries::get(conn, &user.scope, person) {
        Ok(p) if !p.registered_poor => {
            errs.add(
                "person_id",
                "not_registered_poor",
                "only registered-poor households are paired",
            );
            Ok(None)
        }
        Ok(p) => Ok(Some(p)),
        Err(ApiError::NotFound) => {
            errs.add("person_id", "not_found", "no such person in your area");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// 422 when the same cadre already has a pairing with the same household overlapping
/// the period.
fn check_overlap(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    f: &PairingInput,
    except: &str,
) -> Result<(), ApiError> {
    let others: Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)> = pairings::table
        .filter(pairings::cadre_id.eq(f.cadre_id.to_string()))
        .filter(pairings::person_id.eq(f.person_id.to_string()))
        .filter(pairings::deleted_at.is_null())
        .filter(pairings::id.ne(except))
        .select((pairings::from_on, pairings::to_on))
        .load(conn)?;
    let overlaps = others.iter().any(|(from, to)| {
        let ends_after = f.to_on.is_none_or(|t| t >= *from);
        let starts_before = to.is_none_or(|t| f.from_on <= t);
        ends_after && starts_before
    });
    if overlaps {
        errs.add(
            "person_id",
            "duplicate",
            "the cadre is already paired with this household then",
        );
    }
    Ok(())
}

fn pairing_json(p: &Pairing) -> serde_json::Value {
    serde_json::json!({"cadre_id": p.fields.cadre_id, "cadre_unit": p.cadre_unit,
        "cadre_post": p.fields.cadre_post, "person_id": p.fields.person_id,
        "from_on": p.fields.from_on, "to_on": p.fields.to_on})
}

fn audit_pairing(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    p: &Pairing,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "pairing",
            entity_id: p.id,
            owner_region: &p.county_code,
            reason: None,
            before,
            after,
        },
    )
}

/// Pairs a cadre with a household of the caller's county (county staff).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &PairingCreate,
) -> Result<(bool, Pairing), ApiError> {
    super::require_county_manager(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "pairing", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, pairings, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
        let unit = cadre_unit(conn, &mut errs, f.cadre_id)?;
        let person = household(conn, user, &mut errs, f.person_id)?;
        check_overlap(conn, &mut errs, f, "")?;
        let (Some(unit), Some(p), true) = (unit, person, errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        let at = now();
        diesel::insert_into(pairings::table)
            .values((
                pairings::id.eq(id.to_string()),
                pairings::cadre_id.eq(f.cadre_id.to_string()),
                pairings::cadre_unit.eq(&unit),
                pairings::cadre_post.eq(f.cadre_post.trim()),
                pairings::person_id.eq(&p.id),
                pairings::household_number.eq(&p.household_number),
                pairings::county_code.eq(&p.county_code),
                pairings::city_code.eq(&p.city_code),
                pairings::from_on.eq(f.from_on),
                pairings::to_on.eq(f.to_on),
                pairings::create_hash.eq(&hash),
                pairings::version.eq(1),
                pairings::created_at.eq(at),
                pairings::created_by.eq(user.id.to_string()),
                pairings::updated_at.eq(at),
                pairings::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let p = get(conn, user, id)?;
        audit_pairing(
            conn,
            user,
            AuditAction::Create,
            &p,
            None,
            Some(pairing_json(&p)),
        )?;
        Ok((true, p))
    })
}

/// Changes a pairing (county staff of its county): post, period; the cadre and the
/// household stay. The version must be current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &PairingInput,
) -> Result<Pairing, ApiError> {
    super::require_county_manager(user)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if !super::manages(user, &before.county_code) {
            return Err(ApiError::NotFound);
        }
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
        if f.cadre_id != before.fields.cadre_id {
            errs.add("cadre_id", "immutable", "pair the new cadre instead");
        }
        if f.person_id != before.fields.person_id {
            errs.add("person_id", "immutable", "pair the new household instead");
        }
        let first_visit: Option<chrono::NaiveDate> = visits::table
            .filter(visits::pairing_id.eq(id.to_string()))
            .filter(visits::deleted_at.is_null())
            .select(diesel::dsl::min(visits::visited_on))
            .first(conn)?;
        let last_visit = before.last_visit_on;
        if first_visit.is_some_and(|d| d < f.from_on) || last_visit.is_some_and(|d| !f.covers(d)) {
            errs.add(
                "to_on",
                "out_of_range",
                "the period must keep the visits recorded",
            );
        }
        check_overlap(conn, &mut errs, f, &id.to_string())?;
        errs.into_result(()).map_err(ApiError::Validation)?;
        let n = diesel::update(
            pairings::table
                .filter(pairings::id.eq(id.to_string()))
                .filter(pairings::version.eq(version)),
        )
        .set((
            pairings::cadre_post.eq(f.cadre_post.trim()),
            pairings::from_on.eq(f.from_on),
            pairings::to_on.eq(f.to_on),
            pairings::version.eq(version + 1),
            pairings::updated_at.eq(now()),
            pairings::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, user, id)?;
        audit_pairing(
            conn,
            user,
            AuditAction::Update,
            &after,
            Some(pairing_json(&before)),
            Some(pairing_json(&after)),
        )?;
        Ok(after)
    })
}

/// Deletes a pairing made in error (county staff); one with visits is kept: end it
/// (set its last day) instead.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    super::require_county_manager(user)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if !super::manages(user, &before.county_code) {
            return Err(ApiError::NotFound);
        }
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        if before.visits > 0 {
            return Err(ApiError::Conflict {
                code: "not_editable",
                detail: "the pairing has visits; end it instead".into(),
            });
        }
        let n = diesel::update(
            pairings::table
                .filter(pairings::id.eq(id.to_string()))
                .filter(pairings::version.eq(version))
                .filter(pairings::deleted_at.is_null()),
        )
        .set((
            pairings::deleted_at.eq(Some(now())),
            pairings::deleted_by.eq(Some(user.id.to_string())),
            pairings::version.eq(version + 1),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        audit_pairing(
            conn,
            user,
            AuditAction::Delete,
            &before,
            Some(pairing_json(&before)),
            None,
        )
    })
}

/// Whether a pairing is in force today.
pub fn in_force(p: &Pairing) -> bool {
    p.fields.covers(today())
}
