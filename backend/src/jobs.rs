//! Background import jobs, kept in the database: state, progress, the report and the
//! checked rows waiting for a commit. Any replica can answer for any job, a restart loses
//! nothing, and a job whose process died is reported as failed instead of "validating"
//! or "committing" forever: each server process beats in `server_instances` every
//! [`HEARTBEAT_SECS`] seconds, each running job names its process (`worker`), and a job
//! whose process has not beaten for [`DEAD_AFTER_SECS`] seconds (killed, crashed, or
//! stopped: a stopping server removes its row) is failed by whichever replica looks
//! first. A commit is one transaction, so a failed job has written nothing.
//!
//! Bounds: at most [`MAX_ACTIVE_PER_USER`] jobs validating or committing per user (429
//! beyond), at most [`MAX_REPORTED_ERRORS`] row errors kept (plus their count), finished
//! jobs forgotten after [`KEEP_FINISHED_HOURS`] hours.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;
use diesel::prelude::*;
use serde::Serialize;
pub use shared::api::{ImportStatus, JobState, RowError};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::schema::{import_jobs, server_instances};
use crate::db::{now, utc, uuid, write_tx, DbConn};
use crate::error::ApiError;

/// Jobs one user may have validating or committing at once.
pub const MAX_ACTIVE_PER_USER: i64 = 2;
/// Row errors a job keeps for its report (the count covers them all).
pub const MAX_REPORTED_ERRORS: usize = 1000;
/// How long a finished job (and its report) is kept.
pub const KEEP_FINISHED_HOURS: i64 = 24;
/// A validating job that has not reported progress for this long has died.
pub const STALE_VALIDATING_MINUTES: i64 = 10;
/// A committing job (one transaction, no progress in between) is given this long.
pub const STALE_COMMITTING_MINUTES: i64 = 30;
/// How often a server process records that it is alive.
pub const HEARTBEAT_SECS: u64 = 3;
/// A process that has not beaten for this long is dead, and so are its jobs. Beats and
/// their ages are read on the database's clock, so replicas' clocks may differ.
pub const DEAD_AFTER_SECS: i64 = 30;

/// This process's part in the jobs: its instance id (the `worker` of the jobs it runs)
/// and the rows written by its running commits, for their progress (a commit is one
/// transaction, so its progress cannot be read from the database meanwhile).
#[derive(Debug)]
pub struct LocalProgress {
    instance: Uuid,
    commits: Mutex<HashMap<Uuid, Arc<AtomicUsize>>>,
    /// Set when the process leaves: it beats no more.
    left: std::sync::atomic::AtomicBool,
}

impl Default for LocalProgress {
    fn default() -> Self {
        Self {
            instance: Uuid::new_v4(),
            commits: Mutex::default(),
            left: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl LocalProgress {
    /// This process's id among the server instances.
    pub fn instance(&self) -> Uuid {
        self.instance
    }

    /// A counter for `job`, registered until [`LocalProgress::done`].
    pub fn track(&self, job: Uuid) -> Arc<AtomicUsize> {
        let c = Arc::new(AtomicUsize::new(0));
        self.commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job, c.clone());
        c
    }

    /// Stops tracking `job`.
    pub fn done(&self, job: Uuid) {
        self.commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job);
    }

    fn get(&self, job: Uuid) -> Option<usize> {
        self.commits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&job)
            .map(|c| c.load(Ordering::Relaxed))
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The database's clock (UTC), the one every replica's beats are written and judged on.
fn db_now(conn: &mut DbConn) -> Result<chrono::NaiveDateTime, ApiError> {
    Ok(diesel::select(diesel::dsl::now).get_result(conn)?)
}

/// The failure a job whose process stopped is left with.
const INTERRUPTED: &str =
    "the job was interrupted (the server stopped); nothing was written — upload the file again";

/// Records that the process `local` is alive: inserts its row or refreshes it.
pub fn beat(conn: &mut DbConn, local: &LocalProgress) -> Result<(), ApiError> {
    if local.left.load(Ordering::Relaxed) {
        return Ok(());
    }
    let at = db_now(conn)?;
    let id = local.instance.to_string();
    let refreshed = diesel::update(server_instances::table.find(&id))
        .set(server_instances::seen_at.eq(at))
        .execute(conn)?;
    if refreshed == 0 {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_default();
        diesel::insert_into(server_instances::table)
            .values((
                server_instances::id.eq(&id),
                server_instances::host.eq(host),
                server_instances::pid.eq(i64::from(std::process::id())),
                server_instances::started_at.eq(at),
                server_instances::seen_at.eq(at),
            ))
            .execute(conn)?;
    }
    // Forget processes long gone (their jobs were failed by then).
    diesel::delete(
        server_instances::table
            .filter(server_instances::seen_at.lt(at - TimeDelta::hours(KEEP_FINISHED_HOURS))),
    )
    .execute(conn)?;
    Ok(())
}

/// Removes the row of a stopping process, so that the jobs it leaves unfinished are
/// failed at once.
pub fn leave(conn: &mut DbConn, local: &LocalProgress) -> Result<(), ApiError> {
    local.left.store(true, Ordering::Relaxed);
    diesel::delete(server_instances::table.find(local.instance.to_string())).execute(conn)?;
    Ok(())
}

/// Beats every [`HEARTBEAT_SECS`] seconds for as long as the server runs.
pub async fn heartbeat(state: actix_web::web::Data<crate::state::AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECS));
    loop {
        tick.tick().await;
        let local = state.imports.clone();
        if let Err(e) = state.db_reserved(move |conn| beat(conn, &local)).await {
            tracing::warn!(error = %e, "recording this server's heartbeat failed");
        }
    }
}

/// Forgets finished jobs past their keeping time and fails the ones that stopped moving:
/// those whose process is dead, and (for jobs of older versions, which name no process)
/// those silent for too long.
fn expire(conn: &mut DbConn, local: &LocalProgress) -> Result<(), ApiError> {
    let at = now();
    let keep = at - TimeDelta::hours(KEEP_FINISHED_HOURS);
    diesel::delete(import_jobs::table.filter(import_jobs::updated_at.lt(keep))).execute(conn)?;
    for (state, minutes) in [
        (JobState::Validating, STALE_VALIDATING_MINUTES),
        (JobState::Committing, STALE_COMMITTING_MINUTES),
    ] {
        diesel::update(
            import_jobs::table
                .filter(import_jobs::state.eq(state.as_str()))
                // Jobs of a named process live and die with it; these are older ones.
                .filter(import_jobs::worker.is_null())
                .filter(import_jobs::updated_at.lt(at - TimeDelta::minutes(minutes))),
        )
        .set((
            import_jobs::state.eq(JobState::Failed.as_str()),
            import_jobs::rows_json.eq(None::<String>),
            import_jobs::failure.eq(Some(INTERRUPTED)),
            import_jobs::updated_at.eq(at),
        ))
        .execute(conn)?;
    }
    let running = [JobState::Validating.as_str(), JobState::Committing.as_str()];
    let workers: Vec<Option<String>> = import_jobs::table
        .filter(import_jobs::state.eq_any(running))
        .filter(import_jobs::worker.is_not_null())
        .select(import_jobs::worker)
        .distinct()
        .load(conn)?;
    let me = local.instance.to_string();
    let workers: Vec<String> = workers.into_iter().flatten().filter(|w| *w != me).collect();
    if workers.is_empty() {
        return Ok(());
    }
    let clock = db_now(conn)?;
    let alive: Vec<String> = server_instances::table
        .filter(server_instances::id.eq_any(&workers))
        .filter(server_instances::seen_at.ge(clock - TimeDelta::seconds(DEAD_AFTER_SECS)))
        .select(server_instances::id)
        .load(conn)?;
    let dead: Vec<&String> = workers.iter().filter(|w| !alive.contains(w)).collect();
    if !dead.is_empty() {
        diesel::update(
            import_jobs::table
                .filter(import_jobs::state.eq_any(running))
                .filter(import_jobs::worker.eq_any(dead)),
        )
        .set((
            import_jobs::state.eq(JobState::Failed.as_str()),
            import_jobs::rows_json.eq(None::<String>),
            import_jobs::failure.eq(Some(INTERRUPTED)),
            import_jobs::updated_at.eq(at),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Starts a job of `kind` for `target`, owned by `user`; 429 when the user already has
/// [`MAX_ACTIVE_PER_USER`] jobs under way.
pub fn start(
    conn: &mut DbConn,
    kind: &str,
    target: Uuid,
    user: &AuthUser,
    total_rows: usize,
    local: &LocalProgress,
) -> Result<Uuid, ApiError> {
    write_tx(conn, |conn| {
        expire(conn, local)?;
        let active: i64 = import_jobs::table
            .filter(import_jobs::owner_id.eq(user.id.to_string()))
            .filter(
                import_jobs::state
                    .eq_any([JobState::Validating.as_str(), JobState::Committing.as_str()]),
            )
            .count()
            .get_result(conn)?;
        if active >= MAX_ACTIVE_PER_USER {
            return Err(ApiError::TooManyRequests { retry_after: 10 });
        }
        let id = Uuid::now_v7();
        let at = now();
        diesel::insert_into(import_jobs::table)
            .values((
                import_jobs::id.eq(id.to_string()),
                import_jobs::kind.eq(kind),
                import_jobs::target_id.eq(target.to_string()),
                import_jobs::owner_id.eq(user.id.to_string()),
                import_jobs::state.eq(JobState::Validating.as_str()),
                import_jobs::total_rows.eq(count(total_rows)),
                import_jobs::created_at.eq(at),
                import_jobs::updated_at.eq(at),
                import_jobs::worker.eq(local.instance.to_string()),
            ))
            .execute(conn)?;
        Ok(id)
    })
}

/// Records how many rows a validating job has checked (its heartbeat too).
pub fn progress(conn: &mut DbConn, job: Uuid, processed: usize) -> Result<(), ApiError> {
    diesel::update(
        import_jobs::table
            .filter(import_jobs::id.eq(job.to_string()))
            .filter(import_jobs::state.eq(JobState::Validating.as_str())),
    )
    .set((
        import_jobs::processed_rows.eq(count(processed)),
        import_jobs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends validation: with errors the job is invalid (the first [`MAX_REPORTED_ERRORS`]
/// kept, all counted); without, it is valid and keeps `rows` for the commit.
pub fn finish_validation<R: Serialize>(
    conn: &mut DbConn,
    job: Uuid,
    errors: &[RowError],
    rows: &R,
) -> Result<(), ApiError> {
    let internal = |e: serde_json::Error| ApiError::Internal(e.into());
    let (state, rows_json) = if errors.is_empty() {
        (
            JobState::Valid,
            Some(serde_json::to_string(rows).map_err(internal)?),
        )
    } else {
        (JobState::Invalid, None)
    };
    let kept = &errors[..errors.len().min(MAX_REPORTED_ERRORS)];
    diesel::update(
        import_jobs::table
            .filter(import_jobs::id.eq(job.to_string()))
            .filter(import_jobs::state.eq(JobState::Validating.as_str())),
    )
    .set((
        import_jobs::state.eq(state.as_str()),
        import_jobs::processed_rows.eq(import_jobs::total_rows),
        import_jobs::error_count.eq(count(errors.len())),
        import_jobs::errors_json.eq(serde_json::to_string(kept).map_err(internal)?),
        import_jobs::rows_json.eq(rows_json),
        import_jobs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Marks a job failed (nothing was written) with a reason for its owner.
pub fn fail(conn: &mut DbConn, job: Uuid, failure: &str) -> Result<(), ApiError> {
    diesel::update(import_jobs::table.filter(import_jobs::id.eq(job.to_string())))
        .set((
            import_jobs::state.eq(JobState::Failed.as_str()),
            import_jobs::rows_json.eq(None::<String>),
            import_jobs::failure.eq(Some(failure)),
            import_jobs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a valid job of `user` to committing and hands over its rows and target: a job is
/// committed once, and only when every row was good (409 otherwise, 404 for anyone else's).
pub fn claim<R: serde::de::DeserializeOwned>(
    conn: &mut DbConn,
    job: Uuid,
    user: &AuthUser,
    local: &LocalProgress,
) -> Result<(Uuid, R), ApiError> {
    write_tx(conn, |conn| {
        let (target, rows): (String, Option<String>) = import_jobs::table
            .filter(import_jobs::id.eq(job.to_string()))
            .filter(import_jobs::owner_id.eq(user.id.to_string()))
            .select((import_jobs::target_id, import_jobs::rows_json))
            .first(conn)?;
        let n = diesel::update(
            import_jobs::table
                .filter(import_jobs::id.eq(job.to_string()))
                .filter(import_jobs::state.eq(JobState::Valid.as_str())),
        )
        .set((
            import_jobs::state.eq(JobState::Committing.as_str()),
            import_jobs::processed_rows.eq(0),
            import_jobs::updated_at.eq(now()),
            import_jobs::worker.eq(local.instance.to_string()),
        ))
        .execute(conn)?;
        let (1, Some(rows)) = (n, rows) else {
            return Err(ApiError::Conflict {
                code: "import_not_valid",
                detail: "only a fully valid import can be committed, once".into(),
            });
        };
        let rows = serde_json::from_str(&rows).map_err(|e| ApiError::Internal(e.into()))?;
        Ok((uuid(&target)?, rows))
    })
}

/// Marks a job committed; call it inside the commit's own transaction, so that the rows
/// and the job's state are written together or not at all. A job no longer committing
/// (failed meanwhile by another replica that took this process for dead) is refused, so
/// the whole commit rolls back and "failed" stays true: nothing written.
pub fn committed(conn: &mut DbConn, job: Uuid, written: usize) -> Result<(), ApiError> {
    let n = diesel::update(
        import_jobs::table
            .filter(import_jobs::id.eq(job.to_string()))
            .filter(import_jobs::state.eq(JobState::Committing.as_str())),
    )
    .set((
        import_jobs::state.eq(JobState::Committed.as_str()),
        import_jobs::processed_rows.eq(count(written)),
        import_jobs::rows_json.eq(None::<String>),
        import_jobs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            code: "import_not_valid",
            detail: "the job was failed while it was being written; nothing was written".into(),
        })
    }
}

/// A job of `user` (404 for anyone else's), with the live progress of a commit running
/// in this process.
pub fn status(
    conn: &mut DbConn,
    job: Uuid,
    user: &AuthUser,
    local: &LocalProgress,
) -> Result<ImportStatus, ApiError> {
    expire(conn, local)?;
    type Row = (
        String,
        String,
        String,
        i32,
        i32,
        i32,
        String,
        Option<String>,
        chrono::NaiveDateTime,
    );
    let (id, target, state, total, processed, error_count, errors, failure, created): Row =
        import_jobs::table
            .filter(import_jobs::id.eq(job.to_string()))
            .filter(import_jobs::owner_id.eq(user.id.to_string()))
            .select((
                import_jobs::id,
                import_jobs::target_id,
                import_jobs::state,
                import_jobs::total_rows,
                import_jobs::processed_rows,
                import_jobs::error_count,
                import_jobs::errors_json,
                import_jobs::failure,
                import_jobs::created_at,
            ))
            .first(conn)?;
    let state: JobState = state
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let processed = match (state, local.get(job)) {
        (JobState::Committing, Some(n)) => n,
        _ => usize::try_from(processed).unwrap_or(0),
    };
    Ok(ImportStatus {
        id: uuid(&id)?,
        course_id: uuid(&target)?,
        state,
        total_rows: usize::try_from(total).unwrap_or(0),
        processed_rows: processed,
        errors: serde_json::from_str(&errors).map_err(|e| ApiError::Internal(e.into()))?,
        error_count: usize::try_from(error_count).unwrap_or(0),
        failure,
        created_at: utc(created),
    })
}
