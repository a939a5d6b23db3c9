//! Roster spreadsheets: the template, exports (masked unless revealed with a reason,
//! always audited) and imports (validate every row, report every problem, then commit
//! all or nothing), run as background jobs with progress.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::api::AuditAction;
use shared::employment::{EnrolmentStatus, EnrolmentUpdate, TrainingOutcome};
use shared::IdNumber;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::AuthUser;
use crate::db::schema::{enrolments, persons};
use crate::db::{now, today, write_tx, DbConn, DbPool};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::tabular::Table;

/// The roster columns, in template order.
pub const COLUMNS: [&str; 7] = [
    "身份证号",
    "姓名",
    "状态",
    "参训课时",
    "结业日期",
    "是否取得证书",
    "培训后就业情况",
];

fn status_label(s: EnrolmentStatus) -> &'static str {
    match s {
        EnrolmentStatus::Enrolled => "在训",
        EnrolmentStatus::Completed => "结业",
        EnrolmentStatus::Dropped => "退训",
    }
}

fn outcome_label(o: TrainingOutcome) -> &'static str {
    match o {
        TrainingOutcome::Employed => "就业",
        TrainingOutcome::SelfEmployed => "自主创业",
        TrainingOutcome::ProductionIncreased => "增产增收",
        TrainingOutcome::None => "无",
    }
}

/// The empty template with its Chinese headers and one example row of the right shapes.
pub fn template() -> Table {
    let labels = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    Table {
        choices: vec![
            (
                2,
                labels(
                    EnrolmentStatus::ALL
                        .iter()
                        .map(|s| status_label(*s))
                        .collect(),
                ),
            ),
            (5, labels(vec!["是", "否"])),
            (
                6,
                labels(
                    TrainingOutcome::ALL
                        .iter()
                        .map(|o| outcome_label(*o))
                        .collect(),
                ),
            ),
        ],
        headers: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: Vec::new(),
    }
}

/// A roster as a table. `full_numbers` maps person id to the full identity number when
/// the exporter revealed them.
pub fn roster_table(
    roster: &[shared::employment::Enrolment],
    full_numbers: Option<&HashMap<Uuid, String>>,
) -> Table {
    let rows = roster
        .iter()
        .map(|e| {
            let id = full_numbers
                .and_then(|m| m.get(&e.person_id).cloned())
                .unwrap_or_else(|| e.person_id_number.clone());
            vec![
                id,
                e.person_name.clone(),
                status_label(e.status).to_owned(),
                e.hours_attended.to_string(),
                e.completion_date.map(|d| d.to_string()).unwrap_or_default(),
                if e.certificate_obtained { "是" } else { "否" }.to_owned(),
                e.outcome.map(outcome_label).unwrap_or_default().to_owned(),
            ]
        })
        .collect();
    Table {
        choices: Vec::new(),
        headers: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    }
}

pub use crate::jobs::{ImportStatus, JobState, RowError};

/// A checked row waiting for the commit (kept with the job in the database).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoodRow {
    person_id: String,
    update: EnrolmentUpdate,
}

/// How often a validating job records its progress (and shows it is alive).
const PROGRESS_EVERY: usize = 500;

/// Messages of row problems in Chinese and English.
fn message(code: &str, english: bool) -> String {
    let (zh, en) = match code {
        "required" => ("必填", "required"),
        "not_in_registry" => (
            "在您的工作范围内的残疾人档案中找不到此身份证号",
            "no person with this identity number in your area's registry",
        ),
        "name_mismatch" => ("姓名与档案不一致", "the name differs from the registry"),
        "duplicate_row" => ("文件中重复出现", "appears more than once in the file"),
        "already_enrolled" => ("已在本班花名册中", "already on this course's roster"),
        "invalid_status" => (
            "应为：在训、结业或退训",
            "must be 在训, 结业 or 退训 (enrolled, completed, dropped)",
        ),
        "invalid_number" => ("应为整数", "must be a whole number"),
        "invalid_date" => ("日期格式应为 2020-06-30", "dates are written 2020-06-30"),
        "invalid_yes_no" => ("应为“是”或“否”", "must be 是 or 否 (yes or no)"),
        "invalid_outcome" => (
            "应为：就业、自主创业、增产增收或无",
            "must be 就业, 自主创业, 增产增收 or 无",
        ),
        "out_of_range" => ("超出课程学时", "more than the course's hours"),
        "in_future" => ("日期晚于今天", "the date lies in the future"),
        "before_start" => ("早于开班日期", "before the course started"),
        "unexpected" => ("与状态不符", "does not fit the status"),
        "missing_column" => ("缺少此列", "this column is missing"),
        "invalid_check_character"
        | "invalid_length"
        | "invalid_characters"
        | "invalid_birth_date"
        | "birth_date_in_future" => ("身份证号无效", "not a valid identity number"),
        _ => ("无效", "invalid"),
    };
    (if english { en } else { zh }).to_owned()
}

fn parse_status(s: &str) -> Option<EnrolmentStatus> {
    match s {
        "在训" | "enrolled" => Some(EnrolmentStatus::Enrolled),
        "结业" | "completed" => Some(EnrolmentStatus::Completed),
        "退训" | "dropped" => Some(EnrolmentStatus::Dropped),
        _ => None,
    }
}

fn parse_outcome(s: &str) -> Option<Option<TrainingOutcome>> {
    match s {
        "" => Some(None),
        "就业" | "employed" => Some(Some(TrainingOutcome::Employed)),
        "自主创业" | "self_employed" => Some(Some(TrainingOutcome::SelfEmployed)),
        "增产增收" | "production_increased" => Some(Some(TrainingOutcome::ProductionIncreased)),
        "无" | "none" => Some(Some(TrainingOutcome::None)),
        _ => None,
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

/// The course facts the rows are checked against.
#[derive(Debug, Clone)]
pub struct CourseFacts {
    /// Course id.
    pub id: String,
    /// First day.
    pub start: NaiveDate,
    /// Hours.
    pub hours: i32,
    /// County (owner of the enrolments).
    pub county: String,
    /// City.
    pub city: String,
}

/// Checks every row of `table` (in a blocking thread), recording progress and every problem.
pub fn validate(
    job: Uuid,
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    course: &CourseFacts,
    table: &Table,
    english: bool,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let col = |name: &str| table.headers.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    for (i, c) in cols.iter().enumerate() {
        if c.is_none() && i != 1 {
            errors.push(RowError {
                row: 1,
                column: COLUMNS[i].into(),
                code: "missing_column".into(),
                message: message("missing_column", english),
            });
        }
    }
    if !errors.is_empty() {
        return crate::jobs::finish_validation(conn, job, &errors, &());
    }
    let cell = |row: &[String], i: usize| -> String {
        cols[i]
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let err = |errors: &mut Vec<RowError>, row: usize, col: usize, code: &str| {
        errors.push(RowError {
            row,
            column: COLUMNS[col].into(),
            code: code.into(),
            message: message(code, english),
        });
    };

    // Match identity numbers to the registry, 1,000 at a time: only persons of the
    // course's own county (inside the caller's scope) may go on its roster.
    let parsed: Vec<Result<IdNumber, &'static str>> = table
        .rows
        .iter()
        .map(|r| IdNumber::parse(&cell(r, 0), NaiveDate::MAX).map_err(|e| e.code))
        .collect();
    let hmacs: Vec<String> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|id| pii.lookup_hash(id.as_str()))
        .collect();
    let mut registry: HashMap<String, (String, String)> = HashMap::new();
    for chunk in hmacs.chunks(1000) {
        let found: Vec<(String, String, String)> = crate::persons::queries::live(&user.scope)
            .filter(persons::county_code.eq(&course.county))
            .filter(persons::id_number_hmac.eq_any(chunk))
            .select((persons::id_number_hmac, persons::id, persons::name))
            .load(conn)?;
        registry.extend(found.into_iter().map(|(h, id, name)| (h, (id, name))));
    }
    let on_roster: HashSet<String> = enrolments::table
        .filter(enrolments::course_id.eq(&course.id))
        .filter(enrolments::deleted_at.is_null())
        .select(enrolments::person_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();

    let mut seen = HashSet::new();
    let mut good = Vec::with_capacity(table.rows.len());
    let today = today();
    for (i, row) in table.rows.iter().enumerate() {
        let n = i + 2;
        let before = errors.len();
        let person = match &parsed[i] {
            Err(_) if cell(row, 0).is_empty() => {
                err(&mut errors, n, 0, "required");
                None
            }
            Err(code) => {
                err(&mut errors, n, 0, code);
                None
            }
            Ok(id) => match registry.get(&pii.lookup_hash(id.as_str())) {
                None => {
                    err(&mut errors, n, 0, "not_in_registry");
                    None
                }
                Some((pid, name)) => {
                    let given = cell(row, 1);
                    if !given.is_empty() && given != *name {
                        err(&mut errors, n, 1, "name_mismatch");
                    }
                    if !seen.insert(pid.clone()) {
                        err(&mut errors, n, 0, "duplicate_row");
                    } else if on_roster.contains(pid) {
                        err(&mut errors, n, 0, "already_enrolled");
                    }
                    Some(pid.clone())
                }
            },
        };
        let status = parse_status(&cell(row, 2));
        if status.is_none() {
            err(&mut errors, n, 2, "invalid_status");
        }
        let hours = match cell(row, 3).as_str() {
            "" => Some(0),
            h => h.parse::<i32>().ok(),
        };
        if hours.is_none() {
            err(&mut errors, n, 3, "invalid_number");
        }
        let date = match cell(row, 4).as_str() {
            "" => Some(None),
            d => parse_date(d).map(Some),
        };
        if date.is_none() {
            err(&mut errors, n, 4, "invalid_date");
        }
        let cert = match cell(row, 5).as_str() {
            "" | "否" | "no" | "false" | "0" => Some(false),
            "是" | "yes" | "true" | "1" => Some(true),
            _ => None,
        };
        if cert.is_none() {
            err(&mut errors, n, 5, "invalid_yes_no");
        }
        let outcome = parse_outcome(&cell(row, 6));
        if outcome.is_none() {
            err(&mut errors, n, 6, "invalid_outcome");
        }
        if let (Some(status), Some(hours), Some(date), Some(cert), Some(outcome)) =
            (status, hours, date, cert, outcome)
        {
            let update = EnrolmentUpdate {
                version: 0,
                status,
                hours_attended: hours,
                completion_date: date,
                certificate_obtained: cert,
                outcome,
            };
            if let Err(field_errors) = update.validate(today, course.start, course.hours) {
                for f in field_errors {
                    let c = match f.field.as_str() {
                        "hours_attended" => 3,
                        "completion_date" => 4,
                        "certificate_obtained" => 5,
                        _ => 2,
                    };
                    err(&mut errors, n, c, &f.code);
                }
            }
            if let (Some(pid), true) = (person, errors.len() == before) {
                good.push(GoodRow {
                    person_id: pid,
                    update,
                });
            }
        }
        if (i + 1) % PROGRESS_EVERY == 0 {
            crate::jobs::progress(conn, job, i + 1)?;
        }
    }
    crate::jobs::finish_validation(conn, job, &errors, &good)
}

/// Writes a validated import in one transaction: every row, or none.
pub fn commit(
    job: Uuid,
    rows: Vec<GoodRow>,
    pool: &DbPool,
    user: &AuthUser,
    course: &CourseFacts,
    progress: &AtomicUsize,
) -> Result<usize, ApiError> {
    let mut conn = pool.get()?;
    let result = write_tx(&mut conn, |conn| {
        // The rows were checked when the file was uploaded, perhaps hours ago: each
        // person must still be live in the course's county and off its roster now.
        for chunk in rows.chunks(1000) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.person_id.as_str()).collect();
            // Looked up by primary key alone and checked here: with the county in the
            // query, PostgreSQL without fresh statistics (a county whose persons were
            // just loaded) scanned the county's index and took 0.6 s per chunk.
            let found: Vec<(String, Option<chrono::NaiveDateTime>)> = persons::table
                .filter(persons::id.eq_any(&ids))
                .select((persons::county_code, persons::deleted_at))
                .load(conn)?;
            let live = found
                .iter()
                .filter(|(county, deleted)| *county == course.county && deleted.is_none())
                .count();
            let enrolled: i64 = enrolments::table
                .filter(enrolments::course_id.eq(&course.id))
                .filter(enrolments::person_id.eq_any(&ids))
                .filter(enrolments::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            if live != chunk.len() || enrolled > 0 {
                return Err(ApiError::Conflict {
                    code: "concurrent_update",
                    detail: "the registry or the roster changed since the file was checked".into(),
                });
            }
        }
        let at = now();
        let by = user.id.to_string();
        let mut written = 0;
        // 15 columns × 1,000 rows stays under SQLite's bound-parameter limit.
        for chunk in rows.chunks(1000) {
            let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::now_v7()).collect();
            let values: Vec<_> = chunk
                .iter()
                .zip(&ids)
                .map(|(r, id)| {
                    (
                        enrolments::id.eq(id.to_string()),
                        enrolments::course_id.eq(course.id.clone()),
                        enrolments::person_id.eq(r.person_id.clone()),
                        enrolments::county_code.eq(course.county.clone()),
                        enrolments::city_code.eq(course.city.clone()),
                        enrolments::status.eq(r.update.status.as_str()),
                        enrolments::hours_attended.eq(r.update.hours_attended),
                        enrolments::completion_date.eq(r.update.completion_date),
                        enrolments::certificate_obtained.eq(r.update.certificate_obtained),
                        enrolments::outcome.eq(r.update.outcome.map(|o| o.as_str())),
                        enrolments::version.eq(1_i64),
                        enrolments::created_at.eq(at),
                        enrolments::created_by.eq(by.clone()),
                        enrolments::updated_at.eq(at),
                        enrolments::updated_by.eq(by.clone()),
                    )
                })
                .collect();
            crate::db::batch_insert!(conn, enrolments::table, &values)?;
            let events = chunk
                .iter()
                .zip(&ids)
                .map(|(r, id)| Event {
                    actor: user,
                    action: AuditAction::Create,
                    entity_type: "enrolment",
                    entity_id: *id,
                    owner_region: &course.county,
                    reason: Some("roster import"),
                    before: None,
                    after: Some(serde_json::json!({"course_id": course.id, "person_id": r.person_id, "status": r.update.status})),
                })
                .collect();
            audit::record_many(conn, events)?;
            written += chunk.len();
            progress.store(written, Ordering::Relaxed);
        }
        // The job's state is written with its rows: both, or neither.
        crate::jobs::committed(conn, job, written)?;
        Ok::<_, ApiError>(written)
    });
    if let Err(e) = &result {
        if matches!(
            e,
            ApiError::Conflict {
                code: "import_not_valid",
                ..
            }
        ) {
            // Failed meanwhile by a replica that took this process for dead: its reason
            // stands, and nothing was written.
            return result;
        }
        let why = match e {
            ApiError::Conflict { .. } => {
                "someone changed the roster meanwhile; upload the file again".to_owned()
            }
            other => other.to_string(),
        };
        crate::jobs::fail(&mut conn, job, &why)?;
    }
    result
}

/// A course list as a table.
pub fn course_table(courses: &[shared::employment::Course]) -> Table {
    let headers = [
        "培训班名称",
        "培训类型",
        "县市区",
        "培训地点",
        "开班日期",
        "结业日期",
        "计划人数",
        "在册人数",
        "学时",
        "培训机构",
        "经费（元）",
    ];
    let rows = courses
        .iter()
        .map(|c| {
            let f = &c.fields;
            vec![
                f.name.clone(),
                match f.kind {
                    shared::employment::CourseKind::PracticalTechnique => "实用技术".to_owned(),
                    shared::employment::CourseKind::VocationalSkill => "职业技能".to_owned(),
                },
                f.county_code.clone(),
                f.venue.clone().unwrap_or_default(),
                f.start_date.to_string(),
                f.end_date.to_string(),
                f.planned_places.to_string(),
                c.enrolled.to_string(),
                f.hours.to_string(),
                f.trainer.clone().unwrap_or_default(),
                shared::money::format_hundredths(f.funding_fen),
            ]
        })
        .collect();
    Table {
        choices: Vec::new(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// A person's training history as a table.
pub fn history_table(
    history: &[shared::employment::Enrolment],
    courses: &HashMap<Uuid, super::queries::CourseRow>,
) -> Table {
    let headers = [
        "培训班名称",
        "开班日期",
        "结业日期",
        "状态",
        "参训课时",
        "结业日期（个人）",
        "是否取得证书",
        "培训后就业情况",
    ];
    let rows = history
        .iter()
        .map(|e| {
            let c = courses.get(&e.course_id);
            vec![
                c.map(|c| c.name.clone()).unwrap_or_default(),
                c.map(|c| c.start_date.to_string()).unwrap_or_default(),
                c.map(|c| c.end_date.to_string()).unwrap_or_default(),
                status_label(e.status).to_owned(),
                e.hours_attended.to_string(),
                e.completion_date.map(|d| d.to_string()).unwrap_or_default(),
                if e.certificate_obtained { "是" } else { "否" }.to_owned(),
                e.outcome.map(outcome_label).unwrap_or_default().to_owned(),
            ]
        })
        .collect();
    Table {
        choices: Vec::new(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}
