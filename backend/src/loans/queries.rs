//! Queries on loan subsidy applications and the workflow. Reads start from [`visible`].

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::employment::{
    compute_subsidy, Applicant, Loan, LoanAction, LoanActionKind, LoanCreate, LoanEvent, LoanInput,
    LoanStatus, SubsidyCalc,
};
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

fn applicant_name(conn: &mut DbConn, row: &LoanRow) -> Result<String, ApiError> {
    Ok(match (&row.person_id, &row.base_id) {
        (Some(p), _) => persons::table.find(p).select(persons::name).first(conn)?,
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

fn to_api(conn: &mut DbConn, row: &LoanRow, with_timeline: bool) -> Result<Loan, ApiError> {
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
        applicant_name: applicant_name(conn, row)?,
        county_code: row.county_code.clone(),
        year: row.year,
        status: code(&row.status)?,
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

/// An application in scope, with its timeline.
pub fn get(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<Loan, ApiError> {
    let r = row(conn, scope, id)?;
    to_api(conn, &r, true)
}

/// A page of applications in scope.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    status: Option<LoanStatus>,
    year: Option<i32>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Loan>, ApiError> {
    let mut q = visible(scope);
    if let Some(s) = status {
        q = q.filter(loans::status.eq(s.as_str()));
    }
    if let Some(y) = year {
        q = q.filter(loans::year.eq(y));
    }
    if let Some(a) = after {
        q = q.filter(loans::id.gt(a.to_owned()));
    }
    let rows: Vec<LoanRow> = q
        .order(loans::id.asc())
        .limit(limit)
        .select(LoanRow::as_select())
        .load(conn)?;
    rows.iter().map(|r| to_api(conn, r, false)).collect()
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

/// Creates a draft application for a person or base in the caller's area; the subsidy is
/// computed by the rule of the loan's programme year.
pub fn create(
    conn: &mut DbConn,
    user: &AuthUser,
    body: &LoanCreate,
) -> Result<(bool, Loan), ApiError> {
    let f = &body.fields;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        if let Some(existing) = loans::table
            .find(id.to_string())
            .select(LoanRow::as_select())
            .first(conn)
            .optional()?
        {
            let same = existing.created_by == user.id.to_string()
                && existing.principal_fen == f.principal_fen
                && existing.loan_date == f.loan_date;
            return if same && existing.deleted_at.is_none() {
                Ok((false, get(conn, &user.scope, id)?))
            } else {
                Err(ApiError::Conflict {
                    code: "id_conflict",
                    detail: "this id is already used by another record".into(),
                })
            };
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
            (Applicant::Base, _, Some(b)) => match crate::bases::queries::get(conn, &user.scope, b)
            {
                Ok(base) => {
                    let county = base.fields.county_code.clone();
                    Some((county.clone(), county[..4].to_owned()))
                }
                Err(_) => {
                    errs.add("base_id", "not_found", "no such base in your area");
                    None
                }
            },
            _ => None,
        };
        let year = f.loan_date.year();
        let rule = budget::year(conn, year)?;
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
        let (Some((county, city)), Some(calc), true) = (place, calc, errs.is_empty()) else {
            return Err(ApiError::Validation(errs.0));
        };
        let at = now();
        diesel::insert_into(loans::table)
            .values((
                loans::id.eq(id.to_string()),
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
        let loan = get(conn, &Scope::Province, id)?;
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

fn refuse(why: &str) -> ApiError {
    ApiError::Forbidden(why.to_owned())
}

/// Takes one workflow step, if the caller's role and scope allow it from the current status.
pub fn act(conn: &mut DbConn, user: &AuthUser, id: Uuid, a: &LoanAction) -> Result<Loan, ApiError> {
    write_tx(conn, |conn| {
        let r = row(conn, &user.scope, id)?;
        if r.version != a.version {
            return Err(ApiError::stale_version());
        }
        let from: LoanStatus = code(&r.status)?;
        let province = user.scope == Scope::Province;
        let city_level = matches!(user.scope, Scope::City(_));
        let reason = a.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let wrong_status = || ApiError::Conflict {
            code: "invalid_transition",
            detail: format!(
                "an application that is {} cannot be sent to this step",
                from.as_str()
            ),
        };
        let (to, approved, disbursed) = match a.action {
            LoanActionKind::Submit => {
                user.require(Capability::WriteLoans)?;
                if !matches!(from, LoanStatus::Draft | LoanStatus::Returned) {
                    return Err(wrong_status());
                }
                (LoanStatus::Submitted, None, None)
            }
            LoanActionKind::Review => {
                user.require(Capability::WriteLoans)?;
                if !city_level {
                    return Err(refuse("applications are reviewed by the city"));
                }
                if from != LoanStatus::Submitted {
                    return Err(wrong_status());
                }
                (LoanStatus::Reviewed, None, None)
            }
            LoanActionKind::Approve => {
                user.require(Capability::ApproveLoans)?;
                if !province {
                    return Err(refuse("applications are approved by the province"));
                }
                if from != LoanStatus::Reviewed {
                    return Err(wrong_status());
                }
                let amount = a.amount_fen.unwrap_or(r.subsidy_fen);
                if amount <= 0 || amount > r.subsidy_fen {
                    return Err(ApiError::field(
                        "amount_fen",
                        "out_of_range",
                        format!("1 to {} fen (the computed subsidy)", r.subsidy_fen),
                    ));
                }
                if !budget::commit(conn, r.year, &r.city_code, amount)? {
                    return Err(ApiError::Conflict {
                        code: "budget_exceeded",
                        detail: "the city's allocation for this year cannot cover this amount"
                            .into(),
                    });
                }
                (LoanStatus::Approved, Some(amount), None)
            }
            LoanActionKind::Disburse => {
                user.require(Capability::WriteLoans)?;
                if from != LoanStatus::Approved {
                    return Err(wrong_status());
                }
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
                budget::disburse(conn, r.year, &r.city_code, amount)?;
                (LoanStatus::Disbursed, None, Some(amount))
            }
            LoanActionKind::Return => {
                match from {
                    LoanStatus::Submitted if city_level => user.require(Capability::WriteLoans)?,
                    LoanStatus::Reviewed if province => user.require(Capability::ApproveLoans)?,
                    LoanStatus::Submitted | LoanStatus::Reviewed => {
                        return Err(refuse("only the reviewer of this step may send it back"))
                    }
                    _ => return Err(wrong_status()),
                }
                if reason.is_none_or(|r| r.chars().count() < 2) {
                    return Err(ApiError::field(
                        "reason",
                        "required",
                        "say why it is sent back",
                    ));
                }
                (LoanStatus::Returned, None, None)
            }
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
        get(conn, &Scope::Province, id)
    })
}
