//! Canteen purchases of farm produce (measure 17) and the share bought from the key
//! poverty counties; reads start from [`visible`].
//!
//! A purchase belongs to the DPF whose canteen bought: the region of the recording
//! user's unit (a provincial department records for the provincial DPF, `43`). Its
//! `county_code` column holds that region code and `city_code` its city, so the scope
//! filter of every table applies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::duties::{
    light, share_bp, ConsumptionKpi, ConsumptionRow, CountyList, Purchase, PurchaseCreate,
    PurchaseInput, PurchaseSums, PurchaseUpdate, SHARE_THRESHOLD_BP, SHARE_THRESHOLD_KEY_BP,
};
use shared::FieldErrors;
use uuid::Uuid;

use super::lists;
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{canteen_purchases, county_lists, org_units};
use crate::db::{now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::plan::aggregates::{Atom, Subjects};
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

type Row = (
    String,
    i64,
    String,
    NaiveDate,
    String,
    Option<String>,
    i64,
    bool,
    bool,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// Live purchases in `scope`.
pub fn visible(scope: &Scope) -> canteen_purchases::BoxedQuery<'static, Backend> {
    crate::scope_filter!(
        canteen_purchases::table.into_boxed(),
        scope,
        canteen_purchases
    )
    .filter(canteen_purchases::deleted_at.is_null())
}

/// The key poverty counties of each year among `years`.
fn key_counties(
    conn: &mut DbConn,
    years: &BTreeSet<i32>,
) -> Result<BTreeSet<(i32, String)>, ApiError> {
    Ok(county_lists::table
        .filter(county_lists::list.eq(CountyList::KeyPoverty.as_str()))
        .filter(county_lists::year.eq_any(years.iter().copied().collect::<Vec<_>>()))
        .select((county_lists::year, county_lists::county_code))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

fn load(
    conn: &mut DbConn,
    q: canteen_purchases::BoxedQuery<'static, Backend>,
) -> Result<Vec<Purchase>, ApiError> {
    let rows: Vec<Row> = q
        .select((
            canteen_purchases::id,
            canteen_purchases::version,
            canteen_purchases::county_code,
            canteen_purchases::purchased_on,
            canteen_purchases::supplier,
            canteen_purchases::origin_county_code,
            canteen_purchases::amount_fen,
            canteen_purchases::from_poverty_base,
            canteen_purchases::holiday,
            canteen_purchases::goods,
            canteen_purchases::created_at,
            canteen_purchases::updated_at,
        ))
        .load(conn)?;
    let years: BTreeSet<i32> = rows.iter().map(|r| r.3.year()).collect();
    let key = key_counties(conn, &years)?;
    rows.into_iter()
        .map(
            |(id, version, unit, on, supplier, origin, amount, base, holiday, goods, c, u)| {
                let from_key = origin
                    .as_ref()
                    .is_some_and(|o| key.contains(&(on.year(), o.clone())));
                Ok(Purchase {
                    id: uuid(&id)?,
                    version,
                    unit_code: unit,
                    fields: PurchaseInput {
                        purchased_on: on,
                        supplier,
                        origin_county_code: origin,
                        amount_fen: amount,
                        from_poverty_base: base,
                        holiday,
                        goods,
                    },
                    from_key_county: from_key,
                    created_at: utc(c),
                    updated_at: utc(u),
                })
            },
        )
        .collect()
}

/// A purchase in scope.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Purchase, ApiError> {
    load(
        conn,
        visible(scope).filter(canteen_purchases::id.eq(id.to_string())),
    )?
    .pop()
    .ok_or(ApiError::NotFound)
}

/// Filters of the purchase list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Purchases of this year.
    pub year: Option<i32>,
    /// Of this DPF only (its region code).
    pub unit: Option<String>,
}

fn filtered(scope: &Scope, f: &Filter) -> canteen_purchases::BoxedQuery<'static, Backend> {
    let mut q = visible(scope);
    if let Some(y) = f.year {
        let (from, to) = (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX),
        );
        q = q
            .filter(canteen_purchases::purchased_on.ge(from))
            .filter(canteen_purchases::purchased_on.le(to));
    }
    if let Some(u) = &f.unit {
        q = q.filter(canteen_purchases::county_code.eq(u.clone()));
    }
    q
}

/// A page of purchases in scope, newest first by day (then id), after `after` (the day
/// and id of the previous page's last purchase).
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    f: &Filter,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> Result<Vec<Purchase>, ApiError> {
    let mut q = filtered(scope, f)
        .order((
            canteen_purchases::purchased_on.desc(),
            canteen_purchases::id.desc(),
        ))
        .limit(limit);
    if let Some((day, id)) = after {
        q = q.filter(
            canteen_purchases::purchased_on
                .lt(day)
                .or(canteen_purchases::purchased_on
                    .eq(day)
                    .and(canteen_purchases::id.lt(id))),
        );
    }
    load(conn, q)
}

/// Every purchase in scope and filter, in date order (the export).
pub fn all(conn: &mut DbConn, scope: &Scope, f: &Filter) -> Result<Vec<Purchase>, ApiError> {
    load(
        conn,
        filtered(scope, f).order((
            canteen_purchases::purchased_on.asc(),
            canteen_purchases::id.asc(),
        )),
    )
}

/// The DPF whose canteen a user records for: their unit's region.
fn own_unit(conn: &mut DbConn, user: &AuthUser) -> Result<String, ApiError> {
    let region = crate::org::queries::region_of(conn, &user.unit_code)?
        .ok_or_else(|| ApiError::Forbidden("your unit has no region".into()))?;
    if !user.scope.covers_region(&region) {
        return Err(ApiError::Forbidden(
            "your unit lies outside your area".into(),
        ));
    }
    Ok(region)
}

fn check(conn: &mut DbConn, f: &PurchaseInput) -> Result<(), ApiError> {
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    if let Some(c) = f.origin_county_code.as_deref().map(str::trim) {
        if errs.0.iter().all(|e| e.field != "origin_county_code") {
            let known: i64 = org_units::table
                .filter(org_units::code.eq(c))
                .filter(org_units::kind.eq(shared::OrgUnitKind::County.as_str()))
                .count()
                .get_result(conn)?;
            if known == 0 {
                errs.add(
                    "origin_county_code",
                    "unknown_county",
                    "not a county of Hunan",
                );
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errs.0))
    }
}

fn json(p: &Purchase) -> serde_json::Value {
    serde_json::to_value(&p.fields).unwrap_or_default()
}

fn trimmed(f: &PurchaseInput) -> PurchaseInput {
    PurchaseInput {
        supplier: f.supplier.trim().to_owned(),
        origin_county_code: f
            .origin_county_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        goods: f
            .goods
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned),
        ..f.clone()
    }
}

/// Records a purchase of the caller's own DPF's canteen.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &PurchaseCreate,
) -> Result<(bool, Purchase), ApiError> {
    let hash = record::create_digest(pii, "canteen_purchase", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, canteen_purchases, id, &hash, user)? {
            return Ok((false, get(conn, &user.scope, id)?));
        }
        let unit = own_unit(conn, user)?;
        check(conn, &body.fields)?;
        let f = trimmed(&body.fields);
        let at = now();
        diesel::insert_into(canteen_purchases::table)
            .values((
                canteen_purchases::id.eq(id.to_string()),
                canteen_purchases::county_code.eq(&unit),
                canteen_purchases::city_code.eq(super::city_of(&unit)),
                canteen_purchases::purchased_on.eq(f.purchased_on),
                canteen_purchases::supplier.eq(&f.supplier),
                canteen_purchases::origin_county_code.eq(&f.origin_county_code),
                canteen_purchases::amount_fen.eq(f.amount_fen),
                canteen_purchases::from_poverty_base.eq(f.from_poverty_base),
                canteen_purchases::holiday.eq(f.holiday),
                canteen_purchases::goods.eq(&f.goods),
                canteen_purchases::create_hash.eq(&hash),
                canteen_purchases::version.eq(1),
                canteen_purchases::created_at.eq(at),
                canteen_purchases::created_by.eq(user.id.to_string()),
                canteen_purchases::updated_at.eq(at),
                canteen_purchases::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let p = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "canteen_purchase",
                entity_id: id,
                owner_region: &unit,
                reason: None,
                before: None,
                after: Some(json(&p)),
            },
        )?;
        Ok((true, p))
    })
}

/// The purchase `id` if it is the caller's own DPF's (others in scope may read it, but
/// only its own DPF changes it): else 404 when out of scope, 403 when another DPF's.
fn own(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Purchase, ApiError> {
    let p = get(conn, &user.scope, id)?;
    if p.unit_code != own_unit(conn, user)? {
        return Err(ApiError::Forbidden(
            "only the DPF whose canteen bought changes its purchases".into(),
        ));
    }
    Ok(p)
}

/// Replaces a purchase's fields if `version` is current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &PurchaseUpdate,
) -> Result<Purchase, ApiError> {
    write_tx(conn, |conn| {
        let before = own(conn, user, id)?;
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        check(conn, &body.fields)?;
        let f = trimmed(&body.fields);
        let n = diesel::update(
            canteen_purchases::table
                .filter(canteen_purchases::id.eq(id.to_string()))
                .filter(canteen_purchases::version.eq(body.version))
                .filter(canteen_purchases::deleted_at.is_null()),
        )
        .set((
            canteen_purchases::purchased_on.eq(f.purchased_on),
            canteen_purchases::supplier.eq(&f.supplier),
            canteen_purchases::origin_county_code.eq(&f.origin_county_code),
            canteen_purchases::amount_fen.eq(f.amount_fen),
            canteen_purchases::from_poverty_base.eq(f.from_poverty_base),
            canteen_purchases::holiday.eq(f.holiday),
            canteen_purchases::goods.eq(&f.goods),
            canteen_purchases::version.eq(body.version + 1),
            canteen_purchases::updated_at.eq(now()),
            canteen_purchases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "canteen_purchase",
                entity_id: id,
                owner_region: &after.unit_code,
                reason: None,
                before: Some(json(&before)),
                after: Some(json(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Deletes a purchase recorded in error (kept as a tombstone).
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = own(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let at = now();
        let n = diesel::update(
            canteen_purchases::table
                .filter(canteen_purchases::id.eq(id.to_string()))
                .filter(canteen_purchases::version.eq(version))
                .filter(canteen_purchases::deleted_at.is_null()),
        )
        .set((
            canteen_purchases::deleted_at.eq(at),
            canteen_purchases::deleted_by.eq(user.id.to_string()),
            canteen_purchases::version.eq(version + 1),
            canteen_purchases::updated_at.eq(at),
            canteen_purchases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "canteen_purchase",
                entity_id: id,
                owner_region: &before.unit_code,
                reason: None,
                before: Some(json(&before)),
                after: None,
            },
        )
    })
}

/// One purchase as the share counts it.
#[derive(Debug, Clone)]
pub struct Fact {
    /// Purchase id.
    pub id: String,
    /// The DPF (region code).
    pub unit: String,
    /// Day.
    pub day: NaiveDate,
    /// Fen.
    pub amount: i64,
    /// From a key poverty county of its year.
    pub key: bool,
    /// From a base.
    pub base: bool,
    /// Holiday goods.
    pub holiday: bool,
}

/// A purchase as [`facts`] loads it: id, DPF, day, origin, fen, base, holiday.
type FactRow = (String, String, NaiveDate, Option<String>, i64, bool, bool);

/// The live purchases of `region` (its DPF and those below) in `year` (every year for
/// none), or of the purchases `only`.
pub fn facts(
    conn: &mut DbConn,
    region: Option<&str>,
    year: Option<i32>,
    only: Subjects<'_>,
) -> Result<Vec<Fact>, ApiError> {
    let mut q = canteen_purchases::table
        .filter(canteen_purchases::deleted_at.is_null())
        .into_boxed();
    if let Some(r) = region {
        q = match r.len() {
            2 => q,
            4 => q.filter(canteen_purchases::city_code.eq(r.to_owned())),
            _ => q.filter(canteen_purchases::county_code.eq(r.to_owned())),
        };
    }
    if let Some(y) = year {
        q = q
            .filter(
                canteen_purchases::purchased_on
                    .ge(NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN)),
            )
            .filter(
                canteen_purchases::purchased_on
                    .le(NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX)),
            );
    }
    if let Subjects::Only(ids) = only {
        q = q.filter(canteen_purchases::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<FactRow> = q
        .select((
            canteen_purchases::id,
            canteen_purchases::county_code,
            canteen_purchases::purchased_on,
            canteen_purchases::origin_county_code,
            canteen_purchases::amount_fen,
            canteen_purchases::from_poverty_base,
            canteen_purchases::holiday,
        ))
        .load(conn)?;
    let years: BTreeSet<i32> = rows.iter().map(|r| r.2.year()).collect();
    let key = key_counties(conn, &years)?;
    Ok(rows
        .into_iter()
        .map(|(id, unit, day, origin, amount, base, holiday)| Fact {
            key: origin.is_some_and(|o| key.contains(&(day.year(), o))),
            id,
            unit,
            day,
            amount,
            base,
            holiday,
        })
        .collect())
}

fn sums<'a>(facts: impl Iterator<Item = &'a Fact>) -> PurchaseSums {
    let mut s = PurchaseSums::default();
    for f in facts {
        s.purchases += 1;
        s.total_fen = s.total_fen.saturating_add(f.amount);
        if f.key {
            s.key_county_fen = s.key_county_fen.saturating_add(f.amount);
        }
        if f.base {
            s.poverty_base_fen = s.poverty_base_fen.saturating_add(f.amount);
        }
        if f.holiday {
            s.holiday_fen = s.holiday_fen.saturating_add(f.amount);
            if f.key || f.base {
                s.holiday_poor_fen = s.holiday_poor_fen.saturating_add(f.amount);
            }
        }
    }
    s.share_bp = share_bp(s.key_county_fen, s.total_fen);
    s
}

/// Measure 17's figures of `unit` (a region code in scope) and the units below it.
pub fn kpi(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
) -> Result<ConsumptionKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let facts = facts(conn, Some(&region), Some(year), Subjects::All)?;
    let key_list: BTreeSet<String> = lists::counties(conn, year, CountyList::KeyPoverty)?
        .into_iter()
        .collect();
    let row = |code: &str, name: String| -> ConsumptionRow {
        let own = sums(facts.iter().filter(|f| f.unit == code));
        let key_county = key_list.contains(code);
        let threshold_bp = if key_county {
            SHARE_THRESHOLD_KEY_BP
        } else {
            SHARE_THRESHOLD_BP
        };
        ConsumptionRow {
            unit_code: code.to_owned(),
            unit_name: name,
            key_county,
            light: light(own.share_bp, threshold_bp),
            own,
            threshold_bp,
            area: sums(facts.iter().filter(|f| f.unit.starts_with(code))),
        }
    };
    let (name, children) = crate::kpi::units_below(conn, &region)?;
    Ok(ConsumptionKpi {
        year,
        list_set: !key_list.is_empty(),
        total: row(&region, name),
        children: children.into_iter().map(|(c, n)| row(&c, n)).collect(),
    })
}

/// The plan layer's atoms of the share (`consumption.key_county_share`): one per
/// purchase, in its DPF's region, the key-county fen over all fen.
pub fn share_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    Ok(facts(conn, None, None, subjects)?
        .into_iter()
        .map(|f| Atom {
            subject: f.id,
            county: f.unit,
            year: f.day.year(),
            day: Some(f.day),
            numerator: if f.key { f.amount } else { 0 },
            denominator: f.amount,
            records: 1,
            valid_until: None,
        })
        .collect())
}

/// The purchases whose atoms a write may change: the purchase itself; every purchase
/// when a county list changes (its key counties decide the numerators).
pub fn share_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[Uuid],
) -> Result<Vec<String>, ApiError> {
    Ok(match entity_type {
        "canteen_purchase" => ids.iter().map(ToString::to_string).collect(),
        "county_list" => canteen_purchases::table
            .select(canteen_purchases::id)
            .load(conn)?,
        _ => Vec::new(),
    })
}

/// The share's parts for `parent` and each of `children` (the reference the plan
/// layer's aggregates are tested against).
pub fn share_figures(
    conn: &mut DbConn,
    parent: &str,
    children: &[String],
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Result<BTreeMap<String, crate::plan::indicators::Parts>, ApiError> {
    let facts: Vec<Fact> = facts(conn, Some(parent), Some(year), Subjects::All)?
        .into_iter()
        .filter(|f| window.is_none_or(|(a, b)| f.day >= a && f.day <= b))
        .collect();
    Ok(std::iter::once(parent)
        .chain(children.iter().map(String::as_str))
        .map(|u| {
            let s = sums(facts.iter().filter(|f| f.unit.starts_with(u)));
            (
                u.to_owned(),
                crate::plan::indicators::Parts {
                    numerator: s.key_county_fen,
                    denominator: Some(s.total_fen),
                    record_count: s.purchases,
                },
            )
        })
        .collect())
}

/// The purchases behind the share of `unit` in `year`, in id order after `after`.
pub fn share_records(
    conn: &mut DbConn,
    unit: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    let facts = facts(conn, Some(unit), Some(year), Subjects::All)?;
    let mut facts: Vec<Fact> = facts
        .into_iter()
        .filter(|f| window.is_none_or(|(a, b)| f.day >= a && f.day <= b))
        .filter(|f| after.is_none_or(|a| f.id > a.to_string()))
        .collect();
    facts.sort_by(|a, b| a.id.cmp(&b.id));
    facts.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<String> = facts.iter().map(|f| f.id.clone()).collect();
    let suppliers: HashMap<String, String> = canteen_purchases::table
        .filter(canteen_purchases::id.eq_any(&ids))
        .select((canteen_purchases::id, canteen_purchases::supplier))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(facts
        .into_iter()
        .map(|f| shared::plan::FigureRecord {
            label: suppliers.get(&f.id).cloned().unwrap_or_default(),
            id: f.id,
            kind: "canteen_purchase".into(),
            county_code: f.unit,
            date: Some(f.day),
            person_masked: None,
            id_number_masked: None,
            amount_fen: Some(f.amount),
            in_numerator: f.key,
        })
        .collect())
}

/// The purchase ledger in the caller's scope and filter as a table; the export is
/// audited.
pub fn export(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &Filter,
) -> Result<crate::tabular::Table, ApiError> {
    let rows = all(conn, &user.scope, f)?;
    let names: HashMap<String, String> = org_units::table
        .select((org_units::code, org_units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let name = |c: &str| names.get(c).cloned().unwrap_or_default();
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let table = crate::tabular::Table {
        headers: [
            "采购单位代码",
            "采购单位",
            "采购日期",
            "供应商",
            "产地县市区代码",
            "产地县市区",
            "是否51个重点县",
            "金额（元）",
            "是否扶贫基地",
            "是否节日福利",
            "品名",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|p| {
                let origin = p.fields.origin_county_code.clone().unwrap_or_default();
                vec![
                    p.unit_code.clone(),
                    name(&p.unit_code),
                    p.fields.purchased_on.to_string(),
                    p.fields.supplier.clone(),
                    origin.clone(),
                    name(&origin),
                    yes(p.from_key_county),
                    shared::money::format_hundredths(p.fields.amount_fen),
                    yes(p.fields.from_poverty_base),
                    yes(p.fields.holiday),
                    p.fields.goods.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        choices: Vec::new(),
    };
    write_tx(conn, |conn| {
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Export,
                entity_type: "canteen_purchase",
                entity_id: Uuid::nil(),
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(
                    serde_json::json!({"rows": rows.len(), "year": f.year, "unit": f.unit}),
                ),
            },
        )
    })?;
    Ok(table)
}
