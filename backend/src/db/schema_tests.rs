//! The schema against the code, on both databases:
//!
//! - every column holding a code of a shared enum accepts each value of the Rust enum
//!   and refuses anything else, its CHECK lists no value the enum lacks, and the range
//!   checks refuse what they should, so adding or removing a variant without a migration
//!   fails here;
//! - `schema.rs` declares exactly the tables and columns (names, types, nullability) the
//!   migrations build, and diesel can select every declared column.

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::Text;
use shared::api::AuditAction;
use shared::attachments::{ContentType, OwnerKind};
use shared::auth::Role;
use shared::employment::{
    Applicant, BaseKind, CourseKind, EnrolmentStatus, LoanStatus, Programme, TrainingOutcome,
};
use shared::{AssuranceStatus, DisabilityCategory, OrgUnitKind, PovertyStatus, Sex};

use super::DbConn;
use crate::testing::{Backend, TestApp};

crate::db_tests!(
    enum_columns_accept_exactly_the_enum,
    schema_rs_matches_the_database
);

/// One row in each table that has checks (the template has the org tree, the demo
/// accounts and programme year 2020), in SQL both databases accept.
const FIXTURES: &str = "
INSERT INTO persons (id, name, id_number_enc, id_number_hmac, id_number_masked,
    has_certificate, sex, birth_year, disability_category, disability_level, county_code,
    city_code, poverty_status, registered_poor, multi_disabled_household, elderly_disabled,
    assure_food_clothing, assure_education, assure_medical, assure_housing,
    assure_drinking_water, synthetic, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-person', 'test', 'enc', 'chk-hmac', '430381********0000', FALSE, 'male', 1980,
    'physical', 2, '430381', '4303', 'in_poverty', TRUE, FALSE, FALSE, 'unknown', 'unknown',
    'unknown', 'unknown', 'unknown', TRUE, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO training_courses (id, name, kind, programme, organiser_unit, county_code,
    city_code, start_date, end_date, year, planned_places, hours, funding_fen, version,
    created_at, created_by, updated_at, updated_by)
VALUES ('chk-course', 'test', 'vocational_skill', 'other', '430381', '430381', '4303',
    '2026-01-01', '2026-01-10', 2026, 10, 10, 0, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO enrolments (id, course_id, person_id, county_code, city_code, status,
    hours_attended, certificate_obtained, version, created_at, created_by, updated_at,
    updated_by)
VALUES ('chk-enrolment', 'chk-course', 'chk-person', '430381', '4303', 'enrolled', 0, FALSE,
    1, '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO employment_bases (id, name, credit_code, county_code, city_code, kind,
    recognised_on, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-base', 'test', '91430300MA4L000000', '430381', '4303', 'demonstration',
    '2026-01-01', 1, '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO loans (id, applicant, person_id, bank, principal_fen, annual_rate_bp,
    term_months, loan_date, purpose, year, county_code, city_code, status, interest_fen,
    subsidy_fen, capped, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-loan', 'person', 'chk-person', 'bank', 100000, 435, 12, '2020-06-01', 'test',
    2020, '430381', '4303', 'draft', 4350, 2175, FALSE, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO loan_events (id, loan_id, at, actor_id, actor_username, actor_unit, to_status)
VALUES ('chk-event', 'chk-loan', '2026-01-01 00:00:00', 'test', 'test', '43', 'draft');
INSERT INTO audit_log (id, at, actor_id, actor_username, actor_unit, action, entity_type,
    entity_id, unit_code)
VALUES ('chk-audit', '2026-01-01 00:00:00', 'test', 'test', '43', 'create', 'test', 'test',
    '43');
INSERT INTO city_allocations (year, city_code, allocated_fen) VALUES (2020, '4303', 100);
INSERT INTO device_items (id, code, edition, name_zh, name_en, categories, unit,
    service_life_years, assessment_required, active, version, created_at, created_by,
    updated_at, updated_by)
VALUES ('chk-item', '122203', '2016', 'chk', 'chk', 'physical', '辆', 5, FALSE, TRUE, 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO device_caps (item_id, year, cap_fen) VALUES ('chk-item', 2020, 100);
INSERT INTO rehab_needs (id, person_id, county_code, city_code, kind, project, item_id,
    source, identified_on, year, status, version, created_at, created_by, updated_at,
    updated_by)
VALUES ('chk-need', 'chk-person', '430381', '4303', 'device', 'basic_device', 'chk-item',
    'survey', '2020-03-01', 2020, 'identified', 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO device_fittings (id, need_id, county_code, item_id, provider, quantity, side,
    unit_price_fen, cap_fen, total_fen, subsidy_fen, self_pay_fen, delivered_on, year,
    service_until, replaced, created_at, created_by)
VALUES ('chk-fitting', 'chk-need', '430381', 'chk-item', 'test', 1, 'none', 100, 100, 100,
    100, 0, '2020-04-01', 2020, '2025-04-01', FALSE, '2026-01-01 00:00:00', 'test');
INSERT INTO device_follow_ups (id, fitting_id, need_id, visited_on, result, recorded_by,
    created_at)
VALUES ('chk-follow-up', 'chk-fitting', 'chk-need', '2020-05-01', 'in_use', 'test',
    '2026-01-01 00:00:00');
INSERT INTO rehab_need_events (id, need_id, at, actor_id, actor_username, actor_unit,
    to_status)
VALUES ('chk-need-event', 'chk-need', '2026-01-01 00:00:00', 'test', 'test', '43',
    'identified');
INSERT INTO rehab_episodes (id, person_id, county_code, city_code, institution, project,
    category, start_on, months, monthly_fen, total_fen, year, version, created_at,
    created_by, updated_at, updated_by)
VALUES ('chk-episode', 'chk-person', '430381', '4303', 'test', 'basic_rehab', 'physical',
    '2020-03-01', 1, 100, 100, 2020, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO care_providers (id, name, kind, county_code, city_code, places, active,
    version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-provider', 'test', 'dpf_centre', '430381', '4303', 10, TRUE, 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO care_assessments (id, person_id, county_code, city_code, assessed_on, assessor,
    self_care, carer, preferred_mode, version, created_at, created_by, updated_at,
    updated_by)
VALUES ('chk-care-assessment', 'chk-person', '430381', '4303', '2020-03-01', 'test',
    'fully_dependent', 'no_carer', 'residential', 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO care_placements (id, person_id, provider_id, county_code, city_code, mode,
    start_on, monthly_subsidy_fen, funder, status, version, created_at, created_by,
    updated_at, updated_by)
VALUES ('chk-placement', 'chk-person', 'chk-provider', '430381', '4303', 'residential',
    '2020-03-01', 100, 'dpf', 'referred', 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO care_placement_events (id, placement_id, effective_on, at, actor_id,
    actor_username, actor_unit, to_status)
VALUES ('chk-placement-event', 'chk-placement', '2020-03-01', '2026-01-01 00:00:00', 'test',
    'test', '43', 'referred');
INSERT INTO care_service_logs (id, placement_id, county_code, served_on, hours, tasks, carer,
    recorded_by, created_at, created_by)
VALUES ('chk-service-log', 'chk-placement', '430381', '2020-03-02', 2, 'test', 'test', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO petitions (id, county_code, city_code, channel, received_on, year,
    petitioner_name_enc, petitioner_name_masked, petitioner_key, subject, category, status,
    accept_due, unresolved, reopened, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-petition', '430381', '4303', 'letter', '2020-03-01', 2020, 'enc', '王**',
    'petition:chk-petition', 'test', 'other', 'registered', '2020-03-16', FALSE, 0, 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO petition_events (id, petition_id, effective_on, at, actor_id, actor_username,
    actor_unit, to_status)
VALUES ('chk-petition-event', 'chk-petition', '2020-03-01', '2026-01-01 00:00:00', 'test',
    'test', '43', 'registered');
INSERT INTO pairings (id, cadre_id, cadre_unit, cadre_post, person_id, county_code,
    city_code, from_on, version, created_at, created_by, updated_at, updated_by)
SELECT 'chk-pairing', id, '430381', 'test', 'chk-person', '430381', '4303', '2020-01-01', 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test'
FROM users WHERE username = 'admin';
INSERT INTO visits (id, pairing_id, county_code, city_code, visited_on, mode, version,
    created_at, created_by, updated_at, updated_by)
VALUES ('chk-visit', 'chk-pairing', '430381', '4303', '2020-02-01', 'in_person', 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO visit_checks (visit_id, item, result) VALUES ('chk-visit', 'food', 'ok');
INSERT INTO visit_policies (visit_id, policy) VALUES ('chk-visit', 'rehab');
INSERT INTO inspections (id, status, department_code, leader_id, county_code, city_code,
    planned_on, visited_on, filed_at, households_visited, version, created_at, created_by,
    updated_at, updated_by)
SELECT 'chk-inspection', 'planned', '43.rights', id, '430381', '4303', '2020-05-01',
    '2020-05-02', '2020-05-02 12:00:00', 1, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test'
FROM users WHERE username = 'admin';
INSERT INTO inspection_checks (inspection_id, item, result)
VALUES ('chk-inspection', 'food', 'ok');
INSERT INTO inspection_policies (inspection_id, policy) VALUES ('chk-inspection', 'rehab');
INSERT INTO stationings (id, leader_id, county_code, city_code, from_on, version, created_at,
    created_by, updated_at, updated_by)
SELECT 'chk-stationing', id, '430381', '4303', '2020-03-01', 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test'
FROM users WHERE username = 'admin';
INSERT INTO clues (id, source, kind, received_on, county_code, city_code, description, status,
    version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-clue', 'visit', 'fraud', '2020-03-01', '430381', '4303', 'test', 'registered', 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO import_jobs (id, kind, target_id, owner_id, state, created_at, updated_at)
SELECT 'chk-job', 'roster', 'test', id, 'validating', '2026-01-01 00:00:00', '2026-01-01 00:00:00'
FROM users WHERE username = 'admin';
INSERT INTO attachments (id, owner_type, owner_id, county_code, content_type, size_bytes,
    sha256, upload_sha256, latitude, longitude, width, height, created_at, created_by)
SELECT 'chk-attachment', 'person', 'chk-person', '430381', 'image/jpeg', 1,
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000000', 27.8, 112.9, 1, 1,
    '2026-01-01 00:00:00', id
FROM users WHERE username = 'admin';
INSERT INTO retrofit_cases (id, county_code, city_code, household_key, year, status,
    status_since, source, identified_on, linked_programme, plan_total_fen,
    acceptance_rounds, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-retrofit', '430381', '4303', 'p:chk-person', 2020, 'identified',
    '2026-01-01 00:00:00', 'survey', '2020-03-01', 'none', 0, 0, 1, '2026-01-01 00:00:00',
    'test', '2026-01-01 00:00:00', 'test');
INSERT INTO retrofit_plan_items (id, case_id, position, item_code, location, quantity,
    unit_cost_fen, line_total_fen)
VALUES ('chk-plan-item', 'chk-retrofit', 1, 'ramp', 'test', 1, 100, 100);
INSERT INTO retrofit_acceptances (id, case_id, round, accepted_on, team, passed,
    recorded_by, created_at)
VALUES ('chk-acceptance', 'chk-retrofit', 1, '2020-06-01', 'test', TRUE, 'test',
    '2026-01-01 00:00:00');
INSERT INTO retrofit_acceptance_items (acceptance_id, plan_item_id, result)
VALUES ('chk-acceptance', 'chk-plan-item', 'done');
INSERT INTO retrofit_case_photos (attachment_id, case_id, side)
VALUES ('chk-photo', 'chk-retrofit', 'before');
INSERT INTO retrofit_case_events (id, case_id, at, actor_id, actor_username, actor_unit,
    to_status)
VALUES ('chk-retrofit-event', 'chk-retrofit', '2026-01-01 00:00:00', 'test', 'test', '43',
    'identified');
INSERT INTO period_reports (unit_code, period, status, version)
VALUES ('430381', '2020', 'open', 1);
INSERT INTO rectification_items (id, county_code, city_code, source, category, description,
    found_on, deadline, original_deadline, status, status_since, reopen_count,
    recheck_failures, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-rectification', '430381', '4303', 'visit', 'housing', 'test', '2020-03-01',
    '2020-04-01', '2020-04-01', 'open', '2026-01-01 00:00:00', 0, 0, 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO rectification_events (id, item_id, at, actor_id, actor_username, actor_unit,
    to_status)
VALUES ('chk-rectification-event', 'chk-rectification', '2026-01-01 00:00:00', 'test',
    'test', '43', 'open');
INSERT INTO county_lists (year, list, county_code) VALUES (2020, 'key_poverty', '430381');
INSERT INTO canteen_purchases (id, county_code, city_code, purchased_on, supplier, amount_fen,
    from_poverty_base, holiday, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-purchase', '430381', '4303', '2020-03-01', 'test', 100, FALSE, FALSE, 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO fund_allocations (id, year, title, department_code, total_fen, uplift_bp, weights,
    factor_totals, status, computed_at, computed_by, version, created_at, created_by,
    updated_at, updated_by)
VALUES ('chk-allocation', 2020, 'test', '43.rehabilitation', 100, 1500, '[]', '[]', 'draft',
    '2026-01-01 00:00:00', 'test', 1, '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00',
    'test');
INSERT INTO support_pairs (id, supporter_code, supported_code, from_year, version, created_at,
    created_by, updated_at, updated_by)
VALUES ('chk-pair', '4301', '433122', 2020, 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO support_entries (id, pair_id, on_day, kind, amount_fen, description, created_at,
    created_by)
VALUES ('chk-support', 'chk-pair', '2020-05-01', 'money', 100, 'test', '2026-01-01 00:00:00',
    'test');
INSERT INTO publicity_cases (id, county_code, city_code, subject, title, story, media, sunshine,
    status, version, created_at, created_by, updated_at, updated_by)
VALUES ('chk-case', '430381', '4303', 'work', 'test', 'test', '[]', FALSE, 'collected', 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO crosscheck_rules (year, scheme, registered_poor_only, poverty_statuses, max_level,
    recipients_registered, note, updated_at, updated_by)
VALUES (2020, 'nursing_subsidy', TRUE, '', 2, TRUE, '', '2026-01-01 00:00:00', 'test');
INSERT INTO agency_lists (id, scheme, period, year, area_code, county_code, city_code,
    row_count, receiving_count, added, removed, changed, created_at, created_by,
    created_by_name)
VALUES ('chk-list', 'dibao', '2020-06', 2020, '430381', '430381', '4303', 1, 1, 1, 0, 0,
    '2026-01-01 00:00:00', 'test', 'test');
INSERT INTO agency_list_rows (list_id, row_no, id_number_hmac, id_number_masked, name,
    receipt, county_code)
VALUES ('chk-list', 1, 'x', 'x', 'x', 'receiving', '430381');
INSERT INTO survey_rounds (id, title, from_on, to_on, area_code, version, created_at,
    created_by, updated_at, updated_by)
VALUES ('chk-round', 'test', '2020-03-01', '2020-12-31', '4303', 1, '2026-01-01 00:00:00',
    'test', '2026-01-01 00:00:00', 'test');
INSERT INTO survey_round_units (round_id, county_code) VALUES ('chk-round', '430381');
INSERT INTO surveys (id, round_id, person_id, county_code, city_code, surveyed_on, version,
    created_at, created_by, updated_at, updated_by)
VALUES ('chk-survey', 'chk-round', 'chk-person', '430381', '4303', '2020-04-01', 1,
    '2026-01-01 00:00:00', 'test', '2026-01-01 00:00:00', 'test');
INSERT INTO survey_checks (survey_id, item, result) VALUES ('chk-survey', 'food', 'ok');
INSERT INTO survey_policies (survey_id, policy) VALUES ('chk-survey', 'rehab');
INSERT INTO household_plans (id, household_key, person_id, county_code, version, created_at,
    created_by, updated_at, updated_by)
VALUES ('chk-plan', 'p:chk-person', 'chk-person', '430381', 1, '2026-01-01 00:00:00', 'test',
    '2026-01-01 00:00:00', 'test');
INSERT INTO household_plan_measures (plan_id, seq, measure, responsible_unit, due_on)
VALUES ('chk-plan', 0, 'test', 'test', '2020-06-30');
INSERT INTO monitoring_visits (id, person_id, county_code, city_code, visited_on, income_change,
    illness, disaster, covid, risk_level, measures, created_at, created_by)
VALUES ('chk-monitoring', 'chk-person', '430381', '4303', '2020-04-01', 'same', FALSE, FALSE,
    FALSE, 'low', 'test', '2026-01-01 00:00:00', 'test');
";

/// Values one column must accept and refuse, as SQL literals.
struct Case {
    table: &'static str,
    /// The WHERE clause picking the fixture row.
    row: &'static str,
    column: &'static str,
    accepted: Vec<String>,
    refused: Vec<String>,
    /// For a code column, the enum's identifiers, which must be exactly those the
    /// migration lists (so that it lists none the enum lacks).
    listed: Option<BTreeSet<&'static str>>,
}

fn lit(v: &str) -> String {
    format!("'{v}'")
}

/// A column holding one of `values` (the identifiers of a Rust enum).
fn codes(
    table: &'static str,
    row: &'static str,
    column: &'static str,
    values: impl IntoIterator<Item = &'static str>,
    nullable: bool,
) -> Case {
    let values: BTreeSet<&'static str> = values.into_iter().collect();
    let mut accepted: Vec<String> = values.iter().map(|v| lit(v)).collect();
    assert!(!accepted.is_empty());
    let upper = accepted[0].to_uppercase();
    if nullable {
        accepted.push("NULL".into());
    }
    Case {
        table,
        row,
        column,
        accepted,
        refused: vec![lit("bogus"), lit(""), upper],
        listed: Some(values),
    }
}

/// A numeric column with a range.
fn range(
    table: &'static str,
    row: &'static str,
    column: &'static str,
    accepted: &[i64],
    refused: &[i64],
) -> Case {
    Case {
        table,
        row,
        column,
        accepted: accepted.iter().map(i64::to_string).collect(),
        refused: refused.iter().map(i64::to_string).collect(),
        listed: None,
    }
}

fn strs<T: Copy>(all: &'static [T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(f).collect()
}

/// The applicants, as the loans module stores them. `Applicant` has no `ALL`; the match
/// makes a new variant a compile error here.
fn applicants() -> Vec<&'static str> {
    [Applicant::Person, Applicant::Base]
        .into_iter()
        .map(|a| {
            let s = match a {
                Applicant::Person => "person",
                Applicant::Base => "base",
            };
            assert_eq!(
                serde_json::to_value(a).ok(),
                Some(serde_json::Value::from(s))
            );
            s
        })
        .collect()
}

/// Every constrained column with the values it must accept and refuse.
fn cases() -> Vec<Case> {
    const PERSON: &str = "id = 'chk-person'";
    const COURSE: &str = "id = 'chk-course'";
    const ENROLMENT: &str = "id = 'chk-enrolment'";
    const BASE: &str = "id = 'chk-base'";
    const LOAN: &str = "id = 'chk-loan'";
    const EVENT: &str = "id = 'chk-event'";
    const USER: &str = "username = 'admin'";
    const YEAR: &str = "year = 2020";
    const ALLOCATION: &str = "year = 2020 AND city_code = '4303'";
    const ATTACHMENT: &str = "id = 'chk-attachment'";
    let roles: Vec<&str> = strs(Role::ALL, Role::as_str);
    let all_roles = crate::users::queries::roles_text(Role::ALL);
    let role_sets = |column: &'static str, nullable: bool| {
        let mut accepted: Vec<String> = roles.iter().map(|r| lit(r)).collect();
        accepted.extend([lit(&all_roles), lit("admin,registrar"), lit("")]);
        if nullable {
            accepted.push("NULL".into());
        }
        Case {
            table: "users",
            row: USER,
            column,
            accepted,
            refused: ["bogus", "admin,bogus", "admin,", ",admin", "admin,,leader"]
                .into_iter()
                .chain(["admin,admin", "ADMIN", "admin leader"])
                .map(lit)
                .collect(),
            listed: Some(roles.iter().copied().collect()),
        }
    };
    let mut cases = vec![
        codes(
            "org_units",
            "code = '43'",
            "kind",
            strs(OrgUnitKind::ALL, OrgUnitKind::as_str),
            false,
        ),
        role_sets("roles", false),
        role_sets("pending_roles", true),
        range("users", USER, "version", &[1, 2], &[0, -1]),
        codes("persons", PERSON, "sex", strs(Sex::ALL, Sex::as_str), false),
        codes(
            "persons",
            PERSON,
            "disability_category",
            strs(DisabilityCategory::ALL, DisabilityCategory::as_str),
            false,
        ),
        range(
            "persons",
            PERSON,
            "disability_level",
            &[1, 2, 3, 4],
            &[0, 5],
        ),
        codes(
            "persons",
            PERSON,
            "poverty_status",
            strs(PovertyStatus::ALL, PovertyStatus::as_str),
            false,
        ),
        range("persons", PERSON, "household_size", &[1, 50], &[0, -1]),
        range("persons", PERSON, "version", &[1], &[0]),
    ];
    for column in [
        "assure_food_clothing",
        "assure_education",
        "assure_medical",
        "assure_housing",
        "assure_drinking_water",
    ] {
        cases.push(codes(
            "persons",
            PERSON,
            column,
            strs(AssuranceStatus::ALL, AssuranceStatus::as_str),
            false,
        ));
    }
    cases.extend([
        codes(
            "audit_log",
            "id = 'chk-audit'",
            "action",
            strs(AuditAction::ALL, AuditAction::as_str),
            false,
        ),
        range(
            "programme_years",
            YEAR,
            "share_bp",
            &[0, 10_000, 5000],
            &[-1, 10_001],
        ),
        range(
            "programme_years",
            YEAR,
            "budget_fen",
            &[0, 300_000_000],
            &[-1],
        ),
        range(
            "programme_years",
            YEAR,
            "cap_person_fen",
            &[0, 500_000],
            &[-1],
        ),
        range(
            "programme_years",
            YEAR,
            "cap_base_fen",
            &[0, 5_000_000],
            &[-1],
        ),
        range(
            "programme_years",
            YEAR,
            "max_principal_fen",
            &[0, 50_000_000],
            &[-1],
        ),
        range(
            "programme_years",
            YEAR,
            "target_persons_trained",
            &[0, 5000],
            &[-1],
        ),
        range(
            "programme_years",
            YEAR,
            "target_subsidy_fen",
            &[0, 300_000_000],
            &[-1],
        ),
        range("city_allocations", ALLOCATION, "disbursed_fen", &[0], &[-1]),
        codes(
            "training_courses",
            COURSE,
            "kind",
            strs(CourseKind::ALL, CourseKind::as_str),
            false,
        ),
        codes(
            "training_courses",
            COURSE,
            "programme",
            strs(Programme::ALL, Programme::as_str),
            false,
        ),
        Case {
            table: "training_courses",
            row: COURSE,
            column: "end_date",
            accepted: vec![lit("2026-01-01"), lit("2026-01-10")],
            refused: vec![lit("2025-12-31")],
            listed: None,
        },
        range("training_courses", COURSE, "planned_places", &[1, 10], &[0]),
        range("training_courses", COURSE, "hours", &[1, 10], &[0]),
        range("training_courses", COURSE, "funding_fen", &[0, 1], &[-1]),
        range("training_courses", COURSE, "version", &[1], &[0]),
        codes(
            "enrolments",
            ENROLMENT,
            "status",
            strs(EnrolmentStatus::ALL, EnrolmentStatus::as_str),
            false,
        ),
        codes(
            "enrolments",
            ENROLMENT,
            "outcome",
            strs(TrainingOutcome::ALL, TrainingOutcome::as_str),
            true,
        ),
        range("enrolments", ENROLMENT, "hours_attended", &[0, 10], &[-1]),
        range("enrolments", ENROLMENT, "version", &[1], &[0]),
        codes(
            "employment_bases",
            BASE,
            "kind",
            strs(BaseKind::ALL, BaseKind::as_str),
            false,
        ),
        range("employment_bases", BASE, "version", &[1], &[0]),
        codes("loans", LOAN, "applicant", applicants(), false),
        codes(
            "loans",
            LOAN,
            "status",
            strs(LoanStatus::ALL, LoanStatus::as_str),
            false,
        ),
        range("loans", LOAN, "principal_fen", &[1, 100_000], &[0, -1]),
        range("loans", LOAN, "annual_rate_bp", &[0, 435], &[-1]),
        range("loans", LOAN, "term_months", &[1, 12], &[0]),
        range("loans", LOAN, "interest_fen", &[0, 4350], &[-1]),
        range("loans", LOAN, "subsidy_fen", &[0, 2175], &[-1]),
        range("loans", LOAN, "approved_fen", &[0, 2175], &[-1]),
        range("loans", LOAN, "disbursed_fen", &[0, 2175], &[-1]),
        range("loans", LOAN, "version", &[1], &[0]),
        codes(
            "loan_events",
            EVENT,
            "from_status",
            strs(LoanStatus::ALL, LoanStatus::as_str),
            true,
        ),
        codes(
            "loan_events",
            EVENT,
            "to_status",
            strs(LoanStatus::ALL, LoanStatus::as_str),
            false,
        ),
        range("loan_events", EVENT, "amount_fen", &[0, 1], &[-1]),
        codes(
            "import_jobs",
            "id = 'chk-job'",
            "state",
            strs(shared::api::JobState::ALL, shared::api::JobState::as_str),
            false,
        ),
        range(
            "import_jobs",
            "id = 'chk-job'",
            "error_count",
            &[0, 1],
            &[-1],
        ),
        owner_types(ATTACHMENT),
        codes(
            "attachments",
            ATTACHMENT,
            "content_type",
            strs(ContentType::ALL, ContentType::as_str),
            false,
        ),
        range(
            "attachments",
            ATTACHMENT,
            "size_bytes",
            &[1, 10_000_000],
            &[0, -1],
        ),
        range(
            "attachments",
            ATTACHMENT,
            "latitude",
            &[-90, 90, 27],
            &[-91, 91],
        ),
        range(
            "attachments",
            ATTACHMENT,
            "longitude",
            &[-180, 180, 112],
            &[-181, 181],
        ),
        range("attachments", ATTACHMENT, "width", &[1, 4000], &[0, -1]),
        range("attachments", ATTACHMENT, "height", &[1, 3000], &[0, -1]),
        Case {
            table: "attachments",
            row: ATTACHMENT,
            column: "sha256",
            accepted: vec![lit(&"a".repeat(64))],
            refused: vec![lit("abc"), lit(&"a".repeat(65))],
            listed: None,
        },
    ]);
    cases.extend(rehab_cases());
    cases.extend(retrofit_cases());
    cases.extend(care_cases());
    cases.extend(petition_cases());
    cases.extend(plan_cases());
    cases.extend(rectification_cases());
    cases.extend(visit_cases());
    cases.extend(survey_cases());
    cases.extend(supervision_cases());
    cases.extend(duties_cases());
    cases
}

/// The county lists', canteen purchases' and fund allocations' constrained columns.
fn duties_cases() -> Vec<Case> {
    use shared::duties::{
        AllocationStatus, CountyList, SupportKind, TypicalCaseStatus, TypicalCaseSubject,
    };
    const ALLOCATION: &str = "id = 'chk-allocation'";
    const CASE: &str = "id = 'chk-case'";
    // `subject` is tied to `person_id` and `base_id`: on a row naming neither, `person`
    // and `base` are refused by the tie, as the bogus values are.
    let mut subject = codes(
        "publicity_cases",
        CASE,
        "subject",
        strs(TypicalCaseSubject::ALL, TypicalCaseSubject::as_str),
        false,
    );
    subject.accepted.retain(|v| v == "'work'");
    subject.refused.extend([lit("person"), lit("base")]);
    vec![
        codes(
            "county_lists",
            "county_code = '430381'",
            "list",
            strs(CountyList::ALL, CountyList::as_str),
            false,
        ),
        codes(
            "fund_allocations",
            ALLOCATION,
            "status",
            strs(AllocationStatus::ALL, AllocationStatus::as_str),
            false,
        ),
        range(
            "canteen_purchases",
            "id = 'chk-purchase'",
            "amount_fen",
            &[1, 1_000_000_000],
            &[0, -1, 1_000_000_001],
        ),
        range(
            "fund_allocations",
            ALLOCATION,
            "uplift_bp",
            &[0, 10_000],
            &[-1, 10_001],
        ),
        range("fund_allocations", ALLOCATION, "total_fen", &[1], &[0]),
        codes(
            "support_entries",
            "id = 'chk-support'",
            "kind",
            strs(SupportKind::ALL, SupportKind::as_str),
            false,
        ),
        codes(
            "publicity_cases",
            CASE,
            "status",
            strs(TypicalCaseStatus::ALL, TypicalCaseStatus::as_str),
            false,
        ),
        subject,
        codes(
            "agency_list_rows",
            "list_id = 'chk-list'",
            "receipt",
            strs(
                shared::crosscheck::Receipt::ALL,
                shared::crosscheck::Receipt::as_str,
            ),
            false,
        ),
        range(
            "crosscheck_rules",
            "year = 2020",
            "max_level",
            &[1, 4],
            &[0, 5],
        ),
    ]
}

/// The pairing and visit tables' constrained columns.
fn visit_cases() -> Vec<Case> {
    use shared::visits::{CheckResult, VisitCheckItem, VisitMode, VisitPolicy};
    const PAIRING: &str = "id = 'chk-pairing'";
    vec![
        codes(
            "visits",
            "id = 'chk-visit'",
            "mode",
            strs(VisitMode::ALL, VisitMode::as_str),
            false,
        ),
        codes(
            "visit_checks",
            "visit_id = 'chk-visit'",
            "item",
            strs(VisitCheckItem::ALL, VisitCheckItem::as_str),
            false,
        ),
        codes(
            "visit_checks",
            "visit_id = 'chk-visit'",
            "result",
            strs(CheckResult::ALL, CheckResult::as_str),
            false,
        ),
        codes(
            "visit_policies",
            "visit_id = 'chk-visit'",
            "policy",
            strs(VisitPolicy::ALL, VisitPolicy::as_str),
            false,
        ),
        Case {
            table: "pairings",
            row: PAIRING,
            column: "to_on",
            accepted: vec![lit("2020-01-01"), lit("2021-01-01"), "NULL".into()],
            refused: vec![lit("2019-12-31")],
            listed: None,
        },
        range("pairings", PAIRING, "version", &[1], &[0]),
    ]
}

/// The survey and monitoring tables' constrained columns.
fn survey_cases() -> Vec<Case> {
    use shared::monitoring::{IncomeChange, RiskLevel};
    use shared::visits::{VisitCheckItem, VisitPolicy};
    const ROUND: &str = "id = 'chk-round'";
    vec![
        codes(
            "survey_checks",
            "survey_id = 'chk-survey'",
            "item",
            strs(VisitCheckItem::ALL, VisitCheckItem::as_str),
            false,
        ),
        Case {
            table: "survey_checks",
            row: "survey_id = 'chk-survey'",
            column: "result",
            // A problem carries its note and its rectification item.
            accepted: vec![lit("ok")],
            refused: vec![lit("problem"), lit("bad")],
            listed: None,
        },
        codes(
            "survey_policies",
            "survey_id = 'chk-survey'",
            "policy",
            strs(VisitPolicy::ALL, VisitPolicy::as_str),
            false,
        ),
        Case {
            table: "survey_rounds",
            row: ROUND,
            column: "to_on",
            accepted: vec![lit("2020-03-01"), lit("2021-01-01")],
            refused: vec![lit("2020-02-29")],
            listed: None,
        },
        Case {
            table: "survey_rounds",
            row: ROUND,
            column: "area_code",
            accepted: vec![lit("43"), lit("4303"), lit("430381")],
            refused: vec![lit("43038")],
            listed: None,
        },
        range("surveys", "id = 'chk-survey'", "version", &[1], &[0]),
        range(
            "household_plan_measures",
            "plan_id = 'chk-plan'",
            "seq",
            &[0, 7],
            &[-1],
        ),
        codes(
            "monitoring_visits",
            "id = 'chk-monitoring'",
            "income_change",
            strs(IncomeChange::ALL, IncomeChange::as_str),
            false,
        ),
        codes(
            "monitoring_visits",
            "id = 'chk-monitoring'",
            "risk_level",
            strs(RiskLevel::ALL, RiskLevel::as_str),
            false,
        ),
        range(
            "visit_cadences",
            "risk_level = 'high'",
            "days",
            &[1, 366],
            &[0, 367],
        ),
    ]
}

/// The supervision tables' constrained columns (inspections, stationings, clues).
fn supervision_cases() -> Vec<Case> {
    use shared::supervision::{ClueKind, ClueSource, ClueStatus, InspectionStatus};
    use shared::visits::{CheckResult, VisitCheckItem, VisitPolicy};
    const INSPECTION: &str = "id = 'chk-inspection'";
    const CLUE: &str = "id = 'chk-clue'";
    vec![
        codes(
            "inspections",
            INSPECTION,
            "status",
            strs(InspectionStatus::ALL, InspectionStatus::as_str),
            false,
        ),
        codes(
            "inspection_checks",
            "inspection_id = 'chk-inspection'",
            "item",
            strs(VisitCheckItem::ALL, VisitCheckItem::as_str),
            false,
        ),
        codes(
            "inspection_checks",
            "inspection_id = 'chk-inspection'",
            "result",
            strs(CheckResult::ALL, CheckResult::as_str),
            false,
        ),
        codes(
            "inspection_policies",
            "inspection_id = 'chk-inspection'",
            "policy",
            strs(VisitPolicy::ALL, VisitPolicy::as_str),
            false,
        ),
        range(
            "inspections",
            INSPECTION,
            "households_visited",
            &[0, 100_000],
            &[-1, 100_001],
        ),
        codes(
            "clues",
            CLUE,
            "source",
            strs(ClueSource::ALL, ClueSource::as_str),
            false,
        ),
        codes(
            "clues",
            CLUE,
            "kind",
            strs(ClueKind::ALL, ClueKind::as_str),
            false,
        ),
        codes(
            "clues",
            CLUE,
            "status",
            strs(ClueStatus::ALL, ClueStatus::as_str),
            false,
        ),
        Case {
            table: "stationings",
            row: "id = 'chk-stationing'",
            column: "to_on",
            accepted: vec![lit("2020-03-01"), "NULL".into()],
            refused: vec![lit("2020-02-28")],
            listed: None,
        },
    ]
}

/// The rectification tables' constrained columns.
fn rectification_cases() -> Vec<Case> {
    use shared::rectification::{
        ProblemCategory, ProblemSource, RectificationActionKind, RectificationStatus,
    };
    const ITEM: &str = "id = 'chk-rectification'";
    const EVENT: &str = "id = 'chk-rectification-event'";
    let statuses = || strs(RectificationStatus::ALL, RectificationStatus::as_str);
    // The status is tied to `duplicate_of` and `long_term_plan`: the statuses are tried
    // on an item without either, except `duplicate` and `long_term`.
    let mut status = codes("rectification_items", ITEM, "status", statuses(), false);
    status.accepted = [
        "open",
        "assigned",
        "rectifying",
        "submitted",
        "rechecked",
        "closed",
    ]
    .into_iter()
    .map(lit)
    .collect();
    vec![
        codes(
            "rectification_items",
            ITEM,
            "source",
            strs(ProblemSource::ALL, ProblemSource::as_str),
            false,
        ),
        codes(
            "rectification_items",
            ITEM,
            "category",
            strs(ProblemCategory::ALL, ProblemCategory::as_str),
            false,
        ),
        status,
        range(
            "rectification_items",
            ITEM,
            "measure",
            &[1, 22, 99],
            &[0, 100],
        ),
        range("rectification_items", ITEM, "reopen_count", &[0, 3], &[-1]),
        range(
            "rectification_items",
            ITEM,
            "recheck_failures",
            &[0, 3],
            &[-1],
        ),
        range("rectification_items", ITEM, "version", &[1], &[0]),
        Case {
            table: "rectification_items",
            row: ITEM,
            column: "deadline",
            accepted: vec![lit("2020-03-01"), lit("2020-05-01")],
            refused: vec![lit("2020-02-28")],
            listed: None,
        },
        Case {
            table: "rectification_items",
            row: ITEM,
            column: "duplicate_of",
            accepted: vec!["NULL".into()],
            refused: vec![lit("chk-rectification")],
            listed: None,
        },
        codes(
            "rectification_events",
            EVENT,
            "action",
            strs(
                RectificationActionKind::ALL,
                RectificationActionKind::as_str,
            ),
            true,
        ),
        codes(
            "rectification_events",
            EVENT,
            "from_status",
            statuses(),
            true,
        ),
        codes(
            "rectification_events",
            EVENT,
            "to_status",
            statuses(),
            false,
        ),
    ]
}

/// The plan tables' constrained columns (on the seeded 2020 plan, and a period report
/// of the fixtures).
fn plan_cases() -> Vec<Case> {
    use shared::plan::{
        Aggregation, Deliverer, IndicatorKind, IndicatorSource, PeriodKind, PlanStatus,
        ReportAction, ReportStatus, UnitPart,
    };
    const PLAN: &str = "year = 2020";
    const IND: &str = "code = 'sales_fairs'";
    const REPORT: &str = "unit_code = '430381' AND period = '2020'";
    // `kind` and `aggregation` are tied (ratio ⇔ ratio_of_sums), and so are `source`
    // and `computation`: each is tried on a row where every value but the tied one
    // passes, and that one is refused by the tie, as the bogus values are.
    let mut kind = codes(
        "indicators",
        IND,
        "kind",
        strs(IndicatorKind::ALL, IndicatorKind::as_str),
        false,
    );
    kind.accepted.retain(|v| v != "'ratio'");
    kind.refused.push(lit("ratio"));
    let mut source = codes(
        "indicators",
        IND,
        "source",
        strs(IndicatorSource::ALL, IndicatorSource::as_str),
        false,
    );
    source.accepted.retain(|v| v != "'computed'");
    source.refused.push(lit("computed"));
    let mut aggregation = codes(
        "indicators",
        IND,
        "aggregation",
        strs(Aggregation::ALL, Aggregation::as_str),
        false,
    );
    aggregation.accepted.retain(|v| v != "'ratio_of_sums'");
    aggregation.refused.push(lit("ratio_of_sums"));
    vec![
        codes(
            "plans",
            PLAN,
            "status",
            strs(PlanStatus::ALL, PlanStatus::as_str),
            false,
        ),
        range("plans", PLAN, "version", &[1], &[0]),
        codes(
            "measure_units",
            "plan_year = 2020 AND number = 13 AND unit_code = '43.employment_centre'",
            "part",
            strs(UnitPart::ALL, UnitPart::as_str),
            false,
        ),
        range(
            "plan_measures",
            "plan_year = 2020 AND number = 1",
            "section",
            &[1, 9],
            &[0, 10],
        ),
        kind,
        source,
        aggregation,
        codes(
            "indicators",
            IND,
            "period_kind",
            strs(PeriodKind::ALL, PeriodKind::as_str),
            false,
        ),
        range(
            "targets",
            "indicator = 'trained_poor_persons' AND unit_code = '43' AND period = '2020'",
            "value",
            &[0, 10_000_000_000_000],
            &[-1, 10_000_000_000_001],
        ),
        codes(
            "milestones",
            "id = '0193a000-2020-7000-8000-000000000001'",
            "deliverer",
            strs(Deliverer::ALL, Deliverer::as_str),
            false,
        ),
        codes(
            "period_reports",
            REPORT,
            "status",
            strs(ReportStatus::ALL, ReportStatus::as_str),
            false,
        ),
        codes(
            "period_reports",
            REPORT,
            "last_action",
            strs(ReportAction::ALL, ReportAction::as_str),
            true,
        ),
    ]
}

/// The owner kinds of attachments: the enum's, and those the CHECK lists ahead of their
/// modules' variants (one table rebuild for several): `care_placement`, and the
/// supervision ledgers' `visit`, `inspection` and `petition`.
fn owner_types(row: &'static str) -> Case {
    let mut kinds = strs(OwnerKind::ALL, OwnerKind::as_str);
    for ahead in [
        "care_placement",
        "visit",
        "inspection",
        "petition",
        "survey",
    ] {
        if !kinds.contains(&ahead) {
            kinds.push(ahead);
        }
    }
    codes("attachments", row, "owner_type", kinds, false)
}

/// The petition tables' constrained columns.
fn petition_cases() -> Vec<Case> {
    use shared::petitions::{PetitionCategory, PetitionChannel, PetitionStatus};
    use shared::retrofit::Satisfaction;
    const PETITION: &str = "id = 'chk-petition'";
    const EVENT: &str = "id = 'chk-petition-event'";
    let channels = || strs(PetitionChannel::ALL, PetitionChannel::as_str);
    let statuses = || strs(PetitionStatus::ALL, PetitionStatus::as_str);
    vec![
        codes("petitions", PETITION, "channel", channels(), false),
        codes(
            "petitions",
            PETITION,
            "category",
            strs(PetitionCategory::ALL, PetitionCategory::as_str),
            false,
        ),
        codes("petitions", PETITION, "status", statuses(), false),
        codes(
            "petitions",
            PETITION,
            "satisfaction",
            strs(Satisfaction::ALL, Satisfaction::as_str),
            true,
        ),
        range("petitions", PETITION, "year", &[2000, 2100], &[1999, 2101]),
        range("petitions", PETITION, "reopened", &[0, 100], &[-1, 101]),
        codes("petition_events", EVENT, "from_status", statuses(), true),
        codes("petition_events", EVENT, "to_status", statuses(), false),
        // The channel is the key: only its own value is tried on the row (the others
        // are taken by their rows), the list still compared with the enum.
        Case {
            accepted: vec![lit("letter")],
            ..codes(
                "petition_deadlines",
                "channel = 'letter'",
                "channel",
                channels(),
                false,
            )
        },
        range(
            "petition_deadlines",
            "channel = 'letter'",
            "accept_days",
            &[1, 90],
            &[0, 91],
        ),
        range(
            "petition_deadlines",
            "channel = 'letter'",
            "reply_days",
            &[1, 180],
            &[0, 181],
        ),
    ]
}

/// The care services tables' constrained columns.
fn care_cases() -> Vec<Case> {
    use shared::care::{CareMode, CarerSituation, EndReason, Funder, PlacementStatus};
    use shared::care::{ProviderKind, SelfCareLevel};
    const PROVIDER: &str = "id = 'chk-provider'";
    const ASSESSMENT: &str = "id = 'chk-care-assessment'";
    const PLACEMENT: &str = "id = 'chk-placement'";
    const EVENT: &str = "id = 'chk-placement-event'";
    let modes = || strs(CareMode::ALL, CareMode::as_str);
    let statuses = || strs(PlacementStatus::ALL, PlacementStatus::as_str);
    // The status is tied to the end reason (an ended placement has one), so the
    // statuses are tried on a placement without one, except `ended`.
    let mut status = codes("care_placements", PLACEMENT, "status", statuses(), false);
    status.accepted = ["referred", "assessed", "approved", "active", "suspended"]
        .into_iter()
        .map(lit)
        .collect();
    let mut reason = codes(
        "care_placements",
        PLACEMENT,
        "end_reason",
        strs(EndReason::ALL, EndReason::as_str),
        true,
    );
    reason.accepted = vec!["NULL".into()];
    vec![
        codes(
            "care_providers",
            PROVIDER,
            "kind",
            strs(ProviderKind::ALL, ProviderKind::as_str),
            false,
        ),
        range(
            "care_providers",
            PROVIDER,
            "places",
            &[1, 10_000],
            &[0, 10_001],
        ),
        codes(
            "care_assessments",
            ASSESSMENT,
            "self_care",
            strs(SelfCareLevel::ALL, SelfCareLevel::as_str),
            false,
        ),
        codes(
            "care_assessments",
            ASSESSMENT,
            "carer",
            strs(CarerSituation::ALL, CarerSituation::as_str),
            false,
        ),
        codes(
            "care_assessments",
            ASSESSMENT,
            "preferred_mode",
            modes(),
            false,
        ),
        codes("care_placements", PLACEMENT, "mode", modes(), false),
        codes(
            "care_placements",
            PLACEMENT,
            "funder",
            strs(Funder::ALL, Funder::as_str),
            false,
        ),
        status,
        reason,
        range(
            "care_placements",
            PLACEMENT,
            "monthly_subsidy_fen",
            &[0, 1_000_000],
            &[-1, 1_000_001],
        ),
        codes(
            "care_placement_events",
            EVENT,
            "from_status",
            statuses(),
            true,
        ),
        codes(
            "care_placement_events",
            EVENT,
            "to_status",
            statuses(),
            false,
        ),
        range(
            "care_service_logs",
            "id = 'chk-service-log'",
            "hours",
            &[1, 24],
            &[0, 25],
        ),
        range(
            "care_settings",
            "year = 2020",
            "served_days",
            &[1, 366],
            &[0, 367],
        ),
        range(
            "care_targets",
            "year = 2020 AND unit_code = '43'",
            "persons",
            &[0, 3000],
            &[-1],
        ),
    ]
}

/// The retrofit tables' constrained columns.
fn retrofit_cases() -> Vec<Case> {
    use shared::rehab::NeedSource;
    use shared::retrofit::{CaseActionKind, CaseStatus, ItemResult, LinkedProgramme, Satisfaction};
    const CASE: &str = "id = 'chk-retrofit'";
    const LINE: &str = "id = 'chk-plan-item'";
    const EVENT: &str = "id = 'chk-retrofit-event'";
    let statuses = || strs(CaseStatus::ALL, CaseStatus::as_str);
    let mut actions = strs(CaseActionKind::ALL, CaseActionKind::as_str);
    // Events that are not workflow steps.
    actions.extend(["edit_plan", "add_members"]);
    let results = || strs(ItemResult::ALL, ItemResult::as_str);
    vec![
        codes("retrofit_cases", CASE, "status", statuses(), false),
        codes(
            "retrofit_cases",
            CASE,
            "source",
            strs(NeedSource::ALL, NeedSource::as_str),
            false,
        ),
        codes(
            "retrofit_cases",
            CASE,
            "linked_programme",
            strs(LinkedProgramme::ALL, LinkedProgramme::as_str),
            false,
        ),
        range("retrofit_cases", CASE, "year", &[2000, 2100], &[1999, 2101]),
        range("retrofit_cases", CASE, "plan_total_fen", &[0, 1], &[-1]),
        range("retrofit_cases", CASE, "actual_total_fen", &[0, 1], &[-1]),
        range("retrofit_cases", CASE, "version", &[1], &[0]),
        range("retrofit_plan_items", LINE, "quantity", &[1], &[0, 101]),
        range(
            "retrofit_plan_items",
            LINE,
            "line_total_fen",
            &[100],
            &[99, 101],
        ),
        range(
            "retrofit_plan_items",
            LINE,
            "actual_cost_fen",
            &[0, 1_000_000_000],
            &[-1, 1_000_000_001],
        ),
        codes("retrofit_plan_items", LINE, "result", results(), true),
        codes(
            "retrofit_acceptance_items",
            "acceptance_id = 'chk-acceptance'",
            "result",
            results(),
            false,
        ),
        codes(
            "retrofit_acceptances",
            "id = 'chk-acceptance'",
            "satisfaction",
            strs(Satisfaction::ALL, Satisfaction::as_str),
            true,
        ),
        range(
            "retrofit_acceptances",
            "id = 'chk-acceptance'",
            "round",
            &[1, 2],
            &[0],
        ),
        codes(
            "retrofit_case_photos",
            "attachment_id = 'chk-photo'",
            "side",
            ["before", "after"],
            false,
        ),
        codes("retrofit_case_events", EVENT, "action", actions, true),
        codes(
            "retrofit_case_events",
            EVENT,
            "from_status",
            statuses(),
            true,
        ),
        codes(
            "retrofit_case_events",
            EVENT,
            "to_status",
            statuses(),
            false,
        ),
        codes(
            "retrofit_items",
            "code = 'ramp'",
            "serves",
            strs(DisabilityCategory::ALL, DisabilityCategory::as_str),
            true,
        ),
        range(
            "retrofit_caps",
            "year = 2020",
            "cap_fen",
            &[0, 100_000_000],
            &[-1, 100_000_001],
        ),
    ]
}

/// The rehabilitation tables' constrained columns.
fn rehab_cases() -> Vec<Case> {
    use shared::rehab::{AcceptedBy, AssessmentResult, FollowUpResult, NeedKind, NeedSource};
    use shared::rehab::{NeedStatus, RehabProject, Side};
    const NEED: &str = "id = 'chk-need'";
    const FITTING: &str = "id = 'chk-fitting'";
    const EPISODE: &str = "id = 'chk-episode'";
    const ITEM: &str = "id = 'chk-item'";
    let statuses = || strs(NeedStatus::ALL, NeedStatus::as_str);
    let projects = || strs(RehabProject::ALL, RehabProject::as_str);
    // The need's kind is tied to its item (a device need names one), so the kind's
    // values are tried on a need without an item, except `device`.
    let mut kind = codes(
        "rehab_needs",
        NEED,
        "kind",
        strs(NeedKind::ALL, NeedKind::as_str),
        false,
    );
    kind.accepted = vec![lit("device")];
    vec![
        kind,
        codes("rehab_needs", NEED, "project", projects(), false),
        codes(
            "rehab_needs",
            NEED,
            "source",
            strs(NeedSource::ALL, NeedSource::as_str),
            false,
        ),
        codes("rehab_needs", NEED, "status", statuses(), false),
        codes(
            "rehab_needs",
            NEED,
            "result",
            strs(AssessmentResult::ALL, AssessmentResult::as_str),
            true,
        ),
        range("rehab_needs", NEED, "year", &[2000, 2100], &[1999, 2101]),
        codes(
            "device_fittings",
            FITTING,
            "side",
            strs(Side::ALL, Side::as_str),
            false,
        ),
        codes(
            "device_fittings",
            FITTING,
            "accepted_by",
            strs(AcceptedBy::ALL, AcceptedBy::as_str),
            true,
        ),
        range("device_fittings", FITTING, "quantity", &[1], &[0, 21]),
        range(
            "device_fittings",
            FITTING,
            "subsidy_fen",
            &[100],
            &[-1, 101],
        ),
        codes(
            "device_follow_ups",
            "id = 'chk-follow-up'",
            "result",
            strs(FollowUpResult::ALL, FollowUpResult::as_str),
            false,
        ),
        codes(
            "rehab_need_events",
            "id = 'chk-need-event'",
            "from_status",
            statuses(),
            true,
        ),
        codes(
            "rehab_need_events",
            "id = 'chk-need-event'",
            "to_status",
            statuses(),
            false,
        ),
        codes("rehab_episodes", EPISODE, "project", projects(), false),
        codes(
            "rehab_episodes",
            EPISODE,
            "category",
            strs(DisabilityCategory::ALL, DisabilityCategory::as_str),
            false,
        ),
        range("rehab_episodes", EPISODE, "months", &[0, 12], &[-1, 13]),
        range("rehab_episodes", EPISODE, "monthly_fen", &[0], &[-1]),
        range(
            "device_items",
            ITEM,
            "service_life_years",
            &[1, 20],
            &[0, 21],
        ),
        range("device_items", ITEM, "max_level", &[1, 4], &[0, 5]),
        range(
            "device_caps",
            "item_id = 'chk-item' AND year = 2020",
            "cap_fen",
            &[0, 100_000_000],
            &[-1, 100_000_001],
        ),
    ]
}

async fn enum_columns_accept_exactly_the_enum(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut conn = app.conn();
    let conn: &mut DbConn = &mut conn;
    conn.batch_execute(FIXTURES)
        .unwrap_or_else(|e| panic!("fixtures: {e}"));
    for case in cases() {
        let Case {
            table, row, column, ..
        } = case;
        if let (Some(listed), DbConn::Sqlite(_)) = (&case.listed, &*conn) {
            // The one migration serves both databases, so reading its text once suffices.
            assert_eq!(
                values_listed(conn, table, column),
                listed
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<BTreeSet<_>>(),
                "values the migration lists for {table}.{column} (left) and the enum (right)"
            );
        }
        for value in &case.accepted {
            let sql = format!("UPDATE {table} SET {column} = {value} WHERE {row}");
            assert_eq!(
                diesel::sql_query(&sql)
                    .execute(conn)
                    .map_err(|e| e.to_string()),
                Ok(1),
                "{backend:?} must accept {sql}"
            );
        }
        for value in &case.refused {
            let sql = format!("UPDATE {table} SET {column} = {value} WHERE {row}");
            match diesel::sql_query(&sql).execute(conn) {
                Err(Error::DatabaseError(DatabaseErrorKind::CheckViolation, _)) => {}
                other => panic!("{backend:?} must refuse {sql} by a check, got {other:?}"),
            }
        }
    }
}

/// The values a table's CHECK constraints list for `column`: those of `column IN (...)`,
/// or for a role list the `',role,'` of its REPLACE chain.
fn values_listed(conn: &mut DbConn, table: &str, column: &str) -> BTreeSet<String> {
    let ddl: String = diesel::sql_query(format!(
        "SELECT sql AS name FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
    ))
    .get_result::<DbTable>(conn)
    .unwrap_or_else(|e| panic!("{e}"))
    .name;
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let checks: Vec<&str> = ddl.split("CHECK (").skip(1).collect();
    let mut out = BTreeSet::new();
    for check in checks {
        let list = if check.contains(&format!("',' || {column} || ','")) {
            // A role list: REPLACE(... ',' || column || ',', ',admin,', ','), ...
            check
                .split(", '")
                .filter_map(|s| s.strip_prefix(',')?.split_once(",'").map(|(v, _)| v))
                .filter(|v| !v.is_empty() && v.chars().all(is_ident))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        } else {
            let pattern = format!("{column} IN (");
            let Some(at) = check
                .find(&pattern)
                .filter(|&at| !check[..at].ends_with(is_ident))
            else {
                continue;
            };
            let rest = &check[at + pattern.len()..];
            rest[..rest.find(')').unwrap_or(rest.len())]
                .split(", ")
                .map(|v| v.trim_matches('\'').to_owned())
                .collect()
        };
        out.extend(list);
    }
    out
}

/// A column as `schema.rs` or the database describes it: normalised type, nullable.
type Columns = BTreeMap<String, (String, bool)>;

/// One table as `schema.rs` declares it.
struct Declared {
    name: &'static str,
    columns: Columns,
    /// Selects every declared column through diesel.
    select: fn(&mut DbConn) -> QueryResult<usize>,
}

/// The column names of a diesel `SELECT` (as PostgreSQL SQL) and the Rust name of its
/// SQL type (a tuple of `diesel::sql_types`), zipped.
fn declared_columns(sql: &str, sql_type: &str) -> Columns {
    let list = sql
        .strip_prefix("SELECT ")
        .and_then(|s| s.split(" FROM ").next())
        .unwrap_or_else(|| panic!("unexpected SQL {sql}"));
    let names: Vec<String> = list
        .split(", ")
        .map(|c| {
            c.rsplit('.')
                .next()
                .unwrap_or(c)
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    let types: Vec<(String, bool)> = sql_type
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(", ")
        .map(|t| {
            let t = t.replace("diesel::sql_types::", "");
            match t
                .strip_prefix("Nullable<")
                .and_then(|t| t.strip_suffix('>'))
            {
                Some(inner) => (inner.to_owned(), true),
                None => (t, false),
            }
        })
        .collect();
    assert_eq!(names.len(), types.len(), "{sql} / {sql_type}");
    names.into_iter().zip(types).collect()
}

/// Every table of `schema.rs`, with its declared columns.
macro_rules! declared {
    ($($table:ident),* $(,)?) => {
        vec![$({
            use super::schema::$table as t;
            Declared {
                name: stringify!($table),
                columns: declared_columns(
                    &diesel::debug_query::<diesel::pg::Pg, _>(
                        &t::table.select(t::all_columns),
                    )
                    .to_string(),
                    std::any::type_name::<
                        <<t::table as diesel::Table>::AllColumns as diesel::Expression>::SqlType,
                    >(),
                ),
                select: |c| t::table.select(t::all_columns).limit(1).execute(c),
            }
        }),*]
    };
}

/// A column as the database reports it.
#[derive(QueryableByName, Debug)]
struct DbColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// A table name as the database reports it.
#[derive(QueryableByName, Debug)]
struct DbTable {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The diesel SQL type a declared database type maps to.
fn normalise(db_type: &str) -> String {
    match db_type.to_ascii_lowercase().as_str() {
        "text" => "Text",
        "integer" => "Integer",
        "bigint" => "BigInt",
        "boolean" => "Bool",
        "bytea" => "Binary",
        "double precision" => "Double",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        other => return format!("unmapped database type {other}"),
    }
    .to_owned()
}

fn database_tables(conn: &mut DbConn) -> BTreeSet<String> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        DbConn::Pg(_) => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql)
        .load::<DbTable>(conn)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|t| t.name)
        .collect()
}

fn database_columns(conn: &mut DbConn, table: &str) -> Columns {
    let sql = match conn {
        DbConn::Sqlite(_) => format!(
            "SELECT name, type AS data_type, \
             CASE WHEN \"notnull\" = 0 THEN 'YES' ELSE 'NO' END AS is_nullable \
             FROM pragma_table_info('{table}')"
        ),
        DbConn::Pg(_) => format!(
            "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS data_type, \
             CAST(is_nullable AS TEXT) AS is_nullable FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
    };
    diesel::sql_query(sql)
        .load::<DbColumn>(conn)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|c| (c.name, (normalise(&c.data_type), c.is_nullable == "YES")))
        .collect()
}

/// The tables `schema.rs` declares, read from its source.
fn schema_rs_tables() -> BTreeSet<String> {
    let source = include_str!("schema.rs");
    let mut lines = source.lines();
    let mut out = BTreeSet::new();
    while let Some(line) = lines.next() {
        if line.trim() == "diesel::table! {" {
            if let Some(name) = lines.next().and_then(|l| l.split_whitespace().next()) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

async fn schema_rs_matches_the_database(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut conn = app.conn();
    let conn: &mut DbConn = &mut conn;
    let declared = declared!(
        org_units,
        towns,
        villages,
        users,
        login_attempts,
        sessions,
        refresh_tokens,
        persons,
        audit_log,
        programme_years,
        city_allocations,
        training_courses,
        enrolments,
        employment_bases,
        base_employees,
        loans,
        loan_events,
        import_jobs,
        server_instances,
        sync_changes,
        sync_epoch,
        device_codes,
        device_items,
        device_caps,
        rehab_needs,
        device_fittings,
        device_follow_ups,
        rehab_need_events,
        rehab_episodes,
        rehab_targets,
        attachments,
        retrofit_items,
        retrofit_caps,
        retrofit_cases,
        retrofit_case_members,
        retrofit_plan_items,
        retrofit_acceptances,
        retrofit_acceptance_items,
        retrofit_case_photos,
        retrofit_case_events,
        care_providers,
        care_assessments,
        care_placements,
        care_placement_events,
        care_service_logs,
        care_settings,
        care_targets,
        petition_deadlines,
        petitions,
        petition_events,
        plans,
        plan_measures,
        measure_units,
        indicators,
        targets,
        milestones,
        milestone_submissions,
        reported_values,
        period_reports,
        report_snapshots,
        lock_exceptions,
        kpi_contributions,
        kpi_totals,
        kpi_builds,
        rectification_items,
        rectification_events,
        pairings,
        visits,
        visit_checks,
        visit_policies,
        stationings,
        stationing_departments,
        stationing_logs,
        inspections,
        inspection_villages,
        inspection_checks,
        inspection_policies,
        clues,
        digest_runs,
        digest_deliveries,
        county_lists,
        canteen_purchases,
        fund_allocations,
        fund_allocation_lines,
        fund_spending,
        village_links,
        village_activities,
        support_pairs,
        support_entries,
        publicity_cases,
        crosscheck_rules,
        agency_lists,
        agency_list_rows,
        status_changes,
        certificates,
        survey_rounds,
        survey_round_units,
        surveys,
        survey_checks,
        survey_policies,
        household_plans,
        household_plan_measures,
        monitoring_visits,
        visit_cadences,
    );
    let names: BTreeSet<String> = declared.iter().map(|d| d.name.to_owned()).collect();
    assert_eq!(
        names,
        schema_rs_tables(),
        "this test's table list and schema.rs"
    );
    assert_eq!(
        database_tables(conn),
        names,
        "{backend:?}: the migrations' tables and schema.rs"
    );
    for table in &declared {
        assert_eq!(
            database_columns(conn, table.name),
            table.columns,
            "{backend:?}: columns of {} in the database (left) and schema.rs (right)",
            table.name
        );
        (table.select)(conn).unwrap_or_else(|e| {
            panic!("{backend:?}: selecting every column of {}: {e}", table.name)
        });
    }
}
