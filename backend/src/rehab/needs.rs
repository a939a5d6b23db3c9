//! Rehabilitation needs: creation (alone or as an assessment visit), re-assessment,
//! and the device workflow of [`shared::rehab::NEED_WORKFLOW`] (plan, fitting,
//! acceptance, follow-up, close, refusal, withdrawal). Reads start from [`visible`].

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::rehab::{
    self, AcceptedBy, Assessment, AssessmentCreate, Fitting, FittingCalc, FollowUp, FollowUpResult,
    Need, NeedAction, NeedActionKind, NeedCreate, NeedEvent, NeedInput, NeedKind, NeedStatus,
    FOLLOW_UP_AFTER_DAYS, NEED_WORKFLOW,
};
use shared::workflow::{self, Caller, OrgLevel, Refusal};
use shared::{FieldError, FieldErrors};
use uuid::Uuid;

use super::catalogue::{self, ItemRow};
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    device_fittings, device_follow_ups, device_items, persons, rehab_need_events, rehab_needs,
};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::persons::model::PersonRow;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `rehab_needs`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rehab_needs)]
pub struct NeedRow {
    /// Id.
    pub id: String,
    /// Person.
    pub person_id: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Kind.
    pub kind: String,
    /// Project.
    pub project: String,
    /// Item.
    pub item_id: Option<String>,
    /// Source.
    pub source: String,
    /// Found on.
    pub identified_on: NaiveDate,
    /// Year.
    pub year: i32,
    /// Note.
    pub note: Option<String>,
    /// Status.
    pub status: String,
    /// Assessment result.
    pub result: Option<String>,
    /// Assessed on.
    pub assessed_on: Option<NaiveDate>,
    /// Assessor.
    pub assessor: Option<String>,
    /// Evidence of a refusal.
    pub evidence_id: Option<String>,
    /// Who recorded the assessment (user id).
    pub assessed_by: Option<String>,
    /// Replaces.
    pub supersedes: Option<String>,
    /// Replaced by.
    pub superseded_by: Option<String>,
    /// Next follow-up.
    pub follow_up_due: Option<NaiveDate>,
    /// Version.
    pub version: i64,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Updated at.
    pub updated_at: NaiveDateTime,
}

/// A row of `device_fittings`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = device_fittings)]
pub struct FittingRow {
    /// Id.
    pub id: String,
    /// Item.
    pub item_id: String,
    /// Provider.
    pub provider: String,
    /// Units.
    pub quantity: i64,
    /// Side.
    pub side: String,
    /// Unit price.
    pub unit_price_fen: i64,
    /// Cap per unit.
    pub cap_fen: i64,
    /// Total.
    pub total_fen: i64,
    /// Subsidy.
    pub subsidy_fen: i64,
    /// Self-pay.
    pub self_pay_fen: i64,
    /// Delivered.
    pub delivered_on: NaiveDate,
    /// Service life end.
    pub service_until: NaiveDate,
    /// Accepted on.
    pub accepted_on: Option<NaiveDate>,
    /// Accepted by.
    pub accepted_by: Option<String>,
    /// Guardian.
    pub guardian_name: Option<String>,
    /// Evidence.
    pub evidence_id: Option<String>,
    /// Replaced.
    pub replaced: bool,
}

/// Live needs in `scope`.
pub fn visible(scope: &Scope) -> rehab_needs::BoxedQuery<'static, Backend> {
    crate::scope_filter!(rehab_needs::table.into_boxed(), scope, rehab_needs)
        .filter(rehab_needs::deleted_at.is_null())
}

fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<NeedRow, ApiError> {
    Ok(visible(scope)
        .filter(rehab_needs::id.eq(id.to_string()))
        .select(NeedRow::as_select())
        .first(conn)?)
}

fn level(user: &AuthUser) -> OrgLevel {
    OrgLevel::of_region(user.scope.region())
}

fn previous_actor(conn: &mut DbConn, id: &str) -> Result<Option<String>, ApiError> {
    Ok(rehab_need_events::table
        .filter(rehab_need_events::need_id.eq(id))
        .order(rehab_need_events::id.desc())
        .select(rehab_need_events::actor_id)
        .first(conn)
        .optional()?)
}

/// Runs `f` with the user as the workflow sees them for the need `r`. The four-eyes
/// steps are refused to whoever took the latest step and to whoever recorded the
/// assessment, however many steps lie between.
fn with_caller<T>(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &NeedRow,
    f: impl FnOnce(&Caller<'_>) -> T,
) -> Result<T, ApiError> {
    let capabilities = user.capabilities();
    let me = user.id.to_string();
    let previous = previous_actor(conn, &r.id)?;
    Ok(f(&Caller {
        level: level(user),
        capabilities: &capabilities,
        took_previous_step: previous.is_some_and(|p| p == me)
            || r.assessed_by.as_deref() == Some(me.as_str()),
    }))
}

fn fittings(conn: &mut DbConn, need: &str) -> Result<Vec<Fitting>, ApiError> {
    let rows: Vec<(FittingRow, String)> = device_fittings::table
        .inner_join(device_items::table.on(device_items::id.eq(device_fittings::item_id)))
        .filter(device_fittings::need_id.eq(need))
        .order(device_fittings::id.asc())
        .select((FittingRow::as_select(), device_items::name_zh))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (f, item_name) in rows {
        type FollowUpRow = (NaiveDate, String, Option<String>, String);
        let ups: Vec<FollowUpRow> = device_follow_ups::table
            .filter(device_follow_ups::fitting_id.eq(&f.id))
            .order(device_follow_ups::id.asc())
            .select((
                device_follow_ups::visited_on,
                device_follow_ups::result,
                device_follow_ups::note,
                device_follow_ups::recorded_by,
            ))
            .load(conn)?;
        out.push(Fitting {
            id: uuid(&f.id)?,
            item_id: uuid(&f.item_id)?,
            item_name,
            provider: f.provider,
            quantity: f.quantity,
            side: code(&f.side)?,
            unit_price_fen: f.unit_price_fen,
            calculation: FittingCalc {
                total_fen: f.total_fen,
                max_subsidy_fen: f.total_fen.min(f.cap_fen.saturating_mul(f.quantity)),
                subsidy_fen: f.subsidy_fen,
                self_pay_fen: f.self_pay_fen,
            },
            cap_fen: f.cap_fen,
            delivered_on: f.delivered_on,
            service_until: f.service_until,
            accepted_on: f.accepted_on,
            accepted_by: f.accepted_by.as_deref().map(code).transpose()?,
            guardian_name: f.guardian_name,
            evidence_id: f.evidence_id.as_deref().map(uuid).transpose()?,
            follow_ups: ups
                .into_iter()
                .map(|(on, result, note, by)| {
                    Ok(FollowUp {
                        on,
                        result: code(&result)?,
                        note,
                        by,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            replaced: f.replaced,
        });
    }
    Ok(out)
}

type EventRow = (
    NaiveDateTime,
    String,
    Option<String>,
    String,
    Option<String>,
);

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<NeedEvent>, ApiError> {
    let rows: Vec<EventRow> = rehab_need_events::table
        .filter(rehab_need_events::need_id.eq(id))
        .order(rehab_need_events::id.asc())
        .select((
            rehab_need_events::at,
            rehab_need_events::actor_username,
            rehab_need_events::from_status,
            rehab_need_events::to_status,
            rehab_need_events::reason,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, actor_username, from, to, reason)| {
            Ok(NeedEvent {
                at: utc(at),
                actor_username,
                from_status: from.as_deref().map(code).transpose()?,
                to_status: code(&to)?,
                reason,
            })
        })
        .collect()
}

fn to_api(
    conn: &mut DbConn,
    r: &NeedRow,
    detailed: bool,
    user: &AuthUser,
) -> Result<Need, ApiError> {
    let status: NeedStatus = code(&r.status)?;
    let kind: NeedKind = code(&r.kind)?;
    let allowed_actions = with_caller(conn, user, r, |c| {
        rehab::allowed_need_actions(kind, status, c)
    })?;
    let person_name: String = crate::persons::queries::live(&user.scope)
        .filter(persons::id.eq(&r.person_id))
        .select(persons::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let item_name: Option<String> = match &r.item_id {
        Some(i) => Some(
            device_items::table
                .find(i)
                .select(device_items::name_zh)
                .first(conn)?,
        ),
        None => None,
    };
    let assessment = match (&r.result, r.assessed_on, &r.assessor) {
        (Some(result), Some(assessed_on), Some(assessor)) => Some(Assessment {
            result: code(result)?,
            assessed_on,
            assessor: assessor.clone(),
            evidence_id: r.evidence_id.as_deref().map(uuid).transpose()?,
        }),
        _ => None,
    };
    Ok(Need {
        id: uuid(&r.id)?,
        version: r.version,
        fields: NeedInput {
            person_id: uuid(&r.person_id)?,
            kind,
            project: code(&r.project)?,
            item_id: r.item_id.as_deref().map(uuid).transpose()?,
            source: code(&r.source)?,
            identified_on: r.identified_on,
            note: r.note.clone(),
            supersedes: r.supersedes.as_deref().map(uuid).transpose()?,
        },
        person_name,
        county_code: r.county_code.clone(),
        year: r.year,
        status,
        assessment,
        item_name,
        superseded_by: r.superseded_by.as_deref().map(uuid).transpose()?,
        fittings: if detailed {
            fittings(conn, &r.id)?
        } else {
            Vec::new()
        },
        timeline: if detailed {
            timeline(conn, &r.id)?
        } else {
            Vec::new()
        },
        allowed_actions,
        follow_up_due: r.follow_up_due,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// A need in the user's scope, with fittings, timeline and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Need, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// Filters of `GET /api/v1/rehab/needs`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeedQuery {
    /// Only this person's needs.
    pub person_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<NeedStatus>,
    /// Only this kind.
    pub kind: Option<NeedKind>,
    /// Only this project.
    pub project: Option<rehab::RehabProject>,
    /// Only this programme year.
    pub year: Option<i32>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub county: Option<String>,
    /// Only needs with a step the caller can take.
    pub waiting: Option<bool>,
    /// Only devices whose follow-up is due (on or before today).
    pub follow_up_due: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of needs in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &NeedQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Need>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(p) = f.person_id {
        q = q.filter(rehab_needs::person_id.eq(p.to_string()));
    }
    if let Some(s) = f.status {
        q = q.filter(rehab_needs::status.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(rehab_needs::kind.eq(k.as_str()));
    }
    if let Some(p) = f.project {
        q = q.filter(rehab_needs::project.eq(p.as_str()));
    }
    if let Some(y) = f.year {
        q = q.filter(rehab_needs::year.eq(y));
    }
    if let Some(area) = f.county.as_deref() {
        q = q.filter(rehab_needs::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if f.waiting == Some(true) {
        let statuses: Vec<&str> =
            workflow::waiting_in(NEED_WORKFLOW, level(user), &user.capabilities())
                .into_iter()
                .map(|s| s.as_str())
                .collect();
        q = q.filter(rehab_needs::status.eq_any(statuses));
    }
    if f.follow_up_due == Some(true) {
        q = q.filter(rehab_needs::follow_up_due.le(today()));
    }
    if let Some(a) = after {
        q = q.filter(rehab_needs::id.gt(a.to_owned()));
    }
    let rows: Vec<NeedRow> = q
        .order(rehab_needs::id.asc())
        .limit(limit)
        .select(NeedRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    need: &str,
    from: Option<NeedStatus>,
    to: NeedStatus,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(rehab_need_events::table)
        .values((
            rehab_need_events::id.eq(Uuid::now_v7().to_string()),
            rehab_need_events::need_id.eq(need),
            rehab_need_events::at.eq(now()),
            rehab_need_events::actor_id.eq(user.id.to_string()),
            rehab_need_events::actor_username.eq(&user.username),
            rehab_need_events::actor_unit.eq(&user.unit_code),
            rehab_need_events::from_status.eq(from.map(|s| s.as_str())),
            rehab_need_events::to_status.eq(to.as_str()),
            rehab_need_events::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// Audits a write of the need `(id, county)`.
fn audit_need(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    (id, county): (&str, &str),
    reason: Option<&str>,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "rehab_need",
            entity_id: uuid(id)?,
            owner_region: county,
            reason,
            before,
            after: Some(after),
        },
    )
}

/// Whether the person may have `item`: it is active, serves their category, and their
/// level is severe enough. Problems are reported on `field`.
fn check_eligible(
    errs: &mut FieldErrors,
    field: &str,
    item: &ItemRow,
    person: &PersonRow,
) -> Result<(), ApiError> {
    if !item.active {
        errs.add(field, "retired_item", "this item is no longer offered");
    }
    let category: shared::DisabilityCategory = code(&person.disability_category)?;
    let categories = item.categories()?;
    if !categories.contains(&category) && category != shared::DisabilityCategory::Multiple {
        errs.add(
            field,
            "not_eligible",
            "this item does not serve the person's disability category",
        );
    }
    if item
        .max_level
        .is_some_and(|max| person.disability_level > max)
    {
        errs.add(
            field,
            "not_eligible",
            "this item is for more severe disability levels",
        );
    }
    Ok(())
}

/// The accepted fitting of `item` for `person` whose service life covers `on`, if any:
/// such a device still meets the need.
fn device_in_service(
    conn: &mut DbConn,
    person: &str,
    item: &str,
    on: NaiveDate,
) -> Result<Option<NaiveDate>, ApiError> {
    Ok(device_fittings::table
        .inner_join(rehab_needs::table)
        .filter(rehab_needs::person_id.eq(person))
        .filter(rehab_needs::deleted_at.is_null())
        .filter(device_fittings::item_id.eq(item))
        .filter(device_fittings::accepted_on.is_not_null())
        .filter(device_fittings::replaced.eq(false))
        .filter(device_fittings::service_until.ge(on))
        .select(diesel::dsl::max(device_fittings::service_until))
        .first::<Option<NaiveDate>>(conn)?)
}

/// Checks that `evidence` is a live attachment of the need or of its person.
fn check_evidence(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    field: &str,
    evidence: Uuid,
    need: &str,
    person: &str,
) -> Result<(), ApiError> {
    if !evidence_attached(conn, evidence, need, person)? {
        errs.add(
            field,
            "evidence_not_found",
            "no such photo or scan attached to this need or person",
        );
    }
    Ok(())
}

/// Acceptance evidence proves one delivery: a live attachment of this need, uploaded
/// after the fitting was recorded, and not the evidence of any other fitting.
fn acceptance_evidence_fits(
    conn: &mut DbConn,
    evidence: Uuid,
    need: &str,
    fitting: &str,
) -> Result<bool, ApiError> {
    use crate::db::schema::attachments;
    let fitted_at: NaiveDateTime = device_fittings::table
        .find(fitting)
        .select(device_fittings::created_at)
        .first(conn)?;
    let owned: i64 = attachments::table
        .filter(attachments::id.eq(evidence.to_string()))
        .filter(attachments::deleted_at.is_null())
        .filter(attachments::owner_type.eq(shared::attachments::OwnerKind::RehabNeed.as_str()))
        .filter(attachments::owner_id.eq(need))
        .filter(attachments::created_at.ge(fitted_at))
        .count()
        .get_result(conn)?;
    let used: i64 = device_fittings::table
        .filter(device_fittings::evidence_id.eq(evidence.to_string()))
        .filter(device_fittings::id.ne(fitting))
        .count()
        .get_result(conn)?;
    Ok(owned == 1 && used == 0)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether `evidence` is a live attachment owned by the need or by its person.
fn evidence_attached(
    conn: &mut DbConn,
    evidence: Uuid,
    need: &str,
    person: &str,
) -> Result<bool, ApiError> {
    // Every value is a UUID (parsed or stored as one), so inlining them is safe and
    // keeps one SQL text for both databases' placeholder styles.
    let (need, person) = (uuid(need)?, uuid(person)?);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM attachments WHERE id = '{evidence}' \
         AND deleted_at IS NULL AND ((owner_type = 'rehab_need' AND owner_id = '{need}') \
         OR (owner_type = 'person' AND owner_id = '{person}'))"
    );
    let c: Count = diesel::sql_query(sql).get_result(conn)?;
    Ok(c.n > 0)
}

/// What an assessment writes on a need.
struct Assessed<'a> {
    a: &'a Assessment,
    status: NeedStatus,
}

fn check_assessment(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    prefix: &str,
    a: &Assessment,
    identified_on: NaiveDate,
    need: &str,
    person: &str,
) -> Result<(), ApiError> {
    for e in a.validate(today()).err().unwrap_or_default() {
        errs.0.push(FieldError {
            field: format!("{prefix}{}", e.field),
            ..e
        });
    }
    if a.assessed_on < identified_on {
        errs.add(
            &format!("{prefix}assessed_on"),
            "before_identified",
            "the assessment lies before the need was found",
        );
    }
    if let Some(ev) = a.evidence_id {
        check_evidence(
            conn,
            errs,
            &format!("{prefix}evidence_id"),
            ev,
            need,
            person,
        )?;
    }
    Ok(())
}

/// Checks a need's fields for the user and its person; the person (in the caller's
/// county) and, for a device, the item.
fn prepare(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    f: &NeedInput,
    assessment: Option<&Assessment>,
    errs: &mut FieldErrors,
) -> Result<Option<PersonRow>, ApiError> {
    errs.0.extend(f.validate(today()).err().unwrap_or_default());
    let person = match crate::persons::queries::get(conn, &user.scope, f.person_id) {
        Ok(p) => Some(p),
        Err(ApiError::NotFound) => {
            errs.add("person_id", "not_found", "no such person in your area");
            None
        }
        Err(e) => return Err(e),
    };
    if let (Some(item), Some(p)) = (f.item_id, &person) {
        match catalogue::row(conn, &item.to_string()) {
            Ok(item) => {
                check_eligible(errs, "item_id", &item, p)?;
                if let Some(until) = device_in_service(conn, &p.id, &item.id, f.identified_on)? {
                    errs.add(
                        "item_id",
                        "device_in_service",
                        format!("the person's device of this kind serves until {until}"),
                    );
                }
            }
            Err(ApiError::NotFound) => errs.add("item_id", "not_found", "no such item"),
            Err(e) => return Err(e),
        }
    }
    if let (Some(a), Some(p)) = (assessment, &person) {
        check_assessment(conn, errs, "assessment.", a, f.identified_on, id, &p.id)?;
    }
    if let (Some(old), Some(p)) = (f.supersedes, &person) {
        match row(conn, &user.scope, old) {
            Ok(o) if o.person_id != p.id || o.kind != f.kind.as_str() => errs.add(
                "supersedes",
                "not_same_need",
                "a re-assessment replaces a need of the same person and kind",
            ),
            Ok(o) if o.superseded_by.is_some() => errs.add(
                "supersedes",
                "already_superseded",
                "that need was already re-assessed",
            ),
            Ok(_) => {}
            Err(ApiError::NotFound) => errs.add("supersedes", "not_found", "no such need"),
            Err(e) => return Err(e),
        }
    }
    Ok(person)
}

/// Inserts a checked need (and its assessment), replaces the need it supersedes, and
/// writes the timeline and audit entries.
fn insert(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    hash: &str,
    f: &NeedInput,
    person: &PersonRow,
    assessed: Option<Assessed<'_>>,
) -> Result<(), ApiError> {
    let at = now();
    let status = assessed
        .as_ref()
        .map_or(NeedStatus::Identified, |a| a.status);
    diesel::insert_into(rehab_needs::table)
        .values((
            rehab_needs::id.eq(id),
            rehab_needs::person_id.eq(&person.id),
            rehab_needs::county_code.eq(&person.county_code),
            rehab_needs::city_code.eq(&person.city_code),
            rehab_needs::kind.eq(f.kind.as_str()),
            rehab_needs::project.eq(f.project.as_str()),
            rehab_needs::item_id.eq(f.item_id.map(|i| i.to_string())),
            rehab_needs::source.eq(f.source.as_str()),
            rehab_needs::identified_on.eq(f.identified_on),
            rehab_needs::year.eq(f.identified_on.year()),
            rehab_needs::note.eq(f.note.as_deref().map(str::trim)),
            rehab_needs::status.eq(status.as_str()),
            rehab_needs::result.eq(assessed.as_ref().map(|a| a.a.result.as_str())),
            rehab_needs::assessed_on.eq(assessed.as_ref().map(|a| a.a.assessed_on)),
            rehab_needs::assessor.eq(assessed.as_ref().map(|a| a.a.assessor.trim())),
            rehab_needs::assessed_by.eq(assessed.as_ref().map(|_| user.id.to_string())),
            rehab_needs::evidence_id.eq(assessed
                .as_ref()
                .and_then(|a| a.a.evidence_id)
                .map(|e| e.to_string())),
            rehab_needs::supersedes.eq(f.supersedes.map(|s| s.to_string())),
            rehab_needs::create_hash.eq(hash),
            rehab_needs::version.eq(1),
            rehab_needs::created_at.eq(at),
            rehab_needs::created_by.eq(user.id.to_string()),
            rehab_needs::updated_at.eq(at),
            rehab_needs::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
    event(conn, user, id, None, status, None)?;
    if let Some(old) = f.supersedes {
        let o = row(conn, &user.scope, old)?;
        let n = diesel::update(
            rehab_needs::table
                .filter(rehab_needs::id.eq(&o.id))
                .filter(rehab_needs::version.eq(o.version))
                .filter(rehab_needs::superseded_by.is_null()),
        )
        .set((
            rehab_needs::status.eq(NeedStatus::Superseded.as_str()),
            rehab_needs::superseded_by.eq(id),
            rehab_needs::follow_up_due.eq(None::<NaiveDate>),
            rehab_needs::version.eq(o.version + 1),
            rehab_needs::updated_at.eq(at),
            rehab_needs::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        let from: NeedStatus = code(&o.status)?;
        event(
            conn,
            user,
            &o.id,
            Some(from),
            NeedStatus::Superseded,
            Some("re-assessed"),
        )?;
        audit_need(
            conn,
            user,
            AuditAction::Update,
            (&o.id, &o.county_code),
            None,
            Some(serde_json::json!({"status": from})),
            serde_json::json!({"status": NeedStatus::Superseded, "superseded_by": id}),
        )?;
    }
    audit_need(
        conn,
        user,
        AuditAction::Create,
        (id, &person.county_code),
        None,
        None,
        serde_json::json!({"person_id": person.id, "kind": f.kind, "project": f.project,
            "item_id": f.item_id, "status": status, "supersedes": f.supersedes}),
    )
}

/// Whether a create with this id is a retry (answer the stored need) or new.
fn replayed(conn: &mut DbConn, user: &AuthUser, id: Uuid, hash: &str) -> Result<bool, ApiError> {
    crate::replay_create!(conn, rehab_needs, id, hash, user)
}

/// Records a need (county rehab staff), optionally with its assessment.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &NeedCreate,
) -> Result<(bool, Need), ApiError> {
    super::require_county_writer(user)?;
    let hash = crate::record::create_digest(pii, "rehab_need", body)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if replayed(conn, user, id, &hash)? {
            return Ok((false, get(conn, user, id)?));
        }
        write_new(conn, user, &id.to_string(), &hash, body)?;
        Ok((true, get(conn, user, id)?))
    })
}

/// Checks and writes a new need (and its assessment) inside the caller's transaction;
/// the caller has made sure the id is free.
pub(crate) fn write_new(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    hash: &str,
    body: &NeedCreate,
) -> Result<(), ApiError> {
    let mut errs = FieldErrors::new();
    let person = prepare(
        conn,
        user,
        id,
        &body.fields,
        body.assessment.as_ref(),
        &mut errs,
    )?;
    let (Some(person), true) = (person, errs.is_empty()) else {
        return Err(ApiError::Validation(errs.0));
    };
    let assessed = body.assessment.as_ref().map(|a| Assessed {
        a,
        status: NeedStatus::after_assessment(a.result),
    });
    insert(conn, user, id, hash, &body.fields, &person, assessed)
}

/// Records an assessment visit and every need found, all or nothing; errors name
/// `needs[i].field`. Each need keeps its own client id, so a retry of the whole visit
/// answers the same needs.
pub fn assess_visit(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &AssessmentCreate,
) -> Result<(bool, Vec<Need>), ApiError> {
    super::require_county_writer(user)?;
    if body.needs.is_empty() || body.needs.len() > rehab::MAX_NEEDS_PER_ASSESSMENT {
        return Err(ApiError::field(
            "needs",
            "out_of_range",
            format!(
                "1 to {} needs per assessment",
                rehab::MAX_NEEDS_PER_ASSESSMENT
            ),
        ));
    }
    // Each need as a single create would send it, so that its digest is the same.
    let creates: Vec<NeedCreate> = body
        .needs
        .iter()
        .map(|n| NeedCreate {
            id: Some(n.id.unwrap_or_else(Uuid::now_v7)),
            fields: NeedInput {
                person_id: body.person_id,
                kind: n.kind,
                project: n.project,
                item_id: n.item_id,
                source: body.source,
                identified_on: body.assessed_on,
                note: n.note.clone(),
                supersedes: None,
            },
            assessment: Some(Assessment {
                result: n.result,
                assessed_on: body.assessed_on,
                assessor: body.assessor.clone(),
                evidence_id: n.evidence_id,
            }),
        })
        .collect();
    let hashes: Vec<String> = creates
        .iter()
        .map(|c| crate::record::create_digest(pii, "rehab_need", c))
        .collect::<Result<_, _>>()?;
    write_tx(conn, |conn| {
        let mut errs = FieldErrors::new();
        let mut fresh = Vec::new();
        let mut seen_items = std::collections::HashSet::new();
        for (i, (c, hash)) in creates.iter().zip(&hashes).enumerate() {
            let id = c.id.unwrap_or_else(Uuid::now_v7);
            let prefix = format!("needs[{i}].");
            match replayed(conn, user, id, hash) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => return Err(e.prefixed(&prefix)),
            }
            if let Some(item) = c.fields.item_id {
                if !seen_items.insert(item) {
                    errs.add(
                        &format!("{prefix}item_id"),
                        "duplicate_row",
                        "this device is listed twice",
                    );
                }
            }
            let mut own = FieldErrors::new();
            let person = prepare(
                conn,
                user,
                &id.to_string(),
                &c.fields,
                c.assessment.as_ref(),
                &mut own,
            )?;
            for e in own.0 {
                // A field of the visit itself is reported once, under its own name.
                let field = match e.field.as_str() {
                    "person_id"
                    | "identified_on"
                    | "assessment.assessed_on"
                    | "assessment.assessor" => e.field.trim_start_matches("assessment.").to_owned(),
                    f => format!("{prefix}{}", f.trim_start_matches("assessment.")),
                };
                if !errs.0.iter().any(|x| x.field == field && x.code == e.code) {
                    errs.0.push(FieldError { field, ..e });
                }
            }
            if let Some(p) = person {
                fresh.push((i, id, p));
            }
        }
        if !errs.is_empty() {
            return Err(ApiError::Validation(errs.0));
        }
        let created = !fresh.is_empty();
        for (i, id, person) in fresh {
            let c = &creates[i];
            let a = c.assessment.as_ref().ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("assessment built above is missing"))
            })?;
            insert(
                conn,
                user,
                &id.to_string(),
                &hashes[i],
                &c.fields,
                &person,
                Some(Assessed {
                    a,
                    status: NeedStatus::after_assessment(a.result),
                }),
            )?;
        }
        let needs = creates
            .iter()
            .map(|c| get(conn, user, c.id.unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((created, needs))
    })
}

/// The answer to a step the workflow refuses.
fn refusal(r: Refusal, from: NeedStatus) -> ApiError {
    match r {
        Refusal::InvalidTransition => invalid_transition(from),
        Refusal::WrongLevel(l) => {
            ApiError::Forbidden(format!("this step is taken at the {} level", l.as_str()))
        }
        Refusal::MissingCapability(c) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        Refusal::FourEyes => ApiError::Forbidden(
            "you took the previous step of this need; another person must approve".into(),
        ),
    }
}

fn invalid_transition(from: NeedStatus) -> ApiError {
    ApiError::Conflict {
        code: "invalid_transition",
        detail: format!("a need that is {} cannot take this step", from.as_str()),
    }
}

fn missing(field: &str, what: &str) -> ApiError {
    ApiError::field(field, "required", what.to_owned())
}

/// The current (latest, not replaced) fitting of a need.
fn current_fitting(conn: &mut DbConn, need: &str) -> Result<FittingRow, ApiError> {
    device_fittings::table
        .filter(device_fittings::need_id.eq(need))
        .filter(device_fittings::replaced.eq(false))
        .order(device_fittings::id.desc())
        .select(FittingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("need {need} has no current fitting")))
}

fn due_after(d: NaiveDate) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(FOLLOW_UP_AFTER_DAYS))
        .unwrap_or(d)
}

/// What a step changes on the need row besides its status.
#[derive(Default)]
struct Change {
    status: Option<NeedStatus>,
    assessment: Option<Assessment>,
    follow_up_due: Option<Option<NaiveDate>>,
    evidence: Option<String>,
    audit: serde_json::Map<String, serde_json::Value>,
}

/// Takes one step of the need workflow, if the table allows it to the caller from the
/// current status and the step fits the need's kind. The step, its records (fitting,
/// follow-up), its timeline event and its audit entry are one transaction.
pub fn act(conn: &mut DbConn, user: &AuthUser, id: Uuid, a: &NeedAction) -> Result<Need, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != a.version {
            return Err(ApiError::stale_version());
        }
        let from: NeedStatus = code(&r.status)?;
        let kind: NeedKind = code(&r.kind)?;
        let t = with_caller(conn, user, &r, |c| {
            workflow::authorise_in(NEED_WORKFLOW, from, a.action, c).map(|t| t.to)
        })?
        .map_err(|e| refusal(e, from))?;
        if !rehab::step_fits_kind(kind, from, a.action) {
            return Err(invalid_transition(from));
        }
        let reason = a.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut errs = FieldErrors::new();
        if let Some(reason) = reason {
            errs.check("reason", shared::validation::validate_text(reason, 500));
        }
        let mut change = Change {
            status: Some(t),
            ..Change::default()
        };
        match a.action {
            NeedActionKind::Assess => {
                let asm = a
                    .assessment
                    .as_ref()
                    .ok_or_else(|| missing("assessment", "give the assessment"))?;
                check_assessment(
                    conn,
                    &mut errs,
                    "assessment.",
                    asm,
                    r.identified_on,
                    &r.id,
                    &r.person_id,
                )?;
                change.status = Some(NeedStatus::after_assessment(asm.result));
                change.assessment = Some(asm.clone());
                change
                    .audit
                    .insert("result".into(), asm.result.as_str().into());
            }
            NeedActionKind::ApprovePlan | NeedActionKind::Close => {
                change.follow_up_due = Some(None);
            }
            NeedActionKind::Fit => {
                errs.into_result(()).map_err(ApiError::Validation)?;
                errs = FieldErrors::new();
                let fitting = fit(conn, user, &r, a)?;
                change.audit.insert("fitting".into(), fitting);
            }
            NeedActionKind::Accept => {
                let acc = a
                    .acceptance
                    .as_ref()
                    .ok_or_else(|| missing("acceptance", "give the acceptance"))?;
                let f = current_fitting(conn, &r.id)?;
                if acc.accepted_on < f.delivered_on {
                    errs.add(
                        "acceptance.accepted_on",
                        "before_delivery",
                        "the acceptance lies before the delivery",
                    );
                }
                if acc.accepted_on > today() {
                    errs.add(
                        "acceptance.accepted_on",
                        "in_future",
                        "the date lies in the future",
                    );
                }
                let guardian = acc
                    .guardian_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty());
                match (acc.accepted_by, guardian) {
                    (AcceptedBy::Guardian, None) => errs.add(
                        "acceptance.guardian_name",
                        "required",
                        "name the guardian who accepted",
                    ),
                    (_, Some(g)) => {
                        errs.check(
                            "acceptance.guardian_name",
                            shared::validation::validate_name(g),
                        );
                    }
                    (AcceptedBy::Person, None) => {}
                }
                if !acceptance_evidence_fits(conn, acc.evidence_id, &r.id, &f.id)? {
                    errs.add(
                        "acceptance.evidence_id",
                        "evidence_not_found",
                        "the photo or signature must be taken for this delivery and attached to this need",
                    );
                }
                errs.into_result(()).map_err(ApiError::Validation)?;
                errs = FieldErrors::new();
                diesel::update(device_fittings::table.find(&f.id))
                    .set((
                        device_fittings::accepted_on.eq(acc.accepted_on),
                        device_fittings::accepted_by.eq(acc.accepted_by.as_str()),
                        device_fittings::guardian_name.eq(guardian),
                        device_fittings::evidence_id.eq(acc.evidence_id.to_string()),
                    ))
                    .execute(conn)?;
                change.follow_up_due = Some(Some(due_after(acc.accepted_on)));
                change
                    .audit
                    .insert("accepted_by".into(), acc.accepted_by.as_str().into());
            }
            NeedActionKind::FollowUp => {
                let up = a
                    .follow_up
                    .as_ref()
                    .ok_or_else(|| missing("follow_up", "give the follow-up visit"))?;
                let f = current_fitting(conn, &r.id)?;
                if f.accepted_on.is_some_and(|acc| up.on < acc) {
                    errs.add(
                        "follow_up.on",
                        "before_acceptance",
                        "the visit lies before the acceptance",
                    );
                }
                if up.on > today() {
                    errs.add("follow_up.on", "in_future", "the date lies in the future");
                }
                if let Some(n) = &up.note {
                    errs.check("follow_up.note", shared::validation::validate_text(n, 500));
                }
                errs.into_result(()).map_err(ApiError::Validation)?;
                errs = FieldErrors::new();
                diesel::insert_into(device_follow_ups::table)
                    .values((
                        device_follow_ups::id.eq(Uuid::now_v7().to_string()),
                        device_follow_ups::fitting_id.eq(&f.id),
                        device_follow_ups::need_id.eq(&r.id),
                        device_follow_ups::visited_on.eq(up.on),
                        device_follow_ups::result.eq(up.result.as_str()),
                        device_follow_ups::note.eq(up.note.as_deref().map(str::trim)),
                        device_follow_ups::recorded_by.eq(&user.username),
                        device_follow_ups::created_at.eq(now()),
                    ))
                    .execute(conn)?;
                if up.result == FollowUpResult::Replace {
                    // A bad fit goes back to a refit: the device no longer meets the need,
                    // and the new device needs a new plan approved by a second person.
                    diesel::update(device_fittings::table.find(&f.id))
                        .set(device_fittings::replaced.eq(true))
                        .execute(conn)?;
                    change.status = Some(NeedStatus::Assessed);
                    change.follow_up_due = Some(None);
                } else {
                    change.follow_up_due = Some(Some(due_after(up.on)));
                }
                change
                    .audit
                    .insert("follow_up".into(), up.result.as_str().into());
            }
            NeedActionKind::Refuse => {
                match a.evidence_id {
                    None => errs.add(
                        "evidence_id",
                        "required",
                        "a refusal needs the signed record",
                    ),
                    Some(ev) => {
                        check_evidence(conn, &mut errs, "evidence_id", ev, &r.id, &r.person_id)?
                    }
                }
                if from == NeedStatus::Fitted {
                    diesel::update(
                        device_fittings::table
                            .filter(device_fittings::need_id.eq(&r.id))
                            .filter(device_fittings::replaced.eq(false)),
                    )
                    .set(device_fittings::replaced.eq(true))
                    .execute(conn)?;
                }
                change.evidence = a.evidence_id.map(|e| e.to_string());
                change.follow_up_due = Some(None);
            }
            NeedActionKind::Withdraw => {
                if reason.is_none_or(|r| r.chars().count() < 2) {
                    errs.add("reason", "required", "say why (moved away, deceased …)");
                }
                change.follow_up_due = Some(None);
            }
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let to = change.status.unwrap_or(t);
        let asm = change.assessment.as_ref();
        let n = diesel::update(
            rehab_needs::table
                .filter(rehab_needs::id.eq(&r.id))
                .filter(rehab_needs::version.eq(a.version)),
        )
        .set((
            rehab_needs::status.eq(to.as_str()),
            rehab_needs::result.eq(asm
                .map(|x| x.result.as_str().to_owned())
                .or(r.result.clone())),
            rehab_needs::assessed_on.eq(asm.map(|x| x.assessed_on).or(r.assessed_on)),
            rehab_needs::assessor.eq(asm
                .map(|x| x.assessor.trim().to_owned())
                .or(r.assessor.clone())),
            rehab_needs::assessed_by.eq(asm.map(|_| user.id.to_string()).or(r.assessed_by.clone())),
            rehab_needs::evidence_id.eq(asm
                .and_then(|x| x.evidence_id.map(|e| e.to_string()))
                .or(change.evidence.clone())
                .or(r.evidence_id.clone())),
            rehab_needs::follow_up_due.eq(change.follow_up_due.unwrap_or(r.follow_up_due)),
            rehab_needs::version.eq(a.version + 1),
            rehab_needs::updated_at.eq(now()),
            rehab_needs::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        event(conn, user, &r.id, Some(from), to, reason)?;
        change.audit.insert("status".into(), to.as_str().into());
        audit_need(
            conn,
            user,
            AuditAction::Update,
            (&r.id, &r.county_code),
            reason,
            Some(serde_json::json!({"status": from})),
            serde_json::Value::Object(change.audit),
        )?;
        get(conn, user, id)
    })
}

/// Records a fitting: the item (the need's unless another is named) must suit the
/// person; the subsidy follows the item's cap for the delivery year.
fn fit(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &NeedRow,
    a: &NeedAction,
) -> Result<serde_json::Value, ApiError> {
    let f = a
        .fitting
        .as_ref()
        .ok_or_else(|| missing("fitting", "give the fitting"))?;
    let mut errs = FieldErrors::new();
    for e in f.validate(today()).err().unwrap_or_default() {
        errs.0.push(FieldError {
            field: format!("fitting.{}", e.field),
            ..e
        });
    }
    if f.delivered_on < r.identified_on {
        errs.add(
            "fitting.delivered_on",
            "before_identified",
            "the delivery lies before the need was found",
        );
    }
    let item_id = r
        .item_id
        .clone()
        .ok_or_else(|| missing("fitting.item_id", "name the device"))?;
    // The plan approved one device: another one takes a re-assessment and a new approval.
    if f.item_id.is_some_and(|i| i.to_string() != item_id) {
        return Err(ApiError::field(
            "fitting.item_id",
            "not_approved_item",
            "only the device of the approved plan may be fitted; re-assess for another",
        ));
    }
    let item = match catalogue::row(conn, &item_id) {
        Ok(i) => i,
        Err(ApiError::NotFound) => {
            return Err(ApiError::field(
                "fitting.item_id",
                "not_found",
                "no such item",
            ))
        }
        Err(e) => return Err(e),
    };
    let person = crate::persons::queries::get(conn, &user.scope, uuid(&r.person_id)?)?;
    check_eligible(&mut errs, "fitting.item_id", &item, &person)?;
    let year = f.delivered_on.year();
    let cap = catalogue::cap(conn, &item.id, year)?;
    if cap.is_none() {
        errs.add(
            "fitting.delivered_on",
            "no_cap",
            format!("no subsidy cap is set for this item in {year}"),
        );
    }
    let calc = match cap {
        Some(cap) => match rehab::compute_fitting(f.unit_price_fen, f.quantity, cap, f.subsidy_fen)
        {
            Ok(c) => Some(c),
            Err(es) => {
                for e in es {
                    errs.0.push(FieldError {
                        field: format!("fitting.{}", e.field),
                        ..e
                    });
                }
                None
            }
        },
        None => None,
    };
    let (Some(calc), Some(cap), true) = (calc, cap, errs.is_empty()) else {
        return Err(ApiError::Validation(errs.0));
    };
    let service_until = rehab::service_until(f.delivered_on, item.service_life_years);
    diesel::insert_into(device_fittings::table)
        .values((
            device_fittings::id.eq(Uuid::now_v7().to_string()),
            device_fittings::need_id.eq(&r.id),
            device_fittings::county_code.eq(&r.county_code),
            device_fittings::item_id.eq(&item.id),
            device_fittings::provider.eq(f.provider.trim()),
            device_fittings::quantity.eq(f.quantity),
            device_fittings::side.eq(f.side.as_str()),
            device_fittings::unit_price_fen.eq(f.unit_price_fen),
            device_fittings::cap_fen.eq(cap),
            device_fittings::total_fen.eq(calc.total_fen),
            device_fittings::subsidy_fen.eq(calc.subsidy_fen),
            device_fittings::self_pay_fen.eq(calc.self_pay_fen),
            device_fittings::delivered_on.eq(f.delivered_on),
            device_fittings::year.eq(year),
            device_fittings::service_until.eq(service_until),
            device_fittings::replaced.eq(false),
            device_fittings::created_at.eq(now()),
            device_fittings::created_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
    Ok(
        serde_json::json!({"item_id": item.id, "quantity": f.quantity,
        "total_fen": calc.total_fen, "subsidy_fen": calc.subsidy_fen,
        "self_pay_fen": calc.self_pay_fen}),
    )
}

/// Moves a person's open needs to the county they moved to, so that the county which now
/// serves them sees and continues the work; finished needs stay where the work was done.
/// Each moved need's version changes, so a client holding the old one must reload.
pub fn follow_person(conn: &mut DbConn, person: &str, county: &str) -> Result<usize, ApiError> {
    let open: Vec<&str> = NeedStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let city = county.get(..4).unwrap_or(county);
    Ok(diesel::update(
        rehab_needs::table
            .filter(rehab_needs::person_id.eq(person))
            .filter(rehab_needs::deleted_at.is_null())
            .filter(rehab_needs::status.eq_any(open)),
    )
    .set((
        rehab_needs::county_code.eq(county),
        rehab_needs::city_code.eq(city),
        rehab_needs::version.eq(rehab_needs::version + 1),
        rehab_needs::updated_at.eq(now()),
    ))
    .execute(conn)?)
}

/// Needs whose accepted devices reached the end of their service life on or before
/// `on`, in scope, not yet re-assessed: each should open a new need.
pub fn service_life_ended(
    conn: &mut DbConn,
    user: &AuthUser,
    on: NaiveDate,
    limit: i64,
) -> Result<Vec<Need>, ApiError> {
    let rows: Vec<NeedRow> = visible(&user.scope)
        .filter(rehab_needs::superseded_by.is_null())
        .filter(
            rehab_needs::id.eq_any(
                device_fittings::table
                    .filter(device_fittings::accepted_on.is_not_null())
                    .filter(device_fittings::replaced.eq(false))
                    .filter(device_fittings::service_until.lt(on))
                    .select(device_fittings::need_id),
            ),
        )
        .order(rehab_needs::id.asc())
        .limit(limit)
        .select(NeedRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}
