//! "My work": what is assigned to the caller's unit and due within
//! [`DUE_SOON_DAYS`] days or overdue, across the ledgers — rectification items the county
//! holds, items waiting for the caller's recheck or close-out, retrofit cases longer in
//! their status than allowed, and plan milestones the unit has not delivered — as one
//! uniform list; and the daily digest of it per unit, behind the [`Digest`] interface
//! (a log implementation now; mail or SMS can be routed later by another one).

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::auth::Capability;
use shared::plan::{Deliverer, PlanStatus};
use shared::rectification::{is_overdue, RectificationStatus, WorkItem, WorkKind, DUE_SOON_DAYS};
use shared::retrofit::CaseStatus;
use shared::workflow::OrgLevel;

use super::items;
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{milestone_submissions, milestones, plans, retrofit_cases, users};
use crate::db::{code, DbConn};
use crate::error::ApiError;

fn text(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// Which milestones a unit delivers: by the kind of its code.
fn deliverer_of(unit: &str) -> Deliverer {
    if unit.contains('.') {
        Deliverer::Departments
    } else {
        match unit.len() {
            6 => Deliverer::Counties,
            4 => Deliverer::Cities,
            _ => Deliverer::Province,
        }
    }
}

/// The work of `unit` (whose area is `scope`, holding `caps`) on `today`: due by
/// `today + DUE_SOON_DAYS` or overdue, overdue and earliest first.
pub fn work_of(
    conn: &mut DbConn,
    unit: &str,
    scope: &Scope,
    caps: &[Capability],
    today: NaiveDate,
) -> Result<Vec<WorkItem>, ApiError> {
    let until = items::days_after(today, DUE_SOON_DAYS);
    let level = OrgLevel::of_region(scope.region());
    let mut out = Vec::new();
    let reads = caps.contains(&Capability::ReadRectification);
    if reads && level == OrgLevel::County {
        for r in items::due_for_county(conn, scope.region(), until)? {
            let status: RectificationStatus = code(&r.status)?;
            out.push(WorkItem {
                kind: WorkKind::Rectification,
                title: text(&r.description, 80),
                unit_code: r.county_code.clone(),
                due: Some(r.deadline),
                overdue: is_overdue(status, r.deadline, today),
                link: format!("/rectification/items/{}", r.id),
                id: r.id,
            });
        }
    }
    if reads && caps.contains(&Capability::RecheckRectification) && level != OrgLevel::County {
        for r in items::awaiting_recheck(conn, scope, unit)? {
            out.push(WorkItem {
                kind: WorkKind::RectificationRecheck,
                title: text(&r.description, 80),
                unit_code: r.county_code.clone(),
                due: None,
                overdue: false,
                link: format!("/rectification/items/{}", r.id),
                id: r.id,
            });
        }
    }
    if caps.contains(&Capability::ReadRetrofits) && level == OrgLevel::County {
        type Raw = (String, String, chrono::NaiveDateTime, Option<String>);
        let rows: Vec<Raw> = retrofit_cases::table
            .filter(retrofit_cases::deleted_at.is_null())
            .filter(retrofit_cases::county_code.eq(scope.region()))
            .select((
                retrofit_cases::id,
                retrofit_cases::status,
                retrofit_cases::status_since,
                retrofit_cases::address,
            ))
            .load(conn)?;
        for (id, status, since, address) in rows {
            let status: CaseStatus = code(&status)?;
            let Some(days) = status.overdue_after_days() else {
                continue;
            };
            let due = items::days_after(since.date(), days);
            if due > until {
                continue;
            }
            out.push(WorkItem {
                kind: WorkKind::RetrofitCase,
                title: text(address.as_deref().unwrap_or("—"), 60),
                unit_code: scope.region().to_owned(),
                due: Some(due),
                overdue: crate::retrofit::cases::is_overdue(status, since, crate::db::now()),
                link: format!("/retrofits/cases/{id}"),
                id,
            });
        }
    }
    if caps.contains(&Capability::SubmitReports) || caps.contains(&Capability::ManagePlan) {
        let delivered = milestone_submissions::table
            .filter(milestone_submissions::unit_code.eq(unit.to_owned()))
            .select(milestone_submissions::milestone_id);
        let active: Vec<i32> = plans::table
            .filter(plans::status.eq(PlanStatus::Active.as_str()))
            .select(plans::year)
            .load(conn)?;
        type Raw = (String, String, NaiveDate);
        let rows: Vec<Raw> = milestones::table
            .filter(milestones::plan_year.eq_any(active))
            .filter(milestones::deliverer.eq(deliverer_of(unit).as_str()))
            .filter(milestones::due.le(until))
            .filter(diesel::dsl::not(milestones::id.eq_any(delivered)))
            .order(milestones::due.asc())
            .select((milestones::id, milestones::title_zh, milestones::due))
            .load(conn)?;
        for (id, title, due) in rows {
            out.push(WorkItem {
                kind: WorkKind::Milestone,
                title,
                unit_code: unit.to_owned(),
                due: Some(due),
                overdue: due < today,
                link: "/dashboard".into(),
                id,
            });
        }
    }
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.due.is_none().cmp(&b.due.is_none()))
            .then(a.due.cmp(&b.due))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The caller's work (see [`work_of`]).
pub fn my_work(
    conn: &mut DbConn,
    user: &AuthUser,
    today: NaiveDate,
) -> Result<Vec<WorkItem>, ApiError> {
    work_of(
        conn,
        &user.unit_code,
        &user.scope,
        &user.capabilities(),
        today,
    )
}

/// Where the daily digest of a unit's work goes: an operator can route it to mail or
/// SMS by another implementation.
pub trait Digest {
    /// Delivers `unit`'s digest of `items` for `day`.
    fn deliver(&self, day: NaiveDate, unit: &str, items: &[WorkItem]) -> Result<(), ApiError>;
}

/// Writes each unit's digest to the log (`tracing`, target `digest`).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogDigest;

impl Digest for LogDigest {
    fn deliver(&self, day: NaiveDate, unit: &str, items: &[WorkItem]) -> Result<(), ApiError> {
        let overdue = items.iter().filter(|i| i.overdue).count();
        tracing::info!(target: "digest", %day, unit, items = items.len(), overdue, "daily work digest");
        for i in items {
            tracing::info!(target: "digest", unit, kind = i.kind.as_str(), id = %i.id,
                due = ?i.due, overdue = i.overdue, link = %i.link, "{}", i.title);
        }
        Ok(())
    }
}

/// Each unit that has work on `day`, with its work: the units of the enabled users,
/// each with the capabilities its users hold together.
fn unit_digests(
    conn: &mut DbConn,
    day: NaiveDate,
) -> Result<Vec<(String, Vec<WorkItem>)>, ApiError> {
    let accounts: Vec<(String, String)> = users::table
        .filter(users::disabled.eq(false))
        .select((users::unit_code, users::roles))
        .load(conn)?;
    let mut by_unit: std::collections::BTreeMap<String, Vec<Capability>> = Default::default();
    for (unit, roles) in accounts {
        let roles = crate::users::queries::parse_roles(&roles)?;
        let caps = by_unit.entry(unit.clone()).or_default();
        caps.extend(shared::auth::user_capabilities(&unit, &roles));
        caps.sort();
        caps.dedup();
    }
    let mut out = Vec::new();
    for (unit, caps) in by_unit {
        let Some(region) = crate::org::queries::region_of(conn, &unit)? else {
            continue;
        };
        let Some(scope) = Scope::from_region(&region) else {
            continue;
        };
        let work = work_of(conn, &unit, &scope, &caps, day)?;
        if !work.is_empty() {
            out.push((unit, work));
        }
    }
    Ok(out)
}

/// Sends every unit that has work on `day` its digest through `sink`. Answers the
/// number of digests sent.
pub fn send_daily_digest(
    conn: &mut DbConn,
    sink: &dyn Digest,
    day: NaiveDate,
) -> Result<usize, ApiError> {
    let digests = unit_digests(conn, day)?;
    for (unit, work) in &digests {
        sink.deliver(day, unit, work)?;
    }
    Ok(digests.len())
}

/// How long a replica's unfinished claim of a day holds before another may take it over
/// (the first died, or a delivery failed).
pub const DIGEST_LEASE_MINUTES: i64 = 30;

/// Claims `day`'s digest for this replica: inserts its row of `digest_runs`, or takes
/// over a claim left unfinished for [`DIGEST_LEASE_MINUTES`]. Answers `false` when the
/// day is done or another replica holds it. (Not inside a transaction: on PostgreSQL a
/// failed INSERT would abort it.)
fn claim(conn: &mut DbConn, day: NaiveDate) -> Result<bool, ApiError> {
    use crate::db::schema::digest_runs;
    let at = crate::db::now();
    let inserted = diesel::insert_into(digest_runs::table)
        .values((digest_runs::day.eq(day), digest_runs::started_at.eq(at)))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            let stale = at - chrono::TimeDelta::minutes(DIGEST_LEASE_MINUTES);
            let taken = diesel::update(
                digest_runs::table
                    .filter(digest_runs::day.eq(day))
                    .filter(digest_runs::units.is_null())
                    .filter(digest_runs::started_at.lt(stale)),
            )
            .set(digest_runs::started_at.eq(at))
            .execute(conn)?;
            Ok(taken == 1)
        }
        Err(e) => Err(e.into()),
    }
}

/// Sends `day`'s digests once across all replicas: the one that claims the day sends
/// each unit's digest not yet delivered and records it, then marks the day done. A
/// failed delivery leaves the claim to lapse, and the replica that takes it over sends
/// only the units still missing — never a unit twice. Answers the number sent now
/// (`None` when the day was done or claimed by another replica).
pub fn send_once(
    conn: &mut DbConn,
    sink: &dyn Digest,
    day: NaiveDate,
) -> Result<Option<usize>, ApiError> {
    use crate::db::schema::{digest_deliveries, digest_runs};
    if !claim(conn, day)? {
        return Ok(None);
    }
    let done: Vec<String> = digest_deliveries::table
        .filter(digest_deliveries::day.eq(day))
        .select(digest_deliveries::unit_code)
        .load(conn)?;
    let mut sent = 0;
    for (unit, work) in unit_digests(conn, day)? {
        if done.contains(&unit) {
            continue;
        }
        sink.deliver(day, &unit, &work)?;
        diesel::insert_into(digest_deliveries::table)
            .values((
                digest_deliveries::day.eq(day),
                digest_deliveries::unit_code.eq(&unit),
                digest_deliveries::delivered_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        sent += 1;
    }
    let total = done.len() + sent;
    diesel::update(digest_runs::table.find(day))
        .set(digest_runs::units.eq(Some(i32::try_from(total).unwrap_or(i32::MAX))))
        .execute(conn)?;
    Ok(Some(sent))
}

/// The hour (China Standard Time) from which the day's digest goes out.
pub const DIGEST_HOUR: u32 = 7;

/// Runs for the life of the server: every few minutes, once it is past
/// [`DIGEST_HOUR`] in China, sends the day's digest through `sink` unless a replica has
/// sent it already ([`send_once`]).
pub async fn digest_scheduler(state: actix_web::web::Data<crate::state::AppState>) {
    use chrono::Timelike;
    let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(300));
    loop {
        tick.tick().await;
        let china = chrono::Utc::now() + chrono::TimeDelta::hours(8);
        if china.hour() < DIGEST_HOUR {
            continue;
        }
        let day = china.date_naive();
        match state.db(move |conn| send_once(conn, &LogDigest, day)).await {
            Ok(Some(sent)) => tracing::info!(target: "digest", %day, sent, "daily digests sent"),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(target: "digest", %day, error = %e, "daily digest failed; another run takes it over once the claim lapses")
            }
        }
    }
}
