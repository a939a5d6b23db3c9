//! Xiangzhu's domain: the codes, API types and validation rules that the backend, the
//! SPA and mobile clients share. No I/O lives here, and nothing here depends on a
//! database or web framework, so the same rules run in the browser and on the server.

#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod api;
pub mod attachments;
pub mod auth;
pub mod care;
pub mod certificates;
pub mod codes;
pub mod crosscheck;
pub mod duties;
pub mod employment;
pub mod errors;
pub mod id_number;
pub mod mask;
pub mod money;
pub mod monitoring;
pub mod person;
pub mod petitions;
pub mod plan;
pub mod rectification;
pub mod rehab;
pub mod retrofit;
pub mod supervision;
pub mod survey;
pub mod sync;
pub mod uscc;
pub mod validation;
pub mod visits;
pub mod workflow;

pub use codes::*;
pub use id_number::{CertificateNumber, IdNumber, Sex};
pub use validation::{FieldError, FieldErrors};
