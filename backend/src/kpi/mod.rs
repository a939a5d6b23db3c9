//! KPIs: per unit, rolled up county → city → province, against the plan's targets.

pub mod employment;
pub mod rehab;
pub mod routes;

#[cfg(test)]
mod tests;
