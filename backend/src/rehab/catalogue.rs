//! The assistive device catalogue: items with their GB/T 16432 code, eligibility and
//! service life, and a subsidy cap per programme year. Province-wide data, kept by the
//! provincial devices centre.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::rehab::{DeviceCap, DeviceItem, DeviceItemCreate, DeviceItemInput};
use shared::{DisabilityCategory, FieldErrors};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{device_caps, device_codes, device_items};
use crate::db::{code, now, uuid, write_tx, DbConn};
use crate::error::ApiError;

/// A row of `device_items`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = device_items)]
pub struct ItemRow {
    /// Id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Edition.
    pub edition: String,
    /// Name zh.
    pub name_zh: String,
    /// Name en.
    pub name_en: String,
    /// Comma-separated categories.
    pub categories: String,
    /// Unit.
    pub unit: String,
    /// Service life.
    pub service_life_years: i32,
    /// Eligible levels up to.
    pub max_level: Option<i32>,
    /// Assessment required.
    pub assessment_required: bool,
    /// Active.
    pub active: bool,
    /// Version.
    pub version: i64,
}

impl ItemRow {
    /// The categories it serves.
    pub fn categories(&self) -> Result<Vec<DisabilityCategory>, ApiError> {
        self.categories
            .split(',')
            .filter(|s| !s.is_empty())
            .map(code)
            .collect()
    }
}

/// Filters of `GET /api/v1/rehab/catalogue`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Name (zh or en) or code contains this.
    pub q: Option<String>,
    /// Only items serving this category.
    pub category: Option<DisabilityCategory>,
    /// Only active (true) or retired (false) items.
    pub active: Option<bool>,
}

/// The user may change the catalogue: the devices centre's capability, at the province.
pub fn require_maintainer(user: &AuthUser) -> Result<(), ApiError> {
    user.require(shared::auth::Capability::MaintainCatalogue)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "the catalogue is kept by the provincial devices centre".into(),
        ));
    }
    Ok(())
}

/// An item row, 404 if there is none.
pub fn row(conn: &mut DbConn, id: &str) -> Result<ItemRow, ApiError> {
    Ok(device_items::table
        .find(id)
        .select(ItemRow::as_select())
        .first(conn)?)
}

/// The cap per unit of `item` for `year`, if one is set.
pub fn cap(conn: &mut DbConn, item: &str, year: i32) -> Result<Option<i64>, ApiError> {
    Ok(device_caps::table
        .find((item, year))
        .select(device_caps::cap_fen)
        .first(conn)
        .optional()?)
}

fn title(conn: &mut DbConn, edition: &str, code6: &str) -> Result<String, ApiError> {
    let prefixes: Vec<String> = [2, 4, 6]
        .iter()
        .filter_map(|n| code6.get(..*n).map(str::to_owned))
        .collect();
    let mut rows: Vec<(String, String)> = device_codes::table
        .filter(device_codes::edition.eq(edition))
        .filter(device_codes::code.eq_any(prefixes))
        .select((device_codes::code, device_codes::title_zh))
        .load(conn)?;
    rows.sort();
    Ok(rows
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(" › "))
}

/// An item as the API shows it.
pub fn to_api(conn: &mut DbConn, r: &ItemRow) -> Result<DeviceItem, ApiError> {
    let caps: Vec<(i32, i64)> = device_caps::table
        .filter(device_caps::item_id.eq(&r.id))
        .order(device_caps::year.desc())
        .select((device_caps::year, device_caps::cap_fen))
        .load(conn)?;
    Ok(DeviceItem {
        id: uuid(&r.id)?,
        version: r.version,
        fields: DeviceItemInput {
            code: r.code.clone(),
            edition: r.edition.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            categories: r.categories()?,
            unit: r.unit.clone(),
            service_life_years: r.service_life_years,
            max_level: r.max_level.and_then(|l| u8::try_from(l).ok()),
            assessment_required: r.assessment_required,
            active: r.active,
        },
        code_title: title(conn, &r.edition, &r.code)?,
        caps: caps
            .into_iter()
            .map(|(year, cap_fen)| DeviceCap { year, cap_fen })
            .collect(),
    })
}

/// One item.
pub fn get(conn: &mut DbConn, id: Uuid) -> Result<DeviceItem, ApiError> {
    let r = row(conn, &id.to_string())?;
    to_api(conn, &r)
}

/// The catalogue, by code.
pub fn list(conn: &mut DbConn, f: &CatalogueQuery) -> Result<Vec<DeviceItem>, ApiError> {
    let mut q = device_items::table.into_boxed();
    if let Some(a) = f.active {
        q = q.filter(device_items::active.eq(a));
    }
    if let Some(c) = f.category {
        q = q.filter(device_items::categories.like(format!("%{}%", c.as_str())));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if text.chars().count() > 50 {
            return Err(ApiError::field("q", "too_long", "at most 50 characters"));
        }
        let pattern = format!("%{}%", text.replace(['%', '_', '\\'], ""));
        q = q.filter(
            device_items::name_zh
                .like(pattern.clone())
                .or(device_items::name_en.like(pattern.clone()))
                .or(device_items::code.like(pattern)),
        );
    }
    let rows: Vec<ItemRow> = q
        .order((device_items::code.asc(), device_items::name_zh.asc()))
        .select(ItemRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r)).collect()
}

fn categories_text(f: &DeviceItemInput) -> String {
    let mut cats: Vec<&str> = f.categories.iter().map(|c| c.as_str()).collect();
    cats.sort_unstable();
    cats.dedup();
    cats.join(",")
}

/// Checks an item against the code list and the other items' names.
fn check(conn: &mut DbConn, f: &DeviceItemInput, except: &str) -> Result<(), ApiError> {
    let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
    if errs.is_empty() {
        let known: i64 = device_codes::table
            .filter(device_codes::edition.eq(&f.edition))
            .filter(device_codes::code.eq(&f.code))
            .count()
            .get_result(conn)?;
        if known == 0 {
            errs.add(
                "code",
                "unknown_code",
                format!("{} is not in the {} code list", f.code, f.edition),
            );
        }
        let taken: i64 = device_items::table
            .filter(device_items::name_zh.eq(f.name_zh.trim()))
            .filter(device_items::id.ne(except))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errs.add("name_zh", "duplicate", "another item has this name");
        }
    }
    errs.into_result(()).map_err(ApiError::Validation)
}

fn item_json(i: &DeviceItem) -> serde_json::Value {
    serde_json::json!({"code": i.fields.code, "name_zh": i.fields.name_zh,
        "service_life_years": i.fields.service_life_years, "max_level": i.fields.max_level,
        "active": i.fields.active, "caps": i.caps})
}

fn audit_item(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    id: Uuid,
    before: Option<&DeviceItem>,
    after: &DeviceItem,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "device_item",
            entity_id: id,
            owner_region: "43",
            reason: None,
            before: before.map(item_json),
            after: Some(item_json(after)),
        },
    )
}

/// Adds an item (devices centre). A retry with the same id and body answers the item.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &DeviceItemCreate,
) -> Result<(bool, DeviceItem), ApiError> {
    write_tx(conn, |conn| create_in(conn, pii, user, body))
}

/// [`create`] inside the caller's transaction.
pub fn create_in(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &DeviceItemCreate,
) -> Result<(bool, DeviceItem), ApiError> {
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "device_item", f)?;
    {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        let stored: Option<(Option<String>, String)> = device_items::table
            .find(id.to_string())
            .select((device_items::create_hash, device_items::created_by))
            .first(conn)
            .optional()?;
        if let Some((h, by)) = stored {
            crate::record::replay(
                crate::record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted: false,
                    in_scope: true,
                },
                &hash,
                user,
            )?;
            return Ok((false, get(conn, id)?));
        }
        check(conn, f, &id.to_string())?;
        let at = now();
        diesel::insert_into(device_items::table)
            .values((
                device_items::id.eq(id.to_string()),
                device_items::code.eq(&f.code),
                device_items::edition.eq(&f.edition),
                device_items::name_zh.eq(f.name_zh.trim()),
                device_items::name_en.eq(f.name_en.trim()),
                device_items::categories.eq(categories_text(f)),
                device_items::unit.eq(f.unit.trim()),
                device_items::service_life_years.eq(f.service_life_years),
                device_items::max_level.eq(f.max_level.map(i32::from)),
                device_items::assessment_required.eq(f.assessment_required),
                device_items::active.eq(f.active),
                device_items::create_hash.eq(&hash),
                device_items::version.eq(1),
                device_items::created_at.eq(at),
                device_items::created_by.eq(user.id.to_string()),
                device_items::updated_at.eq(at),
                device_items::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let item = get(conn, id)?;
        audit_item(conn, user, AuditAction::Create, id, None, &item)?;
        Ok((true, item))
    }
}

/// Changes an item (devices centre); the version must be current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &DeviceItemInput,
) -> Result<DeviceItem, ApiError> {
    write_tx(conn, |conn| update_in(conn, user, id, version, f))
}

/// [`update`] inside the caller's transaction.
pub fn update_in(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &DeviceItemInput,
) -> Result<DeviceItem, ApiError> {
    {
        let before = get(conn, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        check(conn, f, &id.to_string())?;
        let n = diesel::update(
            device_items::table
                .filter(device_items::id.eq(id.to_string()))
                .filter(device_items::version.eq(version)),
        )
        .set((
            device_items::code.eq(&f.code),
            device_items::edition.eq(&f.edition),
            device_items::name_zh.eq(f.name_zh.trim()),
            device_items::name_en.eq(f.name_en.trim()),
            device_items::categories.eq(categories_text(f)),
            device_items::unit.eq(f.unit.trim()),
            device_items::service_life_years.eq(f.service_life_years),
            device_items::max_level.eq(f.max_level.map(i32::from)),
            device_items::assessment_required.eq(f.assessment_required),
            device_items::active.eq(f.active),
            device_items::version.eq(version + 1),
            device_items::updated_at.eq(now()),
            device_items::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, id)?;
        audit_item(conn, user, AuditAction::Update, id, Some(&before), &after)?;
        Ok(after)
    }
}

/// Sets an item's cap for a programme year (devices centre). Fittings already recorded
/// keep the cap they were computed with.
pub fn set_cap(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    year: i32,
    cap_fen: i64,
) -> Result<DeviceItem, ApiError> {
    let mut errs = FieldErrors::new();
    if !(2000..=2100).contains(&year) {
        errs.add("year", "out_of_range", "a year from 2000 to 2100");
    }
    if !(0..=shared::rehab::MAX_UNIT_PRICE_FEN).contains(&cap_fen) {
        errs.add("cap_fen", "out_of_range", "0 to 1,000,000 yuan");
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        if get(conn, id)?.version != version {
            return Err(ApiError::stale_version());
        }
        set_cap_in(conn, user, id, year, cap_fen)
    })
}

/// [`set_cap`] inside the caller's transaction (the bounds already checked).
pub fn set_cap_in(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    year: i32,
    cap_fen: i64,
) -> Result<DeviceItem, ApiError> {
    if !(2000..=2100).contains(&year) || !(0..=shared::rehab::MAX_UNIT_PRICE_FEN).contains(&cap_fen)
    {
        return Err(ApiError::field(
            "cap_fen",
            "out_of_range",
            "0 to 1,000,000 yuan",
        ));
    }
    {
        let before = get(conn, id)?;
        let n = diesel::update(device_caps::table.find((id.to_string(), year)))
            .set(device_caps::cap_fen.eq(cap_fen))
            .execute(conn)?;
        if n == 0 {
            diesel::insert_into(device_caps::table)
                .values((
                    device_caps::item_id.eq(id.to_string()),
                    device_caps::year.eq(year),
                    device_caps::cap_fen.eq(cap_fen),
                ))
                .execute(conn)?;
        }
        let n = diesel::update(
            device_items::table
                .find(id.to_string())
                .filter(device_items::version.eq(before.version)),
        )
        .set((
            device_items::version.eq(before.version + 1),
            device_items::updated_at.eq(now()),
            device_items::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = get(conn, id)?;
        audit_item(conn, user, AuditAction::Update, id, Some(&before), &after)?;
        Ok(after)
    }
}
