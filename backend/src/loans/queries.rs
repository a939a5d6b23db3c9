//! Queries on loan subsidy applications and the workflow. Reads start from [`visible`].

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::employment::{
    compute_subsidy, Applicant, Loan, LoanAction, LoanActionKind, LoanCreate, LoanEvent, LoanInput,
    LoanStatus, SubsidyCalc,
};
use shared::money::checked_sum;
use shared::workflow::{self, LoanCaller, OrgLevel, Refusal};
use shared::FieldErrors;
use uuid::Uuid;

use super::budget;
use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{employment_bases, loan_events, loans, persons};
use crate::db::{code, now, today, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A row of `loans`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = loans)]
pub struct LoanRow {
    /// Id.
    pub id: String,
    /// person | base.
    pub applicant: String,
    /// Person.
    pub person_id: Option<String>,
    /// Base.
    pub base_id: Option<String>,
    /// Bank.
    pub bank: String,
    /// Principal.
    pub principal_fen: i64,
    /// Rate.
    pub annual_rate_bp: i64,
    /// Term.
    pub term_months: i64,
    /// Loan date.
    pub loan_date: NaiveDate,
    /// Purpose.
    pub purpose: String,
    /// Year.
    pub year: i32,
    /// County.
    pub county_code: String,
    /// City.
    pub city_code: String,
    /// Status.
    pub status: String,
    /// Interest.
    pub interest_fen: i64,
    /// Subsidy.
    pub subsidy_fen: i64,
    /// Capped.
    pub capped: bool,
    /// Approved.
    pub approved_fen: Option<i64>,
    /// Disbursed.
    pub disbursed_fen: Option<i64>,
    /// Disbursed on.
    pub disbursed_on: Option<NaiveDate>,
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

/// Live applications in `scope`.
pub fn visible(scope: &Scope) -> loans::BoxedQuery<'static, Backend> {
    crate::scope_filter!(loans::table.into_boxed(), scope, loans)
        .filter(loans::deleted_at.is_null())
}

/// The applicant's name, as far as the caller may see it: a person who has moved out of
/// the caller's scope, or was deleted, is not named.
fn applicant_name(
    conn: &mut DbConn,
    scope: &crate::auth::Scope,
    row: &LoanRow,
) -> Result<String, ApiError> {
    Ok(match (&row.person_id, &row.base_id) {
        (Some(p), _) => crate::persons::queries::live(scope)
            .filter(persons::id.eq(p.clone()))
            .select(persons::name)
            .first(conn)
            .optional()?
            .unwrap_or_default(),
        (_, Some(b)) => employment_bases::table
            .find(b)
            .select(employment_bases::name)
            .first(conn)?,
        _ => String::new(),
    })
}

/// (at, actor, actor unit, from, to, reason, amount)
type EventRow = (
    NaiveDateTime,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
);

fn timeline(conn: &mut DbConn, id: &str) -> Result<Vec<LoanEvent>, ApiError> {
    let rows: Vec<EventRow> = loan_events::table
        .filter(loan_events::loan_id.eq(id))
        .order(loan_events::id.asc())
        .select((
            loan_events::at,
            loan_events::actor_username,
            loan_events::actor_unit,
            loan_events::from_status,
            loan_events::to_status,
            loan_events::reason,
            loan_events::amount_fen,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(at, actor_username, actor_unit, from, to, reason, amount_fen)| {
                Ok(LoanEvent {
                    at: utc(at),
                    actor_username,
                    actor_unit,
                    from_status: from.as_deref().map(code).transpose()?,
                    to_status: code(&to)?,
                    reason,
                    amount_fen,
                })
            },
        )
        .collect()
}

/// The id of the user who took the application's latest step (its newest event).
fn previous_actor(conn: &mut DbConn, id: &str) -> Result<Option<String>, ApiError> {
    Ok(loan_events::table
        .filter(loan_events::loan_id.eq(id))
        .order(loan_events::id.desc())
        .select(loan_events::actor_id)
        .first(conn)
        .optional()?)
}

/// The level a user works at, from their scope.
fn level(user: &AuthUser) -> OrgLevel {
    match user.scope {
        Scope::Province => OrgLevel::Province,
        Scope::City(_) => OrgLevel::City,
        Scope::County(_) => OrgLevel::County,
    }
}

/// Runs `f` with the user as the workflow sees them, for the application `id`.
fn with_caller<T>(
    conn: &mut DbConn,
    user: &AuthUser,
    id: &str,
    f: impl FnOnce(&LoanCaller<'_>) -> T,
) -> Result<T, ApiError> {
    let capabilities = user.capabilities();
    let previous = previous_actor(conn, id)?;
    Ok(f(&LoanCaller {
        level: level(user),
        capabilities: &capabilities,
        took_previous_step: previous.is_some_and(|p| p == user.id.to_string()),
    }))
}

fn to_api(
    conn: &mut DbConn,
    row: &LoanRow,
    with_timeline: bool,
    user: &AuthUser,
) -> Result<Loan, ApiError> {
    let status: LoanStatus = code(&row.status)?;
    let (allowed_actions, can_edit) = with_caller(conn, user, &row.id, |c| {
        (
            workflow::allowed_actions(status, c),
            workflow::may_edit(status, c),
        )
    })?;
    Ok(Loan {
        id: uuid(&row.id)?,
        version: row.version,
        fields: LoanInput {
            applicant: if row.applicant == "base" {
                Applicant::Base
            } else {
                Applicant::Person
            },
            person_id: row.person_id.as_deref().map(uuid).transpose()?,
            base_id: row.base_id.as_deref().map(uuid).transpose()?,
            bank: row.bank.clone(),
            principal_fen: row.principal_fen,
            annual_rate_bp: row.annual_rate_bp,
            term_months: row.term_months,
            loan_date: row.loan_date,
            purpose: row.purpose.clone(),
        },
        applicant_name: applicant_name(conn, &user.scope, row)?,
        county_code: row.county_code.clone(),
        year: row.year,
        status,
        calculation: SubsidyCalc {
            interest_fen: row.interest_fen,
            subsidy_fen: row.subsidy_fen,
            capped: row.capped,
        },
        approved_fen: row.approved_fen,
        disbursed_fen: row.disbursed_fen,
        disbursed_on: row.disbursed_on,
        timeline: if with_timeline {
            timeline(conn, &row.id)?
        } else {
            Vec::new()
        },
        allowed_actions,
        can_edit,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

fn row(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<LoanRow, ApiError> {
    Ok(visible(scope)
        .filter(loans::id.eq(id.to_string()))
        .select(LoanRow::as_select())
        .first(conn)?)
}

/// An application in the user's scope, with its timeline and the user's next steps.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Loan, ApiError> {
    let r = row(conn, &user.scope, id)?;
    to_api(conn, &r, true, user)
}

/// A page of applications in the user's scope.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    filter: &super::routes::LoanQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Loan>, ApiError> {
    let mut q = visible(&user.scope);
    if let Some(s) = filter.status {
        q = q.filter(loans::status.eq(s.as_str()));
    }
    if let Some(y) = filter.year {
        q = q.filter(loans::year.eq(y));
    }
    if filter.waiting == Some(true) {
        let level = shared::workflow::OrgLevel::of_region(user.scope.region());
        let statuses: Vec<&str> = shared::workflow::waiting_statuses(level, &user.capabilities())
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        q = q.filter(loans::status.eq_any(statuses));
    }
    if let Some(area) = filter.county.as_deref() {
        q = q.filter(loans::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(d) = filter.loan_date_from {
        q = q.filter(loans::loan_date.ge(d));
    }
    if let Some(d) = filter.loan_date_to {
        q = q.filter(loans::loan_date.le(d));
    }
    if let Some(a) = after {
        q = q.filter(loans::id.gt(a.to_owned()));
    }
    let rows: Vec<LoanRow> = q
        .order(loans::id.asc())
        .limit(limit)
        .select(LoanRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false, user)).collect()
}

fn event(
    conn: &mut DbConn,
    user: &AuthUser,
    loan: &str,
    from: Option<LoanStatus>,
    to: LoanStatus,
    reason: Option<&str>,
    amount: Option<i64>,
) -> Result<(), ApiError> {
    diesel::insert_into(loan_events::table)
        .values((
            loan_events::id.eq(Uuid::now_v7().to_string()),
            loan_events::loan_id.eq(loan),
            loan_events::at.eq(now()),
            loan_events::actor_id.eq(user.id.to_string()),
            loan_events::actor_username.eq(&user.username),
            loan_events::actor_unit.eq(&user.unit_code),
            loan_events::from_status.eq(from.map(|s| s.as_str())),
            loan_events::to_status.eq(to.as_str()),
            loan_events::reason.eq(reason),
            loan_events::amount_fen.eq(amount),
        ))
        .execute(conn)?;
    Ok(())
}

/// 422 on `person_id`: the person's subsidies of the year would pass the cap.
fn above_person_cap(year: i32, cap: i64) -> ApiError {
    ApiError::field(
        "person_id",
        "above_person_cap",
        format!("this person's subsidies of {year} would together exceed the cap of {cap} fen"),
    )
}

/// What a person's other live applications of a year claim of the per-person cap: the
/// approved amount once approved or paid, else the computed subsidy (with
/// `committed_only`, only approved and paid ones count); withdrawn ones claim nothing.
/// `None` if the claims do not fit in 64 bits, which is certainly above any cap.
fn person_claims(
    conn: &mut DbConn,
    person: &str,
    year: i32,
    except: &str,
    committed_only: bool,
) -> Result<Option<i64>, ApiError> {
    let rows: Vec<(String, i64, Option<i64>)> = loans::table
        .filter(loans::person_id.eq(person))
        .filter(loans::year.eq(year))
        .filter(loans::id.ne(except))
        .filter(loans::deleted_at.is_null())
        .filter(loans::status.ne(LoanStatus::Withdrawn.as_str()))
        .select((loans::status, loans::subsidy_fen, loans::approved_fen))
        .load(conn)?;
    let committed = [
        LoanStatus::Approved.as_str(),
        LoanStatus::Disbursed.as_str(),
    ];
    Ok(checked_sum(rows.into_iter().filter_map(
        |(status, subsidy, approved)| {
            if committed.contains(&status.as_str()) {
                Some(approved.unwrap_or(subsidy))
            } else if committed_only {
                None
            } else {
                Some(subsidy)
            }
        },
    )))
}

/// What an application's fields come to: where it belongs and its subsidy.
struct Prepared {
    county: String,
    city: String,
    year: i32,
    calc: SubsidyCalc,
}

/// Checks an application's fields for the user and computes its subsidy by the rule of
/// its programme year, held to what the per-person cap leaves after the person's other
/// applications of the year (`except` is the application itself). Locks the year's row
/// (PostgreSQL) so that the cap is checked against settled numbers.
fn prepare(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &LoanInput,
    except: &str,
) -> Result<Prepared, ApiError> {
    if level(user) != workflow::LOAN_EDIT_LEVEL {
        return Err(refuse("applications are made by the county's loan staff"));
    }
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    let place: Option<(String, String)> = match (f.applicant, f.person_id, f.base_id) {
        (Applicant::Person, Some(p), _) => {
            match crate::persons::queries::get(conn, &user.scope, p) {
                Ok(row) => Some((row.county_code, row.city_code)),
                Err(_) => {
                    errs.add("person_id", "not_found", "no such person in your area");
                    None
                }
            }
        }
        (Applicant::Base, _, Some(b)) => match crate::bases::queries::get(conn, &user.scope, b) {
            Ok(base) => {
                let county = base.fields.county_code.clone();
                let city = county.get(..4).unwrap_or_default().to_owned();
                Some((county, city))
            }
            Err(_) => {
                errs.add("base_id", "not_found", "no such base in your area");
                None
            }
        },
        _ => None,
    };
    let year = f.loan_date.year();
    let rule = if budget::lock_year(conn, year)? {
        budget::year(conn, year)?
    } else {
        None
    };
    if rule.is_none() {
        errs.add(
            "loan_date",
            "no_programme_year",
            format!("no programme is set up for {year}"),
        );
    }
    let calc = match &rule {
        Some((rule, _, _)) => match compute_subsidy(
            rule,
            f.applicant,
            f.principal_fen,
            f.annual_rate_bp,
            f.term_months,
        ) {
            Ok(c) => Some(c),
            Err(e) => {
                errs.0.extend(e);
                None
            }
        },
        None => None,
    };
    let (Some((county, city)), Some(mut calc), Some((rule, _, _)), true) =
        (place, calc, rule, errs.is_empty())
    else {
        return Err(ApiError::Validation(errs.0));
    };
    if let (Applicant::Person, Some(p)) = (f.applicant, f.person_id) {
        let cap = rule.cap_person_fen;
        let room = person_claims(conn, &p.to_string(), year, except, false)?
            .and_then(|others| cap.checked_sub(others))
            .filter(|room| *room > 0)
            .ok_or_else(|| above_person_cap(year, cap))?;
        if calc.subsidy_fen > room {
            calc.subsidy_fen = room;
            calc.capped = true;
        }
    }
    Ok(Prepared {
        county,
        city,
        year,
        calc,
    })
}

/// Creates a draft application for a person or base in the caller's area (county staff);
/// the subsidy is computed by the rule of the loan's programme year and held to the
/// per-person cap across the person's applications of the year.
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &LoanCreate,
) -> Result<(bool, Loan), ApiError> {
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "loan", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if crate::replay_create!(conn, loans, id, &hash, user)? {
            return Ok((false, get(conn, user, id)?));
        }
        let Prepared {
            county,
            city,
            year,
            calc,
        } = prepare(conn, user, f, &id.to_string())?;
        // The plan locks an approved period's data (409 `period_locked`).
        crate::plan::lock::ensure_open(conn, &county, f.loan_date)?;
        let at = now();
        diesel::insert_into(loans::table)
            .values((
                loans::id.eq(id.to_string()),
                loans::create_hash.eq(&hash),
                loans::applicant.eq(if f.applicant == Applicant::Base {
                    "base"
                } else {
                    "person"
                }),
                loans::person_id.eq(f.person_id.map(|p| p.to_string())),
                loans::base_id.eq(f.base_id.map(|b| b.to_string())),
                loans::bank.eq(f.bank.trim()),
                loans::principal_fen.eq(f.principal_fen),
                loans::annual_rate_bp.eq(f.annual_rate_bp),
                loans::term_months.eq(f.term_months),
                loans::loan_date.eq(f.loan_date),
                loans::purpose.eq(f.purpose.trim()),
                loans::year.eq(year),
                loans::county_code.eq(&county),
                loans::city_code.eq(&city),
                loans::status.eq(LoanStatus::Draft.as_str()),
                loans::interest_fen.eq(calc.interest_fen),
                loans::subsidy_fen.eq(calc.subsidy_fen),
                loans::capped.eq(calc.capped),
                loans::version.eq(1),
                loans::created_at.eq(at),
                loans::created_by.eq(user.id.to_string()),
                loans::updated_at.eq(at),
                loans::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        event(
            conn,
            user,
            &id.to_string(),
            None,
            LoanStatus::Draft,
            None,
            None,
        )?;
        let loan = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "loan",
                entity_id: id,
                owner_region: &county,
                reason: None,
                before: None,
                after: Some(
                    serde_json::json!({"status": "draft", "principal_fen": f.principal_fen, "subsidy_fen": calc.subsidy_fen}),
                ),
            },
        )?;
        Ok((true, loan))
    })
}

fn loan_json(l: &Loan) -> serde_json::Value {
    serde_json::json!({
        "status": l.status, "person_id": l.fields.person_id, "base_id": l.fields.base_id,
        "bank": l.fields.bank, "principal_fen": l.fields.principal_fen,
        "annual_rate_bp": l.fields.annual_rate_bp, "term_months": l.fields.term_months,
        "loan_date": l.fields.loan_date, "purpose": l.fields.purpose,
        "subsidy_fen": l.calculation.subsidy_fen,
    })
}

/// Corrects the fields of a draft or returned application (county staff); the subsidy
/// is computed again. The version must be current.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    version: i64,
    f: &LoanInput,
) -> Result<Loan, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != version {
            return Err(ApiError::stale_version());
        }
        let status: LoanStatus = code(&r.status)?;
        if !workflow::LOAN_EDITABLE.contains(&status) {
            return Err(ApiError::Conflict {
                code: "not_editable",
                detail: format!(
                    "an application that is {} cannot be edited; only drafts and returned ones",
                    status.as_str()
                ),
            });
        }
        if !with_caller(conn, user, &r.id, |c| workflow::may_edit(status, c))? {
            return Err(refuse("applications are edited by the county's loan staff"));
        }
        let before = get(conn, user, id)?;
        let p = prepare(conn, user, f, &r.id)?;
        crate::plan::lock::ensure_open(conn, &r.county_code, r.loan_date)?;
        crate::plan::lock::ensure_open(conn, &p.county, f.loan_date)?;
        let n = diesel::update(
            loans::table
                .filter(loans::id.eq(&r.id))
                .filter(loans::version.eq(version)),
        )
        .set((
            loans::applicant.eq(if f.applicant == Applicant::Base {
                "base"
            } else {
                "person"
            }),
            loans::person_id.eq(f.person_id.map(|p| p.to_string())),
            loans::base_id.eq(f.base_id.map(|b| b.to_string())),
            loans::bank.eq(f.bank.trim()),
            loans::principal_fen.eq(f.principal_fen),
            loans::annual_rate_bp.eq(f.annual_rate_bp),
            loans::term_months.eq(f.term_months),
            loans::loan_date.eq(f.loan_date),
            loans::purpose.eq(f.purpose.trim()),
            loans::year.eq(p.year),
            loans::county_code.eq(&p.county),
            loans::city_code.eq(&p.city),
            loans::interest_fen.eq(p.calc.interest_fen),
            loans::subsidy_fen.eq(p.calc.subsidy_fen),
            loans::capped.eq(p.calc.capped),
            loans::version.eq(version + 1),
            loans::updated_at.eq(now()),
            loans::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::stale_version());
        }
        let after = get(conn, user, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "loan",
                entity_id: id,
                owner_region: &p.county,
                reason: None,
                before: Some(loan_json(&before)),
                after: Some(loan_json(&after)),
            },
        )?;
        Ok(after)
    })
}

fn refuse(why: &str) -> ApiError {
    ApiError::Forbidden(why.to_owned())
}

/// The answer to a step the workflow refuses.
fn refusal(r: Refusal, from: LoanStatus) -> ApiError {
    match r {
        Refusal::InvalidTransition => ApiError::Conflict {
            code: "invalid_transition",
            detail: format!(
                "an application that is {} cannot be sent to this step",
                from.as_str()
            ),
        },
        Refusal::WrongLevel(l) => ApiError::Forbidden(format!(
            "this step of an application that is {} is taken at the {} level",
            from.as_str(),
            l.as_str()
        )),
        Refusal::MissingCapability(c) => {
            ApiError::Forbidden(format!("your roles do not allow {}", c.as_str()))
        }
        Refusal::FourEyes => ApiError::Forbidden(
            "you took the previous step of this application; another person must take this one"
                .into(),
        ),
    }
}

/// Takes one workflow step, if [`shared::workflow`] allows it to the caller from the
/// current status: the step's level and capability, and four eyes (not the user who
/// took the previous step). The step, its timeline event and its audit entry are one
/// transaction.
pub fn act(conn: &mut DbConn, user: &AuthUser, id: Uuid, a: &LoanAction) -> Result<Loan, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != a.version {
            return Err(ApiError::stale_version());
        }
        let from: LoanStatus = code(&r.status)?;
        let to = with_caller(conn, user, &r.id, |c| {
            workflow::authorise(from, a.action, c).map(|t| t.to)
        })?
        .map_err(|e| refusal(e, from))?;
        crate::plan::lock::ensure_open(conn, &r.county_code, r.loan_date)?;
        let reason = a.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(reason) = reason {
            let mut errs = FieldErrors::new();
            errs.check("reason", shared::validation::validate_text(reason, 500));
            if !errs.is_empty() {
                return Err(ApiError::Validation(errs.0));
            }
        }
        let (approved, disbursed) = match a.action {
            LoanActionKind::Approve => (Some(approve(conn, &r, a.amount_fen)?), None),
            LoanActionKind::Disburse => (None, Some(disburse(conn, &r, a)?)),
            LoanActionKind::Return => {
                if reason.is_none_or(|r| r.chars().count() < 2) {
                    return Err(ApiError::field(
                        "reason",
                        "required",
                        "say why it is sent back",
                    ));
                }
                (None, None)
            }
            LoanActionKind::Submit
            | LoanActionKind::Review
            | LoanActionKind::Resubmit
            | LoanActionKind::Withdraw => (None, None),
        };
        let n = diesel::update(
            loans::table
                .filter(loans::id.eq(&r.id))
                .filter(loans::version.eq(a.version)),
        )
        .set((
            loans::status.eq(to.as_str()),
            loans::approved_fen.eq(approved.or(r.approved_fen)),
            loans::disbursed_fen.eq(disbursed.or(r.disbursed_fen)),
            loans::disbursed_on.eq(if disbursed.is_some() {
                a.date
            } else {
                r.disbursed_on
            }),
            loans::version.eq(a.version + 1),
            loans::updated_at.eq(now()),
            loans::updated_by.eq(user.id.to_string()),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::stale_version());
        }
        event(
            conn,
            user,
            &r.id,
            Some(from),
            to,
            reason,
            approved.or(disbursed),
        )?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Update,
                entity_type: "loan",
                entity_id: id,
                owner_region: &r.county_code,
                reason,
                before: Some(
                    serde_json::json!({"status": from, "approved_fen": r.approved_fen, "disbursed_fen": r.disbursed_fen}),
                ),
                after: Some(
                    serde_json::json!({"status": to, "approved_fen": approved.or(r.approved_fen), "disbursed_fen": disbursed.or(r.disbursed_fen)}),
                ),
            },
        )?;
        get(conn, user, id)
    })
}

/// Approval: the amount (at most the computed subsidy) must fit the per-person cap across
/// the person's approved applications of the year and the city's allocation. The year's
/// row is locked first (PostgreSQL), so racing approvals are checked one after another.
fn approve(conn: &mut DbConn, r: &LoanRow, amount: Option<i64>) -> Result<i64, ApiError> {
    let amount = amount.unwrap_or(r.subsidy_fen);
    if amount <= 0 || amount > r.subsidy_fen {
        return Err(ApiError::field(
            "amount_fen",
            "out_of_range",
            format!("1 to {} fen (the computed subsidy)", r.subsidy_fen),
        ));
    }
    budget::lock_year(conn, r.year)?;
    if let Some(person) = &r.person_id {
        let (rule, _, _) = budget::year(conn, r.year)?.ok_or(ApiError::NotFound)?;
        let cap = rule.cap_person_fen;
        let others = person_claims(conn, person, r.year, &r.id, true)?;
        if others
            .and_then(|o| o.checked_add(amount))
            .is_none_or(|total| total > cap)
        {
            return Err(ApiError::field(
                "amount_fen",
                "above_person_cap",
                format!(
                    "with this person's other approved subsidies of {} it would exceed the cap of {cap} fen",
                    r.year
                ),
            ));
        }
    }
    if !budget::commit(conn, r.year, &r.city_code, amount)? {
        return Err(ApiError::Conflict {
            code: "budget_exceeded",
            detail: "the city's allocation for this year cannot cover this amount".into(),
        });
    }
    Ok(amount)
}

/// Payment: at most the approved amount, on a date between the loan and today.
fn disburse(conn: &mut DbConn, r: &LoanRow, a: &LoanAction) -> Result<i64, ApiError> {
    let approved = r.approved_fen.unwrap_or(0);
    let amount = a.amount_fen.unwrap_or(approved);
    let mut errs = FieldErrors::new();
    if amount <= 0 || amount > approved {
        errs.add(
            "amount_fen",
            "out_of_range",
            format!("1 to {approved} fen (the approved amount)"),
        );
    }
    match a.date {
        None => errs.add("date", "required", "give the payment date"),
        Some(d) if d > today() => {
            errs.add("date", "in_future", "the payment date lies in the future")
        }
        Some(d) if d < r.loan_date => errs.add(
            "date",
            "before_loan",
            "the payment date lies before the loan",
        ),
        Some(_) => {}
    }
    if !errs.is_empty() {
        return Err(ApiError::Validation(errs.0));
    }
    if !budget::disburse(conn, r.year, &r.city_code, amount)? {
        return Err(ApiError::Conflict {
            code: "budget_exceeded",
            detail: "the city has not that much committed for this year".into(),
        });
    }
    Ok(amount)
}
