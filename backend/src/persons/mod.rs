//! The person registry (建档立卡残疾人): routes, queries and their tests.

pub mod model;
pub mod queries;
pub mod routes;

#[cfg(test)]
pub(crate) mod tests;
