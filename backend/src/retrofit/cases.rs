//! Retrofit cases: creation under the household rule (see [`super`]), the plan, and the
//! workflow of [`shared::retrofit::CASE_WORKFLOW`]. Reads start from [`visible`].

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::attachments::OwnerKind;
use shared::retrofit::{
    self, Acceptance, CaseAcceptanceInput, CaseAction, CaseActionKind, CaseCreate, CaseEvent,
    CaseMember, CasePlan, CaseStatus, Construction, Eligibility, ItemCheck, ItemResult,
    LinkedProgramme, Photos, PlanItem, PlanItemInput, Priority, RetrofitCase, VisitInput, Warning,
    CASE_WORKFLOW, MAX_PHOTOS, MAX_PLAN_ITEMS, PLAN_EDITABLE,
};
use shared::validation::validate_text;
use shared::workflow::{self, Caller, OrgLevel, Refusal};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{
    attachments, persons, retrofit_acceptance_items, retrofit_acceptances, retrofit_case_events,
    retrofit_case_members, retrofit_case_photos, retrofit_cases, retrofit_items,
    retrofit_plan_items, users,
};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::persons::model::PersonRow;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `retrofit_cases`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = retrofit_cases)]
pub struct CaseRow {
    /// Id.
    pub id: String,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Household key.
    pub household_key: String,
    /// Village.
    pub village_code: Option<String>,
    /// Year.
    pub year: i32,
    /// Status.
    pub status: String,
    /// In the status since.
    pub status_since: NaiveDateTime,
    /// Source.
    pub source: String,
    /// Found on.
    pub identified_on: NaiveDate,
    /// Linked programme.
    pub linked_programme: String,
    /// Address.
    pub address: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Follows this relocated case.
    pub relocated_from: Option<String>,
    /// Snapshot: registered poor.
    pub registered_poor: Option<bool>,
    /// Snapshot: severe.
    pub severe: Option<bool>,
    /// Snapshot: need verified.
    pub need_verified: Option<bool>,
    /// Snapshot: willing.
    pub willing: Option<bool>,
    /// Snapshot: housing suitable.
    pub housing_suitable: Option<bool>,
    /// Visit date.
    pub visited_on: Option<NaiveDate>,
    /// Visitors.
    pub visitors: Option<String>,
    /// Visit note.
    pub visit_note: Option<String>,
    /// Plan total.
    pub plan_total_fen: i64,
    /// Plan author (user id).
    pub plan_drafted_by: Option<String>,
    /// Approver (user id).
    pub plan_approved_by: Option<String>,
    /// Approved on.
    pub plan_approved_on: Option<NaiveDate>,
    /// Contractor.
    pub contractor: Option<String>,
    /// Start date.
    pub started_on: Option<NaiveDate>,
    /// When the start was recorded.
    pub started_at: Option<NaiveDateTime>,
    /// Completion date.
    pub completed_on: Option<NaiveDate>,
    /// Actual total.
    pub actual_total_fen: Option<i64>,
    /// Acceptance inspections so far.
    pub acceptance_rounds: i32,
    /// Whether the first acceptance passed.
    pub first_pass: Option<bool>,
    /// Accepted on.
    pub accepted_on: Option<NaiveDate>,
    /// Signature.
    pub signature_id: Option<String>,
    /// Version.
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Updated.
    pub updated_at: NaiveDateTime,
}

/// Live cases in `scope`.
pub fn visible(scope: &Scope) -> retrofit_cases::BoxedQuery<'static, Backend> {
    crate::scope_filter!(retrofit_cases::table.into_boxed(), scope, retrofit_cases)
        .filter(retrofit_cases::deleted_at.is_null())
}

fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<CaseRow, ApiError> {
    Ok(visible(scope)
        .filter(retrofit_cases::id.eq(id.to_string()))
        .select(CaseRow::as_select())
        .first(conn)?)
}

fn level(user: &AuthUser) -> OrgLevel {
    OrgLevel::of_region(user.scope.region())
}

/// The user as the workflow sees them for the case `r`: four-eyes steps are refused to
/// whoever took the latest step and to whoever drafted or last edited the plan.
fn with_caller<T>(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &CaseRow,
    f: impl FnOnce(&Caller<'_>) -> T,
) -> Result<T, ApiError> {
    let capabilities = user.capabilities();
    let me = user.id.to_string();
    let previous: Option<String> = retrofit_case_events::table
        .filter(retrofit_case_events::case_id.eq(&r.id))
        .order(retrofit_case_events::id.desc())
        .select(retrofit_case_events::actor_id)
        .first(conn)
        .optional()?;
    Ok(f(&Caller {
        level: level(user),
        capabilities: &capabilities,
        took_previous_step: previous.is_some_and(|p| p == me)
            || r.plan_drafted_by.as_deref() == Some(me.as_str()),
    }))
}

/// The household a person belongs to: their county and household number, or the person
/// alone when they have none.
pub fn household_key(p: &PersonRow) -> String {
    match p
        .household_number
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(h) => format!("h:{}:{h}", p.county_code),
        None => format!("p:{}", p.id),
    }
}

type MemberRow = (
    String,
    String,
    String,
    String,
    i32,
    bool,
    bool,
    bool,
    String,
);

fn members(
    conn: &mut DbConn,
    user: &AuthUser,
    case_id: &str,
) -> Result<(Vec<CaseMember>, Priority), ApiError> {
    let rows: Vec<MemberRow> = retrofit_case_members::table
        .inner_join(persons::table)
        .filter(retrofit_case_members::case_id.eq(case_id))
        .order(retrofit_case_members::position.asc())
        .select((
            persons::id,
            persons::name,
            persons::id_number_masked,
            persons::disability_category,
            persons::disability_level,
            persons::registered_poor,
            persons::elderly_disabled,
            persons::multi_disabled_household,
            persons::county_code,
        ))
        .load(conn)?;
    let mut priority = Priority {
        multi_disabled_household: rows.len() >= 2,
        elderly_with_disability: false,
    };
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, masked, category, level, poor, elderly, multi, county) in rows {
        priority.multi_disabled_household |= multi;
        priority.elderly_with_disability |= elderly;
        let seen = user.scope.covers_region(&county);
        out.push(CaseMember {
            person_id: uuid(&id)?,
            name: if seen { name } else { String::new() },
            id_number_masked: if seen { masked } else { String::new() },
            disability_category: code(&category)?,
            disability_level: u8::try_from(level).map_err(|e| ApiError::Internal(e.into()))?,
            registered_poor: poor,
            elderly,
        });
    }
    Ok((out, priority))
}

type LineRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn plan_items(conn: &mut DbConn, case_id: &str) -> Result<Vec<PlanItem>, ApiError> {
    let rows: Vec<LineRow> = retrofit_plan_items::table
        .inner_join(retrofit_items::table)
        .filter(retrofit_plan_items::case_id.eq(case_id))
        .order(retrofit_plan_items::position.asc())
        .select((
            retrofit_plan_items::id,
            retrofit_plan_items::item_code,
            retrofit_items::name_zh,
            retrofit_items::name_en,
            retrofit_items::unit,
            retrofit_plan_items::location,
            retrofit_plan_items::quantity,
            retrofit_plan_items::unit_cost_fen,
            retrofit_plan_items::line_total_fen,
            retrofit_plan_items::note,
            retrofit_plan_items::actual_cost_fen,
            retrofit_plan_items::result,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                id,
                item_code,
                name_zh,
                name_en,
                unit,
                location,
                quantity,
                unit_cost,
                total,
                note,
                actual,
                result,
            )| {
                Ok(PlanItem {
                    id: uuid(&id)?,
                    item_code,
                    name_zh,
                    name_en,
                    unit,
                    location,
                    quantity,
                    unit_cost_fen: unit_cost,
                    line_total_fen: total,
                    note,
                    actual_cost_fen: actual,
                    result: result.as_deref().map(code).transpose()?,
                })
            },
        )
        .collect()
}

fn username(conn: &mut DbConn, id: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(users::table
        .find(id)
        .select(users::username)
        .first(conn)
        .optional()?)
}

fn acceptances(conn: &mut DbConn, case_id: &str) -> Result<Vec<Acceptance>, ApiError> {
    type Row = (
        String,
        i32,
        NaiveDate,
        String,
        bool,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = retrofit_acceptances::table
        .filter(retrofit_acceptances::case_id.eq(case_id))
        .order(retrofit_acceptances::round.asc())
        .select((
            retrofit_acceptances::id,
            retrofit_acceptances::round,
            retrofit_acceptances::accepted_on,
            retrofit_acceptances::team,
            retrofit_acceptances::passed,
            retrofit_acceptances::satisfaction,
            retrofit_acceptances::signature_id,
            retrofit_acceptances::note,
            retrofit_acceptances::recorded_by,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, round, accepted_on, team, passed, satisfaction, signature, note, by) in rows {
        let results: Vec<(String, String)> = retrofit_acceptance_items::table
            .filter(retrofit_acceptance_items::acceptance_id.eq(&id))
            .order(retrofit_acceptance_items::plan_item_id.asc())
            .select((
                retrofit_acceptance_items::plan_item_id,
                retrofit_acceptance_items::result,
            ))
            .load(conn)?;
        out.push(Acceptance {
            round,
            accepted_on,
            team,
            passed,
            results: results
                .into_iter()
                .map(|(line, result)| {
                    Ok(ItemCheck {
                        plan_item_id: uuid(&line)?,
                        result: code(&result)?,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            satisfaction: satisfaction.as_deref().map(code).transpose()?,
            signature_id: signature.as_deref().map(uuid).transpose()?,
            note,
            by,
        });
    }
    Ok(out)
}

/// A live image attached to the case, as the photo rules see it.
#[derive(Debug, Clone)]
struct PhotoFacts {
    id: String,
    content_type: String,
    taken_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl PhotoFacts {
    fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// Whether the photo shows the home before the works: uploaded, or taken, before the
    /// start of construction was recorded (every photo while construction has not
    /// started).
    fn before(&self, started_at: Option<NaiveDateTime>) -> bool {
        match started_at {
            None => true,
            Some(s) => self.created_at < s || self.taken_at.is_some_and(|t| t < s),
        }
    }
}

fn case_files(conn: &mut DbConn, case_id: &str) -> Result<Vec<PhotoFacts>, ApiError> {
    let rows: Vec<(String, String, Option<NaiveDateTime>, NaiveDateTime)> = attachments::table
        .filter(attachments::owner_type.eq(OwnerKind::RetrofitCase.as_str()))
        .filter(attachments::owner_id.eq(case_id))
        .filter(attachments::deleted_at.is_null())
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select((
            attachments::id,
            attachments::content_type,
            attachments::taken_at,
            attachments::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, content_type, taken_at, created_at)| PhotoFacts {
            id,
            content_type,
            taken_at,
            created_at,
        })
        .collect())
}

fn photos(conn: &mut DbConn, r: &CaseRow) -> Result<Photos, ApiError> {
    let recorded: Vec<(String, String)> = retrofit_case_photos::table
        .filter(retrofit_case_photos::case_id.eq(&r.id))
        .order(retrofit_case_photos::attachment_id.asc())
        .select((
            retrofit_case_photos::attachment_id,
            retrofit_case_photos::side,
        ))
        .load(conn)?;
    let mut out = Photos::default();
    if !recorded.is_empty() {
        out.recorded = true;
        for (id, side) in recorded {
            if side == "before" {
                out.before.push(uuid(&id)?);
            } else {
                out.after.push(uuid(&id)?);
            }
        }
        return Ok(out);
    }
    let signature = r.signature_id.as_deref();
    for f in case_files(conn, &r.id)? {
        if !f.is_image() || Some(f.id.as_str()) == signature {
            continue;
        }
        if f.before(r.started_at) {
            out.before.push(uuid(&f.id)?);
        } else {
            out.after.push(uuid(&f.id)?);
        }
    }
    Ok(out)
}

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<CaseEvent>, ApiError> {
    type Row = (
        NaiveDateTime,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = retrofit_case_events::table
        .filter(retrofit_case_events::case_id.eq(id))
        .order(retrofit_case_events::id.asc())
        .select((
            retrofit_case_events::at,
            retrofit_case_events::actor_username,
            retrofit_case_events::from_status,
            retrofit_case_events::to_status,
            retrofit_case_events::reason,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, actor_username, from, to, reason)| {
            Ok(CaseEvent {
                at: utc(at),
                actor_username,
                from_status: from.as_deref().map(code).transpose()?,
                to_status: code(&to)?,
                reason,
            })
        })
        .collect()
}

/// Whether a case in `status` since `since` is overdue at `at`.
pub fn is_overdue(status: CaseStatus, since: NaiveDateTime, at: NaiveDateTime) -> bool {
    status
        .overdue_after_days()
        .and_then(|d| since.checked_add_signed(TimeDelta::days(d)))
        .is_some_and(|due| due < at)
}

/// The warnings of a plan against the cap (never a refusal).
fn cap_warnings(plan: &CasePlan) -> Vec<Warning> {
    let mut out = Vec::new();
    match plan.cap_fen {
        Some(cap) if plan.over_cap => out.push(Warning {
            code: "over_cap".into(),
            message: format!(
                "the plan ({} fen) exceeds the household cap of its year ({cap} fen)",
                plan.actual_total_fen.unwrap_or(plan.total_fen)
            ),
        }),
        None if !plan.items.is_empty() => out.push(Warning {
            code: "no_cap".into(),
            message: "no household cap is set for the case's programme year".into(),
        }),
        _ => {}
    }
    out
}

fn to_api(
    conn: &mut DbConn,
    r: &CaseRow,
    detailed: bool,
    user: &AuthUser,
) -> Result<RetrofitCase, ApiError> {
    let status: CaseStatus = code(&r.status)?;
    let allowed_actions = with_caller(conn, user, r, |c| {
        workflow::allowed_in(CASE_WORKFLOW, status, c)
    })?;
    let (members, priority) = members(conn, user, &r.id)?;
    let cap_fen = super::items::cap_of(conn, r.year)?;
    let items = plan_items(conn, &r.id)?;
    let spent = r.actual_total_fen.unwrap_or(r.plan_total_fen);
    let plan = CasePlan {
        items,
        total_fen: r.plan_total_fen,
        actual_total_fen: r.actual_total_fen,
        cap_fen,
        over_cap: cap_fen.is_some_and(|c| spent > c),
        drafted_by: username(conn, r.plan_drafted_by.as_deref())?,
        approved_by: username(conn, r.plan_approved_by.as_deref())?,
        approved_on: r.plan_approved_on,
    };
    let warnings = cap_warnings(&plan);
    let eligibility = match (r.visited_on, &r.visitors) {
        (Some(visited_on), Some(visitors)) => Some(Eligibility {
            registered_poor: r.registered_poor.unwrap_or(false),
            severe: r.severe.unwrap_or(false),
            need_verified: r.need_verified.unwrap_or(false),
            willing: r.willing.unwrap_or(false),
            housing_suitable: r.housing_suitable.unwrap_or(false),
            visited_on,
            visitors: visitors.clone(),
            note: r.visit_note.clone(),
        }),
        _ => None,
    };
    let construction = match (&r.contractor, r.started_on) {
        (Some(contractor), Some(started_on)) => Some(Construction {
            contractor: contractor.clone(),
            started_on,
            completed_on: r.completed_on,
        }),
        _ => None,
    };
    let plan_editable = PLAN_EDITABLE.contains(&status)
        && level(user) == OrgLevel::County
        && user.can(shared::auth::Capability::WriteRetrofits);
    Ok(RetrofitCase {
        id: uuid(&r.id)?,
        version: r.version,
        county_code: r.county_code.clone(),
        village_code: r.village_code.clone(),
        year: r.year,
        status,
        source: code(&r.source)?,
        identified_on: r.identified_on,
        linked_programme: code(&r.linked_programme)?,
        address: r.address.clone(),
        note: r.note.clone(),
        relocated_from: r.relocated_from.as_deref().map(uuid).transpose()?,
        members,
        priority,
        eligibility,
        plan,
        construction,
        acceptances: acceptances(conn, &r.id)?,
        photos: photos(conn, r)?,
        warnings,
        allowed_actions,
        plan_editable,
        status_since: utc(r.status_since),
        overdue: is_overdue(status, r.status_since, now()),
        joined_existing: false,
        timeline: if detailed {
            timeline(conn, &r.id)?
        } else {
            Vec::new()
        },
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
    })
}

/// A case in the user's scope, with its timeline and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<RetrofitCase, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// Filters of `GET /api/v1/retrofits/cases`.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only cases in their status longer than allowed (`true`), or not (`false`).
    pub overdue: Option<bool>,
    /// Only this city (4 digits) or county (6 digits), inside the caller's scope.
    pub area: Option<String>,
    /// A member's name or the address contains this.
    pub q: Option<String>,
    /// Only this programme year.
    pub year: Option<i32>,
    /// Only this person's cases.
    pub person_id: Option<Uuid>,
    /// Only cases with a step the caller can take.
    pub waiting: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The rows of a page of cases in the user's scope matching `f`.
pub fn list_rows(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &CaseQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CaseRow>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(s) = f.status {
        q = q.filter(retrofit_cases::status.eq(s.as_str()));
    }
    if let Some(y) = f.year {
        q = q.filter(retrofit_cases::year.eq(y));
    }
    if let Some(area) = f.area.as_deref() {
        let pattern = crate::org::queries::area_pattern(area).map_err(|_| {
            ApiError::field(
                "area",
                "invalid_region",
                "a 4-digit city or 6-digit county code",
            )
        })?;
        q = q.filter(retrofit_cases::county_code.like(pattern));
    }
    if let Some(p) = f.person_id {
        q = q.filter(
            retrofit_cases::id.eq_any(
                retrofit_case_members::table
                    .filter(retrofit_case_members::person_id.eq(p.to_string()))
                    .select(retrofit_case_members::case_id),
            ),
        );
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 50 {
            return Err(ApiError::field("q", "too_long", "at most 50 characters"));
        }
        let pattern = like_pattern(text);
        let named: Vec<String> = retrofit_case_members::table
            .inner_join(persons::table)
            .filter(persons::name.like(&pattern).escape('\\'))
            .select(retrofit_case_members::case_id)
            .load(conn)?;
        q = q.filter(
            retrofit_cases::id
                .eq_any(named)
                .or(retrofit_cases::address.like(pattern).escape('\\')),
        );
    }
    if let Some(overdue) = f.overdue {
        let at = now();
        // One condition per open status, each with its own threshold (held as data).
        let mut cond: Box<
            dyn BoxableExpression<
                retrofit_cases::table,
                Backend,
                SqlType = diesel::sql_types::Bool,
            >,
        > = Box::new(retrofit_cases::id.ne(retrofit_cases::id));
        for (status, days) in retrofit::OVERDUE_DAYS {
            let cutoff = at - TimeDelta::days(*days);
            cond = Box::new(
                cond.or(retrofit_cases::status
                    .eq(status.as_str())
                    .and(retrofit_cases::status_since.lt(cutoff))),
            );
        }
        q = if overdue {
            q.filter(cond)
        } else {
            q.filter(diesel::dsl::not(cond))
        };
    }
    if f.waiting == Some(true) {
        let statuses: Vec<&str> =
            workflow::waiting_in(CASE_WORKFLOW, level(user), &user.capabilities())
                .into_iter()
                .map(|s| s.as_str())
                .collect();
        q = q.filter(retrofit_cases::status.eq_any(statuses));
    }
    if let Some(a) = after {
        q = q.filter(retrofit_cases::id.gt(a.to_owned()));
    }
    Ok(q.order(retrofit_cases::id.asc())
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)?)
}

/// A page of cases in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &CaseQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<RetrofitCase>, ApiError> {
    let rows = list_rows(conn, user, f, after, limit)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    case_id: &str,
    action: Option<&str>,
    from: Option<CaseStatus>,
    to: CaseStatus,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(retrofit_case_events::table)
        .values((
            retrofit_case_events::id.eq(Uuid::now_v7().to_string()),
            retrofit_case_events::case_id.eq(case_id),
            retrofit_case_events::at.eq(now()),
            retrofit_case_events::actor_id.eq(user.id.to_string()),
            retrofit_case_events::actor_username.eq(&user.username),
            retrofit_case_events::actor_unit.eq(&user.unit_code),
            retrofit_case_events::action.eq(action),
            retrofit_case_events::from_status.eq(from.map(|s| s.as_str())),
            retrofit_case_events::to_status.eq(to.as_str()),
            retrofit_case_events::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// Audits a write of the case `(id, county)`.
fn audit_case(
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
            entity_type: "retrofit_case",
            entity_id: uuid(id)?,
            owner_region: county,
            reason,
            before,
            after: Some(after),
        },
    )
}

/// The open case of a household, or holding one of `persons`, in any area.
fn open_case_of(
    conn: &mut DbConn,
    key: &str,
    persons_: &[String],
) -> Result<Option<CaseRow>, ApiError> {
    let open: Vec<&str> = CaseStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    Ok(retrofit_cases::table
        .filter(retrofit_cases::deleted_at.is_null())
        .filter(retrofit_cases::status.eq_any(open))
        .filter(
            retrofit_cases::household_key
                .eq(key)
                .or(retrofit_cases::id.eq_any(
                    retrofit_case_members::table
                        .filter(retrofit_case_members::person_id.eq_any(persons_))
                        .select(retrofit_case_members::case_id),
                )),
        )
        .order(retrofit_cases::id.asc())
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?)
}

/// What a create did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// A new case.
    New,
    /// A retry of an earlier create: the case it made.
    Replayed,
    /// The household had an open case: the persons joined it.
    Joined,
}

/// Records a case (county writers) under the household rule (see [`super`]).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &CaseCreate,
) -> Result<(Created, RetrofitCase), ApiError> {
    super::require_county_writer(user)?;
    let hash = crate::record::create_digest(pii, "retrofit_case", body)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, retrofit_cases, id, &hash, user)? {
            return Ok((Created::Replayed, get(conn, user, id)?));
        }
        create_in(conn, user, id, &hash, body)
    })
}

/// [`create`] inside the caller's transaction, the id known to be free.
pub(crate) fn create_in(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    hash: &str,
    body: &CaseCreate,
) -> Result<(Created, RetrofitCase), ApiError> {
    let f = &body.fields;
    let mut errs = FieldErrors::new();
    errs.0.extend(f.validate(today()).err().unwrap_or_default());
    errs.into_result(()).map_err(ApiError::Validation)?;
    let mut errs = FieldErrors::new();
    // Members must be in the caller's area: 404 otherwise, as for any record.
    let mut people: Vec<PersonRow> = Vec::with_capacity(f.person_ids.len());
    for p in &f.person_ids {
        people.push(crate::persons::queries::get(conn, &user.scope, *p)?);
    }
    let keys: BTreeSet<String> = people.iter().map(household_key).collect();
    if keys.len() > 1 {
        errs.add(
            "person_ids",
            "not_one_household",
            "the members must share a household (same county and household number)",
        );
    }
    let Some(key) = keys.into_iter().next() else {
        return Err(ApiError::field("person_ids", "required", "name a member"));
    };
    if let Some(old) = f.relocated_from {
        match row(conn, &user.scope, old) {
            Ok(o) if o.status != CaseStatus::Relocated.as_str() => errs.add(
                "relocated_from",
                "not_relocated",
                "that case was not closed by relocation",
            ),
            Ok(o) => {
                let shared: i64 = retrofit_case_members::table
                    .filter(retrofit_case_members::case_id.eq(&o.id))
                    .filter(
                        retrofit_case_members::person_id
                            .eq_any(people.iter().map(|p| p.id.clone()).collect::<Vec<_>>()),
                    )
                    .count()
                    .get_result(conn)?;
                if shared == 0 {
                    errs.add(
                        "relocated_from",
                        "not_same_household",
                        "that case is of another household",
                    );
                }
            }
            Err(ApiError::NotFound) => errs.add("relocated_from", "not_found", "no such case"),
            Err(e) => return Err(e),
        }
    }
    errs.into_result(()).map_err(ApiError::Validation)?;
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    if let Some(existing) = open_case_of(conn, &key, &ids)? {
        if !user.scope.covers_region(&existing.county_code) {
            return Err(ApiError::Conflict {
                code: "id_conflict",
                detail: "the household has an open case in another area".into(),
            });
        }
        join(conn, user, &existing, &people)?;
        let mut case = get(conn, user, uuid(&existing.id)?)?;
        case.joined_existing = true;
        return Ok((Created::Joined, case));
    }
    let first = &people[0];
    let at = now();
    let id_s = id.to_string();
    let programme = if f.relocated_from.is_some() {
        LinkedProgramme::Relocation
    } else {
        f.linked_programme
    };
    let address = f
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .or_else(|| first.address_detail.clone());
    diesel::insert_into(retrofit_cases::table)
        .values((
            retrofit_cases::id.eq(&id_s),
            retrofit_cases::county_code.eq(&first.county_code),
            retrofit_cases::city_code.eq(&first.city_code),
            retrofit_cases::household_key.eq(&key),
            retrofit_cases::village_code.eq(&first.village_code),
            retrofit_cases::year.eq(f.identified_on.year()),
            retrofit_cases::status.eq(CaseStatus::Identified.as_str()),
            retrofit_cases::status_since.eq(at),
            retrofit_cases::source.eq(f.source.as_str()),
            retrofit_cases::identified_on.eq(f.identified_on),
            retrofit_cases::linked_programme.eq(programme.as_str()),
            retrofit_cases::address.eq(address),
            retrofit_cases::note.eq(f.note.as_deref().map(str::trim)),
            retrofit_cases::relocated_from.eq(f.relocated_from.map(|r| r.to_string())),
            retrofit_cases::plan_total_fen.eq(0),
            retrofit_cases::acceptance_rounds.eq(0),
            retrofit_cases::create_hash.eq(hash),
            retrofit_cases::version.eq(1),
            retrofit_cases::created_at.eq(at),
            retrofit_cases::created_by.eq(user.id.to_string()),
            retrofit_cases::updated_at.eq(at),
            retrofit_cases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
    for (i, p) in people.iter().enumerate() {
        add_member(conn, user, &id_s, &p.id, i)?;
    }
    event(conn, user, &id_s, None, None, CaseStatus::Identified, None)?;
    audit_case(
        conn,
        user,
        AuditAction::Create,
        (&id_s, &first.county_code),
        None,
        None,
        serde_json::json!({"person_ids": ids, "source": f.source, "year": f.identified_on.year(),
            "linked_programme": programme, "relocated_from": f.relocated_from}),
    )?;
    Ok((Created::New, get(conn, user, id)?))
}

fn add_member(
    conn: &mut DbConn,
    user: &AuthUser,
    case_id: &str,
    person: &str,
    position: usize,
) -> Result<(), ApiError> {
    diesel::insert_into(retrofit_case_members::table)
        .values((
            retrofit_case_members::case_id.eq(case_id),
            retrofit_case_members::person_id.eq(person),
            retrofit_case_members::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            retrofit_case_members::added_at.eq(now()),
            retrofit_case_members::added_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds the persons not yet members to an open case of their household (a new version,
/// an event and an audit entry); nothing when all are members already.
fn join(
    conn: &mut DbConn,
    user: &AuthUser,
    case: &CaseRow,
    people: &[PersonRow],
) -> Result<(), ApiError> {
    let current: Vec<String> = retrofit_case_members::table
        .filter(retrofit_case_members::case_id.eq(&case.id))
        .select(retrofit_case_members::person_id)
        .load(conn)?;
    let fresh: Vec<&PersonRow> = people.iter().filter(|p| !current.contains(&p.id)).collect();
    if fresh.is_empty() {
        return Ok(());
    }
    if current.len() + fresh.len() > retrofit::MAX_MEMBERS {
        return Err(ApiError::field(
            "person_ids",
            "out_of_range",
            "a case has at most 10 members",
        ));
    }
    for (i, p) in fresh.iter().enumerate() {
        add_member(conn, user, &case.id, &p.id, current.len() + i)?;
    }
    let n = diesel::update(
        retrofit_cases::table
            .filter(retrofit_cases::id.eq(&case.id))
            .filter(retrofit_cases::version.eq(case.version)),
    )
    .set((
        retrofit_cases::version.eq(case.version + 1),
        retrofit_cases::updated_at.eq(now()),
        retrofit_cases::updated_by.eq(user.id.to_string()),
    ))
    .execute(conn)?;
    crate::record::changed(n)?;
    let status: CaseStatus = code(&case.status)?;
    let added: Vec<&str> = fresh.iter().map(|p| p.id.as_str()).collect();
    event(
        conn,
        user,
        &case.id,
        Some("add_members"),
        Some(status),
        status,
        Some("household member added"),
    )?;
    audit_case(
        conn,
        user,
        AuditAction::Update,
        (&case.id, &case.county_code),
        None,
        Some(serde_json::json!({"members": current})),
        serde_json::json!({"added_members": added}),
    )
}

/// Replaces the plan of a case in `verified` or `plan_drafted` (county writers); the
/// version must be current. The total is checked arithmetic; a total above the year's cap
/// is answered with an `over_cap` warning, not refused.
pub fn update_plan(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    lines: &[PlanItemInput],
) -> Result<RetrofitCase, ApiError> {
    super::require_county_writer(user)?;
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != version {
            return Err(ApiError::stale_version());
        }
        let status: CaseStatus = code(&r.status)?;
        if !PLAN_EDITABLE.contains(&status) {
            return Err(invalid_transition(status));
        }
        let mut errs = FieldErrors::new();
        if lines.len() > MAX_PLAN_ITEMS {
            errs.add(
                "items",
                "out_of_range",
                format!("at most {MAX_PLAN_ITEMS} lines"),
            );
        }
        let existing: Vec<String> = retrofit_plan_items::table
            .filter(retrofit_plan_items::case_id.eq(&r.id))
            .select(retrofit_plan_items::id)
            .load(conn)?;
        let mut seen = BTreeSet::new();
        let mut totals = Vec::with_capacity(lines.len());
        let mut ids = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let p = format!("items[{i}].");
            match super::items::row(conn, &l.item_code) {
                Ok(item) if !item.active => errs.add(
                    &format!("{p}item_code"),
                    "retired_item",
                    "this item is no longer offered",
                ),
                Ok(_) => {}
                Err(ApiError::NotFound) => {
                    errs.add(&format!("{p}item_code"), "not_found", "no such item")
                }
                Err(e) => return Err(e),
            }
            if l.location.trim().is_empty() {
                errs.add(&format!("{p}location"), "required", "where in the home");
            } else {
                errs.check(&format!("{p}location"), validate_text(&l.location, 100));
            }
            if let Some(n) = &l.note {
                errs.check(&format!("{p}note"), validate_text(n, 200));
            }
            if !(1..=retrofit::MAX_QUANTITY).contains(&l.quantity) {
                errs.add(
                    &format!("{p}quantity"),
                    "out_of_range",
                    format!("1 to {}", retrofit::MAX_QUANTITY),
                );
            }
            if !(0..=retrofit::MAX_UNIT_COST_FEN).contains(&l.unit_cost_fen) {
                errs.add(
                    &format!("{p}unit_cost_fen"),
                    "out_of_range",
                    format!("0 to {} fen", retrofit::MAX_UNIT_COST_FEN),
                );
            }
            totals.push(retrofit::line_total(l.quantity, l.unit_cost_fen));
            let line_id = l.id.unwrap_or_else(Uuid::now_v7).to_string();
            if !seen.insert(line_id.clone()) {
                errs.add(
                    &format!("{p}id"),
                    "duplicate_row",
                    "this line id is listed twice",
                );
            } else if !existing.contains(&line_id) {
                let taken: i64 = retrofit_plan_items::table
                    .find(&line_id)
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    errs.add(&format!("{p}id"), "id_conflict", "this line id is taken");
                }
            }
            ids.push(line_id);
        }
        let total = if totals.iter().all(Option::is_some) {
            retrofit::checked_total(totals.iter().flatten().copied())
        } else {
            None
        };
        if total.is_none() && errs.is_empty() {
            errs.add("items", "out_of_range", "the plan's total is out of range");
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let total = total.unwrap_or_default();
        diesel::delete(retrofit_plan_items::table.filter(retrofit_plan_items::case_id.eq(&r.id)))
            .execute(conn)?;
        for (i, (l, line_id)) in lines.iter().zip(&ids).enumerate() {
            diesel::insert_into(retrofit_plan_items::table)
                .values((
                    retrofit_plan_items::id.eq(line_id),
                    retrofit_plan_items::case_id.eq(&r.id),
                    retrofit_plan_items::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    retrofit_plan_items::item_code.eq(&l.item_code),
                    retrofit_plan_items::location.eq(l.location.trim()),
                    retrofit_plan_items::quantity.eq(l.quantity),
                    retrofit_plan_items::unit_cost_fen.eq(l.unit_cost_fen),
                    retrofit_plan_items::line_total_fen.eq(totals[i].unwrap_or_default()),
                    retrofit_plan_items::note.eq(l.note.as_deref().map(str::trim)),
                ))
                .execute(conn)?;
        }
        let n = diesel::update(
            retrofit_cases::table
                .filter(retrofit_cases::id.eq(&r.id))
                .filter(retrofit_cases::version.eq(version)),
        )
        .set((
            retrofit_cases::plan_total_fen.eq(total),
            retrofit_cases::plan_drafted_by.eq(Some(user.id.to_string())),
            retrofit_cases::version.eq(version + 1),
            retrofit_cases::updated_at.eq(now()),
            retrofit_cases::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        crate::record::changed(n)?;
        event(
            conn,
            user,
            &r.id,
            Some("edit_plan"),
            Some(status),
            status,
            None,
        )?;
        audit_case(
            conn,
            user,
            AuditAction::Update,
            (&r.id, &r.county_code),
            None,
            Some(serde_json::json!({"plan_total_fen": r.plan_total_fen})),
            serde_json::json!({"plan_total_fen": total, "lines": lines.len()}),
        )?;
        get(conn, user, id)
    })
}

/// The answer to a step the workflow refuses.
fn refusal(r: Refusal, from: CaseStatus) -> ApiError {
    match r {
        Refusal::InvalidTransition => invalid_transition(from),
        Refusal::WrongLevel(l) => {
            ApiError::Forbidden(format!("this step is taken at the {} level", l.as_str()))
        }
        Refusal::MissingCapability(c) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        Refusal::FourEyes => ApiError::Forbidden(
            "you drafted this plan or took the previous step; another person must approve".into(),
        ),
    }
}

fn invalid_transition(from: CaseStatus) -> ApiError {
    ApiError::Conflict {
        code: "invalid_transition",
        detail: format!("a case that is {} cannot take this step", from.as_str()),
    }
}

fn missing(field: &str, what: &str) -> ApiError {
    ApiError::field(field, "required", what.to_owned())
}

fn check_date(
    errs: &mut FieldErrors,
    field: &str,
    d: NaiveDate,
    not_before: NaiveDate,
    what: &str,
) {
    retrofit::check_date(errs, field, d, today());
    if d < not_before {
        errs.add(field, "too_early", format!("the date lies before {what}"));
    }
}

fn check_text(errs: &mut FieldErrors, field: &str, v: &str, max: usize, what: &str) {
    if v.trim().is_empty() {
        errs.add(field, "required", what.to_owned());
    } else {
        errs.check(field, validate_text(v, max));
    }
}

/// The eligibility snapshot of a visit: the visit's findings and the members' registry
/// data now.
fn snapshot(
    conn: &mut DbConn,
    errs: &mut FieldErrors,
    r: &CaseRow,
    v: &VisitInput,
) -> Result<Eligibility, ApiError> {
    check_date(
        errs,
        "visit.visited_on",
        v.visited_on,
        r.identified_on,
        "the case was found",
    );
    check_text(errs, "visit.visitors", &v.visitors, 100, "who visited");
    if let Some(n) = &v.note {
        errs.check("visit.note", validate_text(n, 500));
    }
    let facts: Vec<(bool, i32)> = retrofit_case_members::table
        .inner_join(persons::table)
        .filter(retrofit_case_members::case_id.eq(&r.id))
        .select((persons::registered_poor, persons::disability_level))
        .load(conn)?;
    Ok(Eligibility {
        registered_poor: facts.iter().any(|(poor, _)| *poor),
        severe: facts.iter().any(|(_, level)| (1..=2).contains(level)),
        need_verified: v.need_verified,
        willing: v.willing,
        housing_suitable: v.housing_suitable,
        visited_on: v.visited_on,
        visitors: v.visitors.trim().to_owned(),
        note: v
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    })
}

/// Why a snapshot does not make the household eligible, as field errors naming the exit
/// to take instead.
fn ineligible(errs: &mut FieldErrors, e: &Eligibility) {
    if !e.registered_poor {
        errs.add(
            "person_ids",
            "not_registered_poor",
            "no member is registered poor: take the exit reject",
        );
    }
    if !e.severe {
        errs.add(
            "person_ids",
            "not_severe",
            "no member is severely disabled (level 1 or 2): take the exit reject",
        );
    }
    if !e.need_verified {
        errs.add(
            "visit.need_verified",
            "no_need",
            "the visit found no need: take the exit reject",
        );
    }
    if !e.willing {
        errs.add(
            "visit.willing",
            "not_willing",
            "the household does not want it: take the exit decline",
        );
    }
    if !e.housing_suitable {
        errs.add(
            "visit.housing_suitable",
            "housing_unsuitable",
            "the housing is unsuitable: take the exit refer_housing (危房改造)",
        );
    }
}

/// What a step changes on the case row besides its status.
#[derive(Default)]
struct Change {
    status: Option<CaseStatus>,
    visit: Option<Eligibility>,
    plan_drafted_by: Option<String>,
    approved: bool,
    start: Option<(String, NaiveDate)>,
    completed: Option<Option<(NaiveDate, i64)>>,
    acceptance: Option<(bool, Option<NaiveDate>, Option<String>)>,
    linked_programme: Option<LinkedProgramme>,
    audit: serde_json::Map<String, serde_json::Value>,
}

/// Takes one step of the case workflow, if the table allows it to the caller from the
/// current status. The step, its records, its timeline event and its audit entry are one
/// transaction.
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    a: &CaseAction,
) -> Result<RetrofitCase, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != a.version {
            return Err(ApiError::stale_version());
        }
        let from: CaseStatus = code(&r.status)?;
        let t = with_caller(conn, user, &r, |c| {
            workflow::authorise_in(CASE_WORKFLOW, from, a.action, c).map(|t| t.to)
        })?
        .map_err(|e| refusal(e, from))?;
        let reason = a.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut errs = FieldErrors::new();
        if let Some(reason) = reason {
            errs.check("reason", validate_text(reason, 500));
        }
        let mut change = Change {
            status: Some(t),
            ..Change::default()
        };
        match a.action {
            CaseActionKind::Verify => {
                let v = a
                    .visit
                    .as_ref()
                    .ok_or_else(|| missing("visit", "give the home visit"))?;
                let e = snapshot(conn, &mut errs, &r, v)?;
                ineligible(&mut errs, &e);
                change.audit.insert("eligible".into(), true.into());
                change.visit = Some(e);
            }
            CaseActionKind::DraftPlan => {
                let lines: i64 = retrofit_plan_items::table
                    .filter(retrofit_plan_items::case_id.eq(&r.id))
                    .count()
                    .get_result(conn)?;
                if lines == 0 {
                    errs.add("items", "required", "the plan has no line yet (PUT …/plan)");
                }
                change.plan_drafted_by = Some(user.id.to_string());
                change
                    .audit
                    .insert("plan_total_fen".into(), r.plan_total_fen.into());
            }
            CaseActionKind::ApprovePlan => {
                change.approved = true;
            }
            CaseActionKind::Start => {
                let s = a
                    .start
                    .as_ref()
                    .ok_or_else(|| missing("start", "give the contractor and start date"))?;
                check_text(
                    &mut errs,
                    "start.contractor",
                    &s.contractor,
                    100,
                    "the contractor",
                );
                check_date(
                    &mut errs,
                    "start.started_on",
                    s.started_on,
                    r.identified_on,
                    "the case was found",
                );
                change.start = Some((s.contractor.trim().to_owned(), s.started_on));
                change
                    .audit
                    .insert("contractor".into(), s.contractor.trim().into());
            }
            CaseActionKind::Complete => {
                let c = a
                    .complete
                    .as_ref()
                    .ok_or_else(|| missing("complete", "give the completion and the costs"))?;
                let started = r.started_on.unwrap_or(r.identified_on);
                check_date(
                    &mut errs,
                    "complete.completed_on",
                    c.completed_on,
                    started,
                    "the start",
                );
                let lines: Vec<String> = retrofit_plan_items::table
                    .filter(retrofit_plan_items::case_id.eq(&r.id))
                    .select(retrofit_plan_items::id)
                    .load(conn)?;
                let mut costs: HashMap<String, i64> = HashMap::new();
                for (i, cost) in c.costs.iter().enumerate() {
                    let key = cost.plan_item_id.to_string();
                    let p = format!("complete.costs[{i}].");
                    if !lines.contains(&key) {
                        errs.add(
                            &format!("{p}plan_item_id"),
                            "not_found",
                            "no such line in the plan",
                        );
                    } else if costs.insert(key, cost.actual_cost_fen).is_some() {
                        errs.add(
                            &format!("{p}plan_item_id"),
                            "duplicate_row",
                            "this line is listed twice",
                        );
                    }
                    if !(0..=1_000_000_000).contains(&cost.actual_cost_fen) {
                        errs.add(
                            &format!("{p}actual_cost_fen"),
                            "out_of_range",
                            "0 to 10,000,000 yuan",
                        );
                    }
                }
                if lines.iter().any(|l| !costs.contains_key(l)) {
                    errs.add(
                        "complete.costs",
                        "missing_line",
                        "give the actual cost of every plan line",
                    );
                }
                let total = retrofit::checked_total(costs.values().copied());
                if errs.is_empty() {
                    let total = total.ok_or_else(|| {
                        ApiError::field(
                            "complete.costs",
                            "out_of_range",
                            "the total is out of range",
                        )
                    })?;
                    for (line, cost) in &costs {
                        diesel::update(retrofit_plan_items::table.find(line))
                            .set(retrofit_plan_items::actual_cost_fen.eq(Some(*cost)))
                            .execute(conn)?;
                    }
                    change.completed = Some(Some((c.completed_on, total)));
                    change.audit.insert("actual_total_fen".into(), total.into());
                }
            }
            CaseActionKind::Accept => {
                let acc = a
                    .acceptance
                    .as_ref()
                    .ok_or_else(|| missing("acceptance", "give the acceptance"))?;
                let passed = accept(conn, user, &r, acc, &mut errs)?;
                if let Some(passed) = passed {
                    if passed {
                        change.acceptance = Some((
                            true,
                            Some(acc.accepted_on),
                            acc.signature_id.map(|s| s.to_string()),
                        ));
                    } else {
                        // A failed acceptance: back to the contractor.
                        change.status = Some(CaseStatus::InConstruction);
                        change.acceptance = Some((false, None, None));
                        change.completed = Some(None);
                    }
                    change.audit.insert("passed".into(), passed.into());
                }
            }
            CaseActionKind::Archive => {}
            CaseActionKind::Reject
            | CaseActionKind::Decline
            | CaseActionKind::ReferHousing
            | CaseActionKind::Relocate => {
                if reason.is_none_or(|r| r.chars().count() < 2) {
                    errs.add("reason", "required", "say why");
                }
                if let Some(v) = &a.visit {
                    change.visit = Some(snapshot(conn, &mut errs, &r, v)?);
                }
                change.linked_programme = match a.action {
                    CaseActionKind::ReferHousing => Some(LinkedProgramme::DilapidatedHousing),
                    CaseActionKind::Relocate => Some(LinkedProgramme::Relocation),
                    _ => None,
                };
            }
        }
        errs.into_result(()).map_err(ApiError::Validation)?;
        let to = change.status.unwrap_or(t);
        write_change(conn, user, &r, a.version, to, &change)?;
        event(
            conn,
            user,
            &r.id,
            Some(a.action.as_str()),
            Some(from),
            to,
            reason,
        )?;
        change.audit.insert("status".into(), to.as_str().into());
        audit_case(
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

fn write_change(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &CaseRow,
    version: i64,
    to: CaseStatus,
    c: &Change,
) -> Result<(), ApiError> {
    let at = now();
    let status_since = if to.as_str() == r.status {
        r.status_since
    } else {
        at
    };
    let v = c.visit.as_ref();
    let (rounds, first_pass, accepted_on, signature) = match &c.acceptance {
        Some((passed, on, sig)) => (
            r.acceptance_rounds + 1,
            r.first_pass.or(Some(*passed)),
            on.or(r.accepted_on),
            sig.clone().or(r.signature_id.clone()),
        ),
        None => (
            r.acceptance_rounds,
            r.first_pass,
            r.accepted_on,
            r.signature_id.clone(),
        ),
    };
    let (completed_on, actual) = match c.completed {
        Some(Some((on, total))) => (Some(on), Some(total)),
        Some(None) => (None, r.actual_total_fen),
        None => (r.completed_on, r.actual_total_fen),
    };
    let n = diesel::update(
        retrofit_cases::table
            .filter(retrofit_cases::id.eq(&r.id))
            .filter(retrofit_cases::version.eq(version)),
    )
    .set((
        retrofit_cases::status.eq(to.as_str()),
        retrofit_cases::status_since.eq(status_since),
        retrofit_cases::registered_poor.eq(v.map(|e| e.registered_poor).or(r.registered_poor)),
        retrofit_cases::severe.eq(v.map(|e| e.severe).or(r.severe)),
        retrofit_cases::need_verified.eq(v.map(|e| e.need_verified).or(r.need_verified)),
        retrofit_cases::willing.eq(v.map(|e| e.willing).or(r.willing)),
        retrofit_cases::housing_suitable.eq(v.map(|e| e.housing_suitable).or(r.housing_suitable)),
        retrofit_cases::visited_on.eq(v.map(|e| e.visited_on).or(r.visited_on)),
        retrofit_cases::visitors.eq(v.map(|e| e.visitors.clone()).or(r.visitors.clone())),
        retrofit_cases::visit_note.eq(v.map_or(r.visit_note.clone(), |e| e.note.clone())),
        retrofit_cases::plan_drafted_by.eq(c.plan_drafted_by.clone().or(r.plan_drafted_by.clone())),
        retrofit_cases::plan_approved_by.eq(if c.approved {
            Some(user.id.to_string())
        } else {
            r.plan_approved_by.clone()
        }),
        retrofit_cases::plan_approved_on.eq(if c.approved {
            Some(today())
        } else {
            r.plan_approved_on
        }),
        retrofit_cases::contractor.eq(c
            .start
            .as_ref()
            .map(|s| s.0.clone())
            .or(r.contractor.clone())),
        retrofit_cases::started_on.eq(c.start.as_ref().map(|s| s.1).or(r.started_on)),
        retrofit_cases::started_at.eq(if c.start.is_some() {
            Some(at)
        } else {
            r.started_at
        }),
        retrofit_cases::completed_on.eq(completed_on),
        retrofit_cases::actual_total_fen.eq(actual),
        retrofit_cases::acceptance_rounds.eq(rounds),
        retrofit_cases::first_pass.eq(first_pass),
        retrofit_cases::accepted_on.eq(accepted_on),
        retrofit_cases::signature_id.eq(signature),
        retrofit_cases::linked_programme.eq(c
            .linked_programme
            .map_or(r.linked_programme.clone(), |p| p.as_str().to_owned())),
        retrofit_cases::version.eq(version + 1),
        retrofit_cases::updated_at.eq(at),
        retrofit_cases::updated_by.eq(user.id.to_string()),
    ))
    .execute(conn)?;
    crate::record::changed(n)
}

/// Checks an acceptance and, when it is valid, records it (the inspection, its findings
/// per line and, when passed, the photos). `None` when `errs` got a problem.
fn accept(
    conn: &mut DbConn,
    user: &AuthUser,
    r: &CaseRow,
    acc: &CaseAcceptanceInput,
    errs: &mut FieldErrors,
) -> Result<Option<bool>, ApiError> {
    let completed = r.completed_on.unwrap_or(r.identified_on);
    check_date(
        errs,
        "acceptance.accepted_on",
        acc.accepted_on,
        completed,
        "the completion",
    );
    check_text(
        errs,
        "acceptance.team",
        &acc.team,
        100,
        "the acceptance team",
    );
    if let Some(n) = &acc.note {
        errs.check("acceptance.note", validate_text(n, 500));
    }
    let lines: Vec<String> = retrofit_plan_items::table
        .filter(retrofit_plan_items::case_id.eq(&r.id))
        .select(retrofit_plan_items::id)
        .load(conn)?;
    let mut results: HashMap<String, ItemResult> = HashMap::new();
    for (i, c) in acc.results.iter().enumerate() {
        let key = c.plan_item_id.to_string();
        let f = format!("acceptance.results[{i}].plan_item_id");
        if !lines.contains(&key) {
            errs.add(&f, "not_found", "no such line in the plan");
        } else if results.insert(key, c.result).is_some() {
            errs.add(&f, "duplicate_row", "this line is listed twice");
        }
    }
    if lines.iter().any(|l| !results.contains_key(l)) {
        errs.add(
            "acceptance.results",
            "missing_line",
            "give a finding for every plan line",
        );
    }
    let passed = results.values().all(|r| *r == ItemResult::Done);
    if passed {
        check_evidence(conn, r, acc, errs)?;
    } else if acc
        .note
        .as_deref()
        .map(str::trim)
        .is_none_or(|n| n.chars().count() < 2)
    {
        errs.add("acceptance.note", "required", "say what must be redone");
    }
    if !errs.is_empty() {
        return Ok(None);
    }
    let acceptance_id = Uuid::now_v7().to_string();
    diesel::insert_into(retrofit_acceptances::table)
        .values((
            retrofit_acceptances::id.eq(&acceptance_id),
            retrofit_acceptances::case_id.eq(&r.id),
            retrofit_acceptances::round.eq(r.acceptance_rounds + 1),
            retrofit_acceptances::accepted_on.eq(acc.accepted_on),
            retrofit_acceptances::team.eq(acc.team.trim()),
            retrofit_acceptances::passed.eq(passed),
            retrofit_acceptances::satisfaction.eq(acc.satisfaction.map(|s| s.as_str())),
            retrofit_acceptances::signature_id.eq(acc.signature_id.map(|s| s.to_string())),
            retrofit_acceptances::note.eq(acc.note.as_deref().map(str::trim)),
            retrofit_acceptances::recorded_by.eq(&user.username),
            retrofit_acceptances::created_at.eq(now()),
        ))
        .execute(conn)?;
    for (line, result) in &results {
        diesel::insert_into(retrofit_acceptance_items::table)
            .values((
                retrofit_acceptance_items::acceptance_id.eq(&acceptance_id),
                retrofit_acceptance_items::plan_item_id.eq(line),
                retrofit_acceptance_items::result.eq(result.as_str()),
            ))
            .execute(conn)?;
        diesel::update(retrofit_plan_items::table.find(line))
            .set(retrofit_plan_items::result.eq(Some(result.as_str())))
            .execute(conn)?;
    }
    if passed {
        for (ids, side) in [
            (&acc.before_photo_ids, "before"),
            (&acc.after_photo_ids, "after"),
        ] {
            for photo in ids {
                diesel::insert_into(retrofit_case_photos::table)
                    .values((
                        retrofit_case_photos::attachment_id.eq(photo.to_string()),
                        retrofit_case_photos::case_id.eq(&r.id),
                        retrofit_case_photos::side.eq(side),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(Some(passed))
}

/// The evidence of a passed acceptance: satisfaction, the signature and before and after
/// photos, all live attachments of this case. Before photos were uploaded or taken before
/// construction started; after photos after it; no photo on both sides, none the
/// signature, none already proving another case.
fn check_evidence(
    conn: &mut DbConn,
    r: &CaseRow,
    acc: &CaseAcceptanceInput,
    errs: &mut FieldErrors,
) -> Result<(), ApiError> {
    if acc.satisfaction.is_none() {
        errs.add(
            "acceptance.satisfaction",
            "required",
            "ask the household's satisfaction",
        );
    }
    let files: HashMap<String, PhotoFacts> = case_files(conn, &r.id)?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    match acc.signature_id {
        None => errs.add(
            "acceptance.signature_id",
            "required",
            "the household's signature",
        ),
        Some(s) if !files.contains_key(&s.to_string()) => errs.add(
            "acceptance.signature_id",
            "photo_not_found",
            "no such file attached to this case",
        ),
        Some(s) if acc.before_photo_ids.contains(&s) || acc.after_photo_ids.contains(&s) => errs
            .add(
                "acceptance.signature_id",
                "evidence_reused",
                "the signature cannot also be a photo",
            ),
        Some(_) => {}
    }
    let used_elsewhere: Vec<String> = retrofit_case_photos::table
        .filter(retrofit_case_photos::case_id.ne(&r.id))
        .filter(
            retrofit_case_photos::attachment_id.eq_any(
                acc.before_photo_ids
                    .iter()
                    .chain(&acc.after_photo_ids)
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>(),
            ),
        )
        .select(retrofit_case_photos::attachment_id)
        .load(conn)?;
    for (ids, field, before) in [
        (&acc.before_photo_ids, "acceptance.before_photo_ids", true),
        (&acc.after_photo_ids, "acceptance.after_photo_ids", false),
    ] {
        if ids.is_empty() {
            errs.add(
                field,
                "required",
                if before {
                    "photos of the home before the works are required"
                } else {
                    "photos of the home after the works are required"
                },
            );
        }
        if ids.len() > MAX_PHOTOS {
            errs.add(
                field,
                "out_of_range",
                format!("at most {MAX_PHOTOS} photos"),
            );
        }
        for (i, id) in ids.iter().enumerate() {
            let f = format!("{field}[{i}]");
            let key = id.to_string();
            let other_side = if before {
                &acc.after_photo_ids
            } else {
                &acc.before_photo_ids
            };
            match files.get(&key) {
                None => errs.add(&f, "photo_not_found", "no such photo attached to this case"),
                Some(p) if !p.is_image() => {
                    errs.add(&f, "not_an_image", "a photo must be an image")
                }
                Some(_) if ids[..i].contains(id) => {
                    errs.add(&f, "duplicate_row", "this photo is listed twice")
                }
                Some(_) if other_side.contains(id) => errs.add(
                    &f,
                    "evidence_reused",
                    "a photo cannot be both before and after",
                ),
                Some(_) if used_elsewhere.contains(&key) => {
                    errs.add(&f, "evidence_reused", "this photo proves another case")
                }
                Some(p) if p.before(r.started_at) != before => errs.add(
                    &f,
                    "wrong_side",
                    if before {
                        "a before photo must be uploaded or taken before construction started"
                    } else {
                        "an after photo must be uploaded after construction started"
                    },
                ),
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Whether an attachment is the evidence of a case's recorded acceptance (a before or
/// after photo, or the signature).
pub fn evidence_in_use(conn: &mut DbConn, id: &str) -> Result<bool, ApiError> {
    let photos: i64 = retrofit_case_photos::table
        .filter(retrofit_case_photos::attachment_id.eq(id))
        .count()
        .get_result(conn)?;
    let signatures: i64 = retrofit_acceptances::table
        .filter(retrofit_acceptances::signature_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(photos + signatures > 0)
}
