//! Care providers: kept by the county they serve, read by everyone whose area covers
//! that county. A provider's places bound its placements (see `placements`).

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::care::{PlacementStatus, Provider, ProviderCreate, ProviderInput, ProviderKind};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{care_placements, care_providers};
use crate::db::{code, now, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `care_providers`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = care_providers)]
pub struct ProviderRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// County.
    pub county_code: String,
    /// Places.
    pub places: i32,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Takes placements.
    pub active: bool,
    /// Version.
    pub version: i64,
}

/// Live providers in `scope`.
pub fn visible(scope: &Scope) -> care_providers::BoxedQuery<'static, Backend> {
    crate::scope_filter!(care_providers::table.into_boxed(), scope, care_providers)
        .filter(care_providers::deleted_at.is_null())
}

/// A provider's row in `scope`.
pub fn row(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<ProviderRow, ApiError> {
    Ok(visible(scope)
        .filter(care_providers::id.eq(id))
        .select(ProviderRow::as_select())
        .first(conn)?)
}

/// Places held at `provider` now (placements approved, active or suspended), leaving
/// out the placement `except`.
pub fn occupied(conn: &mut DbConn, provider: &str, except: &str) -> Result<i64, ApiError> {
    let holding: Vec<&str> = PlacementStatus::ALL
        .iter()
        .filter(|s| s.holds_place())
        .map(|s| s.as_str())
        .collect();
    Ok(care_placements::table
        .filter(care_placements::provider_id.eq(provider))
        .filter(care_placements::deleted_at.is_null())
        .filter(care_placements::status.eq_any(holding))
        .filter(care_placements::id.ne(except))
        .count()
        .get_result(conn)?)
}

fn to_api(conn: &mut DbConn, r: ProviderRow) -> Result<Provider, ApiError> {
    let occupied = occupied(conn, &r.id, "")?;
    Ok(Provider {
        id: uuid(&r.id)?,
        version: r.version,
        fields: ProviderInput {
            name: r.name,
            kind: code(&r.kind)?,
            county_code: r.county_code,
            places: r.places,
            address: r.address,
            phone: r.phone,
            active: r.active,
        },
        occupied,
    })
}

/// A provider in the user's scope.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Provider, ApiError> {
    let r = row(conn, &user.scope, &id.to_string())?;
    to_api(conn, r)
}

/// Filters of `GET /api/v1/care/providers`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProviderQuery {
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub area: Option<String>,
    /// Only this kind.
    pub kind: Option<ProviderKind>,
    /// Only providers taking placements (true) or not (false).
    pub active: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of providers in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &ProviderQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Provider>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(area) = f.area.as_deref() {
        q = q.filter(care_providers::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(k) = f.kind {
        q = q.filter(care_providers::kind.eq(k.as_str()));
    }
    if let Some(a) = f.active {
        q = q.filter(care_providers::active.eq(a));
    }
    if let Some(a) = after {
        q = q.filter(care_providers::id.gt(a.to_owned()));
    }
    let rows: Vec<ProviderRow> = q
        .order(care_providers::id.asc())
        .limit(limit)
        .select(ProviderRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| to_api(conn, r)).collect()
}

/// Checks a provider's fields: valid, and of the caller's own county.
fn check(user: &AuthUser, f: &ProviderInput) -> Result<(), ApiError> {
    let mut errs = shared::FieldErrors(f.validate().err().unwrap_or_default());
    if !errs.0.iter().any(|e| e.field == "county_code") && f.county_code != user.scope.region() {
        errs.add(
            "county_code",
            "outside_scope",
            "a county keeps its own providers",
        );
    }
    errs.into_result(()).map_err(ApiError::Validation)
}

fn provider_json(p: &Provider) -> serde_json::Value {
    serde_json::json!({"name": p.fields.name, "kind": p.fields.kind,
        "county_code": p.fields.county_code, "places": p.fields.places,
        "active": p.fields.active})
}

fn audit_provider(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    p: &Provider,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "care_provider",
            entity_id: p.id,
            owner_region: &p.fields.county_code,
            reason: None,
            before,
            after,
        },
    )
}

/// Adds a provider (county care staff, of their own county).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &ProviderCreate,
) -> Result<(bool, Provider), ApiError> {
    super::require_county_writer(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "care_provider", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, care_providers, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        check(user, f)?;
        let at = now();
        let county = f.county_code.as_str();
        diesel::insert_into(care_providers::table)
            .values((
                care_providers::id.eq(id.to_string()),
                care_providers::name.eq(f.name.trim()),
                care_providers::kind.eq(f.kind.as_str()),
                care_providers::county_code.eq(county),
                care_providers::city_code.eq(county.get(..4).unwrap_or(county)),
                care_providers::places.eq(f.places),
                care_providers::address.eq(f.address.as_deref().map(str::trim)),
                care_providers::phone.eq(f.phone.as_deref().map(str::trim)),
                care_providers::active.eq(f.active),
                care_providers::create_hash.eq(&hash),
                care_providers::version.eq(1),
                care_providers::created_at.eq(at),
                care_providers::created_by.eq(user.id.to_string()),
                care_providers::updated_at.eq(at),
                care_providers::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let p = get(conn, user, id)?;
        audit_provider(
            conn,
            user,
            AuditAction::Create,
            &p,
            None,
            Some(provider_json(&p)),
        )?;
        Ok((true, p))
    })
}

/// Changes a provider (county care staff); the version must be current. Its places may
/// not drop below those held now.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &ProviderInput,
) -> Result<Provider, ApiError> {
    super::require_county_writer(user)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        check(user, f)?;
        if i64::from(f.places) < before.occupied {
            return Err(ApiError::field(
                "places",
                "out_of_range",
                format!("{} places are held now", before.occupied),
            ));
        }
        let n = diesel::update(
            care_providers::table
                .filter(care_providers::id.eq(id.to_string()))
                .filter(care_providers::version.eq(version)),
        )
        .set((
            care_providers::name.eq(f.name.trim()),
            care_providers::kind.eq(f.kind.as_str()),
            care_providers::places.eq(f.places),
            care_providers::address.eq(f.address.as_deref().map(str::trim)),
            care_providers::phone.eq(f.phone.as_deref().map(str::trim)),
            care_providers::active.eq(f.active),
            care_providers::version.eq(version + 1),
            care_providers::updated_at.eq(now()),
            care_providers::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, user, id)?;
        audit_provider(
            conn,
            user,
            AuditAction::Update,
            &after,
            Some(provider_json(&before)),
            Some(provider_json(&after)),
        )?;
        Ok(after)
    })
}

/// Deletes a provider that never had a placement (county care staff); one with
/// placements is kept for the record: set it inactive instead.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    super::require_county_writer(user)?;
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let used: i64 = care_placements::table
            .filter(care_placements::provider_id.eq(id.to_string()))
            .count()
            .get_result(conn)?;
        if used > 0 {
            return Err(ApiError::Conflict {
                code: "not_editable",
                detail: "the provider has placements; set it inactive instead".into(),
            });
        }
        let n = diesel::update(
            care_providers::table
                .filter(care_providers::id.eq(id.to_string()))
                .filter(care_providers::version.eq(version))
                .filter(care_providers::deleted_at.is_null()),
        )
        .set((
            care_providers::deleted_at.eq(Some(now())),
            care_providers::deleted_by.eq(Some(user.id.to_string())),
            care_providers::version.eq(version + 1),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        audit_provider(
            conn,
            user,
            AuditAction::Delete,
            &before,
            Some(provider_json(&before)),
            None,
        )
    })
}
