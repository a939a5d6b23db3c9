//! One module per page.

pub mod audit;
pub mod bases;
pub mod care;
pub mod course;
pub mod courses;
pub mod crosscheck;
pub mod dashboard;
pub mod duties;
pub mod home;
pub mod ledgers;
pub mod loans;
pub mod login;
pub mod not_found;
pub mod password;
pub mod person_detail;
pub mod person_form;
pub mod persons;
pub mod petitions;
pub mod programme;
pub mod rectification;
pub mod rehab;
pub mod retrofit;
pub mod supervision;
pub mod survey;
pub mod users;
pub mod visits;
