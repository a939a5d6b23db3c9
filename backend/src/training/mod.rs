//! Training courses and their rosters (measure 13, Sunshine Income Plan).

pub mod queries;
pub mod routes;
pub mod transfer;

#[cfg(test)]
mod tests;
