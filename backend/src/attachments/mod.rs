//! Evidence attachments (photos, scans, signatures) for every module: one table, one
//! upload path and one scope rule, whatever record a file belongs to.
//!
//! - **Scope.** An attachment is seen by whoever sees its owner, now: every upload, list,
//!   download and delete resolves the owner through [`owner_region`], and an owner out
//!   of scope, deleted or unknown is 404 (its existence is never revealed). The owner's
//!   county is stored at upload for the audit log, but reads check the owner again, so a
//!   person moved to another county takes their files out of the old county's sight.
//! - **Files are hostile** ([`media`]): the type is sniffed from the bytes, images are
//!   size-checked from their header, decoded and encoded again (no EXIF or GPS survives),
//!   on the blocking pool and at most one per core at a time.
//! - **Writes** follow `record.rs`: a client-chosen id makes a retry idempotent, and the
//!   audit entry (metadata only, never the bytes) is written in the same transaction.
//! - **Bytes** live behind [`store::Store`], in the database by default.

pub mod media;
pub mod queries;
pub mod routes;
pub mod store;
#[cfg(test)]
mod tests;

use diesel::prelude::*;
use shared::attachments::OwnerKind;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::error::ApiError;

/// The county of an owner the caller may see, after checking that the caller's roles
/// allow reading (`write: false`) or adding attachments to (`write: true`) that kind of
/// record. 403 without the capability; 404 when the owner is unknown, deleted or out of
/// the caller's scope. The one place that knows where each kind of owner lives: a new
/// kind is one arm here (and its capabilities in [`OwnerKind`]).
pub fn owner_region(
    conn: &mut DbConn,
    user: &AuthUser,
    owner: OwnerKind,
    id: Uuid,
    write: bool,
) -> Result<String, ApiError> {
    if owner == OwnerKind::Visit {
        // A visit's cadre holds no capability for it: who may see or add to a visit is
        // the visit module's rule (its cadre, or staff of the household's county).
        return crate::visits::records::owner_county(conn, user, id, write);
    }
    user.require(if write {
        owner.write_capability()
    } else {
        owner.read_capability()
    })?;
    if write && owner == OwnerKind::RehabNeed {
        // Evidence of a need is added where its steps are taken: by county rehab staff.
        crate::rehab::require_county_writer(user)?;
    }
    if write && owner == OwnerKind::Survey {
        // Photos of a survey are taken by the county that surveys.
        crate::survey::writer(user)?;
    }
    if write && owner == OwnerKind::RetrofitCase {
        // Photos and signatures of a case are taken by the county that keeps it.
        crate::retrofit::require_county_writer(user)?;
    }
    let county: Option<String> = match owner {
        OwnerKind::Person => {
            use crate::db::schema::persons;
            crate::persons::queries::live(&user.scope)
                .filter(persons::id.eq(id.to_string()))
                .select(persons::county_code)
                .first(conn)
                .optional()?
        }
        OwnerKind::RehabNeed => {
            use crate::db::schema::rehab_needs;
            crate::rehab::needs::visible(&user.scope)
                .filter(rehab_needs::id.eq(id.to_string()))
                .select(rehab_needs::county_code)
                .first(conn)
                .optional()?
        }
        OwnerKind::RetrofitCase => {
            use crate::db::schema::retrofit_cases;
            crate::retrofit::cases::visible(&user.scope)
                .filter(retrofit_cases::id.eq(id.to_string()))
                .select(retrofit_cases::county_code)
                .first(conn)
                .optional()?
        }
        OwnerKind::Visit => None,
        OwnerKind::RectificationItem => {
            match crate::rectification::items::county_of(conn, &user.scope, id) {
                Ok(c) => Some(c),
                Err(ApiError::NotFound) => None,
                Err(e) => return Err(e),
            }
        }
        OwnerKind::Survey => crate::survey::records::county_of(conn, user, id)?,
    };
    county.ok_or(ApiError::NotFound)
}

/// Whether a record relies on the attachment as its evidence (an acceptance photo, a
/// signed refusal, a retrofit's before and after photos or signature): such a file
/// cannot be deleted, or the record would lose its proof.
pub fn in_use(conn: &mut DbConn, id: Uuid) -> Result<bool, ApiError> {
    use crate::db::schema::{device_fittings, rehab_needs};
    let id = id.to_string();
    let fittings: i64 = device_fittings::table
        .filter(device_fittings::evidence_id.eq(&id))
        .count()
        .get_result(conn)?;
    let needs: i64 = rehab_needs::table
        .filter(rehab_needs::evidence_id.eq(&id))
        .count()
        .get_result(conn)?;
    Ok(fittings + needs > 0 || crate::retrofit::cases::evidence_in_use(conn, &id)?)
}
