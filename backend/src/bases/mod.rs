//! Employment bases (就业扶贫基地) and the disabled people they employ.

pub mod queries;
pub mod routes;
