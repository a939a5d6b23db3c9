//! Publicity and typical cases (measures 10 and 19): cases of a person, a base or a
//! DPF's work with their story and material, collected by a unit, selected by its city
//! and then by the province. Reads start from [`visible`].
//!
//! Privacy: a person's identity number is never part of a case; their name is shown in
//! full only once their consent is recorded (masked before), and a person's case cannot
//! be selected without it. The person and the base must lie in the collecting unit's
//! area (a link between records never crosses a scope boundary).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::duties::{
    Media, MediaKind, PublicityKpi, PublicityRow, TypicalCase, TypicalCaseCreate, TypicalCaseInput,
    TypicalCaseSelect, TypicalCaseStatus, TypicalCaseSubject,
};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{employment_bases, persons, publicity_cases};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A case as loaded.
type Row = (
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    bool,
    Option<NaiveDate>,
    Option<String>,
    String,
);

/// Live cases in `scope` (by the collecting unit).
pub fn visible(scope: &Scope) -> publicity_cases::BoxedQuery<'static, Backend> {
    crate::scope_filter!(publicity_cases::table.into_boxed(), scope, publicity_cases)
        .filter(publicity_cases::deleted_at.is_null())
}

fn load(
    conn: &mut DbConn,
    scope: &Scope,
    q: publicity_cases::BoxedQuery<'static, Backend>,
) -> Result<Vec<TypicalCase>, ApiError> {
    let rows: Vec<Row> = q
        .select((
            publicity_cases::id,
            publicity_cases::version,
            publicity_cases::county_code,
            publicity_cases::subject,
            publicity_cases::person_id,
            publicity_cases::base_id,
            publicity_cases::title,
            publicity_cases::story,
            publicity_cases::media,
            publicity_cases::sunshine,
            publicity_cases::consent_on,
            publicity_cases::consent_note,
            publicity_cases::status,
        ))
        .load(conn)?;
    let person_ids: Vec<String> = rows.iter().filter_map(|r| r.4.clone()).collect();
    let base_ids: Vec<String> = rows.iter().filter_map(|r| r.5.clone()).collect();
    // Names only of persons the caller may see now (a person who moved away is no
    // longer the old county's to name).
    let names: HashMap<String, String> = crate::scope_filter!(
        persons::table
            .filter(persons::id.eq_any(&person_ids))
            .filter(persons::deleted_at.is_null())
            .into_boxed(),
        scope,
        persons
    )
    .select((persons::id, persons::name))
    .load::<(String, String)>(conn)?
    .into_iter()
    .collect();
    let bases: HashMap<String, String> = employment_bases::table
        .filter(employment_bases::id.eq_any(&base_ids))
        .select((employment_bases::id, employment_bases::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(
            |(
                id,
                version,
                unit,
                subject,
                person,
                base,
                title,
                story,
                media,
                sunshine,
                consent_on,
                consent_note,
                status,
            )| {
                let person_name = person.as_ref().and_then(|p| names.get(p)).map(|n| {
                    if consent_on.is_some() {
                        n.clone()
                    } else {
                        shared::mask::mask_name(n)
                    }
                });
                let media: Vec<Media> = serde_json::from_str(&media).unwrap_or_default();
                Ok(TypicalCase {
                    id: uuid(&id)?,
                    version,
                    unit_code: unit,
                    base_name: base.as_ref().and_then(|b| bases.get(b)).cloned(),
                    fields: TypicalCaseInput {
                        subject: code(&subject)?,
                        person_id: person.as_deref().map(uuid).transpose()?,
                        base_id: base.as_deref().map(uuid).transpose()?,
                        title,
                        story,
                        media,
                        sunshine,
                        consent_on,
                        consent_note,
                    },
                    person_name,
                    status: code(&status)?,
                })
            },
        )
        .collect()
}

/// A case in scope.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<TypicalCase, ApiError> {
    load(
        conn,
        scope,
        visible(scope).filter(publicity_cases::id.eq(id.to_string())),
    )?
    .pop()
    .ok_or(ApiError::NotFound)
}

/// The cases in scope, newest first; of one status if asked.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    status: Option<TypicalCaseStatus>,
) -> Result<Vec<TypicalCase>, ApiError> {
    let mut q = visible(scope)
        .order(publicity_cases::id.desc())
        .limit(1_000);
    if let Some(s) = status {
        q = q.filter(publicity_cases::status.eq(s.as_str()));
    }
    load(conn, scope, q)
}

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

/// Checks that the case's person or base lies in `unit`'s area.
fn check_links(
    conn: &mut DbConn,
    user: &AuthUser,
    unit: &str,
    f: &TypicalCaseInput,
) -> Result<(), ApiError> {
    if let Some(p) = f.person_id {
        let county = crate::persons::queries::get(conn, &user.scope, p)
            .map(|r| r.county_code)
            .ok()
            .filter(|c| c.starts_with(unit));
        if county.is_none() {
            return Err(ApiError::field(
                "person_id",
                "not_found",
                "no such person in your unit's area",
            ));
        }
    }
    if let Some(b) = f.base_id {
        let county = crate::bases::queries::get(conn, &user.scope, b)
            .map(|r| r.fields.county_code)
            .ok()
            .filter(|c| c.starts_with(unit));
        if county.is_none() {
            return Err(ApiError::field(
                "base_id",
                "not_found",
                "no such base in your unit's area",
            ));
        }
    }
    Ok(())
}

fn json(c: &TypicalCase) -> serde_json::Value {
    serde_json::json!({"fields": c.fields, "status": c.status})
}

fn media_json(f: &TypicalCaseInput) -> String {
    serde_json::to_string(&f.media).unwrap_or_else(|_| "[]".into())
}

/// Collects a case of the caller's unit.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &TypicalCaseCreate,
) -> Result<(bool, TypicalCase), ApiError> {
    body.fields.validate(today())?;
    let hash = record::create_digest(pii, "publicity_case", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, publicity_cases, id, &hash, user)? {
            return Ok((false, get(conn, &user.scope, id)?));
        }
        let unit = own_unit(conn, user)?;
        let f = &body.fields;
        check_links(conn, user, &unit, f)?;
        let at = now();
        diesel::insert_into(publicity_cases::table)
            .values((
                publicity_cases::id.eq(id.to_string()),
                publicity_cases::county_code.eq(&unit),
                publicity_cases::city_code.eq(super::city_of(&unit)),
                publicity_cases::subject.eq(f.subject.as_str()),
                publicity_cases::person_id.eq(f.person_id.map(|p| p.to_string())),
                publicity_cases::base_id.eq(f.base_id.map(|b| b.to_string())),
                publicity_cases::title.eq(f.title.trim()),
                publicity_cases::story.eq(f.story.trim()),
                publicity_cases::media.eq(media_json(f)),
                publicity_cases::sunshine.eq(f.sunshine),
                publicity_cases::consent_on.eq(f.consent_on),
                publicity_cases::consent_note.eq(f.consent_note.as_deref().map(str::trim)),
                publicity_cases::status.eq(TypicalCaseStatus::Collected.as_str()),
                publicity_cases::create_hash.eq(&hash),
                publicity_cases::version.eq(1),
                publicity_cases::created_at.eq(at),
                publicity_cases::created_by.eq(user.id.to_string()),
                publicity_cases::updated_at.eq(at),
                publicity_cases::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let c = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "publicity_case",
                entity_id: id,
                owner_region: &unit,
                reason: None,
                before: None,
                after: Some(json(&c)),
            },
        )?;
        Ok((true, c))
    })
}

/// Changes a case of the caller's unit that no one has selected yet.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &shared::duties::TypicalCaseUpdate,
) -> Result<TypicalCase, ApiError> {
    body.fields.validate(today())?;
    write_tx(conn, |conn| {
        let before = get(conn, &user.scope, id)?;
        let unit = own_unit(conn, user)?;
        if before.unit_code != unit {
            return Err(ApiError::Forbidden(
                "only the unit that collected a case changes it".into(),
            ));
        }
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        if before.status != TypicalCaseStatus::Collected {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: "a selected case no longer changes; ask for the selection to be taken back"
                    .into(),
            });
        }
        let f = &body.fields;
        check_links(conn, user, &unit, f)?;
        let n = diesel::update(
            publicity_cases::table
                .filter(publicity_cases::id.eq(id.to_string()))
                .filter(publicity_cases::version.eq(body.version)),
        )
        .set((
            publicity_cases::subject.eq(f.subject.as_str()),
            publicity_cases::person_id.eq(f.person_id.map(|p| p.to_string())),
            publicity_cases::base_id.eq(f.base_id.map(|b| b.to_string())),
            publicity_cases::title.eq(f.title.trim()),
            publicity_cases::story.eq(f.story.trim()),
            publicity_cases::media.eq(media_json(f)),
            publicity_cases::sunshine.eq(f.sunshine),
            publicity_cases::consent_on.eq(f.consent_on),
            publicity_cases::consent_note.eq(f.consent_note.as_deref().map(str::trim)),
            publicity_cases::version.eq(body.version + 1),
            publicity_cases::updated_at.eq(now()),
            publicity_cases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "publicity_case",
                entity_id: id,
                owner_region: &unit,
                reason: None,
                before: Some(json(&before)),
                after: Some(json(&after)),
            },
        )?;
        Ok(after)
    })
}

/// A city's leaders select a case of their area (or take it back); the province's
/// select a case a city selected, or one the province collected (or take it back).
pub fn select(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &TypicalCaseSelect,
) -> Result<TypicalCase, ApiError> {
    user.require(Capability::SelectCases)?;
    write_tx(conn, |conn| {
        let before = get(conn, &user.scope, id)?;
        if before.version != body.version {
            return Err(ApiError::stale_version());
        }
        let province = user.scope == Scope::Province;
        if !province && !matches!(user.scope, Scope::City(_)) {
            return Err(ApiError::Forbidden(
                "cases are selected by a city, then by the province".into(),
            ));
        }
        let provincial_case = before.unit_code == "43";
        use TypicalCaseStatus::*;
        let to = match (province, body.selected, before.status) {
            (false, true, Collected) => CitySelected,
            (false, false, CitySelected) => Collected,
            (true, true, CitySelected) => ProvinceSelected,
            (true, true, Collected) if provincial_case => ProvinceSelected,
            (true, false, ProvinceSelected) if provincial_case => Collected,
            (true, false, ProvinceSelected) => CitySelected,
            _ => {
                return Err(ApiError::Conflict {
                    code: "invalid_transition",
                    detail: format!(
                        "a case {} cannot be {} at your level",
                        before.status.as_str(),
                        if body.selected {
                            "selected"
                        } else {
                            "taken back"
                        }
                    ),
                })
            }
        };
        if body.selected
            && before.fields.subject == TypicalCaseSubject::Person
            && before.fields.consent_on.is_none()
        {
            return Err(ApiError::field(
                "consent_on",
                "consent_required",
                "a person's case is selected only with their consent recorded",
            ));
        }
        let n = diesel::update(
            publicity_cases::table
                .filter(publicity_cases::id.eq(id.to_string()))
                .filter(publicity_cases::version.eq(body.version)),
        )
        .set((
            publicity_cases::status.eq(to.as_str()),
            publicity_cases::version.eq(body.version + 1),
            publicity_cases::updated_at.eq(now()),
            publicity_cases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "publicity_case",
                entity_id: id,
                owner_region: &after.unit_code,
                reason: None,
                before: Some(serde_json::json!({"status": before.status})),
                after: Some(serde_json::json!({"status": after.status})),
            },
        )?;
        Ok(after)
    })
}

/// Cases and material per unit of `unit`'s area (a region in scope).
pub fn kpi(conn: &mut DbConn, scope: &Scope, unit: &str) -> Result<PublicityKpi, ApiError> {
    let region = crate::org::queries::region_of(conn, unit)?.ok_or(ApiError::NotFound)?;
    if !scope.covers_region(&region) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::NotFound);
    }
    let area = Scope::from_region(&region).ok_or(ApiError::NotFound)?;
    let cases = load(conn, &area, visible(&area))?;
    let row = |code: &str, name: String| -> PublicityRow {
        let mut r = PublicityRow {
            unit_code: code.to_owned(),
            unit_name: name,
            ..PublicityRow::default()
        };
        for c in cases.iter().filter(|c| c.unit_code.starts_with(code)) {
            r.cases += 1;
            if c.status != TypicalCaseStatus::Collected {
                r.city_selected += 1;
            }
            if c.status == TypicalCaseStatus::ProvinceSelected {
                r.province_selected += 1;
            }
            if c.fields.sunshine {
                r.sunshine += 1;
            }
            for m in &c.fields.media {
                match m.kind {
                    MediaKind::Text => r.texts += 1,
                    MediaKind::Video => r.videos += 1,
                    MediaKind::Picture => r.pictures += 1,
                }
            }
        }
        r
    };
    let (name, children) = crate::kpi::units_below(conn, &region)?;
    Ok(PublicityKpi {
        total: row(&region, name),
        children: children.into_iter().map(|(c, n)| row(&c, n)).collect(),
    })
}

/// The cases in scope as a table (a person's name as the API shows it, masked without
/// consent; material as links); the export is audited.
pub fn export(
    conn: &mut DbConn,
    user: &AuthUser,
    status: Option<TypicalCaseStatus>,
) -> Result<crate::tabular::Table, ApiError> {
    let cases = list(conn, &user.scope, status)?;
    let table = crate::tabular::Table {
        headers: [
            "报送单位",
            "类别",
            "标题",
            "对象",
            "阳光致富典型",
            "本人同意日期",
            "推选状态",
            "事迹",
            "材料链接",
        ]
        .map(String::from)
        .to_vec(),
        rows: cases
            .iter()
            .map(|c| {
                vec![
                    c.unit_code.clone(),
                    c.fields.subject.as_str().to_owned(),
                    c.fields.title.clone(),
                    c.person_name
                        .clone()
                        .or_else(|| c.base_name.clone())
                        .unwrap_or_default(),
                    if c.fields.sunshine { "是" } else { "否" }.into(),
                    c.fields
                        .consent_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    c.status.as_str().to_owned(),
                    c.fields.story.clone(),
                    c.fields
                        .media
                        .iter()
                        .map(|m| m.url.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
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
                entity_type: "publicity_case",
                entity_id: Uuid::nil(),
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(serde_json::json!({"rows": cases.len(), "status": status})),
            },
        )
    })?;
    Ok(table)
}
