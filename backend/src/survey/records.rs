//! Surveys: one per person per round, recorded from a phone (often later), with the six
//! checks and the policies that reach the person. A check marked problem opens one
//! rectification item in the same transaction.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::survey::{Survey, SurveyCreate, SurveyInput};
use shared::visits::{CheckResult, VisitCheck};
use shared::FieldErrors;
use uuid::Uuid;

use super::rounds::{self, RoundRow};
use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{persons, survey_checks, survey_round_units, surveys};
use crate::db::{now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::visits::records::{kept_or_opened, StoredCheck};

/// A row of `surveys`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = surveys)]
pub struct SurveyRow {
    /// Id.
    pub id: String,
    /// Round.
    pub round_id: String,
    /// Person.
    pub person_id: String,
    /// County.
    pub county_code: String,
    /// Day.
    pub surveyed_on: chrono::NaiveDate,
    /// Remark.
    pub note: Option<String>,
    /// Version.
    pub version: i64,
    /// Recorded by (user id).
    pub created_by: String,
}

/// A live survey in `user`'s scope; 404 otherwise.
fn row(conn: &mut DbConn, user: &AuthUser, id: &str) -> Result<SurveyRow, ApiError> {
    let s: SurveyRow = surveys::table
        .find(id)
        .filter(surveys::deleted_at.is_null())
        .select(SurveyRow::as_select())
        .first(conn)?;
    if user.scope.covers_region(&s.county_code) {
        Ok(s)
    } else {
        Err(ApiError::NotFound)
    }
}

/// For attachments of owner kind `survey`: the county of a survey in `user`'s scope.
pub fn county_of(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Option<String>, ApiError> {
    match row(conn, user, &id.to_string()) {
        Ok(s) => Ok(Some(s.county_code)),
        Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn to_api(conn: &mut DbConn, r: SurveyRow) -> Result<Survey, ApiError> {
    let (checks, policies) = crate::read_checks!(
        conn,
        &r.id,
        survey_checks(survey_id),
        survey_policies(survey_id)
    );
    let person_name: String = persons::table
        .find(&r.person_id)
        .select(persons::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let surveyed_by: String = crate::users::queries::login_of(conn, &r.created_by)?;
    Ok(Survey {
        id: uuid(&r.id)?,
        version: r.version,
        round_id: uuid(&r.round_id)?,
        person_id: uuid(&r.person_id)?,
        person_name,
        county_code: r.county_code,
        surveyed_on: r.surveyed_on,
        checks,
        policies,
        note: r.note,
        surveyed_by,
    })
}

/// A survey `user` may see.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Survey, ApiError> {
    super::reader(user)?;
    let s = row(conn, user, &id.to_string())?;
    to_api(conn, s)
}

/// The person's county, city and household number as the check found them.
struct Target {
    county: String,
    city: String,
    household: Option<String>,
}

/// Validates a survey: the fields, the round (visible), the person (live, in the
/// caller's scope, of a county assigned to the round, registered poor or of a poverty
/// status) and the day within the round's period.
fn check(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &SurveyInput,
) -> Result<(RoundRow, Target), ApiError> {
    super::writer(user)?;
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    let round = match rounds::row(conn, user, &f.round_id.to_string()) {
        Ok(r) => Some(r),
        Err(ApiError::NotFound) => {
            errs.add("round_id", "not_found", "no such survey round");
            None
        }
        Err(e) => return Err(e),
    };
    let person: Option<(String, String, Option<String>, bool, String)> =
        crate::persons::queries::live(&user.scope)
            .filter(persons::id.eq(f.person_id.to_string()))
            .select((
                persons::county_code,
                persons::city_code,
                persons::household_number,
                persons::registered_poor,
                persons::poverty_status,
            ))
            .first(conn)
            .optional()?;
    if person.is_none() {
        errs.add("person_id", "not_found", "no such person in your area");
    }
    if let (Some(r), Some((county, ..))) = (&round, &person) {
        if f.surveyed_on < r.from_on || f.surveyed_on > r.to_on {
            errs.add(
                "surveyed_on",
                "out_of_range",
                "the day lies outside the round's period",
            );
        }
        let assigned = survey_round_units::table
            .filter(survey_round_units::round_id.eq(&r.id))
            .filter(survey_round_units::county_code.eq(county))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !assigned {
            errs.add(
                "person_id",
                "outside_area",
                "the person's county is not assigned to this round",
            );
        }
    }
    if let Some((_, _, _, poor, status)) = &person {
        if !poor && status == "none" {
            errs.add(
                "person_id",
                "not_registered_poor",
                "the survey is of registered-poor persons",
            );
        }
    }
    match (round, person, errs.is_empty()) {
        (Some(r), Some((county, city, household, ..)), true) => Ok((
            r,
            Target {
                county,
                city,
                household,
            },
        )),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

/// Writes the checks and policies of survey `id`, with the rectification item each
/// check keeps or opens ([`kept_or_opened`]).
fn write_details(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    round: &RoundRow,
    t: &Target,
    f: &SurveyInput,
) -> Result<(), ApiError> {
    let stored: Vec<StoredCheck> = survey_checks::table
        .filter(survey_checks::survey_id.eq(id))
        .select((
            survey_checks::item,
            survey_checks::result,
            survey_checks::rectification_id,
        ))
        .load(conn)?;
    crate::write_checks!(
        conn,
        id,
        survey_checks(survey_id),
        survey_policies(survey_id),
        f,
        |conn: &mut DbConn, c: &VisitCheck| {
            kept_or_opened(conn, &stored, c, |conn| {
                open_item(conn, user, id, round, t, f, c)
            })
        }
    );
    Ok(())
}

/// Opens the rectification item of a problem found by survey `id`: the unit's own
/// self-check (自查) under measure 7, for the person's county, due a month after the
/// survey. A replayed survey opens none: the replay answers before anything is written.
fn open_item(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    round: &RoundRow,
    t: &Target,
    f: &SurveyInput,
    c: &VisitCheck,
) -> Result<String, ApiError> {
    use crate::rectification::items::{days_after, open_in, NewItem};
    use shared::rectification::ProblemSource;
    let title: String = round.title.chars().take(80).collect();
    let item = open_in(
        conn,
        user,
        NewItem {
            id: None,
            source: ProblemSource::SelfCheck,
            source_id: Some(uuid(id)?),
            source_ref: Some(format!("{title} · {}", c.item.as_str())),
            county_code: t.county.clone(),
            person_id: Some(f.person_id),
            household: t.household.clone(),
            category: crate::visits::records::category_of(c.item),
            description: c.note.as_deref().unwrap_or_default().trim().to_owned(),
            measure: Some(7),
            found_on: f.surveyed_on,
            deadline: days_after(f.surveyed_on, crate::visits::records::PROBLEM_DAYS),
        },
    )
    .map_err(|e| e.prefixed(&format!("checks.{}.", c.item.as_str())))?;
    Ok(item.to_string())
}

fn survey_json(s: &Survey) -> serde_json::Value {
    let problems: Vec<&str> = s
        .checks
        .iter()
        .filter(|c| c.check.result == CheckResult::Problem)
        .map(|c| c.check.item.as_str())
        .collect();
    serde_json::json!({"round_id": s.round_id, "person_id": s.person_id,
        "surveyed_on": s.surveyed_on, "problems": problems, "policies": s.policies})
}

fn audit_survey(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    s: &Survey,
    before: Option<serde_json::Value>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "survey",
            entity_id: s.id,
            owner_region: &s.county_code,
            reason: None,
            before,
            after: Some(survey_json(s)),
        },
    )
}

fn trimmed(note: &Option<String>) -> Option<&str> {
    note.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

/// Records a survey (staff of the person's county). A re-send with the same client id
/// and body answers the stored survey (`false`) and opens nothing; a second survey of
/// the person in the round is 409 `duplicate`.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &SurveyCreate,
) -> Result<(bool, Survey), ApiError> {
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "survey", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, surveys, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let (round, t) = check(conn, user, f)?;
        // One survey per person per round; the UNIQUE constraint holds it against a race.
        crate::db::advisory_lock(conn, &[format!("survey:{}:{}", round.id, f.person_id)])?;
        let taken: Option<String> = surveys::table
            .filter(surveys::round_id.eq(&round.id))
            .filter(surveys::person_id.eq(f.person_id.to_string()))
            .select(surveys::id)
            .first(conn)
            .optional()?;
        if let Some(other) = taken {
            return Err(ApiError::Conflict {
                code: "duplicate",
                detail: format!("the person was surveyed in this round already (survey {other})"),
            });
        }
        let at = now();
        let me = user.id.to_string();
        diesel::insert_into(surveys::table)
            .values((
                surveys::id.eq(id.to_string()),
                surveys::round_id.eq(&round.id),
                surveys::person_id.eq(f.person_id.to_string()),
                surveys::county_code.eq(&t.county),
                surveys::city_code.eq(&t.city),
                surveys::surveyed_on.eq(f.surveyed_on),
                surveys::note.eq(trimmed(&f.note)),
                surveys::create_hash.eq(&hash),
                surveys::version.eq(1),
                surveys::created_at.eq(at),
                surveys::created_by.eq(&me),
                surveys::updated_at.eq(at),
                surveys::updated_by.eq(&me),
            ))
            .execute(conn)?;
        write_details(conn, user, &id.to_string(), &round, &t, f)?;
        let s = get(conn, user, id)?;
        audit_survey(conn, user, AuditAction::Create, &s, None)?;
        Ok((true, s))
    })
}

/// Changes a survey (staff of the person's county) against the version the client saw:
/// a stale one is 409 `stale_version` with the survey as it is now in `current`. A check
/// newly marked problem opens its rectification item.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &SurveyInput,
) -> Result<Survey, ApiError> {
    write_tx(conn, |conn| {
        let before = get(conn, user, id)?;
        if before.version != version {
            return Err(ApiError::stale_with(&before));
        }
        for (field, same) in [
            ("round_id", f.round_id == before.round_id),
            ("person_id", f.person_id == before.person_id),
        ] {
            if !same {
                return Err(ApiError::field(
                    field,
                    "immutable",
                    "a survey stays with its round and person",
                ));
            }
        }
        let (round, t) = check(conn, user, f)?;
        let n = diesel::update(
            surveys::table
                .filter(surveys::id.eq(id.to_string()))
                .filter(surveys::version.eq(version)),
        )
        .set((
            surveys::surveyed_on.eq(f.surveyed_on),
            surveys::note.eq(trimmed(&f.note)),
            surveys::version.eq(version.saturating_add(1)),
            surveys::updated_at.eq(now()),
            surveys::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::stale_with(&get(conn, user, id)?));
        }
        write_details(conn, user, &id.to_string(), &round, &t, f)?;
        let after = get(conn, user, id)?;
        audit_survey(
            conn,
            user,
            AuditAction::Update,
            &after,
            Some(survey_json(&before)),
        )?;
        Ok(after)
    })
}
