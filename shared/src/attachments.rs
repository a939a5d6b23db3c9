//! Evidence attachments (photos, scans, signatures) of any record: what they may be
//! attached to, who may see and add them, and the metadata the API answers with. The
//! bytes themselves travel as raw request and response bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Capability;

/// Largest file an upload takes (10 MiB), checked before anything is decoded.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Most pixels an uploaded image may declare (40 megapixels); a larger one is refused
/// from its header, before its pixels are allocated.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Longest side a browser scales a photo down to before uploading it.
pub const CLIENT_MAX_SIDE: u32 = 1600;

crate::string_enum! {
    /// The kind of record an attachment belongs to. Adding one is a variant here, its
    /// capabilities below, and one match arm where the server finds the owner's county.
    pub enum OwnerKind {
        /// A registry entry (`persons`).
        Person = "person",
        /// A rehabilitation need (`rehab_needs`): acceptance photos, signed refusals.
        RehabNeed = "rehab_need",
        /// A home accessibility retrofit case (`retrofit_cases`): before and after
        /// photos, the household's signature.
        RetrofitCase = "retrofit_case",
        /// A cadre's visit of a paired household (`visits`): photos of the visit. Its
        /// cadre reaches it without the capabilities below.
        Visit = "visit",
        /// A rectification item (`rectification_items`): the evidence of its rectification.
        RectificationItem = "rectification_item",
        /// A survey of measure 7 (`surveys`): photos of what the surveyor found.
        Survey = "survey",
    }
}

impl OwnerKind {
    /// What reading the owner (and so its attachments) takes.
    pub fn read_capability(self) -> Capability {
        match self {
            OwnerKind::Person => Capability::ReadPersons,
            OwnerKind::RehabNeed => Capability::ReadRehab,
            OwnerKind::RetrofitCase => Capability::ReadRetrofits,
            OwnerKind::Visit => Capability::ReadPairings,
            OwnerKind::RectificationItem => Capability::ReadRectification,
            OwnerKind::Survey => Capability::ReadSurveys,
        }
    }

    /// What adding attachments to the owner (or deleting anyone's) takes.
    pub fn write_capability(self) -> Capability {
        match self {
            OwnerKind::Person => Capability::WritePersons,
            OwnerKind::RehabNeed => Capability::WriteRehab,
            OwnerKind::RetrofitCase => Capability::WriteRetrofits,
            OwnerKind::Visit => Capability::ManagePairings,
            OwnerKind::RectificationItem => Capability::WriteRectification,
            OwnerKind::Survey => Capability::WriteSurveys,
        }
    }
}

/// The stored form of an attachment: what the server keeps after sniffing and
/// re-encoding (a WebP arrives, a JPEG is kept). Not a `string_enum!`: its values are
/// MIME types, not identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContentType {
    /// A JPEG image.
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// A PNG image.
    #[serde(rename = "image/png")]
    Png,
    /// A PDF document (stored as sent).
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl ContentType {
    /// Every value.
    pub const ALL: &'static [ContentType] =
        &[ContentType::Jpeg, ContentType::Png, ContentType::Pdf];

    /// The MIME type, as stored and sent in `Content-Type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Pdf => "application/pdf",
        }
    }

    /// The stored MIME type read back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Whether this is a picture (has dimensions and a thumbnail).
    pub fn is_image(self) -> bool {
        !matches!(self, ContentType::Pdf)
    }
}

/// What the server keeps about an attachment, answered by upload and list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentMeta {
    /// The id the client chose at upload (a retry with the same id and file does not
    /// make a second one).
    pub id: Uuid,
    /// The kind of record it is attached to.
    pub owner_type: OwnerKind,
    /// The record it is attached to.
    pub owner_id: Uuid,
    /// The stored form, sniffed from the bytes (never taken from the client's header).
    pub content_type: ContentType,
    /// Size of the stored bytes.
    pub size_bytes: i64,
    /// SHA-256 (hex) of the stored bytes, which differ from the uploaded ones for images:
    /// they are re-encoded without metadata.
    pub sha256: String,
    /// When the photo or scan was taken, as the client said.
    pub taken_at: Option<DateTime<Utc>>,
    /// Where it was taken (WGS 84 degrees), as the client said.
    pub latitude: Option<f64>,
    /// Where it was taken (WGS 84 degrees), as the client said.
    pub longitude: Option<f64>,
    /// Width in pixels (images only).
    pub width: Option<i32>,
    /// Height in pixels (images only).
    pub height: Option<i32>,
    /// Whether `GET /api/v1/attachments/{id}/thumbnail` has a picture (not for PDFs).
    pub has_thumbnail: bool,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// Login name of the uploader.
    pub created_by: String,
}

/// The query of `POST /api/v1/attachments`, whose body is the file itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AttachmentUpload {
    /// The kind of record to attach to.
    pub owner_type: OwnerKind,
    /// The record to attach to.
    pub owner_id: Uuid,
    /// An id chosen by the client, so that a retry cannot make a duplicate.
    pub id: Option<Uuid>,
    /// When it was taken (RFC 3339); not in the future.
    pub taken_at: Option<DateTime<Utc>>,
    /// Latitude, -90 to 90; given with `longitude`.
    pub latitude: Option<f64>,
    /// Longitude, -180 to 180; given with `latitude`.
    pub longitude: Option<f64>,
}

impl AttachmentUpload {
    /// Field problems of the query (coordinates in range and in pairs, a time not in the
    /// future); `now` is the server's clock.
    pub fn validate(&self, now: DateTime<Utc>) -> Vec<crate::FieldError> {
        let mut errs = Vec::new();
        for (field, value, max) in [
            ("latitude", self.latitude, 90.0),
            ("longitude", self.longitude, 180.0),
        ] {
            if let Some(v) = value {
                if !v.is_finite() || !(-max..=max).contains(&v) {
                    errs.push(crate::FieldError::new(
                        field,
                        "out_of_range",
                        format!("{field} must lie between -{max} and {max} degrees"),
                    ));
                }
            }
        }
        match (self.latitude, self.longitude) {
            (Some(_), None) => errs.push(crate::FieldError::new(
                "longitude",
                "required",
                "give longitude with latitude",
            )),
            (None, Some(_)) => errs.push(crate::FieldError::new(
                "latitude",
                "required",
                "give latitude with longitude",
            )),
            _ => {}
        }
        // A phone's clock may run a little ahead of the server's.
        if self
            .taken_at
            .is_some_and(|t| t > now + chrono::TimeDelta::minutes(10))
        {
            errs.push(crate::FieldError::new(
                "taken_at",
                "in_future",
                "taken_at lies in the future",
            ));
        }
        errs
    }
}

/// The query of `GET /api/v1/attachments`: the attachments of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AttachmentListQuery {
    /// The kind of record.
    pub owner_type: OwnerKind,
    /// The record.
    pub owner_id: Uuid,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload() -> AttachmentUpload {
        AttachmentUpload {
            owner_type: OwnerKind::Person,
            owner_id: Uuid::nil(),
            id: None,
            taken_at: None,
            latitude: Some(27.86),
            longitude: Some(112.91),
        }
    }

    #[test]
    fn coordinates_in_range_and_in_pairs() {
        let now = Utc::now();
        assert!(upload().validate(now).is_empty());
        let codes = |u: AttachmentUpload| -> Vec<(String, String)> {
            u.validate(now)
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(
            codes(AttachmentUpload {
                latitude: Some(90.5),
                ..upload()
            }),
            [pair("latitude", "out_of_range")]
        );
        assert_eq!(
            codes(AttachmentUpload {
                longitude: Some(f64::NAN),
                ..upload()
            }),
            [pair("longitude", "out_of_range")]
        );
        assert_eq!(
            codes(AttachmentUpload {
                longitude: None,
                ..upload()
            }),
            [pair("longitude", "required")]
        );
        assert_eq!(
            codes(AttachmentUpload {
                taken_at: Some(now + chrono::TimeDelta::days(1)),
                ..upload()
            }),
            [pair("taken_at", "in_future")]
        );
    }

    #[test]
    fn content_types_round_trip() {
        for c in ContentType::ALL {
            assert_eq!(ContentType::parse(c.as_str()), Some(*c));
            assert_eq!(
                serde_json::to_value(c).ok(),
                Some(serde_json::json!(c.as_str()))
            );
        }
        assert_eq!(ContentType::parse("text/html"), None);
    }
}
