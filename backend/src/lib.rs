//! Xiangzhu's server: the REST API of the Hunan DPF's programme for disabled people.
//!
//! One folder per business area (`auth/`, `users/`, `org/`, `persons/`, `audit/`), each
//! with its routes and queries; all routes are mounted in [`routes::configure`].

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bases;
pub mod care;
pub mod certificates;
pub mod config;
pub mod crosscheck;
pub mod db;
pub mod demo;
pub mod duties;
pub mod error;
pub mod extract;
pub mod health;
pub mod jobs;
pub mod kpi;
pub mod loans;
pub mod logging;
pub mod metrics;
pub mod monitoring;
pub mod openapi;
pub mod org;
pub mod pagination;
pub mod persons;
pub mod petitions;
pub mod pii;
pub mod plan;
pub mod record;
#[cfg(test)]
mod record_contract;
pub mod rectification;
pub mod rehab;
pub mod retrofit;
pub mod routes;
pub mod server;
#[cfg(test)]
mod server_tests;
pub mod spa;
pub mod state;
pub mod supervision;
pub mod survey;
pub mod sync;
pub mod tabular;
pub mod training;
pub mod users;
pub mod visits;

#[cfg(any(test, feature = "testing"))]
pub mod testing;
