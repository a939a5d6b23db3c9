//! The change feed phones sync from (docs/SYNC.md): pages of records changed since a
//! cursor, each as it is now or as a tombstone, in an order no concurrent commit can
//! skip.

use serde::{Deserialize, Serialize};

use crate::person::PersonItem;

crate::string_enum! {
    /// Why a record left a device's view.
    pub enum GoneReason {
        /// Deleted on the server.
        Deleted = "deleted",
        /// Still exists, but no longer in the caller's scope (e.g. the person moved to
        /// another county); where it went is not said.
        OutOfScope = "out_of_scope",
    }
}

/// One page of `GET /api/v1/sync/persons`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonChanges {
    /// Each record changed after the cursor, once, as it is now (`kind: person`) or as a
    /// tombstone (`kind: tombstone`, with `reason`).
    pub items: Vec<PersonItem>,
    /// Where this page ends: keep it, and pass it as `cursor` next time (also when
    /// `items` is empty). Opaque.
    pub cursor: String,
    /// More changes are waiting: ask again at once with `cursor`.
    pub more: bool,
}
