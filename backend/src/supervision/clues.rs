//! Misconduct clues (measure 20): the poverty office's ledger, referred to the
//! discipline inspectors. Seen by leaders and the poverty office in scope, never by the
//! implicated unit (or the units under it) or the implicated user; every read audited.

use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::supervision::{Clue, ClueAction, ClueCreate, ClueInput, ClueStatus, ClueStep};
use shared::FieldErrors;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{clues, org_units, users};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;

type Backend = <DbConn as diesel::Connection>::Backend;

/// Where the audit entries of clues are kept: the province, so that no county's
/// auditors learn that a clue about their county exists.
const AUDIT_REGION: &str = "43";

/// A row of `clues`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clues)]
pub struct ClueRow {
    /// Id.
    pub id: String,
    /// Source.
    pub source: String,
    /// Kind.
    pub kind: String,
    /// Received.
    pub received_on: chrono::NaiveDate,
    /// County.
    pub county_code: String,
    /// Implicated unit.
    pub implicated_unit: Option<String>,
    /// Implicated user.
    pub implicated_user_id: Option<String>,
    /// Implicated person as named.
    pub implicated_person: Option<String>,
    /// Description.
    pub description: String,
    /// Status.
    pub status: String,
    /// Referred on.
    pub referred_on: Option<chrono::NaiveDate>,
    /// The inspectors' reference.
    pub reference: Option<String>,
    /// Feedback day.
    pub feedback_on: Option<chrono::NaiveDate>,
    /// Feedback.
    pub feedback: Option<String>,
    /// Closing note.
    pub closing_note: Option<String>,
    /// Version.
    pub version: i64,
}

/// The units whose clues the users of `unit` must not see: the unit itself and every
/// unit above it (a clue implicating a city's DPF is hidden from its counties' DPFs too;
/// a department `43.x` is part of the provincial DPF `43`).
fn implicated_forms(unit: &str) -> Vec<String> {
    let mut forms = vec![unit.to_owned()];
    if let Some((parent, _)) = unit.split_once('.') {
        forms.push(parent.to_owned());
    } else {
        for len in [4, 2] {
            if unit.len() > len {
                if let Some(above) = unit.get(..len) {
                    forms.push(above.to_owned());
                }
            }
        }
    }
    forms
}

/// The clues `user` may see: `read_clues`, counties in scope, and neither the user's
/// unit nor the user implicated. Without `read_clues`: 403.
pub fn visible(user: &AuthUser) -> Result<clues::BoxedQuery<'static, Backend>, ApiError> {
    user.require(Capability::ReadClues)?;
    let q = clues::table
        .into_boxed()
        .filter(
            clues::implicated_unit
                .is_null()
                .or(clues::implicated_unit.ne_all(implicated_forms(&user.unit_code))),
        )
        .filter(
            clues::implicated_user_id
                .is_null()
                .or(clues::implicated_user_id.ne(user.id.to_string())),
        );
    Ok(crate::scope_filter!(q, &user.scope, clues))
}

fn to_api(user: &AuthUser, r: ClueRow) -> Result<Clue, ApiError> {
    let status: ClueStatus = code(&r.status)?;
    let allowed_actions = if user.can(Capability::WriteClues) {
        ClueAction::ALL
            .iter()
            .copied()
            .filter(|a| a.next(status).is_some())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Clue {
        id: uuid(&r.id)?,
        version: r.version,
        fields: ClueInput {
            source: code(&r.source)?,
            kind: code(&r.kind)?,
            received_on: r.received_on,
            county_code: r.county_code,
            implicated_unit: r.implicated_unit,
            implicated_user_id: r.implicated_user_id.as_deref().map(uuid).transpose()?,
            implicated_person: r.implicated_person,
            description: r.description,
        },
        status,
        referred_on: r.referred_on,
        reference: r.reference,
        feedback_on: r.feedback_on,
        feedback: r.feedback,
        closing_note: r.closing_note,
        allowed_actions,
    })
}

/// Audits that `user` read `ids` (one `reveal` entry per clue, at the province).
fn audit_reads(conn: &mut DbConn, user: &AuthUser, ids: &[Uuid]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    audit::record_many(
        conn,
        ids.iter()
            .map(|id| Event {
                actor: user,
                action: AuditAction::Reveal,
                entity_type: "clue",
                entity_id: *id,
                owner_region: AUDIT_REGION,
                reason: Some("read misconduct clue"),
                before: None,
                after: None,
            })
            .collect(),
    )
}

fn fetch(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Clue, ApiError> {
    let r: ClueRow = visible(user)?
        .filter(clues::id.eq(id.to_string()))
        .select(ClueRow::as_select())
        .first(conn)?;
    to_api(user, r)
}

/// A clue visible to `user` (404 otherwise); the read is audited.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: Uuid) -> Result<Clue, ApiError> {
    write_tx(conn, |conn| {
        let c = fetch(conn, user, id)?;
        audit_reads(conn, user, &[c.id])?;
        Ok(c)
    })
}

/// Filters of `GET /api/v1/clues`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueQuery {
    /// Only clues in this status.
    pub status: Option<ClueStatus>,
    /// Only this city (4 digits) or county (6 digits).
    pub area: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// A page of the clues visible to `user`; each clue read is audited.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &ClueQuery,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Clue>, ApiError> {
    let mut q = visible(user)?;
    if let Some(s) = f.status {
        q = q.filter(clues::status.eq(s.as_str()));
    }
    if let Some(area) = f.area.as_deref() {
        q = q.filter(clues::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(a) = after {
        q = q.filter(clues::id.gt(a.to_owned()));
    }
    write_tx(conn, |conn| {
        let rows: Vec<ClueRow> = q
            .order(clues::id.asc())
            .limit(limit)
            .select(ClueRow::as_select())
            .load(conn)?;
        let items = rows
            .into_iter()
            .map(|r| to_api(user, r))
            .collect::<Result<Vec<_>, _>>()?;
        // One row more than a page is fetched to know whether another follows; only the
        // page answered is read.
        let page = usize::try_from(limit - 1).unwrap_or(0);
        let ids: Vec<Uuid> = items.iter().take(page).map(|c| c.id).collect();
        audit_reads(conn, user, &ids)?;
        Ok(items)
    })
}

/// Checks a clue against the database; answers the county's city and the implicated
/// unit to store: the one named, or else the implicated user's (so that the user's
/// colleagues do not read it either).
fn check(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &ClueInput,
) -> Result<(String, Option<String>), ApiError> {
    let mut errs = FieldErrors(f.validate(today()).err().unwrap_or_default());
    let city = super::check_county(conn, &mut errs, "county_code", &f.county_code)?;
    if city.is_some() && !user.scope.covers_region(&f.county_code) {
        errs.add(
            "county_code",
            "outside_scope",
            "the county is outside your area",
        );
    }
    let mine = implicated_forms(&user.unit_code);
    let mut implicated = f.implicated_unit.clone();
    if let Some(u) = f.implicated_user_id {
        let found: Option<String> = users::table
            .find(u.to_string())
            .select(users::unit_code)
            .first(conn)
            .optional()?;
        match found {
            None => errs.add("implicated_user_id", "not_found", "no such user"),
            Some(_) if u == user.id => errs.add(
                "implicated_user_id",
                "own_unit",
                "a clue about yourself goes to the leaders",
            ),
            Some(unit) => match implicated.as_deref() {
                None => implicated = Some(unit),
                Some(named) if !implicated_forms(&unit).iter().any(|f| f == named) => errs.add(
                    "implicated_unit",
                    "inconsistent",
                    "the implicated user works in another unit",
                ),
                Some(_) => {}
            },
        }
    }
    if let Some(unit) = implicated.as_deref() {
        let shaped = shared::supervision::is_unit_code(unit);
        let found: Option<String> = if shaped {
            org_units::table
                .find(unit)
                .select(org_units::code)
                .first(conn)
                .optional()?
        } else {
            None
        };
        // The county's DPF, its city's, or a provincial department.
        let related =
            unit.starts_with("43.") || (unit.len() >= 4 && f.county_code.starts_with(unit));
        if found.is_none() {
            if shaped {
                errs.add("implicated_unit", "not_found", "no such unit");
            }
        } else if mine.iter().any(|u| u == unit) {
            errs.add(
                "implicated_unit",
                "own_unit",
                "a clue about your own unit goes to the leaders, who record it",
            );
        } else if !related {
            errs.add(
                "implicated_unit",
                "inconsistent",
                "the county's DPF, its city's, or a provincial department",
            );
        }
    }
    match (city, errs.is_empty()) {
        (Some(city), true) => Ok((city, implicated)),
        _ => Err(ApiError::Validation(errs.0)),
    }
}

fn audit_write(
    conn: &mut DbConn,
    user: &AuthUser,
    action: AuditAction,
    c: &Clue,
) -> Result<(), ApiError> {
    // The snapshot names what the clue is, not whom it implicates or what it says.
    audit::record(
        conn,
        Event {
            actor: user,
            action,
            entity_type: "clue",
            entity_id: c.id,
            owner_region: AUDIT_REGION,
            reason: None,
            before: None,
            after: Some(
                serde_json::json!({"source": c.fields.source, "kind": c.fields.kind,
                "county_code": c.fields.county_code, "status": c.status}),
            ),
        },
    )
}

/// Records a clue (the poverty office).
pub fn create(
    conn: &mut DbConn,
    pii: &crate::pii::Pii,
    user: &AuthUser,
    body: &ClueCreate,
) -> Result<(bool, Clue), ApiError> {
    user.require(Capability::WriteClues)?;
    let f = &body.fields;
    let hash = crate::record::create_digest(pii, "clue", f)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        crate::record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, String)> = clues::table
            .find(id.to_string())
            .select((clues::create_hash, clues::created_by, clues::county_code))
            .first(conn)
            .optional()?;
        if let Some((h, by, county)) = stored {
            crate::record::replay(
                crate::record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted: false,
                    in_scope: user.scope.covers_region(&county),
                },
                &hash,
                user,
            )?;
            let c = fetch(conn, user, id)?;
            audit_reads(conn, user, &[c.id])?;
            return Ok((false, c));
        }
        let (city, implicated_unit) = check(conn, user, f)?;
        let at = now();
        let trimmed = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        diesel::insert_into(clues::table)
            .values((
                clues::id.eq(id.to_string()),
                clues::source.eq(f.source.as_str()),
                clues::kind.eq(f.kind.as_str()),
                clues::received_on.eq(f.received_on),
                clues::county_code.eq(&f.county_code),
                clues::city_code.eq(&city),
                clues::implicated_unit.eq(&implicated_unit),
                clues::implicated_user_id.eq(f.implicated_user_id.map(|u| u.to_string())),
                clues::implicated_person.eq(trimmed(&f.implicated_person)),
                clues::description.eq(f.description.trim()),
                clues::status.eq(ClueStatus::Registered.as_str()),
                clues::create_hash.eq(&hash),
                clues::version.eq(1),
                clues::created_at.eq(at),
                clues::created_by.eq(user.id.to_string()),
                clues::updated_at.eq(at),
                clues::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let c = fetch(conn, user, id)?;
        audit_write(conn, user, AuditAction::Create, &c)?;
        Ok((true, c))
    })
}

/// Takes a step of a clue (the poverty office) against the version seen.
pub fn act(
    conn: &mut DbConn,
    user: &AuthUser,
    id: Uuid,
    step: &ClueStep,
) -> Result<Clue, ApiError> {
    user.require(Capability::WriteClues)?;
    write_tx(conn, |conn| {
        let before = fetch(conn, user, id)?;
        if before.version != step.version {
            return Err(ApiError::stale_with(&before));
        }
        let Some(to) = step.action.next(before.status) else {
            return Err(ApiError::Conflict {
                code: "invalid_transition",
                detail: format!(
                    "a {} clue cannot take the step {}",
                    before.status.as_str(),
                    step.action.as_str()
                ),
            });
        };
        step.validate(today()).map_err(ApiError::Validation)?;
        let note = step
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let target = clues::table
            .filter(clues::id.eq(id.to_string()))
            .filter(clues::version.eq(step.version));
        let common = (
            clues::status.eq(to.as_str()),
            clues::version.eq(step.version + 1),
            clues::updated_at.eq(now()),
            clues::updated_by.eq(user.id.to_string()),
        );
        let n = match step.action {
            ClueAction::Refer => diesel::update(target)
                .set((
                    common,
                    clues::referred_on.eq(step.on),
                    clues::reference.eq(step.reference.as_deref().map(str::trim)),
                ))
                .execute(conn)?,
            ClueAction::Feedback => diesel::update(target)
                .set((
                    common,
                    clues::feedback_on.eq(step.on),
                    clues::feedback.eq(note),
                ))
                .execute(conn)?,
            ClueAction::Close => diesel::update(target)
                .set((common, clues::closing_note.eq(note)))
                .execute(conn)?,
        };
        crate::record::changed(n)?;
        let after = fetch(conn, user, id)?;
        audit_write(conn, user, AuditAction::Update, &after)?;
        Ok(after)
    })
}
