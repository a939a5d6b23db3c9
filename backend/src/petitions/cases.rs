//! Petitions: registration (idempotent by client id), the workflow of
//! [`PETITION_WORKFLOW`], reveal of the petitioner, and the ledger as a spreadsheet.
//! Reads start from [`visible`]: a petition out of the caller's scope is 404.
//!
//! The petitioner's name, identity number and phone are encrypted with the registry's
//! keys ([`Pii`]) and kept with masked forms for display. Petitions of one petitioner
//! share `petitioner_key`: a keyed digest of the identity number (in a domain of its own,
//! so it equals no other stored hash); without a number, the petition's own id.

use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::petitions::{
    is_overdue, trimmed, Petition, PetitionAction, PetitionActionKind, PetitionCategory,
    PetitionChannel, PetitionCreate, PetitionDeadline, PetitionEvent, PetitionInput,
    PetitionStatus, PetitionerRevealed, RelatedPetition, MAX_TEXT, PETITION_WORKFLOW,
};
use shared::workflow::{self, Caller, OrgLevel, Refusal};
use shared::{FieldErrors, IdNumber};
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    org_units, persons, petition_deadlines, petition_events, petitions, towns,
};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::tabular::Table;

type Backend = <DbConn as diesel::Connection>::Backend;

/// The statuses in which the reply deadline runs.
const AWAITING_REPLY: [&str; 3] = ["accepted", "assigned", "in_progress"];

/// A row of `petitions` (without the ciphertexts).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = petitions)]
pub struct PetitionRow {
    /// Id.
    pub id: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Channel.
    pub channel: String,
    /// Received.
    pub received_on: NaiveDate,
    /// Masked name.
    pub petitioner_name_masked: String,
    /// Masked identity number.
    pub petitioner_id_masked: Option<String>,
    /// Masked phone.
    pub petitioner_phone_masked: Option<String>,
    /// Link key.
    pub petitioner_key: String,
    /// Subject.
    pub subject: String,
    /// Category.
    pub category: String,
    /// Content.
    pub content: Option<String>,
    /// Linked person.
    pub person_id: Option<String>,
    /// Handling unit.
    pub assigned_unit: Option<String>,
    /// Status.
    pub status: String,
    /// Acceptance deadline.
    pub accept_due: NaiveDate,
    /// Accepted.
    pub accepted_on: Option<NaiveDate>,
    /// Reply deadline.
    pub reply_due: Option<NaiveDate>,
    /// Reply.
    pub reply: Option<String>,
    /// Replied.
    pub replied_on: Option<NaiveDate>,
    /// Follow-up.
    pub follow_up: Option<String>,
    /// Followed up.
    pub followed_up_on: Option<NaiveDate>,
    /// Satisfaction.
    pub satisfaction: Option<String>,
    /// Unresolved problem found.
    pub unresolved: bool,
    /// Closed.
    pub closed_on: Option<NaiveDate>,
    /// Times reopened.
    pub reopened: i32,
    /// The rectification item opened from its follow-up.
    pub rectification_id: Option<String>,
    /// Version.
    pub version: i64,
}

/// Live petitions in `scope`.
pub fn visible(scope: &Scope) -> petitions::BoxedQuery<'static, Backend> {
    crate::scope_filter!(petitions::table.into_boxed(), scope, petitions)
        .filter(petitions::deleted_at.is_null())
}

/// The petition `id` in `scope`.
pub fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<PetitionRow, ApiError> {
    Ok(visible(scope)
        .filter(petitions::id.eq(id.to_string()))
        .select(PetitionRow::as_select())
        .first(conn)?)
}

/// The days `channel` allows (accept, reply), from `petition_deadlines`.
pub fn deadline_days(conn: &mut DbConn, channel: PetitionChannel) -> Result<(i32, i32), ApiError> {
    petition_deadlines::table
        .find(channel.as_str())
        .select((
            petition_deadlines::accept_days,
            petition_deadlines::reply_days,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no deadline set for channel {channel}")))
}

/// Every channel's days.
pub fn deadlines(conn: &mut DbConn) -> Result<Vec<PetitionDeadline>, ApiError> {
    let rows: Vec<(String, i32, i32)> = petition_deadlines::table
        .order(petition_deadlines::channel.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(c, a, r)| {
            Ok(PetitionDeadline {
                channel: code(&c)?,
                accept_days: a,
                reply_days: r,
            })
        })
        .collect()
}

/// `day` plus `days` days.
fn plus(day: NaiveDate, days: i32) -> NaiveDate {
    day.checked_add_signed(TimeDelta::days(i64::from(days)))
        .unwrap_or(day)
}

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<PetitionEvent>, ApiError> {
    type EventRow = (NaiveDate, String, Option<String>, String, Option<String>);
    let rows: Vec<EventRow> = petition_events::table
        .filter(petition_events::petition_id.eq(id))
        .order(petition_events::id.asc())
        .select((
            petition_events::effective_on,
            petition_events::actor_username,
            petition_events::from_status,
            petition_events::to_status,
            petition_events::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(on, actor_username, from, to, note)| {
            Ok(PetitionEvent {
                on,
                actor_username,
                from_status: from.as_deref().map(code).transpose()?,
                to_status: code(&to)?,
                note,
            })
        })
        .collect()
}

fn related(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &PetitionRow,
) -> Result<Vec<RelatedPetition>, ApiError> {
    type Rel = (String, String, NaiveDate, String, String);
    let rows: Vec<Rel> = visible(&user.scope)
        .filter(petitions::petitioner_key.eq(&r.petitioner_key))
        .filter(petitions::id.ne(&r.id))
        .order(petitions::received_on.desc())
        .limit(100)
        .select((
            petitions::id,
            petitions::channel,
            petitions::received_on,
            petitions::subject,
            petitions::status,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, channel, received_on, subject, status)| {
            Ok(RelatedPetition {
                id: uuid(&id)?,
                channel: code(&channel)?,
                received_on,
                subject,
                status: code(&status)?,
            })
        })
        .collect()
}

/// The name of a handling unit: an org unit, or a town.
fn unit_name(conn: &mut DbConn, unit: &str) -> Result<Option<String>, ApiError> {
    let org: Option<String> = org_units::table
        .find(unit)
        .select(org_units::name)
        .first(conn)
        .optional()?;
    if org.is_some() {
        return Ok(org);
    }
    Ok(towns::table
        .find(unit)
        .select(towns::name)
        .first(conn)
        .optional()?)
}

fn caller_of<'a>(user: &AuthUser, capabilities: &'a [shared::auth::Capability]) -> Caller<'a> {
    Caller {
        level: OrgLevel::of_region(user.scope.region()),
        capabilities,
        took_previous_step: false,
    }
}

fn to_api(
    conn: &mut DbConn,
    r: &PetitionRow,
    detailed: bool,
    user: &AuthUser,
) -> Result<Petition, ApiError> {
    let status: PetitionStatus = code(&r.status)?;
    let capabilities = user.capabilities();
    let allowed_actions =
        workflow::allowed_in(PETITION_WORKFLOW, status, &caller_of(user, &capabilities));
    // A linked person out of the reader's sight shows no name.
    let person_name: String = match &r.person_id {
        Some(p) => crate::persons::queries::live(&user.scope)
            .filter(persons::id.eq(p))
            .select(persons::name)
            .first(conn)
            .optional()?
            .unwrap_or_default(),
        None => String::new(),
    };
    let assigned_unit_name = match &r.assigned_unit {
        Some(u) => unit_name(conn, u)?,
        None => None,
    };
    Ok(Petition {
        id: uuid(&r.id)?,
        version: r.version,
        channel: code(&r.channel)?,
        received_on: r.received_on,
        county_code: r.county_code.clone(),
        petitioner_name_masked: r.petitioner_name_masked.clone(),
        petitioner_id_number_masked: r.petitioner_id_masked.clone(),
        petitioner_phone_masked: r.petitioner_phone_masked.clone(),
        petitioner_key: r.petitioner_key.clone(),
        subject: r.subject.clone(),
        category: code(&r.category)?,
        content: r.content.clone(),
        person_id: r.person_id.as_deref().map(uuid).transpose()?,
        person_name,
        assigned_unit: r.assigned_unit.clone(),
        assigned_unit_name,
        status,
        accept_due: r.accept_due,
        accepted_on: r.accepted_on,
        reply_due: r.reply_due,
        reply: r.reply.clone(),
        replied_on: r.replied_on,
        follow_up: r.follow_up.clone(),
        followed_up_on: r.followed_up_on,
        satisfaction: r.satisfaction.as_deref().map(code).transpose()?,
        unresolved: r.unresolved,
        closed_on: r.closed_on,
        reopened: r.reopened,
        rectification_id: r.rectification_id.as_deref().map(uuid).transpose()?,
        overdue: is_overdue(status, r.accept_due, r.reply_due, today()),
        timeline: if detailed {
            timeline(conn, &r.id)?
        } else {
            Vec::new()
        },
        related: if detailed {
            related(conn, user, r)?
        } else {
            Vec::new()
        },
        allowed_actions,
    })
}

/// A petition in the user's scope, with its timeline, the petitioner's other petitions
/// and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Petition, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// Filters of `GET /api/v1/petitions` (and of the ledger export).
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionQuery {
    /// Only this status.
    pub status: Option<PetitionStatus>,
    /// Only this channel.
    pub channel: Option<PetitionChannel>,
    /// Only this category.
    pub category: Option<PetitionCategory>,
    /// Only those past their current deadline and still open (today).
    pub overdue: Option<bool>,
    /// Only those received in this year.
    pub year: Option<i32>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub area: Option<String>,
    /// Only the petitions of the petitioner of this key.
    pub petitioner_key: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

fn filtered(
    user: &AuthUser,
    f: &PetitionQuery,
) -> Result<petitions::BoxedQuery<'static, Backend>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(s) = f.status {
        q = q.filter(petitions::status.eq(s.as_str()));
    }
    if let Some(c) = f.channel {
        q = q.filter(petitions::channel.eq(c.as_str()));
    }
    if let Some(c) = f.category {
        q = q.filter(petitions::category.eq(c.as_str()));
    }
    if let Some(y) = f.year {
        q = q.filter(petitions::year.eq(y));
    }
    if let Some(k) = f.petitioner_key.as_deref() {
        q = q.filter(petitions::petitioner_key.eq(k.to_owned()));
    }
    if let Some(area) = f.area.as_deref() {
        let like = crate::org::queries::area_pattern(area).map_err(|_| {
            ApiError::field(
                "area",
                "invalid_region",
                "a 4-digit city or 6-digit county code",
            )
        })?;
        q = q.filter(petitions::county_code.like(like));
    }
    if let Some(overdue) = f.overdue {
        let day = today();
        let late = petitions::status
            .eq(PetitionStatus::Registered.as_str())
            .and(petitions::accept_due.lt(day))
            .or(petitions::status
                .eq_any(AWAITING_REPLY)
                .and(petitions::reply_due.lt(day).assume_not_null()));
        q = if overdue {
            q.filter(late)
        } else {
            q.filter(diesel::dsl::not(late))
        };
    }
    Ok(q)
}

/// A page of petitions in the user's scope, in id order.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &PetitionQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Petition>, ApiError> {
    let mut q = filtered(user, f)?;
    if let Some(a) = after {
        q = q.filter(petitions::id.gt(a.to_owned()));
    }
    let rows: Vec<PetitionRow> = q
        .order(petitions::id.asc())
        .limit(limit)
        .select(PetitionRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

/// Writes one step into a petition's history.
fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    petition: &str,
    on: NaiveDate,
    (from, to): (Option<PetitionStatus>, PetitionStatus),
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(petition_events::table)
        .values((
            petition_events::id.eq(Uuid::now_v7().to_string()),
            petition_events::petition_id.eq(petition),
            petition_events::effective_on.eq(on),
            petition_events::at.eq(now()),
            petition_events::actor_id.eq(user.id.to_string()),
            petition_events::actor_username.eq(&user.username),
            petition_events::actor_unit.eq(&user.unit_code),
            petition_events::from_status.eq(from.map(|s| s.as_str())),
            petition_events::to_status.eq(to.as_str()),
            petition_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

fn audit_petition(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    (id, county): (&str, &str),
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "petition",
            entity_id: uuid(id)?,
            owner_region: county,
            reason: None,
            before,
            after: Some(after),
        },
    )
}

/// What the audit log keeps of a petition: no petitioner data, masked or not.
fn audit_view(p: &Petition) -> serde_json::Value {
    serde_json::json!({"channel": p.channel, "received_on": p.received_on,
        "county_code": p.county_code, "subject": p.subject, "category": p.category,
        "person_id": p.person_id, "status": p.status, "accept_due": p.accept_due})
}

/// The petitioner, protected: ciphertexts, masked forms and the link key.
struct Petitioner {
    name_enc: String,
    name_masked: String,
    id_enc: Option<String>,
    id_masked: Option<String>,
    phone_enc: Option<String>,
    phone_masked: Option<String>,
    key: String,
}

fn protect(pii: &Pii, f: &PetitionInput, id: &str) -> Result<Petitioner, ApiError> {
    let name = f.petitioner_name.trim();
    let number = match trimmed(&f.petitioner_id_number) {
        Some(n) => Some(
            IdNumber::parse(n, today())
                .map_err(|e| ApiError::field("petitioner_id_number", e.code, e.message))?,
        ),
        None => None,
    };
    let phone = trimmed(&f.petitioner_phone);
    Ok(Petitioner {
        name_enc: pii.encrypt(name)?,
        name_masked: shared::mask::mask_name(name),
        id_enc: number
            .as_ref()
            .map(|n| pii.encrypt(n.as_str()))
            .transpose()?,
        id_masked: number.as_ref().map(IdNumber::masked),
        phone_enc: phone.map(|p| pii.encrypt(p)).transpose()?,
        phone_masked: phone.map(shared::mask::mask_phone),
        key: match &number {
            Some(n) => pii.digest("petitioner", n.as_str().as_bytes()),
            None => format!("petition:{id}"),
        },
    })
}

/// Registers a petition (staff who may write petitions): `registered`, its acceptance
/// deadline computed from the channel's days. The county concerned must lie in the
/// caller's scope, and so must the linked person (else 422 on `person_id`, the same
/// answer as for no such person). A retry with the same client id and body answers the
/// same petition.
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &PetitionCreate,
) -> Result<(bool, Petition), ApiError> {
    super::require_writer(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "petition", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, petitions, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
        let county = match (&f.county_code, &user.scope) {
            (Some(c), _) => c.clone(),
            (None, Scope::County(c)) => c.clone(),
            (None, _) => {
                errs.add("county_code", "required", "name the county concerned");
                String::new()
            }
        };
        let mut city = None;
        if errs.0.iter().all(|e| e.field != "county_code") {
            let region = crate::org::queries::region_of(conn, &county)?;
            if region.as_deref() == Some(county.as_str()) && user.scope.covers_region(&county) {
                city = Some(county[..4].to_owned());
            } else {
                errs.add("county_code", "not_found", "no such county in your area");
            }
        }
        if let Some(p) = f.person_id {
            match crate::persons::queries::get(conn, &user.scope, p) {
                Ok(_) => {}
                Err(ApiError::NotFound) => {
                    errs.add("person_id", "not_found", "no such person in your area")
                }
                Err(e) => return Err(e),
            }
        }
        let (Some(city), true) = (city, errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        let id_text = id.to_string();
        let who = protect(pii, f, &id_text)?;
        let (accept_days, _) = deadline_days(conn, f.channel)?;
        let at = now();
        diesel::insert_into(petitions::table)
            .values((
                petitions::id.eq(&id_text),
                petitions::county_code.eq(&county),
                petitions::city_code.eq(&city),
                petitions::channel.eq(f.channel.as_str()),
                petitions::received_on.eq(f.received_on),
                petitions::year.eq(f.received_on.year()),
                petitions::petitioner_name_enc.eq(&who.name_enc),
                petitions::petitioner_name_masked.eq(&who.name_masked),
                petitions::petitioner_id_enc.eq(&who.id_enc),
                petitions::petitioner_id_masked.eq(&who.id_masked),
                petitions::petitioner_phone_enc.eq(&who.phone_enc),
                petitions::petitioner_phone_masked.eq(&who.phone_masked),
                petitions::petitioner_key.eq(&who.key),
                petitions::subject.eq(f.subject.trim()),
                petitions::category.eq(f.category.as_str()),
                petitions::content.eq(trimmed(&f.content)),
                petitions::person_id.eq(f.person_id.map(|p| p.to_string())),
                petitions::status.eq(PetitionStatus::Registered.as_str()),
                petitions::accept_due.eq(plus(f.received_on, accept_days)),
                petitions::unresolved.eq(false),
                petitions::reopened.eq(0),
                petitions::create_hash.eq(&hash),
                petitions::version.eq(1),
                petitions::created_at.eq(at),
                petitions::created_by.eq(user.id.to_string()),
                petitions::updated_at.eq(at),
                petitions::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        event(
            conn,
            user,
            &id_text,
            f.received_on,
            (None, PetitionStatus::Registered),
            None,
        )?;
        let p = get(conn, user, id)?;
        audit_petition(
            conn,
            user,
            AuditAction::Create,
            (&id_text, &county),
            None,
            audit_view(&p),
        )?;
        Ok((true, p))
    })
}

/// The answer to a step the workflow refuses.
fn refusal(r: Refusal, from: PetitionStatus) -> ApiError {
    match r {
        Refusal::InvalidTransition => ApiError::Conflict {
            code: "invalid_transition",
            detail: format!("a petition that is {} cannot take this step", from.as_str()),
        },
        Refusal::WrongLevel(l) => {
            ApiError::Forbidden(format!("this step is taken at the {} level", l.as_str()))
        }
        Refusal::MissingCapability(c) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        Refusal::FourEyes => ApiError::Forbidden("another person must take this step".into()),
    }
}

/// Checks a handling unit for a petition of `county`: the county's own unit (or one
/// above it in the caller's scope), or a town of the county.
fn check_unit(
    conn: &mut DbConn,
    user: &AuthUser,
    county: &str,
    unit: &str,
) -> Result<bool, ApiError> {
    if let Some(region) = crate::org::queries::region_of(conn, unit)? {
        return Ok(user.scope.covers_region(&region) && county.starts_with(region.as_str()));
    }
    let town_county: Option<String> = towns::table
        .find(unit)
        .select(towns::county_code)
        .first(conn)
        .optional()?;
    Ok(town_county.as_deref() == Some(county))
}

fn required_text(
    errs: &mut FieldErrors,
    field: &str,
    v: &Option<String>,
    what: &str,
) -> Option<String> {
    match trimmed(v) {
        None => {
            errs.add(field, "required", what);
            None
        }
        Some(t) => errs
            .check(field, shared::validation::validate_text(t, MAX_TEXT))
            .map(|()| t.to_owned()),
    }
}

/// Takes one step of the petition workflow, if the table allows it to the caller from
/// the current status. The step, its history entry and its audit entry are one
/// transaction; a stale version is 409 with nothing written.
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    a: &PetitionAction,
) -> Result<Petition, ApiError> {
    write_tx(conn, |conn| act_in(conn, user, id, version, a))
}

/// [`act`] inside the caller's transaction.
pub fn act_in(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    a: &PetitionAction,
) -> Result<Petition, ApiError> {
    let r = row(conn, &user.scope, id)?;
    if r.version != version {
        return Err(ApiError::stale_version());
    }
    let from: PetitionStatus = code(&r.status)?;
    let capabilities = user.capabilities();
    let to = workflow::authorise_in(
        PETITION_WORKFLOW,
        from,
        a.action,
        &caller_of(user, &capabilities),
    )
    .map(|t| t.to)
    .map_err(|e| refusal(e, from))?;
    let mut errs = FieldErrors::new();
    let on = a.on.unwrap_or_else(today);
    if on > today() {
        errs.add("on", "in_future", "the day lies in the future");
    } else if on < r.received_on {
        errs.add(
            "on",
            "before_start",
            "the day lies before the petition was received",
        );
    }
    let note = a.note.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(n) = note {
        errs.check("note", shared::validation::validate_text(n, MAX_TEXT));
    }
    let mut next = r.clone();
    next.status = to.as_str().to_owned();
    let mut note_text = note.map(str::to_owned);
    let channel: PetitionChannel = code(&r.channel)?;
    match a.action {
        PetitionActionKind::Accept => {
            let (_, reply_days) = deadline_days(conn, channel)?;
            next.accepted_on = Some(on);
            next.reply_due = Some(plus(on, reply_days));
        }
        PetitionActionKind::Redirect => {
            if note.is_none() {
                errs.add("note", "required", "say where the petitioner was directed");
            }
        }
        PetitionActionKind::Assign => match a.assigned_unit.as_deref().map(str::trim) {
            None | Some("") => {
                errs.add("assigned_unit", "required", "name the unit that handles it")
            }
            Some(u) => {
                if check_unit(conn, user, &r.county_code, u)? {
                    next.assigned_unit = Some(u.to_owned());
                    note_text = Some(match note {
                        Some(n) => format!("{u}: {n}"),
                        None => u.to_owned(),
                    });
                } else {
                    errs.add(
                        "assigned_unit",
                        "not_found",
                        "no such unit for this county in your area",
                    );
                }
            }
        },
        PetitionActionKind::Start => {}
        PetitionActionKind::Reply => {
            if let Some(t) = required_text(&mut errs, "reply", &a.reply, "give the reply") {
                note_text = Some(t.clone());
                next.reply = Some(t);
            }
            next.replied_on = Some(on);
        }
        PetitionActionKind::FollowUp => {
            if let Some(t) = required_text(
                &mut errs,
                "follow_up",
                &a.follow_up,
                "say what the petitioner said",
            ) {
                note_text = Some(t.clone());
                next.follow_up = Some(t);
            }
            match a.satisfaction {
                None => errs.add(
                    "satisfaction",
                    "required",
                    "record the petitioner's satisfaction",
                ),
                Some(s) => next.satisfaction = Some(s.as_str().to_owned()),
            }
            if r.replied_on.is_some_and(|d| on < d) {
                errs.add("on", "before_start", "the follow-up lies before the reply");
            }
            next.followed_up_on = Some(on);
            next.unresolved = a.unresolved.unwrap_or(false);
        }
        PetitionActionKind::Close => next.closed_on = Some(on),
        PetitionActionKind::Reopen => {
            if note.is_none() {
                errs.add("note", "required", "say why the petition is reopened");
            }
            let (_, reply_days) = deadline_days(conn, channel)?;
            next.reply_due = Some(plus(on, reply_days));
            next.reply = None;
            next.replied_on = None;
            next.follow_up = None;
            next.followed_up_on = None;
            next.satisfaction = None;
            next.unresolved = false;
            next.closed_on = None;
            next.reopened = r.reopened.saturating_add(1);
        }
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    let n = diesel::update(
        petitions::table
            .filter(petitions::id.eq(&r.id))
            .filter(petitions::version.eq(version)),
    )
    .set((
        petitions::status.eq(&next.status),
        petitions::assigned_unit.eq(&next.assigned_unit),
        petitions::accepted_on.eq(next.accepted_on),
        petitions::reply_due.eq(next.reply_due),
        petitions::reply.eq(&next.reply),
        petitions::replied_on.eq(next.replied_on),
        petitions::follow_up.eq(&next.follow_up),
        petitions::followed_up_on.eq(next.followed_up_on),
        petitions::satisfaction.eq(&next.satisfaction),
        petitions::unresolved.eq(next.unresolved),
        petitions::closed_on.eq(next.closed_on),
        petitions::reopened.eq(next.reopened),
        petitions::version.eq(version + 1),
        petitions::updated_at.eq(now()),
        petitions::updated_by.eq(user.id.to_string()),
    ))
    .execute(conn)?;
    crate::record::changed(n)?;
    event(
        conn,
        user,
        &r.id,
        on,
        (Some(from), to),
        note_text.as_deref(),
    )?;
    audit_petition(
        conn,
        user,
        AuditAction::Update,
        (&r.id, &r.county_code),
        Some(serde_json::json!({"status": from})),
        serde_json::json!({"status": to, "action": a.action, "on": on,
            "assigned_unit": next.assigned_unit, "reply_due": next.reply_due,
            "satisfaction": next.satisfaction, "unresolved": next.unresolved}),
    )?;
    get(conn, user, id)
}

/// Opens the rectification item (measure 6) for a petition whose follow-up found the
/// problem unresolved: one item per petition (its id derived from the petition's, so a
/// resent request opens no second one), in the petition's county, for its linked person,
/// found on the follow-up day; the petition keeps the item's id. Anything else is 409.
pub fn open_rectification(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    input: &shared::petitions::PetitionRectificationInput,
) -> Result<Petition, ApiError> {
    use crate::rectification::items::{open_in, NewItem};
    use shared::rectification::ProblemSource;
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != input.version {
            return Err(ApiError::stale_version());
        }
        let status: PetitionStatus = code(&r.status)?;
        if !r.unresolved
            || !matches!(status, PetitionStatus::FollowedUp | PetitionStatus::Closed)
            || r.rectification_id.is_some()
        {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: "only a followed-up petition whose problem is unresolved, and without an item yet, opens a rectification item".into(),
            });
        }
        let found_on = r.followed_up_on.unwrap_or_else(today);
        let mut errs = FieldErrors::new();
        if input.deadline < found_on {
            errs.add(
                "deadline",
                "before_start",
                "the deadline lies before the follow-up",
            );
        }
        let description = input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(&r.subject)
            .to_owned();
        errs.check(
            "description",
            shared::validation::validate_text(&description, MAX_TEXT),
        );
        errs.into_result(()).map_err(ApiError::Validation)?;
        let item = open_in(
            conn,
            user,
            NewItem {
                id: Some(crate::plan::key_id("petition_rectification", &[&r.id])),
                source: ProblemSource::Petition,
                source_id: Some(id),
                source_ref: Some(r.subject.clone()),
                county_code: r.county_code.clone(),
                person_id: r.person_id.as_deref().map(uuid).transpose()?,
                household: None,
                category: input.category,
                description,
                measure: Some(18),
                found_on,
                deadline: input.deadline,
            },
        )?;
        let n = diesel::update(
            petitions::table
                .filter(petitions::id.eq(&r.id))
                .filter(petitions::version.eq(input.version)),
        )
        .set((
            petitions::rectification_id.eq(item.to_string()),
            petitions::version.eq(input.version + 1),
            petitions::updated_at.eq(now()),
            petitions::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        audit_petition(
            conn,
            user,
            AuditAction::Update,
            (&r.id, &r.county_code),
            None,
            serde_json::json!({"rectification_id": item}),
        )?;
        get(conn, user, id)
    })
}

/// Shows the petitioner in full (name, identity number, phone), recording who asked and
/// why under the petition's county.
pub fn reveal(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    id: Uuid,
    reason: &str,
) -> Result<PetitionerRevealed, ApiError> {
    write_tx(conn, |conn| {
        let county: String = visible(&user.scope)
            .filter(petitions::id.eq(id.to_string()))
            .select(petitions::county_code)
            .first(conn)?;
        let (name, number, phone): (String, Option<String>, Option<String>) = petitions::table
            .find(id.to_string())
            .select((
                petitions::petitioner_name_enc,
                petitions::petitioner_id_enc,
                petitions::petitioner_phone_enc,
            ))
            .first(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Reveal,
                entity_type: "petition",
                entity_id: id,
                owner_region: &county,
                reason: Some(reason),
                before: None,
                after: None,
            },
        )?;
        Ok(PetitionerRevealed {
            name: pii.decrypt(&name)?,
            id_number: number.map(|n| pii.decrypt(&n)).transpose()?,
            phone: phone.map(|p| pii.decrypt(&p)).transpose()?,
        })
    })
}

/// Most rows of a ledger export.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// Chinese labels of the ledger's coded columns.
pub fn label(kind: &str, value: &str) -> String {
    let l = match (kind, value) {
        ("channel", "governor_mailbox") => "省长信箱",
        ("channel", "chairman_mailbox") => "理事长信箱",
        ("channel", "rednet") => "红网问政",
        ("channel", "referral") => "上级交办",
        ("channel", "letter") => "来信",
        ("channel", "visit") => "来访",
        ("channel", "phone") => "来电",
        ("category", "policy_inquiry") => "政策咨询",
        ("category", "subsidies") => "补贴发放",
        ("category", "social_assistance") => "社会救助与低保",
        ("category", "rehabilitation") => "康复与辅具",
        ("category", "employment") => "就业与培训",
        ("category", "education") => "教育",
        ("category", "housing") => "住房与无障碍改造",
        ("category", "certificate") => "残疾人证",
        ("category", "rights_violation") => "权益侵害",
        ("category", "staff_conduct") => "工作人员作风",
        ("category", "other") => "其他",
        ("status", "registered") => "已登记",
        ("status", "accepted") => "已受理",
        ("status", "redirected") => "不予受理（已告知）",
        ("status", "assigned") => "已交办",
        ("status", "in_progress") => "办理中",
        ("status", "replied") => "已答复",
        ("status", "followed_up") => "已回访",
        ("status", "closed") => "已办结",
        ("satisfaction", "satisfied") => "满意",
        ("satisfaction", "basically_satisfied") => "基本满意",
        ("satisfaction", "dissatisfied") => "不满意",
        _ => value,
    };
    l.to_owned()
}

/// The petition ledger in the caller's scope and filters: the petitioner masked. The
/// caller audits the export (see [`audit_export`]).
pub fn export(conn: &mut DbConn, user: &AuthUser, f: &PetitionQuery) -> Result<Table, ApiError> {
    let rows: Vec<PetitionRow> = filtered(user, f)?
        .order(petitions::id.asc())
        .limit(MAX_EXPORT_ROWS)
        .select(PetitionRow::as_select())
        .load(conn)?;
    let day = today();
    let headers = [
        "登记日期",
        "渠道",
        "所在县",
        "信访人",
        "身份证号",
        "联系电话",
        "事由",
        "类别",
        "承办单位",
        "状态",
        "受理期限",
        "答复期限",
        "答复日期",
        "回访日期",
        "满意度",
        "是否逾期",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status: PetitionStatus = code(&r.status)?;
        out.push(vec![
            r.received_on.to_string(),
            label("channel", &r.channel),
            r.county_code.clone(),
            r.petitioner_name_masked.clone(),
            r.petitioner_id_masked.clone().unwrap_or_default(),
            r.petitioner_phone_masked.clone().unwrap_or_default(),
            r.subject.clone(),
            label("category", &r.category),
            r.assigned_unit.clone().unwrap_or_default(),
            label("status", &r.status),
            r.accept_due.to_string(),
            opt(r.reply_due),
            opt(r.replied_on),
            opt(r.followed_up_on),
            r.satisfaction
                .as_deref()
                .map(|s| label("satisfaction", s))
                .unwrap_or_default(),
            if is_overdue(status, r.accept_due, r.reply_due, day) {
                "是".to_owned()
            } else {
                "否".to_owned()
            },
        ]);
    }
    Ok(Table {
        headers,
        rows: out,
        choices: Vec::new(),
    })
}

/// Audits an export of the ledger: who, how many rows, which filters, masked.
pub fn audit_export(
    conn: &mut DbConn,
    user: &AuthUser,
    rows: usize,
    filters: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action: AuditAction::Export,
            entity_type: "petitions",
            entity_id: Uuid::nil(),
            owner_region: user.scope.region(),
            reason: None,
            before: None,
            after: Some(serde_json::json!({"rows": rows, "masked": true, "filters": filters})),
        },
    )
}

/// Petitions within `region` (a validated region code) past their current deadline and
/// still open on `day`: the dashboard's counter.
pub fn overdue_count(conn: &mut DbConn, region: &str, day: NaiveDate) -> Result<i64, ApiError> {
    let late = petitions::status
        .eq(PetitionStatus::Registered.as_str())
        .and(petitions::accept_due.lt(day))
        .or(petitions::status
            .eq_any(AWAITING_REPLY)
            .and(petitions::reply_due.lt(day).assume_not_null()));
    Ok(petitions::table
        .filter(petitions::deleted_at.is_null())
        .filter(petitions::county_code.like(format!("{region}%")))
        .filter(late)
        .count()
        .get_result(conn)?)
}
