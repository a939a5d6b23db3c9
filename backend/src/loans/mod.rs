//! Loan interest subsidies (贷款贴息): applications, their workflow across county, city
//! and province, and the budget allocated to cities.

pub mod budget;
pub mod queries;
pub mod routes;

#[cfg(test)]
mod tests;
