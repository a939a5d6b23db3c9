//! The retrofit item code list and the per-household caps: data the province maintains
//! (see [`super::require_maintainer`]), read by everyone who works with retrofits.

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use shared::api::AuditAction;
use shared::retrofit::{
    valid_item_code, RetrofitCap, RetrofitItem, RetrofitItemCreate, RetrofitItemInput, MAX_CAP_FEN,
};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{retrofit_caps, retrofit_items};
use crate::db::{code, now, write_tx, DbConn};
use crate::error::ApiError;

/// A row of `retrofit_items`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = retrofit_items)]
pub struct ItemRow {
    /// Code.
    pub code: String,
    /// Name (zh).
    pub name_zh: String,
    /// Name (en).
    pub name_en: String,
    /// Unit.
    pub unit: String,
    /// Category served.
    pub serves: Option<String>,
    /// Offered.
    pub active: bool,
    /// Order.
    pub sort_order: i32,
    /// Version.
    pub version: i64,
}

impl ItemRow {
    fn to_api(&self) -> Result<RetrofitItem, ApiError> {
        Ok(RetrofitItem {
            code: self.code.clone(),
            version: self.version,
            fields: RetrofitItemInput {
                name_zh: self.name_zh.clone(),
                name_en: self.name_en.clone(),
                unit: self.unit.clone(),
                serves: self.serves.as_deref().map(code).transpose()?,
                active: self.active,
                sort_order: self.sort_order,
            },
        })
    }
}

/// A stable id for the audit log of a record keyed by text (an item code, a year).
fn audit_id(kind: &str, key: &str) -> Uuid {
    let digest = Sha256::digest(format!("{kind}:{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// Every item, in pick-list order.
pub fn list(conn: &mut DbConn) -> Result<Vec<RetrofitItem>, ApiError> {
    retrofit_items::table
        .order((retrofit_items::sort_order.asc(), retrofit_items::code.asc()))
        .select(ItemRow::as_select())
        .load::<ItemRow>(conn)?
        .iter()
        .map(ItemRow::to_api)
        .collect()
}

/// One item row, 404 if none.
pub fn row(conn: &mut DbConn, code: &str) -> Result<ItemRow, ApiError> {
    Ok(retrofit_items::table
        .find(code)
        .select(ItemRow::as_select())
        .first(conn)?)
}

fn check_unique_name(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    code: &str,
    name_zh: &str,
) -> Result<(), ApiError> {
    let taken: i64 = retrofit_items::table
        .filter(retrofit_items::name_zh.eq(name_zh.trim()))
        .filter(retrofit_items::code.ne(code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        errs.add("name_zh", "duplicate", "another item has this name");
    }
    Ok(())
}

fn audit_item(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    before: Option<&RetrofitItem>,
    after: &RetrofitItem,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "retrofit_item",
            entity_id: audit_id("retrofit_item", &after.code),
            owner_region: "43",
            reason: None,
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(after).ok(),
        },
    )
}

/// Adds an item (province). A create of an existing code with the same fields answers
/// it (200); with other fields, 409.
pub fn create(
    conn: &mut DbConn,
    user: &AuthUser,
    body: &RetrofitItemCreate,
) -> Result<(bool, RetrofitItem), ApiError> {
    super::require_maintainer(user)?;
    let mut errs = FieldErrors::new();
    errs.0
        .extend(body.fields.validate().err().unwrap_or_default());
    if !valid_item_code(&body.code) {
        errs.add("code", "invalid_code", "2 to 40 of a-z, 0-9 and _");
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        if let Some(existing) = retrofit_items::table
            .find(&body.code)
            .select(ItemRow::as_select())
            .first(conn)
            .optional()?
        {
            let existing = existing.to_api()?;
            let mut same = body.fields.clone();
            same.name_zh = same.name_zh.trim().to_owned();
            same.name_en = same.name_en.trim().to_owned();
            same.unit = same.unit.trim().to_owned();
            return if existing.fields == same {
                Ok((false, existing))
            } else {
                Err(ApiError::Conflict {
                    code: "id_conflict",
                    detail: "an item with this code exists with other fields".into(),
                })
            };
        }
        let mut errs = FieldErrors::new();
        check_unique_name(conn, &mut errs, &body.code, &body.fields.name_zh)?;
        errs.into_result(()).map_err(ApiError::Validation)?;
        let f = &body.fields;
        let at = now();
        diesel::insert_into(retrofit_items::table)
            .values((
                retrofit_items::code.eq(&body.code),
                retrofit_items::name_zh.eq(f.name_zh.trim()),
                retrofit_items::name_en.eq(f.name_en.trim()),
                retrofit_items::unit.eq(f.unit.trim()),
                retrofit_items::serves.eq(f.serves.map(|s| s.as_str())),
                retrofit_items::active.eq(f.active),
                retrofit_items::sort_order.eq(f.sort_order),
                retrofit_items::version.eq(1),
                retrofit_items::created_at.eq(at),
                retrofit_items::created_by.eq(user.id.to_string()),
                retrofit_items::updated_at.eq(at),
                retrofit_items::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let item = row(conn, &body.code)?.to_api()?;
        audit_item(conn, user, AuditAction::Create, None, &item)?;
        Ok((true, item))
    })
}

/// Changes an item (province); the version must be current. An item in plans is never
/// deleted: retire it with `active: false`.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    item_code: &str,
    version: i64,
    f: &RetrofitItemInput,
) -> Result<RetrofitItem, ApiError> {
    super::require_maintainer(user)?;
    f.validate().map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        let before = row(conn, item_code)?.to_api()?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let mut errs = FieldErrors::new();
        check_unique_name(conn, &mut errs, item_code, &f.name_zh)?;
        errs.into_result(()).map_err(ApiError::Validation)?;
        let n = diesel::update(
            retrofit_items::table
                .find(item_code)
                .filter(retrofit_items::version.eq(version)),
        )
        .set((
            retrofit_items::name_zh.eq(f.name_zh.trim()),
            retrofit_items::name_en.eq(f.name_en.trim()),
            retrofit_items::unit.eq(f.unit.trim()),
            retrofit_items::serves.eq(f.serves.map(|s| s.as_str())),
            retrofit_items::active.eq(f.active),
            retrofit_items::sort_order.eq(f.sort_order),
            retrofit_items::version.eq(version + 1),
            retrofit_items::updated_at.eq(now()),
            retrofit_items::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let after = row(conn, item_code)?.to_api()?;
        audit_item(conn, user, AuditAction::Update, Some(&before), &after)?;
        Ok(after)
    })
}

/// Every year's cap, newest first.
pub fn caps(conn: &mut DbConn) -> Result<Vec<RetrofitCap>, ApiError> {
    Ok(retrofit_caps::table
        .order(retrofit_caps::year.desc())
        .select((
            retrofit_caps::year,
            retrofit_caps::cap_fen,
            retrofit_caps::version,
        ))
        .load::<(i32, i64, i64)>(conn)?
        .into_iter()
        .map(|(year, cap_fen, version)| RetrofitCap {
            year,
            cap_fen,
            version,
        })
        .collect())
}

/// The cap of a programme year, if set.
pub fn cap_of(conn: &mut DbConn, year: i32) -> Result<Option<i64>, ApiError> {
    Ok(retrofit_caps::table
        .find(year)
        .select(retrofit_caps::cap_fen)
        .first(conn)
        .optional()?)
}

/// Sets a year's cap (province): a new year takes no version (or 0), an existing one its
/// current version.
pub fn set_cap(
    conn: &mut DbConn,
    user: &AuthUser,
    year: i32,
    version: Option<i64>,
    cap_fen: i64,
) -> Result<RetrofitCap, ApiError> {
    super::require_maintainer(user)?;
    let mut errs = FieldErrors::new();
    if !(2000..=2100).contains(&year) {
        errs.add("year", "out_of_range", "a year from 2000 to 2100");
    }
    if !(0..=MAX_CAP_FEN).contains(&cap_fen) {
        errs.add("cap_fen", "out_of_range", "0 to 1,000,000 yuan");
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    write_tx(conn, |conn| {
        let before: Option<(i64, i64)> = retrofit_caps::table
            .find(year)
            .select((retrofit_caps::cap_fen, retrofit_caps::version))
            .first(conn)
            .optional()?;
        let at = now();
        let new_version = match (before, version) {
            (None, None | Some(0)) => {
                diesel::insert_into(retrofit_caps::table)
                    .values((
                        retrofit_caps::year.eq(year),
                        retrofit_caps::cap_fen.eq(cap_fen),
                        retrofit_caps::version.eq(1),
                        retrofit_caps::updated_at.eq(at),
                        retrofit_caps::updated_by.eq(user.id.to_string()),
                    ))
                    .execute(conn)?;
                1
            }
            (Some((_, current)), Some(v)) if v == current => {
                let n = diesel::update(
                    retrofit_caps::table
                        .find(year)
                        .filter(retrofit_caps::version.eq(v)),
                )
                .set((
                    retrofit_caps::cap_fen.eq(cap_fen),
                    retrofit_caps::version.eq(v + 1),
                    retrofit_caps::updated_at.eq(at),
                    retrofit_caps::updated_by.eq(user.id.to_string()),
                ))
                .execute(conn)?;
                crate::record::changed(n)?;
                v + 1
            }
            (Some(_), None) => return Err(crate::extract::version_required()),
            _ => return Err(ApiError::stale_version()),
        };
        let after = RetrofitCap {
            year,
            cap_fen,
            version: new_version,
        };
        audit::record(
            conn,
            Event {
                actor: user,
                action: if before.is_some() {
                    AuditAction::Update
                } else {
                    AuditAction::Create
                },
                entity_type: "retrofit_cap",
                entity_id: audit_id("retrofit_cap", &year.to_string()),
                owner_region: "43",
                reason: None,
                before: before.map(|(c, v)| serde_json::json!({"cap_fen": c, "version": v})),
                after: serde_json::to_value(after).ok(),
            },
        )?;
        Ok(after)
    })
}
