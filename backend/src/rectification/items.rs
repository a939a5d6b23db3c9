//! Rectification items: opening one (from the API, or from another ledger's record with
//! [`open_in`]), reading them through [`visible`], and the steps of
//! [`shared::rectification::RECTIFICATION_WORKFLOW`].

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::attachments::OwnerKind;
use shared::auth::Capability;
use shared::rectification::{
    self as rect, ProblemCategory, ProblemSource, RectificationAction, RectificationActionKind,
    RectificationCaller, RectificationCreate, RectificationEvent, RectificationInput,
    RectificationItem, RectificationRefusal, RectificationStatus, DEADLINE_STATUSES, MAX_NOTE,
};
use shared::validation::validate_text;
use shared::workflow::{OrgLevel, Refusal};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    attachments, org_units, persons, rectification_events, rectification_items,
};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// The kind of record in the audit log and of attachment owner.
pub const ENTITY: &str = "rectification_item";

/// A row of `rectification_items`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rectification_items)]
pub struct ItemRow {
    /// Id.
    pub id: String,
    /// Responsible county.
    pub county_code: String,
    /// Its city.
    pub city_code: String,
    /// Source.
    pub source: String,
    /// Finding record.
    pub source_id: Option<String>,
    /// Reference.
    pub source_ref: Option<String>,
    /// Category.
    pub category: String,
    /// Description.
    pub description: String,
    /// Person.
    pub person_id: Option<String>,
    /// Household.
    pub household: Option<String>,
    /// Measure.
    pub measure: Option<i32>,
    /// Responsible person.
    pub responsible_person: Option<String>,
    /// Found on.
    pub found_on: NaiveDate,
    /// Current deadline.
    pub deadline: NaiveDate,
    /// First deadline.
    pub original_deadline: NaiveDate,
    /// Status.
    pub status: String,
    /// In the status since.
    pub status_since: NaiveDateTime,
    /// Long-term plan.
    pub long_term_plan: Option<String>,
    /// What was done.
    pub rectification_note: Option<String>,
    /// Submitted at.
    pub submitted_at: Option<NaiveDateTime>,
    /// Submitted by (user id).
    pub submitted_by: Option<String>,
    /// The unit that submitted.
    pub submitted_unit: Option<String>,
    /// Recheck note.
    pub recheck_note: Option<String>,
    /// Rechecked at.
    pub rechecked_at: Option<NaiveDateTime>,
    /// Rechecked by.
    pub rechecked_by: Option<String>,
    /// The unit that rechecked.
    pub rechecked_unit: Option<String>,
    /// Closed at.
    pub closed_at: Option<NaiveDateTime>,
    /// Closed by.
    pub closed_by: Option<String>,
    /// The unit that closed.
    pub closed_unit: Option<String>,
    /// Duplicates this item.
    pub duplicate_of: Option<String>,
    /// Times reopened.
    pub reopen_count: i32,
    /// Failed rechecks.
    pub recheck_failures: i32,
    /// Create digest.
    pub create_hash: Option<String>,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Creator.
    pub created_by: String,
    /// Updated.
    pub updated_at: NaiveDateTime,
    /// Updater.
    pub updated_by: String,
    /// Deleted.
    pub deleted_at: Option<NaiveDateTime>,
    /// Deleter.
    pub deleted_by: Option<String>,
}

/// Live items in `scope`.
pub fn visible(scope: &Scope) -> rectification_items::BoxedQuery<'static, Backend> {
    crate::scope_filter!(
        rectification_items::table.into_boxed(),
        scope,
        rectification_items
    )
    .filter(rectification_items::deleted_at.is_null())
}

fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<ItemRow, ApiError> {
    Ok(visible(scope)
        .filter(rectification_items::id.eq(id.to_string()))
        .select(ItemRow::as_select())
        .first(conn)?)
}

/// The county of an item the user may see (for attachments); 404 otherwise.
pub fn county_of(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<String, ApiError> {
    Ok(row(conn, scope, id)?.county_code)
}

/// A new item as another ledger opens it from its own record (see [`open_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// A chosen id (for example derived from the finding record, so that a replayed
    /// record opens no second item); a new one when absent.
    pub id: Option<Uuid>,
    /// Where the problem was found.
    pub source: ProblemSource,
    /// The finding record (the visit, inspection or petition).
    pub source_id: Option<Uuid>,
    /// A reference in words.
    pub source_ref: Option<String>,
    /// The responsible county (6 digits).
    pub county_code: String,
    /// The person concerned.
    pub person_id: Option<Uuid>,
    /// The household, in words.
    pub household: Option<String>,
    /// Category.
    pub category: ProblemCategory,
    /// What is wrong.
    pub description: String,
    /// The plan's measure.
    pub measure: Option<i16>,
    /// The day it was found.
    pub found_on: NaiveDate,
    /// The day it must be rectified by.
    pub deadline: NaiveDate,
}

impl NewItem {
    /// The item's fields as the API takes them.
    pub fn input(&self) -> RectificationInput {
        RectificationInput {
            source: self.source,
            source_id: self.source_id,
            source_ref: self.source_ref.clone(),
            county_code: self.county_code.clone(),
            person_id: self.person_id,
            household: self.household.clone(),
            category: self.category,
            description: self.description.clone(),
            measure: self.measure,
            found_on: self.found_on,
            deadline: self.deadline,
        }
    }

    /// A new item with `fields` and the id `id`.
    pub fn from_input(id: Option<Uuid>, f: RectificationInput) -> Self {
        Self {
            id,
            source: f.source,
            source_id: f.source_id,
            source_ref: f.source_ref,
            county_code: f.county_code,
            person_id: f.person_id,
            household: f.household,
            category: f.category,
            description: f.description,
            measure: f.measure,
            found_on: f.found_on,
            deadline: f.deadline,
        }
    }
}

/// Opens a rectification item inside the caller's transaction (no `write_tx` here): the
/// one way another ledger — a cadre's visit, an inspection, a petition — turns a problem
/// it found into an item, audited under `actor`. The calling ledger has authorised its
/// own write; this checks the fields, that the county is a county in the actor's scope
/// (422 `outside_scope` otherwise) and that the person, if named, lives there. With an
/// `id` already used by an item of the same source record, that item's id is answered
/// (a replayed record opens nothing twice); any other use of the id is 409.
pub fn open_in(conn: &mut DbConn, actor: &AuthUser, item: NewItem) -> Result<Uuid, ApiError> {
    let id = item.id.unwrap_or_else(Uuid::now_v7);
    if let Some(existing) = rectification_items::table
        .find(id.to_string())
        .select((rectification_items::source_id, rectification_items::source))
        .first::<(Option<String>, String)>(conn)
        .optional()?
    {
        let same = existing.0.is_some()
            && existing.0 == item.source_id.map(|s| s.to_string())
            && existing.1 == item.source.as_str();
        return if same {
            Ok(id)
        } else {
            Err(crate::record::id_conflict())
        };
    }
    insert_in(conn, actor, id, None, &item.input())?;
    Ok(id)
}

/// Checks and inserts a new item (with its creation event and audit entry), `id` free.
fn insert_in(
    conn: &mut DbConn,
    actor: &AuthUser,
    id: Uuid,
    hash: Option<&str>,
    f: &RectificationInput,
) -> Result<(), ApiError> {
    f.validate(today()).map_err(ApiError::Validation)?;
    let mut errs = FieldErrors::new();
    let county: Option<String> = org_units::table
        .filter(org_units::code.eq(&f.county_code))
        .filter(org_units::region_code.eq(&f.county_code))
        .select(org_units::code)
        .first(conn)
        .optional()?;
    if county.is_none() {
        errs.add("county_code", "not_found", "no such county");
    } else if !actor.scope.covers_region(&f.county_code) {
        errs.add(
            "county_code",
            "outside_scope",
            "the county is outside your area",
        );
    }
    if let Some(p) = f.person_id {
        let home: Option<String> = persons::table
            .filter(persons::id.eq(p.to_string()))
            .filter(persons::deleted_at.is_null())
            .select(persons::county_code)
            .first(conn)
            .optional()?;
        match home {
            None => errs.add("person_id", "not_found", "no such person"),
            Some(c) if c != f.county_code => errs.add(
                "person_id",
                "inconsistent",
                "the person lives in another county",
            ),
            Some(_) => {}
        }
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    let at = now();
    let id_s = id.to_string();
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    diesel::insert_into(rectification_items::table)
        .values((
            rectification_items::id.eq(&id_s),
            rectification_items::county_code.eq(&f.county_code),
            rectification_items::city_code.eq(&f.county_code[..4]),
            rectification_items::source.eq(f.source.as_str()),
            rectification_items::source_id.eq(f.source_id.map(|s| s.to_string())),
            rectification_items::source_ref.eq(trimmed(&f.source_ref)),
            rectification_items::category.eq(f.category.as_str()),
            rectification_items::description.eq(f.description.trim()),
            rectification_items::person_id.eq(f.person_id.map(|p| p.to_string())),
            rectification_items::household.eq(trimmed(&f.household)),
            rectification_items::measure.eq(f.measure.map(i32::from)),
            rectification_items::found_on.eq(f.found_on),
            rectification_items::deadline.eq(f.deadline),
            rectification_items::original_deadline.eq(f.deadline),
            rectification_items::status.eq(RectificationStatus::Open.as_str()),
            rectification_items::status_since.eq(at),
            rectification_items::reopen_count.eq(0),
            rectification_items::recheck_failures.eq(0),
            rectification_items::create_hash.eq(hash),
            rectification_items::version.eq(1),
            rectification_items::created_at.eq(at),
            rectification_items::created_by.eq(actor.id.to_string()),
            rectification_items::updated_at.eq(at),
            rectification_items::updated_by.eq(actor.id.to_string()),
        ))
        .execute(conn)?;
    event(
        conn,
        actor,
        &id_s,
        None,
        None,
        RectificationStatus::Open,
        None,
    )?;
    audit::record(
        conn,
        Event {
            actor,
            action: AuditAction::Create,
            entity_type: ENTITY,
            entity_id: id,
            owner_region: &f.county_code,
            reason: None,
            before: None,
            after: Some(serde_json::json!({
                "source": f.source, "source_id": f.source_id, "category": f.category,
                "county_code": f.county_code, "person_id": f.person_id,
                "measure": f.measure, "found_on": f.found_on, "deadline": f.deadline,
            })),
        },
    )
}

/// Records an item (`write_rectification`, a county in the caller's area); a retry with
/// the same client id and body answers the stored item (`false`: not new).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &RectificationCreate,
) -> Result<(bool, RectificationItem), ApiError> {
    user.require(Capability::WriteRectification)?;
    // An item of an inspection, a visit or a petition is opened by that ledger (which
    // checks the record is there and in reach); naming one by hand would forge the link.
    if body.fields.source_id.is_some()
        && matches!(
            body.fields.source,
            ProblemSource::Inspection | ProblemSource::Visit | ProblemSource::Petition
        )
    {
        return Err(ApiError::field(
            "source_id",
            "invalid_value",
            "items of inspections, visits and petitions are opened from those records",
        ));
    }
    let hash = crate::record::create_digest(pii, ENTITY, body)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, rectification_items, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        insert_in(conn, user, id, Some(&hash), &body.fields)?;
        Ok((true, get(conn, user, id)?))
    })
}

fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    item_id: &str,
    action: Option<RectificationActionKind>,
    from: Option<RectificationStatus>,
    to: RectificationStatus,
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(rectification_events::table)
        .values((
            rectification_events::id.eq(Uuid::now_v7().to_string()),
            rectification_events::item_id.eq(item_id),
            rectification_events::at.eq(now()),
            rectification_events::actor_id.eq(user.id.to_string()),
            rectification_events::actor_username.eq(&user.username),
            rectification_events::actor_unit.eq(&user.unit_code),
            rectification_events::action.eq(action.map(|a| a.as_str())),
            rectification_events::from_status.eq(from.map(|s| s.as_str())),
            rectification_events::to_status.eq(to.as_str()),
            rectification_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

fn level(user: &AuthUser) -> OrgLevel {
    OrgLevel::of_region(user.scope.region())
}

/// The user as the workflow sees them for the item `r`.
fn caller_of<'a>(user: &AuthUser, caps: &'a [Capability], r: &ItemRow) -> RectificationCaller<'a> {
    RectificationCaller {
        level: level(user),
        capabilities: caps,
        rectifying_unit: r.submitted_unit.as_deref() == Some(user.unit_code.as_str()),
    }
}

/// Live evidence attachments of an item.
pub fn evidence_count(conn: &mut DbConn, id: &str) -> Result<i64, ApiError> {
    Ok(attachments::table
        .filter(attachments::owner_type.eq(OwnerKind::RectificationItem.as_str()))
        .filter(attachments::owner_id.eq(id))
        .filter(attachments::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<RectificationEvent>, ApiError> {
    type Ev = (
        NaiveDateTime,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Ev> = rectification_events::table
        .filter(rectification_events::item_id.eq(id))
        .order(rectification_events::id.asc())
        .select((
            rectification_events::at,
            rectification_events::actor_username,
            rectification_events::actor_unit,
            rectification_events::action,
            rectification_events::from_status,
            rectification_events::to_status,
            rectification_events::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, actor_username, actor_unit, action, from, to, note)| {
            Ok(RectificationEvent {
                at: utc(at),
                actor_username,
                actor_unit,
                action: action.as_deref().map(code).transpose()?,
                from_status: from.as_deref().map(code).transpose()?,
                to_status: code(&to)?,
                note,
            })
        })
        .collect()
}

/// An item row as the API shows it to `user`.
pub fn to_api(
    conn: &mut DbConn,
    r: &ItemRow,
    detailed: bool,
    user: &AuthUser,
) -> Result<RectificationItem, ApiError> {
    let status: RectificationStatus = code(&r.status)?;
    let category: ProblemCategory = code(&r.category)?;
    let caps = user.capabilities();
    let allowed_actions = rect::allowed_actions(status, &caller_of(user, &caps, r));
    let person_name = match (&r.person_id, user.can(Capability::ReadPersons)) {
        (Some(p), true) => crate::persons::queries::live(&user.scope)
            .filter(persons::id.eq(p))
            .select(persons::name)
            .first(conn)
            .optional()?,
        _ => None,
    };
    Ok(RectificationItem {
        id: uuid(&r.id)?,
        version: r.version,
        source: code(&r.source)?,
        source_id: r.source_id.as_deref().map(uuid).transpose()?,
        source_ref: r.source_ref.clone(),
        county_code: r.county_code.clone(),
        person_id: r.person_id.as_deref().map(uuid).transpose()?,
        person_name,
        household: r.household.clone(),
        category,
        category_group: category.group(),
        description: r.description.clone(),
        measure: r.measure.and_then(|m| i16::try_from(m).ok()),
        responsible_person: r.responsible_person.clone(),
        found_on: r.found_on,
        deadline: r.deadline,
        original_deadline: r.original_deadline,
        status,
        status_since: utc(r.status_since),
        overdue: rect::is_overdue(status, r.deadline, today()),
        long_term_plan: r.long_term_plan.clone(),
        rectification_note: r.rectification_note.clone(),
        submitted_unit: r.submitted_unit.clone(),
        submitted_at: r.submitted_at.map(utc),
        recheck_note: r.recheck_note.clone(),
        rechecked_unit: r.rechecked_unit.clone(),
        closed_unit: r.closed_unit.clone(),
        closed_at: r.closed_at.map(utc),
        duplicate_of: r.duplicate_of.as_deref().map(uuid).transpose()?,
        reopen_count: r.reopen_count,
        recheck_failures: r.recheck_failures,
        evidence_count: evidence_count(conn, &r.id)?,
        allowed_actions,
        timeline: if detailed {
            timeline(conn, &r.id)?
        } else {
            Vec::new()
        },
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// An item in the user's scope, with its timeline and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<RectificationItem, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// Filters of `GET /api/v1/rectification/items`.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Only this status.
    pub status: Option<RectificationStatus>,
    /// Only items past their deadline while the county holds them (`true`), or not.
    pub overdue: Option<bool>,
    /// Only items from this source.
    pub source: Option<ProblemSource>,
    /// Only this category.
    pub category: Option<ProblemCategory>,
    /// Only this city (4 digits) or county (6 digits) inside the caller's area (the
    /// responsible unit).
    pub unit: Option<String>,
    /// Only items opened from this record (a visit, inspection or petition).
    pub source_id: Option<Uuid>,
    /// Only items with a step the caller can take.
    pub waiting: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// The rows of a page of items in the user's scope matching `f`, by id.
pub fn list_rows(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &ItemQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ItemRow>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(s) = f.status {
        q = q.filter(rectification_items::status.eq(s.as_str()));
    }
    if let Some(s) = f.source {
        q = q.filter(rectification_items::source.eq(s.as_str()));
    }
    if let Some(c) = f.category {
        q = q.filter(rectification_items::category.eq(c.as_str()));
    }
    if let Some(s) = f.source_id {
        q = q.filter(rectification_items::source_id.eq(s.to_string()));
    }
    if let Some(unit) = f.unit.as_deref() {
        let pattern = crate::org::queries::area_pattern(unit).map_err(|_| {
            ApiError::field(
                "unit",
                "invalid_region",
                "a 4-digit city or 6-digit county code",
            )
        })?;
        q = q.filter(rectification_items::county_code.like(pattern));
    }
    if let Some(overdue) = f.overdue {
        let held: Vec<&str> = DEADLINE_STATUSES.iter().map(|s| s.as_str()).collect();
        if overdue {
            q = q
                .filter(rectification_items::status.eq_any(held))
                .filter(rectification_items::deadline.lt(today()));
        } else {
            q = q.filter(diesel::dsl::not(
                rectification_items::status
                    .eq_any(held)
                    .and(rectification_items::deadline.lt(today())),
            ));
        }
    }
    if f.waiting == Some(true) {
        let statuses: Vec<&str> = rect::waiting_statuses(level(user), &user.capabilities())
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        q = q.filter(rectification_items::status.eq_any(statuses));
        if level(user) != OrgLevel::County {
            // The unit that rectified waits for no recheck of its own.
            q = q.filter(
                rectification_items::submitted_unit
                    .is_null()
                    .or(rectification_items::submitted_unit.ne(user.unit_code.clone())),
            );
        }
    }
    if let Some(a) = after {
        q = q.filter(rectification_items::id.gt(a.to_owned()));
    }
    Ok(q.order(rectification_items::id.asc())
        .limit(limit)
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// A page of items in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &ItemQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<RectificationItem>, ApiError> {
    let rows = list_rows(conn, user, f, after, limit)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

/// The answer to a step the workflow refuses.
fn refusal(r: RectificationRefusal, from: RectificationStatus) -> ApiError {
    match r {
        RectificationRefusal::Workflow(Refusal::InvalidTransition) => ApiError::Conflict {
            code: "invalid_transition",
            detail: format!("an item that is {} cannot take this step", from.as_str()),
        },
        RectificationRefusal::Workflow(Refusal::WrongLevel(OrgLevel::County)) => {
            ApiError::Forbidden("this step is taken by the responsible county".into())
        }
        RectificationRefusal::Workflow(Refusal::WrongLevel(_)) => ApiError::Forbidden(
            "this step is taken by a unit above the county (the city, the poverty office)".into(),
        ),
        RectificationRefusal::Workflow(Refusal::MissingCapability(c)) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        RectificationRefusal::Workflow(Refusal::FourEyes) => {
            ApiError::Forbidden("another person must take this step".into())
        }
        RectificationRefusal::SameUnit => ApiError::Denied {
            code: "same_unit",
            detail: "your unit rectified this item; another unit rechecks and closes it".into(),
        },
    }
}

/// The columns a step changes besides the status.
#[derive(Default)]
struct Change {
    responsible_person: Option<String>,
    long_term: Option<(String, NaiveDate)>,
    submitted: Option<String>,
    recheck: Option<(String, bool)>,
    closed: bool,
    reopened: bool,
    duplicate_of: Option<String>,
}

/// Takes a step on an item: the version must be current (409 `stale_version`), the
/// workflow must allow it to the caller (403, 409 `invalid_transition`), and the step's
/// own rules hold (422). One transaction: the item, an event and an audit entry.
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    a: &RectificationAction,
) -> Result<RectificationItem, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != a.version {
            return Err(ApiError::stale_version());
        }
        let from: RectificationStatus = code(&r.status)?;
        let caps = user.capabilities();
        let to = rect::authorise(from, a.action, &caller_of(user, &caps, &r))
            .map_err(|e| refusal(e, from))?
            .to;
        let note = a.note.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut errs = FieldErrors::new();
        if let Some(n) = note {
            errs.check("note", validate_text(n, MAX_NOTE));
        }
        let mut change = Change::default();
        use RectificationActionKind as A;
        match a.action {
            A::Assign => {
                match a
                    .responsible_person
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    None => errs.add(
                        "responsible_person",
                        "required",
                        "name the responsible person",
                    ),
                    Some(p) => {
                        errs.check("responsible_person", validate_text(p, 100));
                        change.responsible_person = Some(p.to_owned());
                    }
                }
            }
            A::Start => {}
            A::LongTerm => match &a.long_term {
                None => errs.add(
                    "long_term",
                    "required",
                    "give the plan and the new deadline",
                ),
                Some(l) => {
                    let plan = l.plan.trim();
                    if plan.is_empty() {
                        errs.add("long_term.plan", "required", "give the plan");
                    } else {
                        errs.check("long_term.plan", validate_text(plan, MAX_NOTE));
                    }
                    if l.deadline <= r.deadline {
                        errs.add(
                            "long_term.deadline",
                            "out_of_range",
                            "after the current deadline",
                        );
                    } else if (l.deadline - r.found_on).num_days() > rect::MAX_DEADLINE_DAYS {
                        errs.add(
                            "long_term.deadline",
                            "out_of_range",
                            "at most two years after the day found",
                        );
                    }
                    change.long_term = Some((plan.to_owned(), l.deadline));
                }
            },
            A::Submit => {
                match note {
                    None => errs.add("note", "required", "say what was done"),
                    Some(n) => change.submitted = Some(n.to_owned()),
                }
                if evidence_count(conn, &r.id)? == 0 {
                    errs.add(
                        "evidence",
                        "required",
                        "attach at least one photo or document as evidence",
                    );
                }
            }
            A::RecheckPass => {
                change.recheck = Some((note.unwrap_or_default().to_owned(), true));
            }
            A::RecheckFail | A::Reopen => match note {
                None => errs.add("note", "required", "say what is still wrong"),
                Some(n) => {
                    if a.action == A::RecheckFail {
                        change.recheck = Some((n.to_owned(), false));
                    } else {
                        change.reopened = true;
                    }
                }
            },
            A::Close => change.closed = true,
            A::Merge => match a.duplicate_of {
                None => errs.add(
                    "duplicate_of",
                    "required",
                    "name the item this one duplicates",
                ),
                Some(target) if target == id => errs.add(
                    "duplicate_of",
                    "invalid_value",
                    "an item cannot duplicate itself",
                ),
                Some(target) => match row(conn, &user.scope, target) {
                    Err(ApiError::NotFound) => {
                        errs.add("duplicate_of", "not_found", "no such item")
                    }
                    Err(e) => return Err(e),
                    Ok(t) if t.county_code != r.county_code => errs.add(
                        "duplicate_of",
                        "inconsistent",
                        "the item is of another county",
                    ),
                    Ok(t) if t.status == RectificationStatus::Duplicate.as_str() => errs.add(
                        "duplicate_of",
                        "invalid_status",
                        "that item is itself a duplicate; name the item it was merged into",
                    ),
                    Ok(t) => change.duplicate_of = Some(t.id),
                },
            },
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        apply(conn, user, &r, from, to, a, note, change)?;
        get(conn, user, id)
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per column of the item it writes"
)]
fn apply(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &ItemRow,
    from: RectificationStatus,
    to: RectificationStatus,
    a: &RectificationAction,
    note: Option<&str>,
    c: Change,
) -> Result<(), ApiError> {
    let at = now();
    let me = user.id.to_string();
    let mut row = r.clone();
    row.status = to.as_str().to_owned();
    if from != to {
        row.status_since = at;
    }
    if let Some(p) = c.responsible_person {
        row.responsible_person = Some(p);
    }
    if let Some((plan, deadline)) = c.long_term {
        row.long_term_plan = Some(plan);
        row.deadline = deadline;
    }
    if let Some(n) = c.submitted {
        row.rectification_note = Some(n);
        row.submitted_at = Some(at);
        row.submitted_by = Some(me.clone());
        row.submitted_unit = Some(user.unit_code.clone());
    }
    if let Some((n, passed)) = c.recheck {
        row.recheck_note = (!n.is_empty()).then_some(n);
        row.rechecked_at = Some(at);
        row.rechecked_by = Some(me.clone());
        row.rechecked_unit = Some(user.unit_code.clone());
        if !passed {
            row.recheck_failures += 1;
        }
    }
    if c.closed {
        row.closed_at = Some(at);
        row.closed_by = Some(me.clone());
        row.closed_unit = Some(user.unit_code.clone());
    }
    if c.reopened {
        row.reopen_count += 1;
        row.recheck_note = note.map(str::to_owned);
    }
    if let Some(d) = c.duplicate_of {
        row.duplicate_of = Some(d);
    }
    let n = diesel::update(
        rectification_items::table
            .filter(rectification_items::id.eq(&r.id))
            .filter(rectification_items::version.eq(r.version)),
    )
    .set((
        rectification_items::status.eq(&row.status),
        rectification_items::status_since.eq(row.status_since),
        rectification_items::responsible_person.eq(&row.responsible_person),
        rectification_items::long_term_plan.eq(&row.long_term_plan),
        rectification_items::deadline.eq(row.deadline),
        rectification_items::rectification_note.eq(&row.rectification_note),
        rectification_items::submitted_at.eq(row.submitted_at),
        rectification_items::submitted_by.eq(&row.submitted_by),
        rectification_items::submitted_unit.eq(&row.submitted_unit),
        rectification_items::recheck_note.eq(&row.recheck_note),
        rectification_items::rechecked_at.eq(row.rechecked_at),
        rectification_items::rechecked_by.eq(&row.rechecked_by),
        rectification_items::rechecked_unit.eq(&row.rechecked_unit),
        rectification_items::closed_at.eq(row.closed_at),
        rectification_items::closed_by.eq(&row.closed_by),
        rectification_items::closed_unit.eq(&row.closed_unit),
        rectification_items::duplicate_of.eq(&row.duplicate_of),
        rectification_items::reopen_count.eq(row.reopen_count),
        rectification_items::recheck_failures.eq(row.recheck_failures),
        rectification_items::version.eq(r.version + 1),
        rectification_items::updated_at.eq(at),
        rectification_items::updated_by.eq(&me),
    ))
    .execute(conn)?;
    crate::record::changed(n)?;
    event(conn, user, &r.id, Some(a.action), Some(from), to, note)?;
    audit::record(
        conn,
        Event {
            actor: user,
            action: AuditAction::Update,
            entity_type: ENTITY,
            entity_id: uuid(&r.id)?,
            owner_region: &r.county_code,
            reason: note,
            before: Some(serde_json::json!({"status": from, "deadline": r.deadline})),
            after: Some(serde_json::json!({
                "action": a.action, "status": to, "deadline": row.deadline,
                "responsible_person": row.responsible_person,
                "duplicate_of": row.duplicate_of,
            })),
        },
    )
}

/// Items of the county `unit` it holds, due by `until` (overdue ones included), by
/// deadline: the "my work" of a county.
pub fn due_for_county(
    conn: &mut DbConn,
    unit: &str,
    until: NaiveDate,
) -> Result<Vec<ItemRow>, ApiError> {
    let held: Vec<&str> = DEADLINE_STATUSES.iter().map(|s| s.as_str()).collect();
    Ok(rectification_items::table
        .filter(rectification_items::deleted_at.is_null())
        .filter(rectification_items::county_code.eq(unit))
        .filter(rectification_items::status.eq_any(held))
        .filter(rectification_items::deadline.le(until))
        .order((
            rectification_items::deadline.asc(),
            rectification_items::id.asc(),
        ))
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// Items in `scope` waiting for a recheck or close-out by `unit` (not the unit that
/// rectified them), oldest submission first.
pub fn awaiting_recheck(
    conn: &mut DbConn,
    scope: &Scope,
    unit: &str,
) -> Result<Vec<ItemRow>, ApiError> {
    Ok(visible(scope)
        .filter(rectification_items::status.eq_any([
            RectificationStatus::Submitted.as_str(),
            RectificationStatus::Rechecked.as_str(),
        ]))
        .filter(
            rectification_items::submitted_unit
                .is_null()
                .or(rectification_items::submitted_unit.ne(unit.to_owned())),
        )
        .order((
            rectification_items::status_since.asc(),
            rectification_items::id.asc(),
        ))
        .limit(500)
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// The day `days` after `d` (saturating).
pub fn days_after(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(days)).unwrap_or(d)
}
