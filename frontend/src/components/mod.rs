//! Reusable pieces of the UI.

pub mod checks;
pub mod confirm;
pub mod field;
pub mod header;
pub mod person_picker;
pub mod photo;
pub mod unit_picker;
