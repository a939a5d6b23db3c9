//! Throttling of password checks, counted in the database (`login_attempts`) so that it
//! holds across restarts and server instances.
//!
//! Every attempt is *reserved* before the password is checked: a conditional UPDATE
//! counts it only while the count is below the limit, so however many requests arrive
//! at once, at most [`Limit::max`] of them per window reach the (expensive) password
//! check. A failed check leaves its reservation counted; a successful login clears the
//! account's count and gives the address its reservation back.
//!
//! Keys: `user:<name>` per account — also for names that do not exist, so that locking
//! behaves (and answers) the same for them — `addr:<ip>` per client address, and
//! `pwchange:<user id>` for changing one's own password.

use std::net::IpAddr;

use chrono::TimeDelta;
use diesel::prelude::*;

use crate::db::schema::login_attempts;
use crate::db::{now, write_tx, DbConn};
use crate::error::ApiError;

/// How many attempts a key may reserve within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: i32,
    /// Length of the window, in seconds. A key that used up its attempts waits until
    /// the window ends; an account's window restarts at its last failure.
    pub window_secs: i64,
}

/// Failed logins of one account before it is locked, and for how long.
pub const ACCOUNT: Limit = Limit {
    max: 5,
    window_secs: 15 * 60,
};
/// Failed logins from one client address.
pub const ADDRESS: Limit = Limit {
    max: 30,
    window_secs: 15 * 60,
};
/// Wrong current passwords when changing one's own password.
pub const PASSWORD_CHANGE: Limit = Limit {
    max: 5,
    window_secs: 15 * 60,
};

/// The throttle key of an account name (whether or not such an account exists).
pub fn account_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

/// The throttle key of a client address.
pub fn address_key(addr: IpAddr) -> String {
    format!("addr:{addr}")
}

/// The throttle key of a user's own password changes.
pub fn password_change_key(user_id: uuid::Uuid) -> String {
    format!("pwchange:{user_id}")
}

/// The outcome of [`reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted; go on and check the password.
    Granted,
    /// The limit is reached; do not check the password.
    Refused {
        /// Seconds until the window ends.
        retry_after: u64,
    },
}

/// Counts an attempt for `key` if the limit allows it, atomically.
pub fn reserve(conn: &mut DbConn, key: &str, limit: Limit) -> Result<Reservation, ApiError> {
    write_tx(conn, |conn| {
        let at = now();
        let window = TimeDelta::seconds(limit.window_secs);
        // Now and then, forget windows that ended long ago (bounds the table under a
        // spray of names or addresses).
        if rand::random::<u8>() < 2 {
            diesel::delete(
                login_attempts::table
                    .filter(login_attempts::window_start.lt(at - TimeDelta::days(1))),
            )
            .execute(conn)?;
        }
        let fresh = (
            login_attempts::throttle_key.eq(key),
            login_attempts::attempts.eq(0),
            login_attempts::window_start.eq(at),
        );
        match conn {
            DbConn::Pg(c) => diesel::insert_into(login_attempts::table)
                .values(fresh)
                .on_conflict_do_nothing()
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(login_attempts::table)
                .values(fresh)
                .on_conflict_do_nothing()
                .execute(c)?,
        };
        // Both updates are conditional on the row as it is when they run (PostgreSQL
        // re-checks the condition after waiting for a concurrent writer's lock; SQLite
        // writers are serialised by BEGIN IMMEDIATE), so no two requests can take the
        // same last attempt.
        let restarted = diesel::update(
            login_attempts::table
                .find(key)
                .filter(login_attempts::window_start.le(at - window)),
        )
        .set((
            login_attempts::attempts.eq(1),
            login_attempts::window_start.eq(at),
        ))
        .execute(conn)?;
        if restarted == 1 {
            return Ok(Reservation::Granted);
        }
        let counted = diesel::update(
            login_attempts::table
                .find(key)
                .filter(login_attempts::attempts.lt(limit.max)),
        )
        .set(login_attempts::attempts.eq(login_attempts::attempts + 1))
        .execute(conn)?;
        if counted == 1 {
            return Ok(Reservation::Granted);
        }
        // A successful login may have cleared the row between our insert (which found
        // it) and the updates (which then found nothing): a cleared window has room.
        let Some(start) = login_attempts::table
            .find(key)
            .select(login_attempts::window_start)
            .first::<chrono::NaiveDateTime>(conn)
            .optional()?
        else {
            return Ok(Reservation::Granted);
        };
        let retry_after = u64::try_from((start + window - at).num_seconds())
            .unwrap_or(1)
            .max(1);
        Ok(Reservation::Refused { retry_after })
    })
}

/// Records that a reserved attempt failed. When it used up the limit, the window
/// restarts now (a lock for the whole window from the last failure) and this returns
/// true, once per lock.
pub fn failed(conn: &mut DbConn, key: &str, limit: Limit) -> Result<bool, ApiError> {
    // `max + 1` marks the lock as taken, so concurrent failures report it only once;
    // reservations are refused from `max` on either way.
    let locked = diesel::update(
        login_attempts::table
            .find(key)
            .filter(login_attempts::attempts.eq(limit.max)),
    )
    .set((
        login_attempts::attempts.eq(limit.max + 1),
        login_attempts::window_start.eq(now()),
    ))
    .execute(conn)?;
    Ok(locked == 1)
}

/// Forgets a key's attempts (a successful login, an admin's password reset).
pub fn clear(conn: &mut DbConn, key: &str) -> Result<(), ApiError> {
    diesel::delete(login_attempts::table.find(key)).execute(conn)?;
    Ok(())
}

/// Gives back one reserved attempt (an address whose login succeeded).
pub fn refund(conn: &mut DbConn, key: &str) -> Result<(), ApiError> {
    diesel::update(
        login_attempts::table
            .find(key)
            .filter(login_attempts::attempts.gt(0)),
    )
    .set(login_attempts::attempts.eq(login_attempts::attempts - 1))
    .execute(conn)?;
    Ok(())
}
