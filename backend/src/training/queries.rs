//! Queries on courses and enrolments. Reads start from [`visible_courses`] and
//! [`visible_enrolments`], which apply the caller's scope.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::employment::{
    Course, CourseCreate, CourseInput, Enrolment, EnrolmentCreate, EnrolmentStatus, EnrolmentUpdate,
};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{enrolments, persons, training_courses};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::record;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `training_courses`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = training_courses)]
pub struct CourseRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Programme.
    pub programme: String,
    /// Organising unit.
    pub organiser_unit: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Venue.
    pub venue: Option<String>,
    /// Start.
    pub start_date: NaiveDate,
    /// End.
    pub end_date: NaiveDate,
    /// Programme year.
    pub year: i32,
    /// Places.
    pub planned_places: i32,
    /// Hours.
    pub hours: i32,
    /// Trainer.
    pub trainer: Option<String>,
    /// Funding.
    pub funding_fen: i64,
    /// Create hash.
    pub create_hash: Option<String>,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Created by.
    pub created_by: String,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Updated by.
    pub updated_by: String,
    /// Deleted at.
    pub deleted_at: Option<NaiveDateTime>,
    /// Deleted by.
    pub deleted_by: Option<String>,
}

impl CourseRow {
    fn to_api(&self, enrolled: i64) -> Result<Course, ApiError> {
        Ok(Course {
            id: uuid(&self.id)?,
            version: self.version,
            fields: CourseInput {
                name: self.name.clone(),
                kind: code(&self.kind)?,
                programme: code(&self.programme)?,
                county_code: self.county_code.clone(),
                venue: self.venue.clone(),
                start_date: self.start_date,
                end_date: self.end_date,
                planned_places: self.planned_places,
                hours: self.hours,
                trainer: self.trainer.clone(),
                funding_fen: self.funding_fen,
            },
            organiser_unit: self.organiser_unit.clone(),
            year: self.year,
            enrolled,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

/// Live courses in `scope`.
pub fn visible_courses(scope: &Scope) -> training_courses::BoxedQuery<'static, Backend> {
    crate::scope_filter!(
        training_courses::table.into_boxed(),
        scope,
        training_courses
    )
    .filter(training_courses::deleted_at.is_null())
}

/// Live enrolments in `scope` (the scope of their course).
pub fn visible_enrolments(scope: &Scope) -> enrolments::BoxedQuery<'static, Backend> {
    crate::scope_filter!(enrolments::table.into_boxed(), scope, enrolments)
        .filter(enrolments::deleted_at.is_null())
}

fn enrolled_counts(conn: &mut DbConn, ids: &[String]) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(enrolments::table
        .filter(enrolments::course_id.eq_any(ids))
        .filter(enrolments::deleted_at.is_null())
        .filter(enrolments::status.ne(EnrolmentStatus::Dropped.as_str()))
        .group_by(enrolments::course_id)
        .select((enrolments::course_id, diesel::dsl::count_star()))
        .load(conn)?)
}

fn with_counts(conn: &mut DbConn, rows: Vec<CourseRow>) -> Result<Vec<Course>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = enrolled_counts(conn, &ids)?;
    rows.iter()
        .map(|r| r.to_api(counts.iter().find(|c| c.0 == r.id).map_or(0, |c| c.1)))
        .collect()
}

/// A course in scope.
pub fn get_row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<CourseRow, ApiError> {
    Ok(visible_courses(scope)
        .filter(training_courses::id.eq(id.to_string()))
        .select(CourseRow::as_select())
        .first(conn)?)
}

/// What a roster import checks rows against.
pub fn facts(
    conn: &mut DbConn,
    scope: &Scope,
    id: Uuid,
) -> Result<super::transfer::CourseFacts, ApiError> {
    let c = get_row(conn, scope, id)?;
    Ok(super::transfer::CourseFacts {
        id: c.id,
        start: c.start_date,
        hours: c.hours,
        county: c.county_code,
        city: c.city_code,
    })
}

/// A course in scope, with its roster count.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Course, ApiError> {
    let row = get_row(conn, scope, id)?;
    with_counts(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// A page of courses in scope, optionally of one year and county, by id.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    year: Option<i32>,
    county: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Course>, ApiError> {
    let mut q = visible_courses(scope);
    if let Some(y) = year {
        q = q.filter(training_courses::year.eq(y));
    }
    if let Some(c) = county {
        q = q.filter(training_courses::county_code.eq(c.to_owned()));
    }
    if let Some(a) = after {
        q = q.filter(training_courses::id.gt(a.to_owned()));
    }
    let rows = q
        .order(training_courses::id.asc())
        .limit(limit)
        .select(CourseRow::as_select())
        .load(conn)?;
    with_counts(conn, rows)
}

/// Checks a course's county against the caller's scope and the org tree; returns the city.
fn check_county(
    conn: &mut DbConn,
    user: &AuthUser,
    input: &CourseInput,
) -> Result<String, ApiError> {
    let mut errs = FieldErrors(input.validate().err().unwrap_or_default());
    let county = input.county_code.trim();
    if errs.is_empty() && !user.scope.covers_region(county) {
        errs.add(
            "county_code",
            "outside_scope",
            "this county lies outside your unit's area",
        );
    }
    let city = if errs.is_empty() {
        crate::org::queries::check_address(conn, county, None, None, &mut errs)?
    } else {
        None
    };
    match (city, errs.is_empty()) {
        (Some(c), true) => Ok(c),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

fn course_json(c: &Course) -> serde_json::Value {
    serde_json::to_value(&c.fields).unwrap_or_default()
}

/// Creates a course (idempotent with a client-chosen id).
pub fn create(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &CourseCreate,
) -> Result<(bool, Course), ApiError> {
    let hash = record::create_digest(pii, "training_course", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, training_courses, id, &hash, user)? {
            return Ok((false, get(conn, &user.scope, id)?));
        }
        let city = check_county(conn, user, &body.fields)?;
        let f = &body.fields;
        let at = now();
        diesel::insert_into(training_courses::table)
            .values((
                training_courses::id.eq(id.to_string()),
                training_courses::name.eq(f.name.trim()),
                training_courses::kind.eq(f.kind.as_str()),
                training_courses::programme.eq(f.programme.as_str()),
                training_courses::organiser_unit.eq(&user.unit_code),
                training_courses::county_code.eq(f.county_code.trim()),
                training_courses::city_code.eq(&city),
                training_courses::venue.eq(&f.venue),
                training_courses::start_date.eq(f.start_date),
                training_courses::end_date.eq(f.end_date),
                training_courses::year.eq(f.start_date.year()),
                training_courses::planned_places.eq(f.planned_places),
                training_courses::hours.eq(f.hours),
                training_courses::trainer.eq(&f.trainer),
                training_courses::funding_fen.eq(f.funding_fen),
                training_courses::create_hash.eq(&hash),
                training_courses::version.eq(1),
                training_courses::created_at.eq(at),
                training_courses::created_by.eq(user.id.to_string()),
                training_courses::updated_at.eq(at),
                training_courses::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let course = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "training_course",
                entity_id: id,
                owner_region: &course.fields.county_code,
                reason: None,
                before: None,
                after: Some(course_json(&course)),
            },
        )?;
        Ok((true, course))
    })
}

/// Replaces a course's fields if `version` is current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &CourseInput,
) -> Result<Course, ApiError> {
    write_tx(conn, |conn| {
        let before = get(conn, &user.scope, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let city = check_county(conn, user, f)?;
        // A roster holds persons of its course's county: the course cannot move to
        // another county while it has one.
        if f.county_code.trim() != before.fields.county_code {
            let on_roster: i64 = enrolments::table
                .filter(enrolments::course_id.eq(id.to_string()))
                .filter(enrolments::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            if on_roster > 0 {
                return Err(ApiError::Conflict {
                    code: "links_in_county",
                    detail:
                        "remove the roster's enrolments before moving the course to another county"
                            .into(),
                });
            }
        }
        let n = diesel::update(
            training_courses::table
                .filter(training_courses::id.eq(id.to_string()))
                .filter(training_courses::version.eq(version)),
        )
        .set((
            training_courses::name.eq(f.name.trim()),
            training_courses::kind.eq(f.kind.as_str()),
            training_courses::programme.eq(f.programme.as_str()),
            training_courses::county_code.eq(f.county_code.trim()),
            training_courses::city_code.eq(&city),
            training_courses::venue.eq(&f.venue),
            training_courses::start_date.eq(f.start_date),
            training_courses::end_date.eq(f.end_date),
            training_courses::year.eq(f.start_date.year()),
            training_courses::planned_places.eq(f.planned_places),
            training_courses::hours.eq(f.hours),
            training_courses::trainer.eq(&f.trainer),
            training_courses::funding_fen.eq(f.funding_fen),
            training_courses::version.eq(version + 1),
            training_courses::updated_at.eq(now()),
            training_courses::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        // The roster follows its course's county.
        diesel::update(enrolments::table.filter(enrolments::course_id.eq(id.to_string())))
            .set((
                enrolments::county_code.eq(f.county_code.trim()),
                enrolments::city_code.eq(&city),
            ))
            .execute(conn)?;
        let after = get(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "training_course",
                entity_id: id,
                owner_region: &after.fields.county_code,
                reason: None,
                before: Some(course_json(&before)),
                after: Some(course_json(&after)),
            },
        )?;
        Ok(after)
    })
}

/// Deletes a course with an empty roster.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: Uuid, version: i64) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = get(conn, &user.scope, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let on_roster: i64 = enrolments::table
            .filter(enrolments::course_id.eq(id.to_string()))
            .filter(enrolments::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        if on_roster > 0 {
            return Err(ApiError::Conflict {
                code: "roster_not_empty",
                detail: "remove the enrolments before deleting the course".into(),
            });
        }
        let at = now();
        let n = diesel::update(
            training_courses::table
                .filter(training_courses::id.eq(id.to_string()))
                .filter(training_courses::version.eq(version)),
        )
        .set((
            training_courses::deleted_at.eq(Some(at)),
            training_courses::deleted_by.eq(Some(user.id.to_string())),
            training_courses::version.eq(version + 1),
            training_courses::updated_at.eq(at),
            training_courses::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "training_course",
                entity_id: id,
                owner_region: &before.fields.county_code,
                reason: None,
                before: Some(course_json(&before)),
                after: None,
            },
        )
    })
}

type EnrolmentRow = (
    String,
    i64,
    String,
    String,
    String,
    i32,
    Option<NaiveDate>,
    bool,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
    bool,
);

fn enrolment_query(
    scope: &Scope,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<enrolments::table, persons::table>,
    Backend,
> {
    let q = enrolments::table.inner_join(persons::table).into_boxed();
    // Both ends of the link in scope: the enrolment (its course's county) and the person
    // (a link made before a person moved must not show them to the old county), and
    // never a deleted person.
    let q = crate::scope_filter!(q, scope, enrolments);
    crate::scope_filter!(q, scope, persons)
        .filter(enrolments::deleted_at.is_null())
        .filter(persons::deleted_at.is_null())
}

fn load_enrolments(
    q: diesel::dsl::IntoBoxed<
        'static,
        diesel::dsl::InnerJoin<enrolments::table, persons::table>,
        Backend,
    >,
    conn: &mut DbConn,
) -> Result<Vec<Enrolment>, ApiError> {
    let rows: Vec<EnrolmentRow> = q
        .order(enrolments::id.asc())
        .select((
            enrolments::id,
            enrolments::version,
            enrolments::course_id,
            enrolments::person_id,
            enrolments::status,
            enrolments::hours_attended,
            enrolments::completion_date,
            enrolments::certificate_obtained,
            enrolments::outcome,
            enrolments::created_at,
            enrolments::updated_at,
            persons::name,
            persons::id_number_masked,
            persons::registered_poor,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                version,
                course_id,
                person_id,
                status,
                hours,
                completion,
                cert,
                outcome,
                created,
                updated,
                name,
                masked,
                poor,
            )| {
                Ok(Enrolment {
                    id: uuid(&id)?,
                    version,
                    course_id: uuid(&course_id)?,
                    person_id: uuid(&person_id)?,
                    person_name: name,
                    person_id_number: masked,
                    registered_poor: poor,
                    status: code(&status)?,
                    hours_attended: hours,
                    completion_date: completion,
                    certificate_obtained: cert,
                    outcome: outcome.as_deref().map(code).transpose()?,
                    created_at: utc(created),
                    updated_at: utc(updated),
                })
            },
        )
        .collect()
}

/// The roster of a course in scope.
pub fn roster(conn: &mut DbConn, scope: &Scope, course: Uuid) -> Result<Vec<Enrolment>, ApiError> {
    get_row(conn, scope, course)?;
    load_enrolments(
        enrolment_query(scope).filter(enrolments::course_id.eq(course.to_string())),
        conn,
    )
}

/// A person's training history (enrolments the caller may see).
pub fn history(conn: &mut DbConn, scope: &Scope, person: Uuid) -> Result<Vec<Enrolment>, ApiError> {
    crate::persons::queries::get(conn, scope, person)?;
    load_enrolments(
        enrolment_query(scope).filter(enrolments::person_id.eq(person.to_string())),
        conn,
    )
}

fn enrolment(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Enrolment, ApiError> {
    load_enrolments(
        enrolment_query(scope).filter(enrolments::id.eq(id.to_string())),
        conn,
    )?
    .pop()
    .ok_or(ApiError::NotFound)
}

fn enrolment_json(e: &Enrolment) -> serde_json::Value {
    serde_json::json!({
        "course_id": e.course_id, "person_id": e.person_id,
        "status": e.status, "hours_attended": e.hours_attended, "completion_date": e.completion_date,
        "certificate_obtained": e.certificate_obtained, "outcome": e.outcome,
    })
}

/// 422: a link to a person registered outside the owning record's county.
pub fn not_in_unit() -> ApiError {
    ApiError::field(
        "person_id",
        "person_not_in_unit",
        "this person is registered in another county",
    )
}

/// Refuses a roster change of a course whose period is locked by the plan (approved,
/// past its entry deadline, or its plan closed): 409 `period_locked`. The course counts
/// in its programme year, on its end date (the last day of that year when it ends
/// later).
fn ensure_open(conn: &mut DbConn, course: &CourseRow) -> Result<(), ApiError> {
    let day = if chrono::Datelike::year(&course.end_date) == course.year {
        course.end_date
    } else {
        NaiveDate::from_ymd_opt(course.year, 12, 31).unwrap_or(course.end_date)
    };
    crate::plan::lock::ensure_open(conn, &course.county_code, day)
}

/// Puts a person of the course's county on its roster, at most once.
pub fn enrol(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    course_id: Uuid,
    body: &EnrolmentCreate,
) -> Result<(bool, Enrolment), ApiError> {
    let hash = record::create_digest(pii, "enrolment", &(course_id, body.person_id))?;
    write_tx(conn, |conn| {
        let course = get_row(conn, &user.scope, course_id)?;
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, enrolments, id, &hash, user)? {
            return Ok((false, enrolment(conn, &user.scope, id)?));
        }
        // A person outside the caller's scope is, to them, no person at all; one in
        // scope but of another county may not join this county's roster.
        let Ok(person) = crate::persons::queries::get(conn, &user.scope, body.person_id) else {
            return Err(ApiError::field(
                "person_id",
                "not_found",
                "no such person in your area",
            ));
        };
        if person.county_code != course.county_code {
            return Err(not_in_unit());
        }
        ensure_open(conn, &course)?;
        let taken: i64 = enrolments::table
            .filter(enrolments::course_id.eq(&course.id))
            .filter(enrolments::person_id.eq(body.person_id.to_string()))
            .filter(enrolments::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(ApiError::Conflict {
                code: "duplicate_enrolment",
                detail: "this person is already on the course's roster".into(),
            });
        }
        let at = now();
        diesel::insert_into(enrolments::table)
            .values((
                enrolments::id.eq(id.to_string()),
                enrolments::course_id.eq(&course.id),
                enrolments::person_id.eq(body.person_id.to_string()),
                enrolments::county_code.eq(&course.county_code),
                enrolments::city_code.eq(&course.city_code),
                enrolments::status.eq(EnrolmentStatus::Enrolled.as_str()),
                enrolments::hours_attended.eq(0),
                enrolments::certificate_obtained.eq(false),
                enrolments::create_hash.eq(&hash),
                enrolments::version.eq(1),
                enrolments::created_at.eq(at),
                enrolments::created_by.eq(user.id.to_string()),
                enrolments::updated_at.eq(at),
                enrolments::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)
            .map_err(|e| match ApiError::from(e) {
                ApiError::Conflict { .. } => ApiError::Conflict {
                    code: "duplicate_enrolment",
                    detail: "this person is already on the course's roster".into(),
                },
                other => other,
            })?;
        let e = enrolment(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "enrolment",
                entity_id: id,
                owner_region: &course.county_code,
                reason: None,
                before: None,
                after: Some(enrolment_json(&e)),
            },
        )?;
        Ok((true, e))
    })
}

/// Records progress and outcome of an enrolment.
pub fn update_enrolment(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    body: &EnrolmentUpdate,
) -> Result<Enrolment, ApiError> {
    write_tx(conn, |conn| {
        update_enrolment_in_tx(conn, user, id, None, body)
    })
}

/// Records the progress of several trainees of one course at once (completing a roster
/// in bulk): all or nothing, in one transaction. A field error names the item:
/// `items[3].hours_attended`.
pub fn update_enrolments(
    conn: &mut DbConn,
    user: &AuthUser,
    course: Uuid,
    body: &shared::employment::EnrolmentBatch,
) -> Result<Vec<Enrolment>, ApiError> {
    if body.items.is_empty() || body.items.len() > shared::employment::MAX_BATCH {
        return Err(ApiError::field(
            "items",
            "out_of_range",
            format!("1 to {} items", shared::employment::MAX_BATCH),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(i) = body.items.iter().position(|item| !seen.insert(item.id)) {
        return Err(ApiError::field(
            &format!("items[{i}].id"),
            "duplicate",
            "each enrolment once",
        ));
    }
    write_tx(conn, |conn| {
        get_row(conn, &user.scope, course)?;
        let mut out = Vec::with_capacity(body.items.len());
        for (i, item) in body.items.iter().enumerate() {
            let done = update_enrolment_in_tx(conn, user, item.id, Some(course), &item.update)
                .map_err(|e| e.prefixed(&format!("items[{i}].")))?;
            out.push(done);
        }
        Ok(out)
    })
}

/// One enrolment's update inside the caller's transaction; `course`, when given, is the
/// course it must belong to (else it is missing).
fn update_enrolment_in_tx(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    course: Option<Uuid>,
    body: &EnrolmentUpdate,
) -> Result<Enrolment, ApiError> {
    let before = enrolment(conn, &user.scope, id)?;
    if course.is_some_and(|c| c != before.course_id) {
        return Err(ApiError::NotFound);
    }
    if before.version != body.version {
        return Err(ApiError::stale_version());
    }
    // A completion counts towards the plan's targets: only the user who recorded it may
    // take it back (a wrong click), and a completion is not silently re-dated by others.
    if before.status == EnrolmentStatus::Completed && body.status != EnrolmentStatus::Completed {
        let author: String = enrolments::table
            .find(id.to_string())
            .select(enrolments::updated_by)
            .first(conn)?;
        if author != user.id.to_string() {
            return Err(ApiError::field(
                "status",
                "not_author",
                "only the user who recorded the completion can undo it",
            ));
        }
    }
    let course = get_row(conn, &user.scope, before.course_id)?;
    ensure_open(conn, &course)?;
    body.validate(today(), course.start_date, course.hours)?;
    let n = diesel::update(
        enrolments::table
            .filter(enrolments::id.eq(id.to_string()))
            .filter(enrolments::version.eq(body.version)),
    )
    .set((
        enrolments::status.eq(body.status.as_str()),
        enrolments::hours_attended.eq(body.hours_attended),
        enrolments::completion_date.eq(body.completion_date),
        enrolments::certificate_obtained.eq(body.certificate_obtained),
        enrolments::outcome.eq(body.outcome.map(|o| o.as_str())),
        enrolments::version.eq(body.version + 1),
        enrolments::updated_at.eq(now()),
        enrolments::updated_by.eq(user.id.to_string()),
    ))
    .execute(conn)?;
    record::changed(n)?;
    let after = enrolment(conn, &user.scope, id)?;
    audit::record(
        conn,
        Event {
            actor: user,
            action: AuditAction::Update,
            entity_type: "enrolment",
            entity_id: id,
            owner_region: &course.county_code,
            reason: None,
            before: Some(enrolment_json(&before)),
            after: Some(enrolment_json(&after)),
        },
    )?;
    Ok(after)
}

/// Takes a person off a roster.
pub fn delete_enrolment(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
) -> Result<(), ApiError> {
    write_tx(conn, |conn| {
        let before = enrolment(conn, &user.scope, id)?;
        if before.version != version {
            return Err(ApiError::stale_version());
        }
        let course = get_row(conn, &user.scope, before.course_id)?;
        ensure_open(conn, &course)?;
        let at = now();
        let n = diesel::update(
            enrolments::table
                .filter(enrolments::id.eq(id.to_string()))
                .filter(enrolments::version.eq(version)),
        )
        .set((
            enrolments::deleted_at.eq(Some(at)),
            enrolments::deleted_by.eq(Some(user.id.to_string())),
            enrolments::version.eq(version + 1),
            enrolments::updated_at.eq(at),
            enrolments::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        record::changed(n)?;
        let county: String = enrolments::table
            .find(id.to_string())
            .select(enrolments::county_code)
            .first(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Delete,
                entity_type: "enrolment",
                entity_id: id,
                owner_region: &county,
                reason: None,
                before: Some(enrolment_json(&before)),
                after: None,
            },
        )
    })
}
