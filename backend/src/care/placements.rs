//! Care placements: creation (idempotent by client id), the workflow of
//! [`shared::care::PLACEMENT_WORKFLOW`], transfers (one placement ends, another opens,
//! in one transaction), service logs of home-based care, and the placement ledger as a
//! spreadsheet. Reads start from [`visible`].
//!
//! Capacity is a refusal: approving or activating a placement at a provider whose
//! places are all held (by placements approved, active or suspended) answers 422 on
//! `provider_id` with `provider_full`; so does a transfer to a full provider.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::care::{
    self, CareMode, EndReason, Placement, PlacementAction, PlacementActionKind, PlacementCreate,
    PlacementEvent, PlacementInput, PlacementStatus, PlacementTransfer, ServiceLog,
    ServiceLogInput, PLACEMENT_WORKFLOW,
};
use shared::workflow::{self, Caller, OrgLevel, Refusal};
use shared::FieldErrors;
use uuid::Uuid;

use super::providers;
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    care_placement_events, care_placements, care_providers, care_service_logs, persons,
};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::persons::model::PersonRow;
use crate::tabular::Table;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `care_placements`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = care_placements)]
pub struct PlacementRow {
    /// Id.
    pub id: String,
    /// Person.
    pub person_id: String,
    /// Provider.
    pub provider_id: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Mode.
    pub mode: String,
    /// Start.
    pub start_on: NaiveDate,
    /// End.
    pub end_on: Option<NaiveDate>,
    /// Monthly subsidy.
    pub monthly_subsidy_fen: i64,
    /// Funder.
    pub funder: String,
    /// Assessment.
    pub assessment_id: Option<String>,
    /// Who recorded the assessment (user id).
    pub assessed_by: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Status.
    pub status: String,
    /// End reason.
    pub end_reason: Option<String>,
    /// Continues.
    pub transferred_from: Option<String>,
    /// Continued by.
    pub transferred_to: Option<String>,
    /// Version.
    pub version: i64,
    /// Created by (user id).
    pub created_by: String,
}

/// Live placements in `scope`.
pub fn visible(scope: &Scope) -> care_placements::BoxedQuery<'static, Backend> {
    crate::scope_filter!(care_placements::table.into_boxed(), scope, care_placements)
        .filter(care_placements::deleted_at.is_null())
}

fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<PlacementRow, ApiError> {
    Ok(visible(scope)
        .filter(care_placements::id.eq(id.to_string()))
        .select(PlacementRow::as_select())
        .first(conn)?)
}

fn previous_actor(conn: &mut DbConn, id: &str) -> Result<Option<String>, ApiError> {
    Ok(care_placement_events::table
        .filter(care_placement_events::placement_id.eq(id))
        .order(care_placement_events::id.desc())
        .select(care_placement_events::actor_id)
        .first(conn)
        .optional()?)
}

/// Runs `f` with the user as the workflow sees them for the placement `r`: the
/// four-eyes step (approve) is refused to whoever took the latest step and to whoever
/// recorded the assessment the placement rests on.
fn with_caller<T>(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &PlacementRow,
    f: impl FnOnce(&Caller<'_>) -> T,
) -> Result<T, ApiError> {
    let capabilities = user.capabilities();
    let me = user.id.to_string();
    let previous = previous_actor(conn, &r.id)?;
    Ok(f(&Caller {
        level: OrgLevel::of_region(user.scope.region()),
        capabilities: &capabilities,
        took_previous_step: previous.is_some_and(|p| p == me)
            || r.assessed_by.as_deref() == Some(me.as_str()),
    }))
}

type EventRow = (NaiveDate, String, Option<String>, String, Option<String>);

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<PlacementEvent>, ApiError> {
    let rows: Vec<EventRow> = care_placement_events::table
        .filter(care_placement_events::placement_id.eq(id))
        .order(care_placement_events::id.asc())
        .select((
            care_placement_events::effective_on,
            care_placement_events::actor_username,
            care_placement_events::from_status,
            care_placement_events::to_status,
            care_placement_events::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(on, actor_username, from, to, note)| {
            Ok(PlacementEvent {
                on,
                actor_username,
                from_status: from.as_deref().map(code).transpose()?,
                to_status: code(&to)?,
                note,
            })
        })
        .collect()
}

fn to_api(
    conn: &mut DbConn,
    r: &PlacementRow,
    detailed: bool,
    user: &AuthUser,
) -> Result<Placement, ApiError> {
    let status: PlacementStatus = code(&r.status)?;
    let allowed_actions = with_caller(conn, user, r, |c| {
        workflow::allowed_in(PLACEMENT_WORKFLOW, status, c)
    })?;
    let person_name: String = crate::persons::queries::live(&user.scope)
        .filter(persons::id.eq(&r.person_id))
        .select(persons::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let provider_name: String = care_providers::table
        .find(&r.provider_id)
        .select(care_providers::name)
        .first(conn)?;
    Ok(Placement {
        id: uuid(&r.id)?,
        version: r.version,
        fields: PlacementInput {
            person_id: uuid(&r.person_id)?,
            provider_id: uuid(&r.provider_id)?,
            mode: code(&r.mode)?,
            start_on: r.start_on,
            end_on: r.end_on,
            monthly_subsidy_fen: r.monthly_subsidy_fen,
            funder: code(&r.funder)?,
            assessment_id: r.assessment_id.as_deref().map(uuid).transpose()?,
            note: r.note.clone(),
        },
        person_name,
        provider_name,
        county_code: r.county_code.clone(),
        status,
        end_reason: r.end_reason.as_deref().map(code).transpose()?,
        transferred_from: r.transferred_from.as_deref().map(uuid).transpose()?,
        transferred_to: r.transferred_to.as_deref().map(uuid).transpose()?,
        timeline: if detailed {
            timeline(conn, &r.id)?
        } else {
            Vec::new()
        },
        allowed_actions,
    })
}

/// A placement in the user's scope, with its timeline and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Placement, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// Filters of `GET /api/v1/care/placements` (and of the ledger export).
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlacementQuery {
    /// Only this status.
    pub status: Option<PlacementStatus>,
    /// Only this mode.
    pub mode: Option<CareMode>,
    /// Only this provider's.
    pub provider_id: Option<Uuid>,
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub area: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

fn area_like(area: &str) -> Result<String, ApiError> {
    crate::org::queries::area_pattern(area).map_err(|_| {
        ApiError::field(
            "area",
            "invalid_region",
            "a 4-digit city or 6-digit county code",
        )
    })
}

fn filtered(
    user: &AuthUser,
    f: &PlacementQuery,
) -> Result<care_placements::BoxedQuery<'static, Backend>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(s) = f.status {
        q = q.filter(care_placements::status.eq(s.as_str()));
    }
    if let Some(m) = f.mode {
        q = q.filter(care_placements::mode.eq(m.as_str()));
    }
    if let Some(p) = f.provider_id {
        q = q.filter(care_placements::provider_id.eq(p.to_string()));
    }
    if let Some(p) = f.person_id {
        q = q.filter(care_placements::person_id.eq(p.to_string()));
    }
    if let Some(area) = f.area.as_deref() {
        q = q.filter(care_placements::county_code.like(area_like(area)?));
    }
    Ok(q)
}

/// A page of placements in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &PlacementQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Placement>, ApiError> {
    let mut q = filtered(user, f)?;
    if let Some(a) = after {
        q = q.filter(care_placements::id.gt(a.to_owned()));
    }
    let rows: Vec<PlacementRow> = q
        .order(care_placements::id.asc())
        .limit(limit)
        .select(PlacementRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

/// Writes one step into a placement's history.
fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    placement: &str,
    on: NaiveDate,
    (from, to): (Option<PlacementStatus>, PlacementStatus),
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(care_placement_events::table)
        .values((
            care_placement_events::id.eq(Uuid::now_v7().to_string()),
            care_placement_events::placement_id.eq(placement),
            care_placement_events::effective_on.eq(on),
            care_placement_events::at.eq(now()),
            care_placement_events::actor_id.eq(user.id.to_string()),
            care_placement_events::actor_username.eq(&user.username),
            care_placement_events::actor_unit.eq(&user.unit_code),
            care_placement_events::from_status.eq(from.map(|s| s.as_str())),
            care_placement_events::to_status.eq(to.as_str()),
            care_placement_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

fn audit_placement(
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
            entity_type: "care_placement",
            entity_id: uuid(id)?,
            owner_region: county,
            reason: None,
            before,
            after: Some(after),
        },
    )
}

/// Refuses a provider that is inactive or has no free place (leaving out the placement
/// `except`, which may already hold one).
fn check_room(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    field: &str,
    provider: &providers::ProviderRow,
    except: &str,
) -> Result<(), ApiError> {
    if !provider.active {
        errs.add(
            field,
            "not_eligible",
            "the provider takes no new placements",
        );
        return Ok(());
    }
    let held = providers::occupied(conn, &provider.id, except)?;
    if held >= i64::from(provider.places) {
        errs.add(
            field,
            "provider_full",
            format!("all {} places of the provider are held", provider.places),
        );
    }
    Ok(())
}

/// Checks a new placement for the user: its person and provider in the caller's
/// county, its assessment of the same person, no other open placement of the person.
fn check_new(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &PlacementInput,
    id: &str,
) -> Result<(PersonRow, Option<String>), ApiError> {
    let mut errs = FieldErrors(f.validate().err().unwrap_or_default());
    let person = match crate::persons::queries::get(conn, &user.scope, f.person_id) {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => {
            errs.add("person_id", "not_found", "no such person in your area");
            None
        }
        Err(e) => return Err(e),
    };
    match providers::row(conn, &user.scope, &f.provider_id.to_string()) {
        Ok(p) if !p.active => errs.add(
            "provider_id",
            "not_eligible",
            "the provider takes no new placements",
        ),
        Ok(_) => {}
        Err(ApiError::NotFound) => {
            errs.add("provider_id", "not_found", "no such provider in your area")
        }
        Err(e) => return Err(e),
    }
    let mut assessed_by = None;
    if let (Some(a), Some(p)) = (f.assessment_id, &person) {
        match super::assessments::row(conn, &user.scope, &a.to_string()) {
            Ok(a) if a.person_id == p.id => assessed_by = Some(a.created_by),
            Ok(_) => errs.add(
                "assessment_id",
                "inconsistent",
                "the assessment is of another person",
            ),
            Err(ApiError::NotFound) => errs.add("assessment_id", "not_found", "no such assessment"),
            Err(e) => return Err(e),
        }
    }
    if let Some(p) = &person {
        let open: i64 = care_placements::table
            .filter(care_placements::person_id.eq(&p.id))
            .filter(care_placements::deleted_at.is_null())
            .filter(care_placements::status.ne(PlacementStatus::Ended.as_str()))
            .filter(care_placements::id.ne(id))
            .count()
            .get_result(conn)?;
        if open > 0 {
            errs.add(
                "person_id",
                "duplicate",
                "the person has an open placement: end or transfer it",
            );
        }
    }
    match (person, errs.is_empty()) {
        (Some(p), true) => Ok((p, assessed_by)),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

fn placement_json(p: &Placement) -> serde_json::Value {
    serde_json::json!({"person_id": p.fields.person_id, "provider_id": p.fields.provider_id,
        "mode": p.fields.mode, "start_on": p.fields.start_on, "end_on": p.fields.end_on,
        "monthly_subsidy_fen": p.fields.monthly_subsidy_fen, "funder": p.fields.funder,
        "status": p.status, "end_reason": p.end_reason})
}

/// What an insert of a placement needs besides its fields.
struct NewPlacement<'a> {
    id: &'a str,
    hash: Option<&'a str>,
    status: PlacementStatus,
    county: (&'a str, &'a str),
    assessed_by: Option<&'a str>,
    transferred_from: Option<&'a str>,
}

fn insert(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &PlacementInput,
    n: &NewPlacement<'_>,
) -> Result<(), ApiError> {
    let at = now();
    diesel::insert_into(care_placements::table)
        .values((
            care_placements::id.eq(n.id),
            care_placements::person_id.eq(f.person_id.to_string()),
            care_placements::provider_id.eq(f.provider_id.to_string()),
            care_placements::county_code.eq(n.county.0),
            care_placements::city_code.eq(n.county.1),
            care_placements::mode.eq(f.mode.as_str()),
            care_placements::start_on.eq(f.start_on),
            care_placements::end_on.eq(f.end_on),
            care_placements::monthly_subsidy_fen.eq(f.monthly_subsidy_fen),
            care_placements::funder.eq(f.funder.as_str()),
            care_placements::assessment_id.eq(f.assessment_id.map(|a| a.to_string())),
            care_placements::assessed_by.eq(n.assessed_by),
            care_placements::note.eq(f.note.as_deref().map(str::trim)),
            care_placements::status.eq(n.status.as_str()),
            care_placements::transferred_from.eq(n.transferred_from),
            care_placements::create_hash.eq(n.hash),
            care_placements::version.eq(1),
            care_placements::created_at.eq(at),
            care_placements::created_by.eq(user.id.to_string()),
            care_placements::updated_at.eq(at),
            care_placements::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a placement (county care staff): `referred`, or `assessed` when it names its
/// care assessment. A retry with the same client id and body answers the same
/// placement.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &PlacementCreate,
) -> Result<(bool, Placement), ApiError> {
    super::require_county_writer(user)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "care_placement", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, care_placements, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let id_text = id.to_string();
        let (person, assessed_by) = check_new(conn, user, f, &id_text)?;
        let status = if f.assessment_id.is_some() {
            PlacementStatus::Assessed
        } else {
            PlacementStatus::Referred
        };
        insert(
            conn,
            user,
            f,
            &NewPlacement {
                id: &id_text,
                hash: Some(&hash),
                status,
                county: (&person.county_code, &person.city_code),
                assessed_by: assessed_by.as_deref(),
                transferred_from: None,
            },
        )?;
        event(
            conn,
            user,
            &id_text,
            today(),
            (None, status),
            f.note.as_deref(),
        )?;
        let p = get(conn, user, id)?;
        audit_placement(
            conn,
            user,
            AuditAction::Create,
            (&id_text, &person.county_code),
            None,
            placement_json(&p),
        )?;
        Ok((true, p))
    })
}

/// The answer to a step the workflow refuses.
fn refusal(r: Refusal, from: PlacementStatus) -> ApiError {
    match r {
        Refusal::InvalidTransition => invalid_transition(from),
        Refusal::WrongLevel(l) => {
            ApiError::Forbidden(format!("this step is taken at the {} level", l.as_str()))
        }
        Refusal::MissingCapability(c) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        Refusal::FourEyes => ApiError::Forbidden(
            "you assessed this placement or took its previous step; another person must approve"
                .into(),
        ),
    }
}

fn invalid_transition(from: PlacementStatus) -> ApiError {
    ApiError::Conflict {
        code: "invalid_transition",
        detail: format!(
            "a placement that is {} cannot take this step",
            from.as_str()
        ),
    }
}

/// The day of the latest step that started or stopped care (activate, suspend, resume,
/// end), if any: later such steps may not lie before it.
fn last_clock_day(conn: &mut DbConn, id: &str) -> Result<Option<NaiveDate>, ApiError> {
    Ok(care_placement_events::table
        .filter(care_placement_events::placement_id.eq(id))
        .filter(care_placement_events::to_status.eq_any([
            PlacementStatus::Active.as_str(),
            PlacementStatus::Suspended.as_str(),
            PlacementStatus::Ended.as_str(),
        ]))
        .select(diesel::dsl::max(care_placement_events::effective_on))
        .first::<Option<NaiveDate>>(conn)?)
}

/// Checks the effective day of a step that starts or stops care.
fn check_clock_day(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    r: &PlacementRow,
    on: NaiveDate,
) -> Result<(), ApiError> {
    if on > today() {
        errs.add("on", "in_future", "the date lies in the future");
    }
    if on.year() < 2000 {
        errs.add("on", "out_of_range", "the date lies before 2000");
    }
    if let Some(last) = last_clock_day(conn, &r.id)? {
        if on < last {
            errs.add(
                "on",
                "before_start",
                format!("the placement's last step took effect on {last}"),
            );
        }
    }
    Ok(())
}

/// Takes one step of the placement workflow, if the table allows it to the caller from
/// the current status. The step, its history entry and its audit entry are one
/// transaction. Transfers have their own endpoint ([`transfer`]).
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    a: &PlacementAction,
) -> Result<Placement, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != version {
            return Err(ApiError::stale_version());
        }
        let from: PlacementStatus = code(&r.status)?;
        let to = with_caller(conn, user, &r, |c| {
            workflow::authorise_in(PLACEMENT_WORKFLOW, from, a.action, c).map(|t| t.to)
        })?
        .map_err(|e| refusal(e, from))?;
        let note = a.note.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut errs = FieldErrors::new();
        if let Some(n) = note {
            errs.check("note", shared::validation::validate_text(n, 500));
        }
        let on = a.on.unwrap_or_else(today);
        let mut start_on = r.start_on;
        let mut end_on = r.end_on;
        let mut end_reason: Option<EndReason> = None;
        let mut assessment: (Option<String>, Option<String>) =
            (r.assessment_id.clone(), r.assessed_by.clone());
        match a.action {
            PlacementActionKind::Transfer => {
                return Err(ApiError::field(
                    "action",
                    "invalid_value",
                    "a transfer goes to /api/v1/care/placements/{id}/transfer",
                ));
            }
            PlacementActionKind::Assess => match a.assessment_id {
                None => errs.add("assessment_id", "required", "name the care assessment"),
                Some(aid) => match super::assessments::row(conn, &user.scope, &aid.to_string()) {
                    Ok(x) if x.person_id == r.person_id => {
                        assessment = (Some(x.id), Some(x.created_by));
                    }
                    Ok(_) => errs.add(
                        "assessment_id",
                        "inconsistent",
                        "the assessment is of another person",
                    ),
                    Err(ApiError::NotFound) => {
                        errs.add("assessment_id", "not_found", "no such assessment")
                    }
                    Err(e) => return Err(e),
                },
            },
            PlacementActionKind::Approve => {
                let p = providers::row(conn, &Scope::Province, &r.provider_id)?;
                check_room(conn, &mut errs, "provider_id", &p, &r.id)?;
            }
            PlacementActionKind::Activate => {
                let first = a.on.unwrap_or(r.start_on);
                check_clock_day(conn, &mut errs, &r, first)?;
                let p = providers::row(conn, &Scope::Province, &r.provider_id)?;
                check_room(conn, &mut errs, "provider_id", &p, &r.id)?;
                if r.end_on.is_some_and(|e| e < first) {
                    end_on = None;
                }
                start_on = first;
            }
            PlacementActionKind::Suspend | PlacementActionKind::Resume => {
                check_clock_day(conn, &mut errs, &r, on)?;
            }
            PlacementActionKind::End => {
                match a.end_reason {
                    None => errs.add("end_reason", "required", "say why the care ends"),
                    Some(EndReason::Transferred) => errs.add(
                        "end_reason",
                        "invalid_value",
                        "a transfer goes to /api/v1/care/placements/{id}/transfer",
                    ),
                    Some(reason) => end_reason = Some(reason),
                }
                check_clock_day(conn, &mut errs, &r, on)?;
                if on < r.start_on {
                    // Never activated: ends no earlier than it was to start.
                    if from == PlacementStatus::Active || from == PlacementStatus::Suspended {
                        errs.add("on", "before_start", "the end lies before the start");
                    }
                    end_on = Some(r.start_on);
                } else {
                    end_on = Some(on);
                }
            }
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let effective = match a.action {
            PlacementActionKind::Activate => start_on,
            _ => on,
        };
        let n = diesel::update(
            care_placements::table
                .filter(care_placements::id.eq(&r.id))
                .filter(care_placements::version.eq(version)),
        )
        .set((
            care_placements::status.eq(to.as_str()),
            care_placements::start_on.eq(start_on),
            care_placements::end_on.eq(end_on),
            care_placements::end_reason.eq(end_reason.map(|e| e.as_str())),
            care_placements::assessment_id.eq(&assessment.0),
            care_placements::assessed_by.eq(&assessment.1),
            care_placements::version.eq(version + 1),
            care_placements::updated_at.eq(now()),
            care_placements::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let note_text = match (end_reason, note) {
            (Some(reason), Some(n)) => Some(format!("{reason}: {n}")),
            (Some(reason), None) => Some(reason.as_str().to_owned()),
            (None, n) => n.map(str::to_owned),
        };
        event(
            conn,
            user,
            &r.id,
            effective,
            (Some(from), to),
            note_text.as_deref(),
        )?;
        audit_placement(
            conn,
            user,
            AuditAction::Update,
            (&r.id, &r.county_code),
            Some(serde_json::json!({"status": from})),
            serde_json::json!({"status": to, "action": a.action, "on": effective,
                "end_reason": end_reason}),
        )?;
        get(conn, user, id)
    })
}

/// Moves a person in care to another provider or mode: the placement ends on `on`
/// (reason `transferred`) and a new one, active from that day, opens — in one
/// transaction, so that either both happen or neither. Answers the new placement.
pub fn transfer(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    t: &PlacementTransfer,
) -> Result<(bool, Placement), ApiError> {
    super::require_county_writer(user)?;
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        // A retry of a transfer that went through answers the new placement.
        if let Some(new_id) = t.new_id {
            let existing: Option<(Option<String>, String)> = care_placements::table
                .find(new_id.to_string())
                .select((
                    care_placements::transferred_from,
                    care_placements::created_by,
                ))
                .first(conn)
                .optional()?;
            if let Some((from, by)) = existing {
                if from.as_deref() == Some(r.id.as_str()) && by == user.id.to_string() {
                    return Ok((false, get(conn, user, new_id)?));
                }
                return Err(ApiError::Conflict {
                    code: "id_conflict",
                    detail: "this id belongs to another record".into(),
                });
            }
        }
        if r.version != version {
            return Err(ApiError::stale_version());
        }
        let from: PlacementStatus = code(&r.status)?;
        with_caller(conn, user, &r, |c| {
            workflow::authorise_in(PLACEMENT_WORKFLOW, from, PlacementActionKind::Transfer, c)
                .map(|_| ())
        })?
        .map_err(|e| refusal(e, from))?;
        let fields = PlacementInput {
            person_id: uuid(&r.person_id)?,
            provider_id: t.provider_id,
            mode: t.mode,
            start_on: t.on,
            end_on: None,
            monthly_subsidy_fen: t.monthly_subsidy_fen,
            funder: t.funder,
            assessment_id: r.assessment_id.as_deref().map(uuid).transpose()?,
            note: t.note.clone(),
        };
        let mut errs = FieldErrors(fields.validate().err().unwrap_or_default());
        check_clock_day(conn, &mut errs, &r, t.on)?;
        let old_mode: CareMode = code(&r.mode)?;
        if t.provider_id.to_string() == r.provider_id && t.mode == old_mode {
            errs.add(
                "provider_id",
                "same_as_current",
                "a transfer changes the provider or the mode",
            );
        }
        match providers::row(conn, &user.scope, &t.provider_id.to_string()) {
            Ok(p) => check_room(conn, &mut errs, "provider_id", &p, &r.id)?,
            Err(ApiError::NotFound) => {
                errs.add("provider_id", "not_found", "no such provider in your area")
            }
            Err(e) => return Err(e),
        }
        if let Some(n) = &t.note {
            errs.check("note", shared::validation::validate_text(n, 500));
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let new_id = t.new_id.unwrap_or_else(Uuid::now_v7).to_string();
        let n = diesel::update(
            care_placements::table
                .filter(care_placements::id.eq(&r.id))
                .filter(care_placements::version.eq(version)),
        )
        .set((
            care_placements::status.eq(PlacementStatus::Ended.as_str()),
            care_placements::end_on.eq(Some(t.on)),
            care_placements::end_reason.eq(EndReason::Transferred.as_str()),
            care_placements::transferred_to.eq(&new_id),
            care_placements::version.eq(version + 1),
            care_placements::updated_at.eq(now()),
            care_placements::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        event(
            conn,
            user,
            &r.id,
            t.on,
            (Some(from), PlacementStatus::Ended),
            Some(EndReason::Transferred.as_str()),
        )?;
        insert(
            conn,
            user,
            &fields,
            &NewPlacement {
                id: &new_id,
                hash: None,
                status: PlacementStatus::Active,
                county: (&r.county_code, &r.city_code),
                assessed_by: r.assessed_by.as_deref(),
                transferred_from: Some(&r.id),
            },
        )?;
        event(
            conn,
            user,
            &new_id,
            t.on,
            (None, PlacementStatus::Active),
            t.note.as_deref(),
        )?;
        audit_placement(
            conn,
            user,
            AuditAction::Update,
            (&r.id, &r.county_code),
            Some(serde_json::json!({"status": from})),
            serde_json::json!({"status": PlacementStatus::Ended,
                "end_reason": EndReason::Transferred, "transferred_to": new_id}),
        )?;
        let created = get(conn, user, uuid(&new_id)?)?;
        audit_placement(
            conn,
            user,
            AuditAction::Create,
            (&new_id, &r.county_code),
            None,
            placement_json(&created),
        )?;
        Ok((true, created))
    })
}

/// A row of `care_service_logs` as read.
type LogRow = (String, String, NaiveDate, i32, String, String, String);

fn log_to_api(r: LogRow) -> Result<ServiceLog, ApiError> {
    let (id, placement, served_on, hours, tasks, carer, recorded_by) = r;
    Ok(ServiceLog {
        id: uuid(&id)?,
        placement_id: uuid(&placement)?,
        served_on,
        hours,
        tasks,
        carer,
        recorded_by,
    })
}

fn log_columns() -> (
    care_service_logs::id,
    care_service_logs::placement_id,
    care_service_logs::served_on,
    care_service_logs::hours,
    care_service_logs::tasks,
    care_service_logs::carer,
    care_service_logs::recorded_by,
) {
    (
        care_service_logs::id,
        care_service_logs::placement_id,
        care_service_logs::served_on,
        care_service_logs::hours,
        care_service_logs::tasks,
        care_service_logs::carer,
        care_service_logs::recorded_by,
    )
}

/// The service logs of a placement in the user's scope, newest visit first.
pub fn logs(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Vec<ServiceLog>, ApiError> {
    let r = row(conn, &user.scope, id)?;
    let rows: Vec<LogRow> = care_service_logs::table
        .filter(care_service_logs::placement_id.eq(&r.id))
        .filter(care_service_logs::deleted_at.is_null())
        .order((
            care_service_logs::served_on.desc(),
            care_service_logs::id.desc(),
        ))
        .limit(1000)
        .select(log_columns())
        .load(conn)?;
    rows.into_iter().map(log_to_api).collect()
}

fn get_log(conn: &mut DbConn, id: &str) -> Result<ServiceLog, ApiError> {
    let r: LogRow = care_service_logs::table
        .find(id)
        .select(log_columns())
        .first(conn)?;
    log_to_api(r)
}

/// Records a visit of home-based care (county care staff), on a day the placement was
/// in force (from its start, up to its end if it ended). A retry with the same client
/// id and body answers the same log.
pub fn add_log(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    id: Uuid,
    body: &ServiceLogInput,
) -> Result<(bool, ServiceLog), ApiError> {
    super::require_county_writer(user)?;
    let mut digest_body = body.clone();
    digest_body.id = None;
    let hash = crate::record::create_digest(pii, "care_service_log", &(id, &digest_body))?;
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        let log_id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, care_service_logs, log_id, &hash, user)? {
            return Ok((false, get_log(conn, &log_id.to_string())?));
        }
        let mode: CareMode = code(&r.mode)?;
        let status: PlacementStatus = code(&r.status)?;
        if mode != CareMode::HomeBased {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: "service logs are kept for home-based care".into(),
            });
        }
        if !matches!(
            status,
            PlacementStatus::Active | PlacementStatus::Suspended | PlacementStatus::Ended
        ) || (status == PlacementStatus::Ended && last_clock_day(conn, &r.id)?.is_none())
        {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: "the placement was never in force".into(),
            });
        }
        let mut errs = FieldErrors(body.validate(today()).err().unwrap_or_default());
        if body.served_on < r.start_on || r.end_on.is_some_and(|e| body.served_on > e) {
            errs.add(
                "served_on",
                "out_of_range",
                "the visit lies outside the placement's dates",
            );
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let at = now();
        let log_text = log_id.to_string();
        diesel::insert_into(care_service_logs::table)
            .values((
                care_service_logs::id.eq(&log_text),
                care_service_logs::placement_id.eq(&r.id),
                care_service_logs::county_code.eq(&r.county_code),
                care_service_logs::served_on.eq(body.served_on),
                care_service_logs::hours.eq(body.hours),
                care_service_logs::tasks.eq(body.tasks.trim()),
                care_service_logs::carer.eq(body.carer.trim()),
                care_service_logs::recorded_by.eq(&user.username),
                care_service_logs::create_hash.eq(&hash),
                care_service_logs::created_at.eq(at),
                care_service_logs::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "care_service_log",
                entity_id: log_id,
                owner_region: &r.county_code,
                reason: None,
                before: None,
                after: Some(serde_json::json!({"placement_id": r.id,
                    "served_on": body.served_on, "hours": body.hours})),
            },
        )?;
        Ok((true, get_log(conn, &log_text)?))
    })
}

/// Most rows of a ledger export.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// Chinese labels of the ledger's coded columns.
fn label(kind: &str, value: &str) -> String {
    let l = match (kind, value) {
        ("mode", "residential") => "寄宿托养",
        ("mode", "day_care") => "日间照料",
        ("mode", "home_based") => "居家托养",
        ("funder", "dpf") => "残联",
        ("funder", "civil_affairs") => "民政",
        ("funder", "mixed") => "共同出资",
        ("status", "referred") => "已转介",
        ("status", "assessed") => "已评估",
        ("status", "approved") => "已批准",
        ("status", "active") => "托养中",
        ("status", "suspended") => "已暂停",
        ("status", "ended") => "已结束",
        ("reason", "deceased") => "死亡",
        ("reason", "moved") => "迁出",
        ("reason", "family_care") => "回归家庭照料",
        ("reason", "ineligible") => "不再符合条件",
        ("reason", "transferred") => "转介",
        _ => value,
    };
    l.to_owned()
}

/// The placement ledger in the caller's scope and filters: identity numbers masked.
/// The caller audits the export (see [`audit_export`]).
pub fn export(conn: &mut DbConn, user: &AuthUser, f: &PlacementQuery) -> Result<Table, ApiError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        i64,
        String,
        String,
        Option<String>,
    );
    let joined = care_placements::table
        .inner_join(persons::table)
        .inner_join(care_providers::table)
        .into_boxed();
    let mut q = crate::scope_filter!(joined, &user.scope, care_placements)
        .filter(care_placements::deleted_at.is_null());
    if let Some(s) = f.status {
        q = q.filter(care_placements::status.eq(s.as_str()));
    }
    if let Some(m) = f.mode {
        q = q.filter(care_placements::mode.eq(m.as_str()));
    }
    if let Some(p) = f.provider_id {
        q = q.filter(care_placements::provider_id.eq(p.to_string()));
    }
    if let Some(p) = f.person_id {
        q = q.filter(care_placements::person_id.eq(p.to_string()));
    }
    if let Some(area) = f.area.as_deref() {
        q = q.filter(care_placements::county_code.like(area_like(area)?));
    }
    let rows: Vec<Row> = q
        .order(care_placements::id.asc())
        .limit(MAX_EXPORT_ROWS)
        .select((
            persons::id_number_masked,
            persons::name,
            care_placements::county_code,
            care_providers::name,
            care_placements::mode,
            care_placements::start_on,
            care_placements::end_on,
            care_placements::monthly_subsidy_fen,
            care_placements::funder,
            care_placements::status,
            care_placements::end_reason,
        ))
        .load(conn)?;
    let headers = [
        "身份证号",
        "姓名",
        "所在县",
        "托养机构",
        "托养方式",
        "开始日期",
        "结束日期",
        "月补贴（元）",
        "资金来源",
        "状态",
        "结束原因",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let rows = rows
        .into_iter()
        .map(
            |(masked, name, county, provider, mode, start, end, fen, funder, status, reason)| {
                vec![
                    masked,
                    name,
                    county,
                    provider,
                    label("mode", &mode),
                    start.to_string(),
                    end.map(|d| d.to_string()).unwrap_or_default(),
                    shared::money::format_hundredths(fen),
                    label("funder", &funder),
                    label("status", &status),
                    reason.map(|r| label("reason", &r)).unwrap_or_default(),
                ]
            },
        )
        .collect();
    Ok(Table {
        headers,
        rows,
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
            entity_type: "care_placements",
            entity_id: Uuid::nil(),
            owner_region: user.scope.region(),
            reason: None,
            before: None,
            after: Some(serde_json::json!({"rows": rows, "masked": true, "filters": filters})),
        },
    )
}

/// The monthly subsidy of a placement over `months` months, bounded (checked
/// arithmetic: `None` when it would not fit).
pub fn subsidy_over(monthly_fen: i64, months: i64) -> Option<i64> {
    if !(0..=care::MAX_MONTHLY_FEN).contains(&monthly_fen) {
        return None;
    }
    monthly_fen.checked_mul(months)
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn subsidies_are_bounded() {
        assert_eq!(subsidy_over(100_000, 12), Some(1_200_000));
        assert_eq!(subsidy_over(care::MAX_MONTHLY_FEN + 1, 1), None);
        assert_eq!(subsidy_over(1_000_000, i64::MAX), None);
    }

    #[test]
    fn ledger_labels_are_chinese() {
        assert_eq!(label("mode", "home_based"), "居家托养");
        assert_eq!(label("reason", "transferred"), "转介");
    }
}
