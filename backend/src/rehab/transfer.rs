//! Rehabilitation spreadsheets: the needs template and import (a county's survey of
//! needs: every row checked, every problem reported by row and column, then written all
//! or nothing), the needs export (identity numbers masked, audited), and the device
//! catalogue's export and import (the devices centre's upsert by name).
//!
//! Imports run inside one transaction: the rows are written as they are checked, so
//! that a row is checked against the rows above it exactly as against the registry, and
//! the transaction is rolled back when any row is wrong or when only a check was asked
//! for (`dry_run`). Files are bounded ([`MAX_NEED_ROWS`]) so that this stays a request.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::{AuditAction, RowError};
use shared::rehab::{
    Assessment, AssessmentResult, DeviceItemInput, ImportReport, NeedCreate, NeedInput, NeedKind,
    NeedSource, NeedStatus, RehabProject,
};
use shared::{DisabilityCategory, FieldError, IdNumber};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::schema::{device_items, persons, rehab_needs};
use crate::db::{write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::tabular::Table;

/// Most rows of one needs file (a county's survey round comes in several files).
pub const MAX_NEED_ROWS: usize = 2_000;
/// Most rows of one catalogue file.
pub const MAX_ITEM_ROWS: usize = 1_000;
/// Most rows of one export.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The needs columns, in template order.
pub const NEED_COLUMNS: [&str; 11] = [
    "身份证号",
    "姓名",
    "需求类别",
    "项目",
    "辅具名称",
    "来源",
    "发现日期",
    "评估结果",
    "评估日期",
    "评估人",
    "备注",
];

/// Chinese label of a need kind.
pub fn kind_label(k: NeedKind) -> &'static str {
    match k {
        NeedKind::RehabMedical => "康复医疗",
        NeedKind::FunctionalTraining => "功能训练",
        NeedKind::Device => "辅具适配",
        NeedKind::Surgery => "手术",
        NeedKind::Support => "支持性服务",
    }
}

/// Chinese label of a project.
pub fn project_label(p: RehabProject) -> &'static str {
    match p {
        RehabProject::Cochlear => "启聪扶贫",
        RehabProject::LimbSurgery => "肢体矫治手术",
        RehabProject::AdultHearingAid => "成人助听器",
        RehabProject::LowVision => "低视力康复",
        RehabProject::ChildRehab => "儿童康复救助",
        RehabProject::BasicRehab => "基本康复服务",
        RehabProject::BasicDevice => "基本辅具适配",
    }
}

/// Chinese label of a source.
pub fn source_label(s: NeedSource) -> &'static str {
    match s {
        NeedSource::Survey => "动态更新调查",
        NeedSource::HomeVisit => "入户走访",
        NeedSource::Application => "本人申请",
        NeedSource::Referral => "转介",
    }
}

/// Chinese label of an assessment result.
pub fn result_label(r: AssessmentResult) -> &'static str {
    match r {
        AssessmentResult::Needed => "需要",
        AssessmentResult::NotNeeded => "不需要",
        AssessmentResult::Refused => "本人拒绝",
        AssessmentResult::Deferred => "暂缓",
    }
}

/// Chinese label of a status.
pub fn status_label(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Identified => "待评估",
        NeedStatus::Assessed => "已评估",
        NeedStatus::PlanApproved => "方案已批准",
        NeedStatus::Fitted => "已适配",
        NeedStatus::Accepted => "已验收",
        NeedStatus::FollowedUp => "已回访",
        NeedStatus::Closed => "已结案",
        NeedStatus::NotNeeded => "不需要",
        NeedStatus::Refused => "本人拒绝",
        NeedStatus::Deferred => "暂缓",
        NeedStatus::Withdrawn => "已撤销",
        NeedStatus::Superseded => "已复评替代",
    }
}

fn category_label(c: DisabilityCategory) -> &'static str {
    match c {
        DisabilityCategory::Visual => "视力",
        DisabilityCategory::Hearing => "听力",
        DisabilityCategory::Speech => "言语",
        DisabilityCategory::Physical => "肢体",
        DisabilityCategory::Intellectual => "智力",
        DisabilityCategory::Mental => "精神",
        DisabilityCategory::Multiple => "多重",
    }
}

fn labels<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| f(*v).to_owned()).collect()
}

/// The value whose Chinese label (or code) is `cell`.
fn parse_label<T: Copy + std::fmt::Display>(
    all: &[T],
    f: fn(T) -> &'static str,
    cell: &str,
) -> Option<T> {
    all.iter()
        .copied()
        .find(|v| f(*v) == cell || v.to_string() == cell)
}

/// The needs template: Chinese headers and drop-downs for the coded columns. A refusal
/// needs a signed record, which a spreadsheet cannot carry, so it is not offered.
pub fn need_template(conn: &mut DbConn) -> Result<Table, ApiError> {
    let items: Vec<String> = device_items::table
        .filter(device_items::active.eq(true))
        .order(device_items::name_zh.asc())
        .select(device_items::name_zh)
        .load(conn)?;
    let results: Vec<AssessmentResult> = AssessmentResult::ALL
        .iter()
        .copied()
        .filter(|r| *r != AssessmentResult::Refused)
        .collect();
    Ok(Table {
        headers: NEED_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: Vec::new(),
        choices: vec![
            (2, labels(NeedKind::ALL, kind_label)),
            (3, labels(RehabProject::ALL, project_label)),
            (4, items),
            (5, labels(NeedSource::ALL, source_label)),
            (7, labels(&results, result_label)),
        ],
    })
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
        "unknown_item" => ("辅具目录中没有此名称", "no catalogue item of this name"),
        "invalid_date" => ("日期格式应为 2020-06-30", "dates are written 2020-06-30"),
        "duplicate" => (
            "该人员已有同日同类需求",
            "this person already has this need found on that day",
        ),
        "refusal_needs_record" => (
            "本人拒绝须上传签字记录，请在系统中逐条登记",
            "a refusal needs the signed record: record it in the app",
        ),
        "invalid_number" => ("应为整数", "must be a whole number"),
        "invalid_yes_no" => ("应为“是”或“否”", "must be 是 or 否 (yes or no)"),
        "invalid_amount" => ("金额格式应为 1234.56", "amounts are written 1234.56"),
        "invalid_check_character"
        | "invalid_length"
        | "invalid_characters"
        | "invalid_region"
        | "invalid_birth_date"
        | "birth_date_in_future" => ("身份证号无效", "not a valid identity number"),
        "in_future" => ("日期晚于今天", "the date lies in the future"),
        "out_of_range" => ("超出允许范围", "out of the allowed range"),
        "too_long" => ("内容过长", "too long"),
        "not_a_device_need" => (
            "只有辅具需求才填写辅具名称",
            "only a device need names a device",
        ),
        "not_eligible" => ("该辅具不适用于此人员", "this item does not suit the person"),
        "retired_item" => ("该辅具已停用", "this item is no longer offered"),
        "device_in_service" => (
            "该人员同类辅具仍在使用年限内",
            "the person's device of this kind is still within its service life",
        ),
        "before_identified" => ("早于需求发现日期", "before the need was found"),
        "not_found" => ("找不到", "not found"),
        "unknown_code" => ("分类代码不在代码表中", "not in the code list"),
        "invalid_edition" => ("版本应为年份，如 2016", "the edition is a year, e.g. 2016"),
        _ => return fallback.to_owned(),
    };
    if english { en } else { zh }.to_owned()
}

/// Runs an import's rows in one transaction and keeps them only when every row is good
/// and more than a check was asked for; the report says what happened either way.
fn all_or_nothing(
    conn: &mut DbConn,
    mut report: ImportReport,
    rows: impl FnOnce(&mut DbConn, &mut ImportReport) -> Result<(), Abort>,
) -> Result<ImportReport, ApiError> {
    let outcome = write_tx(conn, |conn| -> Result<ImportReport, Abort> {
        rows(conn, &mut report)?;
        if report.errors.is_empty() && !report.dry_run {
            Ok(report.clone())
        } else {
            // Rolled back: a clean check says how many rows a real import would write.
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

/// Where a field error of a need lands in the sheet.
fn need_column(field: &str) -> &'static str {
    match field {
        "person_id" => NEED_COLUMNS[0],
        "kind" => NEED_COLUMNS[2],
        "project" => NEED_COLUMNS[3],
        "item_id" => NEED_COLUMNS[4],
        "source" => NEED_COLUMNS[5],
        "identified_on" => NEED_COLUMNS[6],
        "assessment.evidence_id" => NEED_COLUMNS[7],
        "assessment.assessed_on" => NEED_COLUMNS[8],
        "assessment.assessor" => NEED_COLUMNS[9],
        _ => NEED_COLUMNS[10],
    }
}

fn parse_date(cell: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(cell, "%Y/%m/%d"))
        .ok()
}

/// Imports a county's needs (county rehab staff): see the module's comment.
pub fn import_needs(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    table: &Table,
    dry_run: bool,
    english: bool,
) -> Result<ImportReport, ApiError> {
    super::require_county_writer(user)?;
    if table.rows.len() > MAX_NEED_ROWS {
        return Err(ApiError::field(
            "file",
            "too_many_rows",
            format!("at most {MAX_NEED_ROWS} rows per file"),
        ));
    }
    let mut report = ImportReport {
        rows: table.rows.len(),
        written: 0,
        errors: Vec::new(),
        dry_run,
    };
    let col = |name: &str| table.headers.iter().position(|h| h.trim() == name);
    let cols: Vec<Option<usize>> = NEED_COLUMNS.iter().map(|c| col(c)).collect();
    for (i, c) in cols.iter().enumerate() {
        // Name, result, dates of assessment, assessor and note may be left out.
        if c.is_none() && [0, 2, 3, 5, 6].contains(&i) {
            report.errors.push(RowError {
                row: 1,
                column: NEED_COLUMNS[i].into(),
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
    // The registry of the caller's county, by blind index of the identity number.
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
    let items: HashMap<String, String> = device_items::table
        .select((device_items::name_zh, device_items::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    all_or_nothing(conn, report, |conn, report| {
        for (i, r) in table.rows.iter().enumerate() {
            let row = i + 2;
            let mut errs: Vec<(usize, &'static str)> = Vec::new();
            let push = |report: &mut ImportReport, column: &str, code: &str, fallback: &str| {
                report.errors.push(RowError {
                    row,
                    column: column.into(),
                    code: code.into(),
                    message: message(code, english, fallback),
                });
            };
            let person = match IdNumber::parse(&cell(r, 0), NaiveDate::MAX) {
                Ok(id) => match registry.get(&pii.lookup_hash(id.as_str())) {
                    Some((pid, name)) => {
                        let given = cell(r, 1);
                        if !given.is_empty() && given != *name {
                            errs.push((1, "name_mismatch"));
                        }
                        Some(pid.clone())
                    }
                    None => {
                        errs.push((0, "not_in_registry"));
                        None
                    }
                },
                Err(e) => {
                    push(report, NEED_COLUMNS[0], e.code, &e.message);
                    None
                }
            };
            let kind = parse_label(NeedKind::ALL, kind_label, &cell(r, 2));
            let project = parse_label(RehabProject::ALL, project_label, &cell(r, 3));
            let source = parse_label(NeedSource::ALL, source_label, &cell(r, 5));
            for (c, ok) in [
                (2, kind.is_some()),
                (3, project.is_some()),
                (5, source.is_some()),
            ] {
                if !ok {
                    errs.push((
                        c,
                        if cell(r, c).is_empty() {
                            "required"
                        } else {
                            "invalid_code"
                        },
                    ));
                }
            }
            let item_name = cell(r, 4);
            let item = if item_name.is_empty() {
                None
            } else {
                match items.get(&item_name) {
                    Some(id) => Some(id.clone()),
                    None => {
                        errs.push((4, "unknown_item"));
                        None
                    }
                }
            };
            let identified_on = parse_date(&cell(r, 6));
            if identified_on.is_none() {
                errs.push((
                    6,
                    if cell(r, 6).is_empty() {
                        "required"
                    } else {
                        "invalid_date"
                    },
                ));
            }
            let result_cell = cell(r, 7);
            let result = if result_cell.is_empty() {
                None
            } else {
                match parse_label(AssessmentResult::ALL, result_label, &result_cell) {
                    Some(AssessmentResult::Refused) => {
                        errs.push((7, "refusal_needs_record"));
                        None
                    }
                    Some(res) => Some(res),
                    None => {
                        errs.push((7, "invalid_code"));
                        None
                    }
                }
            };
            let assessed_on = match cell(r, 8).as_str() {
                "" => identified_on,
                d => {
                    let parsed = parse_date(d);
                    if parsed.is_none() {
                        errs.push((8, "invalid_date"));
                    }
                    parsed
                }
            };
            for (c, code) in &errs {
                push(report, NEED_COLUMNS[*c], code, code);
            }
            let (Some(person), Some(kind), Some(project), Some(source), Some(on), true) = (
                person,
                kind,
                project,
                source,
                identified_on,
                errs.is_empty(),
            ) else {
                continue;
            };
            let item_id = item.as_deref().map(crate::db::uuid).transpose()?;
            let mut dup_q = rehab_needs::table
                .filter(rehab_needs::person_id.eq(&person))
                .filter(rehab_needs::kind.eq(kind.as_str()))
                .filter(rehab_needs::identified_on.eq(on))
                .filter(rehab_needs::deleted_at.is_null())
                .filter(rehab_needs::status.ne(NeedStatus::Superseded.as_str()))
                .into_boxed();
            dup_q = match &item {
                Some(i) => dup_q.filter(rehab_needs::item_id.eq(i.clone())),
                None => dup_q.filter(rehab_needs::item_id.is_null()),
            };
            let dup: i64 = dup_q.count().get_result(conn)?;
            if dup > 0 {
                push(report, NEED_COLUMNS[0], "duplicate", "duplicate");
                continue;
            }
            let assessor = cell(r, 9);
            let body = NeedCreate {
                id: None,
                fields: NeedInput {
                    person_id: crate::db::uuid(&person)?,
                    kind,
                    project,
                    item_id,
                    source,
                    identified_on: on,
                    note: Some(cell(r, 10)).filter(|n| !n.is_empty()),
                    supersedes: None,
                },
                assessment: match (result, assessed_on) {
                    (Some(result), Some(assessed_on)) => Some(Assessment {
                        result,
                        assessed_on,
                        assessor: assessor.clone(),
                        evidence_id: None,
                    }),
                    _ => None,
                },
            };
            let id = Uuid::now_v7().to_string();
            let hash = crate::record::create_digest(pii, "rehab_need", &body)?;
            match super::needs::write_new(conn, user, &id, &hash, &body) {
                Ok(()) => report.written += 1,
                Err(ApiError::Validation(fields)) => {
                    for FieldError {
                        field,
                        code,
                        message: m,
                    } in fields
                    {
                        push(report, need_column(&field), &code, &m);
                    }
                }
                Err(e) => return Err(Abort::Api(e)),
            }
        }
        Ok(())
    })
}

/// The needs export: one row per need in the caller's scope and filters, identity
/// numbers masked.
pub fn export_needs(
    conn: &mut DbConn,
    user: &AuthUser,
    f: &super::needs::NeedQuery,
) -> Result<Table, ApiError> {
    let joined = rehab_needs::table
        .inner_join(persons::table)
        .left_join(device_items::table)
        .into_boxed();
    // The person must be in sight too: one who moved away is not named here (the API
    // does not name them either).
    let mut q = crate::scope_filter!(joined, &user.scope, rehab_needs)
        .filter(rehab_needs::deleted_at.is_null())
        .filter(persons::deleted_at.is_null())
        .filter(persons::county_code.like(format!("{}%", user.scope.region())));
    if let Some(s) = f.status {
        q = q.filter(rehab_needs::status.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(rehab_needs::kind.eq(k.as_str()));
    }
    if let Some(p) = f.project {
        q = q.filter(rehab_needs::project.eq(p.as_str()));
    }
    if let Some(y) = f.year {
        q = q.filter(rehab_needs::year.eq(y));
    }
    if let Some(area) = f.county.as_deref() {
        q = q.filter(rehab_needs::county_code.like(crate::org::queries::area_pattern(area)?));
    }
    if let Some(p) = f.person_id {
        q = q.filter(rehab_needs::person_id.eq(p.to_string()));
    }
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        NaiveDate,
        Option<String>,
        Option<NaiveDate>,
        Option<String>,
        String,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = q
        .order(rehab_needs::id.asc())
        .limit(MAX_EXPORT_ROWS)
        .select((
            persons::id_number_masked,
            persons::name,
            rehab_needs::kind,
            rehab_needs::project,
            rehab_needs::county_code,
            device_items::name_zh.nullable(),
            rehab_needs::source,
            rehab_needs::identified_on,
            rehab_needs::result,
            rehab_needs::assessed_on,
            rehab_needs::assessor,
            rehab_needs::status,
            rehab_needs::follow_up_due,
        ))
        .load(conn)?;
    let label = |s: &str, f: fn(&str) -> Option<&'static str>| f(s).unwrap_or("").to_owned();
    let mut headers: Vec<String> = NEED_COLUMNS[..10].iter().map(|c| (*c).to_owned()).collect();
    headers.extend([
        "所在县".to_owned(),
        "状态".to_owned(),
        "回访到期".to_owned(),
    ]);
    let table_rows = rows
        .into_iter()
        .map(
            |(
                masked,
                name,
                kind,
                project,
                county,
                item,
                source,
                found,
                result,
                assessed,
                assessor,
                status,
                due,
            )| {
                vec![
                    masked,
                    name,
                    label(&kind, |s| s.parse().ok().map(kind_label)),
                    label(&project, |s| s.parse().ok().map(project_label)),
                    item.unwrap_or_default(),
                    label(&source, |s| s.parse().ok().map(source_label)),
                    found.to_string(),
                    result
                        .as_deref()
                        .map(|r| label(r, |s| s.parse().ok().map(result_label)))
                        .unwrap_or_default(),
                    assessed.map(|d| d.to_string()).unwrap_or_default(),
                    assessor.unwrap_or_default(),
                    county,
                    label(&status, |s| s.parse().ok().map(status_label)),
                    due.map(|d| d.to_string()).unwrap_or_default(),
                ]
            },
        )
        .collect();
    Ok(Table {
        headers,
        rows: table_rows,
        choices: Vec::new(),
    })
}

/// The catalogue columns (the cap column names its year).
fn item_columns(year: i32) -> Vec<String> {
    [
        "分类代码",
        "版本",
        "名称",
        "英文名称",
        "适用残疾类别",
        "单位",
        "使用年限",
        "最高适用等级",
        "需专业评估",
        "启用",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .chain([format!("{year}年补贴标准(元)")])
    .collect()
}

/// The catalogue as a sheet, with each item's cap for `year` (the import's template).
pub fn catalogue_table(conn: &mut DbConn, year: i32) -> Result<Table, ApiError> {
    let items = super::catalogue::list(conn, &super::catalogue::CatalogueQuery::default())?;
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_owned();
    let rows = items
        .iter()
        .map(|i| {
            let f = &i.fields;
            vec![
                f.code.clone(),
                f.edition.clone(),
                f.name_zh.clone(),
                f.name_en.clone(),
                f.categories
                    .iter()
                    .map(|c| category_label(*c))
                    .collect::<Vec<_>>()
                    .join("、"),
                f.unit.clone(),
                f.service_life_years.to_string(),
                f.max_level.map(|l| l.to_string()).unwrap_or_default(),
                yes_no(f.assessment_required),
                yes_no(f.active),
                i.caps
                    .iter()
                    .find(|c| c.year == year)
                    .map(|c| shared::money::format_hundredths(c.cap_fen))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Table {
        headers: item_columns(year),
        rows,
        choices: vec![
            (8, vec!["是".into(), "否".into()]),
            (9, vec!["是".into(), "否".into()]),
        ],
    })
}

/// Imports the catalogue (provincial devices centre): each row adds the item of that
/// name or changes it, and sets its cap for `year` when given; all or nothing.
pub fn import_catalogue(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    table: &Table,
    year: i32,
    dry_run: bool,
    english: bool,
) -> Result<ImportReport, ApiError> {
    super::catalogue::require_maintainer(user)?;
    if table.rows.len() > MAX_ITEM_ROWS {
        return Err(ApiError::field(
            "file",
            "too_many_rows",
            format!("at most {MAX_ITEM_ROWS} rows per file"),
        ));
    }
    let columns = item_columns(year);
    let mut report = ImportReport {
        rows: table.rows.len(),
        written: 0,
        errors: Vec::new(),
        dry_run,
    };
    let cols: Vec<Option<usize>> = columns
        .iter()
        .map(|c| table.headers.iter().position(|h| h.trim() == c))
        .collect();
    for (i, c) in cols.iter().enumerate() {
        if c.is_none() && i != 10 {
            report.errors.push(RowError {
                row: 1,
                column: columns[i].clone(),
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
    let field_column = |field: &str| -> usize {
        match field {
            "code" => 0,
            "edition" => 1,
            "name_zh" => 2,
            "name_en" => 3,
            "categories" => 4,
            "unit" => 5,
            "service_life_years" => 6,
            "max_level" => 7,
            _ => 10,
        }
    };
    all_or_nothing(conn, report, |conn, report| {
        for (i, r) in table.rows.iter().enumerate() {
            let row = i + 2;
            let mut bad: Vec<(usize, String, String)> = Vec::new();
            let yes_no =
                |c: usize, bad: &mut Vec<(usize, String, String)>| match cell(r, c).as_str() {
                    "是" => true,
                    "否" | "" => false,
                    _ => {
                        bad.push((c, "invalid_yes_no".into(), String::new()));
                        false
                    }
                };
            let mut categories = Vec::new();
            for part in cell(r, 4)
                .split(['、', ',', '，', ' '])
                .filter(|s| !s.is_empty())
            {
                match parse_label(DisabilityCategory::ALL, category_label, part) {
                    Some(c) => categories.push(c),
                    None => bad.push((4, "invalid_code".into(), String::new())),
                }
            }
            let number = |c: usize, bad: &mut Vec<(usize, String, String)>| -> Option<i64> {
                let v = cell(r, c);
                if v.is_empty() {
                    return None;
                }
                let n = v.parse::<i64>().ok();
                if n.is_none() {
                    bad.push((c, "invalid_number".into(), String::new()));
                }
                n
            };
            let life = number(6, &mut bad);
            let max_level = number(7, &mut bad);
            let input = DeviceItemInput {
                code: cell(r, 0),
                edition: cell(r, 1),
                name_zh: cell(r, 2),
                name_en: cell(r, 3),
                categories,
                unit: cell(r, 5),
                service_life_years: life.and_then(|l| i32::try_from(l).ok()).unwrap_or(0),
                max_level: max_level.map(|l| u8::try_from(l).unwrap_or(u8::MAX)),
                assessment_required: yes_no(8, &mut bad),
                active: yes_no(9, &mut bad),
            };
            let cap = match cell(r, 10).as_str() {
                "" => None,
                v => {
                    let c = shared::money::parse_yuan(v);
                    if c.is_none() {
                        bad.push((10, "invalid_amount".into(), String::new()));
                    }
                    c
                }
            };
            if bad.is_empty() {
                let existing: Option<(String, i64)> = device_items::table
                    .filter(device_items::name_zh.eq(input.name_zh.trim()))
                    .select((device_items::id, device_items::version))
                    .first(conn)
                    .optional()?;
                let written = match existing {
                    Some((id, version)) => super::catalogue::update_in(
                        conn,
                        user,
                        crate::db::uuid(&id)?,
                        version,
                        &input,
                    ),
                    None => super::catalogue::create_in(
                        conn,
                        pii,
                        user,
                        &shared::rehab::DeviceItemCreate {
                            id: None,
                            fields: input.clone(),
                        },
                    )
                    .map(|(_, item)| item),
                };
                match written.and_then(|item| match cap {
                    Some(c) => super::catalogue::set_cap_in(conn, user, item.id, year, c),
                    None => Ok(item),
                }) {
                    Ok(_) => report.written += 1,
                    Err(ApiError::Validation(fields)) => {
                        for f in fields {
                            bad.push((field_column(&f.field), f.code, f.message));
                        }
                    }
                    Err(e) => return Err(Abort::Api(e)),
                }
            }
            for (c, code, fallback) in bad {
                report.errors.push(RowError {
                    row,
                    column: columns[c].clone(),
                    message: message(&code, english, &fallback),
                    code,
                });
            }
        }
        Ok(())
    })
}

/// Audits an export of rehab records (the rows are masked; the count and filters kept).
pub fn audit_export(
    conn: &mut DbConn,
    user: &AuthUser,
    rows: usize,
    filters: serde_json::Value,
) -> Result<(), ApiError> {
    crate::audit::record(
        conn,
        crate::audit::Event {
            actor: user,
            action: AuditAction::Export,
            entity_type: "rehab_needs",
            entity_id: Uuid::nil(),
            owner_region: user.scope.region(),
            reason: None,
            before: None,
            after: Some(serde_json::json!({"rows": rows, "masked": true, "filters": filters})),
        },
    )
}
