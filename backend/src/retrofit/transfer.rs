//! Retrofit spreadsheets: the ledger export (one row per case, identity numbers masked,
//! audited) and the import of a county's surveyed retrofit needs (template, every row
//! checked and every problem reported by row and column, then written all or nothing —
//! or not at all with `dry_run`).
//!
//! The import makes a case per row under the household rule: a row for a second member
//! of a household joins the case the first made. A row whose person is already a member
//! of an open case is left as it is (not an error, not written again), so that sending
//! the same file twice makes no second case.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::{AuditAction, RowError};
use shared::rehab::{ImportReport, NeedSource};
use shared::retrofit::{CaseCreate, CaseInput, CaseStatus, LinkedProgramme, RetrofitCase};
use shared::IdNumber;
use uuid::Uuid;

use super::cases::{self, CaseQuery};
use crate::auth::AuthUser;
use crate::db::schema::{persons, retrofit_case_members, retrofit_cases};
use crate::db::{write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::tabular::Table;

/// Most rows of one import file.
pub const MAX_ROWS: usize = 2_000;
/// Most cases in one export.
pub const MAX_EXPORT_ROWS: i64 = 20_000;

/// The import's columns, in template order.
pub const COLUMNS: [&str; 7] = [
    "身份证号",
    "姓名",
    "来源",
    "发现日期",
    "关联项目",
    "改造地址",
    "备注",
];

/// Chinese label of a source.
pub fn source_label(s: NeedSource) -> &'static str {
    crate::rehab::transfer::source_label(s)
}

/// Chinese label of a linked programme.
pub fn programme_label(p: LinkedProgramme) -> &'static str {
    match p {
        LinkedProgramme::None => "无",
        LinkedProgramme::DilapidatedHousing => "危房改造",
        LinkedProgramme::Relocation => "易地搬迁",
    }
}

/// Chinese label of a status.
pub fn status_label(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Identified => "待核实",
        CaseStatus::Verified => "已入户核实",
        CaseStatus::PlanDrafted => "方案待审批",
        CaseStatus::PlanApproved => "方案已批准",
        CaseStatus::InConstruction => "施工中",
        CaseStatus::Completed => "已完工",
        CaseStatus::Accepted => "已验收",
        CaseStatus::Archived => "已归档",
        CaseStatus::NotEligible => "不符合条件",
        CaseStatus::Declined => "本人放弃",
        CaseStatus::Referred => "转危房改造",
        CaseStatus::Relocated => "易地搬迁",
    }
}

fn labels<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| f(*v).to_owned()).collect()
}

fn parse_label<T: Copy + std::fmt::Display>(
    all: &[T],
    f: fn(T) -> &'static str,
    cell: &str,
) -> Option<T> {
    all.iter()
        .copied()
        .find(|v| f(*v) == cell || v.to_string() == cell)
}

fn parse_date(cell: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(cell, "%Y/%m/%d"))
        .ok()
}

/// The import template: Chinese headers and drop-downs for the coded columns.
pub fn template() -> Table {
    Table {
        headers: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: Vec::new(),
        choices: vec![
            (2, labels(NeedSource::ALL, source_label)),
            (4, labels(LinkedProgramme::ALL, programme_label)),
        ],
    }
}

fn message(code: &str, english: bool, fallback: &str) -> String {
    let (zh, en) = match code {
        "required" => ("必填", "required"),
        "missing_column" => ("缺少此列", "this column is missing"),
        "not_in_registry" => (
            "在您所在县的残疾人档案中找不到此身份证号",
            "no person with this identity number in your county's registry",
        ),
        "name_mismatch" => ("姓名与档案不一致", "the name differs from the registry"),
        "invalid_code" => ("不是可选的值", "not one of the listed values"),
        "invalid_date" => ("日期格式应为 2020-06-30", "dates are written 2020-06-30"),
        "invalid_check_character"
        | "invalid_length"
        | "invalid_characters"
        | "invalid_region"
        | "invalid_birth_date"
        | "birth_date_in_future" => ("身份证号无效", "not a valid identity number"),
        "in_future" => ("日期晚于今天", "the date lies in the future"),
        "out_of_range" => ("超出允许范围", "out of the allowed range"),
        "too_long" => ("内容过长", "too long"),
        _ => return fallback.to_owned(),
    };
    if english { en } else { zh }.to_owned()
}

fn column_of(field: &str) -> &'static str {
    match field {
        f if f.starts_with("person_ids") => COLUMNS[0],
        "source" => COLUMNS[2],
        "identified_on" => COLUMNS[3],
        "linked_programme" => COLUMNS[4],
        "address" => COLUMNS[5],
        _ => COLUMNS[6],
    }
}

enum Abort {
    Report(ImportReport),
    Api(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Api(e.into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Self {
        Abort::Api(e)
    }
}

/// Imports a county's surveyed retrofit needs (county writers): see the module's comment.
pub fn import(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    table: &Table,
    dry_run: bool,
    english: bool,
) -> Result<ImportReport, ApiError> {
    super::require_county_writer(user)?;
    if table.rows.len() > MAX_ROWS {
        return Err(ApiError::field(
            "file",
            "too_many_rows",
            format!("at most {MAX_ROWS} rows per file"),
        ));
    }
    let mut report = ImportReport {
        rows: table.rows.len(),
        written: 0,
        errors: Vec::new(),
        dry_run,
    };
    let col = |name: &str| table.headers.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    for (i, c) in cols.iter().enumerate() {
        if c.is_none() && [0, 2, 3].contains(&i) {
            report.errors.push(RowError {
                row: 1,
                column: COLUMNS[i].into(),
                code: "missing_column".into(),
                message: message("missing_column", english, ""),
            });
        }
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let cell = |row: &[String], i: usize| -> String {
        cols[i]
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let hmacs: Vec<String> = table
        .rows
        .iter()
        .filter_map(|r| IdNumber::parse(&cell(r, 0), NaiveDate::MAX).ok())
        .map(|id| pii.lookup_hash(id.as_str()))
        .collect();
    let mut registry: HashMap<String, (String, String)> = HashMap::new();
    for chunk in hmacs.chunks(1000) {
        let found: Vec<(String, String, String)> = crate::persons::queries::live(&user.scope)
            .filter(persons::id_number_hmac.eq_any(chunk))
            .select((persons::id_number_hmac, persons::id, persons::name))
            .load(conn)?;
        for (h, id, name) in found {
            registry.insert(h, (id, name));
        }
    }
    let open: Vec<&str> = CaseStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let outcome = write_tx(conn, |conn| -> Result<ImportReport, Abort> {
        for (i, r) in table.rows.iter().enumerate() {
            let row = i + 2;
            let mut errs: Vec<(usize, String, String)> = Vec::new();
            let person = match IdNumber::parse(&cell(r, 0), NaiveDate::MAX) {
                Ok(id) => match registry.get(&pii.lookup_hash(id.as_str())) {
                    Some((pid, name)) => {
                        let given = cell(r, 1);
                        if !given.is_empty() && given != *name {
                            errs.push((1, "name_mismatch".into(), String::new()));
                        }
                        Some(pid.clone())
                    }
                    None => {
                        errs.push((0, "not_in_registry".into(), String::new()));
                        None
                    }
                },
                Err(e) => {
                    errs.push((0, e.code.into(), e.message.clone()));
                    None
                }
            };
            let source = parse_label(NeedSource::ALL, source_label, &cell(r, 2));
            if source.is_none() {
                let code = if cell(r, 2).is_empty() {
                    "required"
                } else {
                    "invalid_code"
                };
                errs.push((2, code.into(), String::new()));
            }
            let found = parse_date(&cell(r, 3));
            if found.is_none() {
                let code = if cell(r, 3).is_empty() {
                    "required"
                } else {
                    "invalid_date"
                };
                errs.push((3, code.into(), String::new()));
            }
            let programme = match cell(r, 4).as_str() {
                "" => Some(LinkedProgramme::None),
                c => parse_label(LinkedProgramme::ALL, programme_label, c),
            };
            if programme.is_none() {
                errs.push((4, "invalid_code".into(), String::new()));
            }
            let push = |report: &mut ImportReport, column: &str, code: &str, fallback: &str| {
                report.errors.push(RowError {
                    row,
                    column: column.into(),
                    code: code.into(),
                    message: message(code, english, fallback),
                });
            };
            for (c, code, m) in &errs {
                push(
                    &mut report,
                    COLUMNS[*c],
                    code,
                    if m.is_empty() { code } else { m },
                );
            }
            let (Some(person), Some(source), Some(found), Some(programme), true) =
                (person, source, found, programme, errs.is_empty())
            else {
                continue;
            };
            // Already on an open case (an earlier file, or this one sent again).
            let on_case: i64 = retrofit_case_members::table
                .inner_join(retrofit_cases::table)
                .filter(retrofit_case_members::person_id.eq(&person))
                .filter(retrofit_cases::status.eq_any(&open))
                .filter(retrofit_cases::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            if on_case > 0 {
                continue;
            }
            let body = CaseCreate {
                id: None,
                fields: CaseInput {
                    person_ids: vec![crate::db::uuid(&person)?],
                    source,
                    identified_on: found,
                    linked_programme: programme,
                    address: Some(cell(r, 5)).filter(|a| !a.is_empty()),
                    note: Some(cell(r, 6)).filter(|n| !n.is_empty()),
                    relocated_from: None,
                },
            };
            let hash = crate::record::create_digest(pii, "retrofit_case", &body)?;
            match cases::create_in(conn, user, Uuid::now_v7(), &hash, &body) {
                Ok(_) => report.written += 1,
                Err(ApiError::Validation(fields)) => {
                    for f in fields {
                        push(&mut report, column_of(&f.field), &f.code, &f.message);
                    }
                }
                Err(ApiError::NotFound) => push(&mut report, COLUMNS[0], "not_in_registry", ""),
                Err(e) => return Err(Abort::Api(e)),
            }
        }
        if report.errors.is_empty() && !report.dry_run {
            Ok(report.clone())
        } else {
            if !report.errors.is_empty() {
                report.written = 0;
            }
            Err(Abort::Report(report.clone()))
        }
    });
    match outcome {
        Ok(r) | Err(Abort::Report(r)) => Ok(r),
        Err(Abort::Api(e)) => Err(e),
    }
}

/// The ledger's columns.
pub const LEDGER_COLUMNS: [&str; 20] = [
    "案件编号",
    "所在县",
    "村",
    "改造地址",
    "成员（身份证号已遮蔽）",
    "优先：一户多残",
    "优先：老年残疾人",
    "状态",
    "逾期",
    "关联项目",
    "发现日期",
    "入户核实日期",
    "方案金额(元)",
    "实际金额(元)",
    "户均上限(元)",
    "超上限",
    "施工单位",
    "开工日期",
    "竣工日期",
    "验收日期",
];

fn yuan(fen: i64) -> String {
    shared::money::format_hundredths(fen)
}

fn ledger_row(c: &RetrofitCase) -> Vec<String> {
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_owned();
    let members = c
        .members
        .iter()
        .map(|m| format!("{} {}", m.name, m.id_number_masked))
        .collect::<Vec<_>>()
        .join("、");
    vec![
        c.id.to_string(),
        c.county_code.clone(),
        c.village_code.clone().unwrap_or_default(),
        c.address.clone().unwrap_or_default(),
        members,
        yes_no(c.priority.multi_disabled_household),
        yes_no(c.priority.elderly_with_disability),
        status_label(c.status).to_owned(),
        yes_no(c.overdue),
        programme_label(c.linked_programme).to_owned(),
        c.identified_on.to_string(),
        c.eligibility
            .as_ref()
            .map(|e| e.visited_on.to_string())
            .unwrap_or_default(),
        yuan(c.plan.total_fen),
        c.plan.actual_total_fen.map(yuan).unwrap_or_default(),
        c.plan.cap_fen.map(yuan).unwrap_or_default(),
        yes_no(c.plan.over_cap),
        c.construction
            .as_ref()
            .map(|k| k.contractor.clone())
            .unwrap_or_default(),
        c.construction
            .as_ref()
            .map(|k| k.started_on.to_string())
            .unwrap_or_default(),
        c.construction
            .as_ref()
            .and_then(|k| k.completed_on)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        c.acceptances
            .iter()
            .rev()
            .find(|a| a.passed)
            .map(|a| a.accepted_on.to_string())
            .unwrap_or_default(),
    ]
}

/// The ledger: one row per case in the caller's scope and filters, identity numbers
/// masked, and the audit entry of the export written.
pub fn export(conn: &mut DbConn, user: &AuthUser, f: &CaseQuery) -> Result<Table, ApiError> {
    super::require_reader(user)?;
    let rows = cases::list(conn, user, f, None, MAX_EXPORT_ROWS)?;
    let table = Table {
        headers: LEDGER_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: rows.iter().map(ledger_row).collect(),
        choices: Vec::new(),
    };
    let filters = serde_json::json!({"status": f.status, "overdue": f.overdue,
        "area": f.area, "year": f.year});
    write_tx(conn, |conn| {
        crate::audit::record(
            conn,
            crate::audit::Event {
                actor: user,
                action: AuditAction::Export,
                entity_type: "retrofit_cases",
                entity_id: Uuid::nil(),
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(
                    serde_json::json!({"rows": table.rows.len(), "masked": true, "filters": filters}),
                ),
            },
        )
    })?;
    Ok(table)
}
