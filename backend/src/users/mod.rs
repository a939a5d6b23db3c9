//! User administration: admins create users, reset passwords, disable and enable them.

pub mod queries;
pub mod routes;

#[cfg(test)]
mod tests;
