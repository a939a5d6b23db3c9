//! Village links (measure 12, 连千村帮万户): which DPF unit links which village, from /
//! to, households helped, and the activities there; the distinct villages linked per
//! unit against the 140 of the plan. Reads start from [`visible`].
//!
//! A link lies where its village lies (the county sees the links of its villages); it
//! counts where the linking unit is (a provincial department's in the province only, a
//! county DPF's in the county, its city and the province). A village linked by two
//! units counts once in every unit above both.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::duties::{
    LinkActivity, LinkActivityCreate, LinkActivityInput, VillageLink, VillageLinkCreate,
    VillageLinkInput, VillageLinkUpdate, VillagesKpi, VillagesRow,
};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{targets, towns, village_activities, village_links, villages};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::plan::aggregates::{Atom, Subjects};
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A link as loaded: id, version, unit, region, village, county, from, to, households,
/// note, village name.
type Row = (
    String,
    i64,
    String,
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    i64,
    Option<String>,
);

/// Live links in `scope` (by where the village lies).
pub fn visible(scope: &Scope) -> village_links::BoxedQuery<'static, Backend> {
    crate::scope_filter!(village_links::table.into_boxed(), scope, village_links)
        .filter(village_links::deleted_at.is_null())
}

fn load(
    conn: &mut DbConn,
    q: village_links::BoxedQuery<'static, Backend>,
) -> Result<Vec<VillageLink>, ApiError> {
    let rows: Vec<Row> = q
        .select((
            village_links::id,
            village_links::version,
            village_links::unit_code,
            village_links::unit_region,
            village_links::village_code,
            village_links::county_code,
            village_links::from_on,
            village_links::to_on,
            village_links::households_helped,
            village_links::note,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let codes: Vec<String> = rows.iter().map(|r| r.4.clone()).collect();
    let names: HashMap<String, (String, String)> = villages::table
        .inner_join(towns::table)
        .filter(villages::code.eq_any(&codes))
        .select((villages::code, villages::name, towns::name))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(c, v, t)| (c, (v, t)))
        .collect();
    let acts: Vec<(String, String, NaiveDate, String, i64, Option<String>)> =
        village_activities::table
            .filter(village_activities::link_id.eq_any(&ids))
            .filter(village_activities::deleted_at.is_null())
            .order((
                village_activities::on_day.asc(),
                village_activities::id.asc(),
            ))
            .select((
                village_activities::link_id,
                village_activities::id,
                village_activities::on_day,
                village_activities::what,
                village_activities::money_fen,
                village_activities::goods,
            ))
            .load(conn)?;
    let mut by_link: HashMap<String, Vec<LinkActivity>> = HashMap::new();
    for (link, id, on_day, what, money_fen, goods) in acts {
        by_link.entry(link).or_default().push(LinkActivity {
            id: uuid(&id)?,
            fields: LinkActivityInput {
                on_day,
                what,
                money_fen,
                goods,
            },
        });
    }
    rows.into_iter()
        .map(
            |(id, version, unit, region, village, county, from, to, households, note)| {
                let activities = by_link.remove(&id).unwrap_or_default();
                let money_fen = activities
                    .iter()
                    .fold(0i64, |s, a| s.saturating_add(a.fields.money_fen));
                let village_name = names
                    .get(&village)
                    .map(|(v, t)| format!("{t}{v}"))
                    .unwrap_or_default();
                Ok(VillageLink {
                    id: uuid(&id)?,
                    version,
                    unit_code: unit,
                    unit_region: region,
                    fields: VillageLinkInput {
                        village_code: village,
                        from_on: from,
                        to_on: to,
                        households_helped: households,
                        note,
                    },
                    village_name,
                    county_code: county,
                    activities,
                    money_fen,
                })
            },
        )
        .collect()
}

/// A link in scope.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<VillageLink, ApiError> {
    load(
        conn,
        visible(scope).filter(village_links::id.eq(id.to_string())),
    )?
    .pop()
    .ok_or(ApiError::NotFound)
}

/// The links in scope, in force in `year` if given, newest first.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    year: Option<i32>,
) -> Result<Vec<VillageLink>, ApiError> {
    let mut q = visible(scope).order(village_links::id.desc());
    if let Some(y) = year {
        if !(2000..=2100).contains(&y) {
            return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
        }
        let (start, end) = year_days(y);
        q = q.filter(village_links::from_on.le(end)).filter(
            village_links::to_on
                .is_null()
                .or(village_links::to_on.ge(start)),
        );
    }
    load(conn, q.limit(1_000))
}

fn year_days(y: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// The village's county, checked against the caller's area.
fn village_county(conn: &mut DbConn, user: &AuthUser, code: &str) -> Result<String, ApiError> {
    let county: Option<String> = villages::table
        .inner_join(towns::table)
        .filter(villages::code.eq(code))
        .select(towns::county_code)
        .first(conn)
        .optional()?;
    let Some(county) = county else {
        return Err(ApiError::field(
            "village_code",
            "not_found",
            "no such village in the shipped codes",
        ));
    };
    if !user.scope.covers_region(&county) {
        return Err(ApiError::field(
            "village_code",
            "outside_scope",
            "this village lies outside your unit's area",
        ));
    }
    Ok(county)
}

fn json(l: &VillageLink) -> serde_json::Value {
    serde_json::to_value(&l.fields).unwrap_or_default()
}

/// Links the caller's unit with a village of its area.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &VillageLinkCreate,
) -> Result<(bool, VillageLink), ApiError> {
    body.fields.validate(today())?;
    let hash = record::create_digest(pii, "village_link", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, village_links, id, &hash, user)? {
            return Ok((false, get(conn, &user.scope, id)?));
        }
        let f = &body.fields;
        let village = f.village_code.trim();
        let county = village_county(conn, user, village)?;
        let region = crate::org::queries::region_of(conn, &user.unit_code)?
            .ok_or_else(|| ApiError::Forbidden("your unit has no region".into()))?;
        // One link of a unit with a village at a time.
        let open: i64 = village_links::table
            .filter(village_links::unit_code.eq(&user.unit_code))
            .filter(village_links::village_code.eq(village))
            .filter(village_links::deleted_at.is_null())
            .filter(
                village_links::to_on
                    .is_null()
                    .or(village_links::to_on.ge(f.from_on)),
            )
            .count()
            .get_result(conn)?;
        if open > 0 {
            return Err(ApiError::Conflict {
                code: "duplicate",
                detail: "your unit already links this village".into(),
            });
        }
        let at = now();
        diesel::insert_into(village_links::table)
            .values((
                village_links::id.eq(id.to_string()),
                village_links::unit_code.eq(&user.unit_code),
                village_links::unit_region.eq(&region),
                village_links::village_code.eq(village),
                village_links::county_code.eq(&county),
                village_links::city_code.eq(super::city_of(&county)),
                village_links::from_on.eq(f.from_on),
                village_links::to_on.eq(f.to_on),
                village_links::households_helped.eq(f.households_helped),
                village_links::note.eq(f.note.as_deref().map(str::trim)),
                village_links::create_hash.eq(&hash),
                village_links::version.eq(1),
                village_links::created_at.eq(at),
                village_links::created_by.eq(user.id.to_string()),
                village_links::updated_at.eq(at),
                village_links::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let l = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "village_link",
                entity_id: id,
                owner_region: &county,
                reason: None,
                before: None,
                after: Some(json(&l)),
            },
        )?;
        Ok((true, l))
    })
}

/// One link of a unit with a village at a time: 409 when another live link of `unit`
/// with `village` overlaps `f`'s period (`except`: the link being changed). Links of one
/// unit and village are serialised, so two at once cannot both pass.
fn overlap(
    conn: &mut DbConn,
    unit: &str,
    village: &str,
    f: &VillageLinkInput,
    except: Option<&str>,
) -> Result<(), ApiError> {
    crate::db::advisory_lock(conn, &[format!("village_link:{unit}:{village}")])?;
    let mut q = village_links::table
        .filter(village_links::unit_code.eq(unit))
        .filter(village_links::village_code.eq(village))
        .filter(village_links::deleted_at.is_null())
        .filter(
            village_links::to_on
                .is_null()
                .or(village_links::to_on.ge(f.from_on)),
        )
        .into_boxed();
    if let Some(to) = f.to_on {
        q = q.filter(village_links::from_on.le(to));
    }
    if let Some(e) = except {
        q = q.filter(village_links::id.ne(e.to_owned()));
    }
    let n: i64 = q.count().get_result(conn)?;
    if n > 0 {
        return Err(ApiError::Conflict {
            code: "duplicate",
            detail: "your unit already links this village in that period".into(),
        });
    }
    Ok(())
}

/// The link `id` if the caller's unit made it (others in scope read it only).
fn own(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<VillageLink, ApiError> {
    let l = get(conn, &user.scope, id)?;
    if l.unit_code != user.unit_code {
        return Err(ApiError::Forbidden(
            "only the unit that linked the village changes the link".into(),
        ));
    }
    Ok(l)
}

/// Changes a link's dates, households and note (the village stays).
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &VillageLinkUpdate,
) -> Result<VillageLink, ApiError> {
    body.fields.validate(today())?;
    write_tx(conn, |conn| {
        let before = own(conn, user, id)?;
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        if body.fields.village_code.trim() != before.fields.village_code {
            return Err(ApiError::field(
                "village_code",
                "immutable",
                "a link's village does not change: end it and link the other village",
            ));
        }
        let f = &body.fields;
        overlap(
            conn,
            &before.unit_code,
            &before.fields.village_code,
            f,
            Some(&id.to_string()),
        )?;
        if before
            .activities
            .iter()
            .any(|a| a.fields.on_day < f.from_on || f.to_on.is_some_and(|t| a.fields.on_day > t))
        {
            return Err(ApiError::field(
                "to_on",
                "out_of_range",
                "the link's activities would fall outside its period",
            ));
        }
        let n = diesel::update(
            village_links::table
                .filter(village_links::id.eq(id.to_string()))
                .filter(village_links::version.eq(body.version))
                .filter(village_links::deleted_at.is_null()),
        )
        .set((
            village_links::from_on.eq(f.from_on),
            village_links::to_on.eq(f.to_on),
            village_links::households_helped.eq(f.households_helped),
            village_links::note.eq(f.note.as_deref().map(str::trim)),
            village_links::version.eq(body.version + 1),
            village_links::updated_at.eq(now()),
            village_links::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "village_link",
                entity_id: id,
                owner_region: &after.county_code,
                reason: None,
                before: Some(json(&before)),
                after: Some(json(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Deletes a link made in error.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = own(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let at = now();
        let n = diesel::update(
            village_links::table
                .filter(village_links::id.eq(id.to_string()))
                .filter(village_links::version.eq(version))
                .filter(village_links::deleted_at.is_null()),
        )
        .set((
            village_links::deleted_at.eq(at),
            village_links::deleted_by.eq(user.id.to_string()),
            village_links::version.eq(version + 1),
            village_links::updated_at.eq(at),
            village_links::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "village_link",
                entity_id: id,
                owner_region: &before.county_code,
                reason: None,
                before: Some(json(&before)),
                after: None,
            },
        )
    })
}

/// Records an activity in a linked village (the linking unit).
pub fn add_activity(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    link: Uuid,
    body: &LinkActivityCreate,
) -> Result<(bool, VillageLink), ApiError> {
    body.fields.validate(today())?;
    let hash = record::create_digest(pii, "village_activity", &body.fields)?;
    write_tx(conn, |conn| {
        let l = own(conn, user, link)?;
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, String, bool)> = village_activities::table
            .find(id.to_string())
            .select((
                village_activities::create_hash,
                village_activities::created_by,
                village_activities::link_id,
                village_activities::deleted_at.is_not_null(),
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, link_id, deleted)) = stored {
            record::replay(
                record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: link_id == link.to_string(),
                },
                &hash,
                user,
            )?;
            return Ok((false, l));
        }
        let f = &body.fields;
        if f.on_day < l.fields.from_on || l.fields.to_on.is_some_and(|t| f.on_day > t) {
            return Err(ApiError::Validation(
                FieldErrors(vec![shared::FieldError::new(
                    "on_day",
                    "out_of_range",
                    "the day lies outside the link's period",
                )])
                .0,
            ));
        }
        diesel::insert_into(village_activities::table)
            .values((
                village_activities::id.eq(id.to_string()),
                village_activities::link_id.eq(link.to_string()),
                village_activities::on_day.eq(f.on_day),
                village_activities::what.eq(f.what.trim()),
                village_activities::money_fen.eq(f.money_fen),
                village_activities::goods.eq(f.goods.as_deref().map(str::trim)),
                village_activities::create_hash.eq(&hash),
                village_activities::created_at.eq(now()),
                village_activities::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "village_link",
                entity_id: link,
                owner_region: &l.county_code,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"activity": id, "fields": f})),
            },
        )?;
        Ok((true, get(conn, &user.scope, link)?))
    })
}

/// One link as the KPI counts it.
struct Fact {
    id: String,
    village: String,
    region: String,
    from: NaiveDate,
    to: Option<NaiveDate>,
    households: i64,
}

fn facts(conn: &mut DbConn, only: Option<&[String]>) -> Result<Vec<Fact>, ApiError> {
    let mut q = village_links::table
        .filter(village_links::deleted_at.is_null())
        .into_boxed();
    if let Some(v) = only {
        q = q.filter(village_links::village_code.eq_any(v.to_vec()));
    }
    let rows: Vec<(String, String, String, NaiveDate, Option<NaiveDate>, i64)> = q
        .select((
            village_links::id,
            village_links::village_code,
            village_links::unit_region,
            village_links::from_on,
            village_links::to_on,
            village_links::households_helped,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, village, region, from, to, households)| Fact {
            id,
            village,
            region,
            from,
            to,
            households,
        })
        .collect())
}

fn in_force(f: &Fact, year: i32) -> bool {
    let (start, end) = year_days(year);
    f.from <= end && f.to.is_none_or(|t| t >= start)
}

/// Measure 12's figures of `unit` (a region in scope) and the units below it in `year`.
pub fn kpi(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
    year: i32,
) -> Result<VillagesKpi, ApiError> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "out_of_range", "2000 to 2100"));
    }
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let facts: Vec<Fact> = facts(conn, None)?
        .into_iter()
        .filter(|f| in_force(f, year) && f.region.starts_with(&region))
        .collect();
    let ids: Vec<String> = facts.iter().map(|f| f.id.clone()).collect();
    let (start, end) = year_days(year);
    let money: Vec<(String, i64)> = village_activities::table
        .filter(village_activities::link_id.eq_any(&ids))
        .filter(village_activities::deleted_at.is_null())
        .filter(village_activities::on_day.ge(start))
        .filter(village_activities::on_day.le(end))
        .select((village_activities::link_id, village_activities::money_fen))
        .load(conn)?;
    let mut money_by: HashMap<&str, i64> = HashMap::new();
    for (l, m) in &money {
        let e = money_by.entry(l.as_str()).or_default();
        *e = e.saturating_add(*m);
    }
    let goals: HashMap<String, i64> = targets::table
        .filter(targets::indicator.eq("villages_linked"))
        .filter(targets::period.eq(year.to_string()))
        .select((targets::unit_code, targets::value))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let row = |code: &str, name: String| -> VillagesRow {
        let mine: Vec<&Fact> = facts
            .iter()
            .filter(|f| f.region.starts_with(code))
            .collect();
        let villages: BTreeSet<&str> = mine.iter().map(|f| f.village.as_str()).collect();
        VillagesRow {
            unit_code: code.to_owned(),
            unit_name: name,
            villages: i64::try_from(villages.len()).unwrap_or(i64::MAX),
            links: i64::try_from(mine.len()).unwrap_or(i64::MAX),
            households_helped: mine
                .iter()
                .fold(0i64, |s, f| s.saturating_add(f.households)),
            money_fen: mine.iter().fold(0i64, |s, f| {
                s.saturating_add(money_by.get(f.id.as_str()).copied().unwrap_or(0))
            }),
            target: goals.get(code).copied(),
        }
    };
    let (name, children) = crate::kpi::units_below(conn, &region)?;
    Ok(VillagesKpi {
        year,
        total: row(&region, name),
        children: children.into_iter().map(|(c, n)| row(&c, n)).collect(),
    })
}

/// The plan layer's atoms (`villages.linked`): per link, one per year it is in force,
/// for its village in the linking unit's region. An open-ended link holds until the
/// end of this year, when it is counted again.
pub fn linked_atoms(conn: &mut DbConn, subjects: Subjects<'_>) -> Result<Vec<Atom>, ApiError> {
    let only = match subjects {
        Subjects::All => None,
        Subjects::Only(v) => Some(v),
    };
    let this_year = today().year();
    let mut out = Vec::new();
    for f in facts(conn, only)? {
        let last = f.to.map_or(f.from.year().max(this_year), |t| t.year());
        for year in f.from.year()..=last {
            let open_now = f.to.is_none() && year == this_year;
            out.push(Atom {
                subject: f.village.clone(),
                county: f.region.clone(),
                year,
                day: None,
                numerator: 1,
                denominator: 0,
                records: 1,
                valid_until: open_now.then(|| year_days(year).1),
            });
        }
    }
    Ok(out)
}

/// The villages whose atoms a write to the links `ids` may change.
pub fn linked_subjects(
    conn: &mut DbConn,
    entity_type: &str,
    ids: &[Uuid],
) -> Result<Vec<String>, ApiError> {
    if entity_type != "village_link" {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Ok(village_links::table
        .filter(village_links::id.eq_any(&ids))
        .select(village_links::village_code)
        .distinct()
        .load(conn)?)
}

/// Distinct villages in force in `year` per unit of `parent` and `children` (the
/// reference the aggregates are tested against).
pub fn linked_figures(
    conn: &mut DbConn,
    parent: &str,
    children: &[String],
    year: i32,
) -> Result<BTreeMap<String, crate::plan::indicators::Parts>, ApiError> {
    let facts: Vec<Fact> = facts(conn, None)?
        .into_iter()
        .filter(|f| in_force(f, year) && f.region.starts_with(parent))
        .collect();
    Ok(std::iter::once(parent)
        .chain(children.iter().map(String::as_str))
        .map(|u| {
            let mine: Vec<&Fact> = facts.iter().filter(|f| f.region.starts_with(u)).collect();
            let villages: BTreeSet<&str> = mine.iter().map(|f| f.village.as_str()).collect();
            (
                u.to_owned(),
                crate::plan::indicators::Parts {
                    numerator: i64::try_from(villages.len()).unwrap_or(i64::MAX),
                    denominator: None,
                    record_count: i64::try_from(mine.len()).unwrap_or(i64::MAX),
                },
            )
        })
        .collect())
}

/// The links behind the figure of `unit` in `year`, in id order after `after`.
pub fn linked_records(
    conn: &mut DbConn,
    unit: &str,
    year: i32,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    let mut facts: Vec<Fact> = facts(conn, None)?
        .into_iter()
        .filter(|f| in_force(f, year) && f.region.starts_with(unit))
        .filter(|f| after.is_none_or(|a| f.id > a.to_string()))
        .collect();
    facts.sort_by(|a, b| a.id.cmp(&b.id));
    facts.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(facts
        .into_iter()
        .map(|f| shared::plan::FigureRecord {
            label: f.village.clone(),
            id: f.id,
            kind: "village_link".into(),
            county_code: f.region,
            date: Some(f.from),
            person_masked: None,
            id_number_masked: None,
            amount_fen: None,
            in_numerator: true,
        })
        .collect())
}

/// The village links in scope in force in `year` (every year: none) as a table; the
/// export is audited.
pub fn export(
    conn: &mut DbConn,
    user: &AuthUser,
    year: Option<i32>,
) -> Result<crate::tabular::Table, ApiError> {
    let links = list(conn, &user.scope, year)?;
    let yuan = shared::money::format_hundredths;
    let table = crate::tabular::Table {
        headers: [
            "联系单位",
            "村代码",
            "村",
            "联系起",
            "联系止",
            "帮扶户数",
            "活动次数",
            "资金物资（元）",
            "备注",
        ]
        .map(String::from)
        .to_vec(),
        rows: links
            .iter()
            .map(|l| {
                vec![
                    l.unit_code.clone(),
                    l.fields.village_code.clone(),
                    l.village_name.clone(),
                    l.fields.from_on.to_string(),
                    l.fields.to_on.map(|d| d.to_string()).unwrap_or_default(),
                    l.fields.households_helped.to_string(),
                    l.activities.len().to_string(),
                    yuan(l.money_fen),
                    l.fields.note.clone().unwrap_or_default(),
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
                entity_type: "village_link",
                entity_id: Uuid::nil(),
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(serde_json::json!({"rows": links.len(), "year": year})),
            },
        )
    })?;
    Ok(table)
}
