//! Hooks shared by the pages: forms ([`form`]) and loaded data ([`remote`]).

pub mod form;
pub mod remote;
