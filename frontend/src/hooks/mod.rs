//! Hooks shared by the pages: forms ([`form`]), loaded data ([`remote`]), the page
//! conventions ([`page`]: title, focus after navigation) and unit names ([`units`]).

pub mod form;
pub mod page;
pub mod remote;
pub mod units;
