//! Demo accounts and synthetic persons. Everything made here is marked synthetic
//! (`synthetic = true`, a note saying so): none of it is about real people.

use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::auth::Role;
use shared::{AssuranceStatus, DisabilityCategory, DisabilityLevel, IdNumber, PovertyStatus};
use uuid::Uuid;

use crate::db::schema::{persons, towns, users, villages};
use crate::db::{now, write_tx, DbConn};
use crate::error::ApiError;
use crate::org::seed::department_code;
use crate::persons::model::{PersonInsert, PersonUpdateRow, ProtectedId, Stamp};
use crate::pii::Pii;
use crate::users::queries::{roles_text, UserRow};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "xiangzhu-demo";

/// The demo accounts of DOMAIN.md: username, display name, unit, roles.
pub fn demo_accounts() -> Vec<(&'static str, &'static str, String, Vec<Role>)> {
    vec![
        ("admin", "系统管理员", "43".into(), vec![Role::Admin]),
        ("leader", "省残联领导", "43".into(), vec![Role::Leader]),
        ("auditor", "审计员", "43".into(), vec![Role::Auditor]),
        (
            "employment",
            "省教就部干部",
            department_code("education_employment"),
            vec![Role::Employment],
        ),
        (
            "rehab",
            "省康复部干部",
            department_code("rehabilitation"),
            vec![Role::Rehabilitation],
        ),
        (
            "rights",
            "省维权部干部",
            department_code("rights"),
            vec![Role::Rights],
        ),
        (
            "poverty",
            "省残联扶贫办干部",
            department_code("poverty_office"),
            vec![Role::Leader],
        ),
        (
            "xiangtan.leader",
            "湘潭市残联领导",
            "4303".into(),
            vec![Role::Leader],
        ),
        (
            "xiangtan.staff",
            "湘潭市残联干部",
            "4303".into(),
            vec![Role::Staff],
        ),
        (
            "xiangxiang.staff",
            "湘乡市残联干部",
            "430381".into(),
            vec![Role::Staff],
        ),
        (
            "xiangxiang.rehab",
            "湘乡市残联康复干部",
            "430381".into(),
            vec![Role::Rehabilitation],
        ),
        (
            "liuyang.staff",
            "浏阳市残联干部",
            "430181".into(),
            vec![Role::Staff],
        ),
    ]
}

/// The login of the account that owns generated data; disabled, with no roles.
pub const SYSTEM_USERNAME: &str = "system";

/// The id of the system account, creating it if needed.
pub fn system_user(conn: &mut DbConn) -> Result<String, ApiError> {
    if let Some(id) = users::table
        .filter(users::username.eq(SYSTEM_USERNAME))
        .select(users::id)
        .first::<String>(conn)
        .optional()?
    {
        return Ok(id);
    }
    let at = now();
    let row = UserRow {
        id: Uuid::now_v7().to_string(),
        username: SYSTEM_USERNAME.into(),
        display_name: "系统 (system)".into(),
        password_hash: "!".into(), // not a PHC string: no password ever matches
        unit_code: "43".into(),
        roles: String::new(),
        disabled: true,
        create_hash: None,
        version: 1,
        created_at: at,
        created_by: None,
        updated_at: at,
        updated_by: None,
        pending_roles: None,
        proposed_by: None,
        proposed_at: None,
        must_change_password: false,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    Ok(row.id)
}

/// Creates the demo accounts unless a user of that name exists. `password_hash` is one
/// argon2 hash of [`DEMO_PASSWORD`] (hashing once keeps start-up fast).
pub fn seed_accounts(conn: &mut DbConn, password_hash: &str) -> Result<usize, ApiError> {
    write_tx(conn, |conn| {
        let mut created = 0;
        for (username, display, unit, roles) in demo_accounts() {
            let exists: i64 = users::table
                .filter(users::username.eq(username))
                .count()
                .get_result(conn)?;
            if exists > 0 {
                continue;
            }
            let at = now();
            let row = UserRow {
                id: Uuid::now_v7().to_string(),
                username: username.into(),
                display_name: display.into(),
                password_hash: password_hash.into(),
                unit_code: unit,
                roles: roles_text(&roles),
                disabled: false,
                create_hash: None,
                version: 1,
                created_at: at,
                created_by: None,
                updated_at: at,
                updated_by: None,
                pending_roles: None,
                proposed_by: None,
                proposed_at: None,
                must_change_password: false,
            };
            diesel::insert_into(users::table)
                .values(&row)
                .execute(conn)?;
            created += 1;
        }
        Ok(created)
    })
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "唐", "彭", "曾", "肖", "田", "邓",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "红", "小兰", "志强", "春花", "国庆", "德明",
    "湘云",
];

/// A valid identity number issued in `county` (random birth date and sequence).
pub fn synthetic_id_number(rng: &mut impl Rng, county: &str) -> String {
    let birth = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
        + TimeDelta::days(rng.gen_range(0..365 * 65));
    let body = format!(
        "{county}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..1000)
    );
    let check = shared::id_number::check_character(body.as_bytes()).map_or('0', char::from);
    format!("{body}{check}")
}

/// One synthetic person in `county`, at a random town and village of it.
fn synthetic_person(
    rng: &mut impl Rng,
    pii: &Pii,
    county: &str,
    city: &str,
    towns_of: &[(String, Vec<String>)],
    actor: &str,
) -> Result<PersonInsert, ApiError> {
    let id = IdNumber::parse(&synthetic_id_number(rng, county), NaiveDate::MAX)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let (town, village) = match towns_of.get(rng.gen_range(0..towns_of.len().max(1))) {
        Some((t, vs)) if !vs.is_empty() => (
            Some(t.clone()),
            Some(vs[rng.gen_range(0..vs.len())].clone()),
        ),
        Some((t, _)) => (Some(t.clone()), None),
        None => (None, None),
    };
    let category = DisabilityCategory::ALL[rng.gen_range(0..DisabilityCategory::ALL.len())];
    let level = DisabilityLevel::try_from(rng.gen_range(1..=4u8))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
    let status = [
        PovertyStatus::InPoverty,
        PovertyStatus::Lifted,
        PovertyStatus::Lifted,
        PovertyStatus::Unstable,
        PovertyStatus::Marginal,
        PovertyStatus::None,
    ][rng.gen_range(0..6)];
    let assurance = |rng: &mut dyn rand::RngCore| {
        [
            AssuranceStatus::Met,
            AssuranceStatus::Met,
            AssuranceStatus::Met,
            AssuranceStatus::NotMet,
            AssuranceStatus::Unknown,
        ][rng.gen_range(0..5)]
    };
    let input = shared::person::ValidPerson {
        name: format!(
            "{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        ),
        id_number: None,
        has_certificate: rng.gen_bool(0.8),
        disability_category: category,
        disability_level: level,
        phone: rng.gen_bool(0.7).then(|| {
            format!(
                "1{}{:09}",
                rng.gen_range(3..10),
                rng.gen_range(0..1_000_000_000u32)
            )
        }),
        county_code: county.into(),
        town_code: town,
        village_code: village,
        address_detail: Some(format!(
            "{}组{}号",
            rng.gen_range(1..15),
            rng.gen_range(1..80)
        )),
        household_number: Some(format!("{county}{:08}", rng.gen_range(0..100_000_000u32))),
        household_size: Some(rng.gen_range(1..7)),
        poverty_status: status,
        registered_poor: status != PovertyStatus::None && rng.gen_bool(0.85),
        multi_disabled_household: rng.gen_bool(0.1),
        elderly_disabled: id.birth_date() < NaiveDate::from_ymd_opt(1966, 1, 1).unwrap_or_default(),
        assurances: shared::person::Assurances {
            food_clothing: assurance(rng),
            education: assurance(rng),
            medical: assurance(rng),
            housing: assurance(rng),
            drinking_water: assurance(rng),
            assessed_on: Some(
                NaiveDate::from_ymd_opt(2020, 3, 1).unwrap_or_default()
                    + TimeDelta::days(rng.gen_range(0..200)),
            ),
        },
        notes: Some("合成演示数据，非真实人员 (synthetic demo data, not a real person)".into()),
    };
    let protected = ProtectedId::new(pii, &id)?;
    let at = now();
    Ok(PersonUpdateRow::new(
        &input,
        protected,
        city.into(),
        Stamp {
            version: 1,
            at,
            by: actor.into(),
        },
    )
    .into_insert(Uuid::now_v7().to_string(), true, None))
}

/// Inserts `count` synthetic persons spread over `counties` (county code, city code),
/// in batches, each batch one transaction. Returns how many were written; numbers that
/// collide with an existing live person are skipped.
pub fn seed_persons(
    conn: &mut DbConn,
    pii: &Pii,
    counties: &[(String, String)],
    count: usize,
    seed: u64,
    progress: &dyn Fn(usize),
) -> Result<usize, ApiError> {
    let actor = system_user(conn)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut geo = Vec::new();
    for (county, city) in counties {
        let ts: Vec<String> = towns::table
            .filter(towns::county_code.eq(county))
            .select(towns::code)
            .order(towns::code)
            .load(conn)?;
        let mut with_villages = Vec::new();
        for t in ts {
            let vs: Vec<String> = villages::table
                .filter(villages::town_code.eq(&t))
                .select(villages::code)
                .load(conn)?;
            with_villages.push((t, vs));
        }
        geo.push((county.clone(), city.clone(), with_villages));
    }
    if geo.is_empty() {
        return Ok(0);
    }
    let mut seen = std::collections::HashSet::new();
    let mut written = 0;
    // 39 columns × 400 rows stays under SQLite's 32,766 bound parameters.
    const BATCH: usize = 400;
    while written < count {
        let n = BATCH.min(count - written);
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n {
            let (county, city, ts) = &geo[rng.gen_range(0..geo.len())];
            let p = synthetic_person(&mut rng, pii, county, city, ts, &actor)?;
            if seen.insert(p.id_number_hmac.clone()) {
                batch.push(p);
            }
        }
        let hmacs: Vec<String> = batch.iter().map(|p| p.id_number_hmac.clone()).collect();
        let inserted = write_tx(conn, |conn| {
            let taken: Vec<String> = persons::table
                .filter(persons::id_number_hmac.eq_any(&hmacs))
                .filter(persons::deleted_at.is_null())
                .select(persons::id_number_hmac)
                .load(conn)?;
            batch.retain(|p| !taken.contains(&p.id_number_hmac));
            Ok::<_, ApiError>(crate::db::batch_insert!(conn, persons::table, &batch)?)
        })?;
        if inserted == 0 {
            // Every number collided: nothing more can be added here.
            break;
        }
        written += inserted;
        progress(written);
    }
    Ok(written)
}

/// The counties the demo data is spread over: 湘乡市 and 浏阳市 (the demo county
/// accounts'), two more of 湘潭市, and a few elsewhere.
pub fn demo_counties() -> Vec<(String, String)> {
    [
        "430381", "430181", "430302", "430321", "430102", "431102", "433101",
    ]
    .iter()
    .map(|c| ((*c).to_owned(), c[..4].to_owned()))
    .collect()
}

/// Every county-level unit with its city, for large benchmark data sets.
pub fn all_counties(conn: &mut DbConn) -> Result<Vec<(String, String)>, ApiError> {
    use crate::db::schema::org_units;
    let rows: Vec<(String, Option<String>)> = org_units::table
        .filter(org_units::kind.eq(shared::OrgUnitKind::County.as_str()))
        .select((org_units::code, org_units::parent_code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, p)| p.map(|p| (c, p)))
        .collect())
}

/// A demo account as the server would see it after login (for seeding through the same
/// code paths as the API).
fn demo_actor(conn: &mut DbConn, username: &str) -> Result<crate::auth::AuthUser, ApiError> {
    use crate::db::schema::users;
    let (id, unit, roles): (String, String, String) = users::table
        .filter(users::username.eq(username))
        .select((users::id, users::unit_code, users::roles))
        .first(conn)?;
    let region = crate::org::queries::region_of(conn, &unit)?.ok_or(ApiError::NotFound)?;
    Ok(crate::auth::AuthUser {
        id: crate::db::uuid(&id)?,
        username: username.to_owned(),
        unit_code: unit,
        roles: crate::users::queries::parse_roles(&roles)?,
        scope: crate::auth::Scope::from_region(&region).ok_or(ApiError::NotFound)?,
        session_id: uuid::Uuid::nil(),
    })
}

/// Rehabilitation work under way in 湘乡市 for the demo: needs assessed by
/// `xiangxiang.rehab`, plans approved by `xiangxiang.staff` (four eyes), devices fitted,
/// service episodes — all through the module's own checks, audited like any write.
pub fn seed_rehab(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use chrono::NaiveDate;
    use shared::rehab::{
        Assessment, AssessmentResult, EpisodeCreate, EpisodeInput, FittingInput, NeedAction,
        NeedActionKind, NeedCreate, NeedInput, NeedKind, NeedSource, RehabProject, Side,
    };
    let rehab = demo_actor(conn, "xiangxiang.rehab")?;
    let staff = demo_actor(conn, "xiangxiang.staff")?;
    let people: Vec<(String, String, i32)> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::registered_poor.eq(true))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.asc())
        .limit(24)
        .select((
            persons::id,
            persons::disability_category,
            persons::disability_level,
        ))
        .load(conn)?;
    let items = crate::rehab::catalogue::list(conn, &Default::default())?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let mut written = 0;
    for (i, (person, category, level)) in people.iter().enumerate() {
        let person_id = crate::db::uuid(person)?;
        let category: shared::DisabilityCategory = crate::db::code(category)?;
        let item = items.iter().find(|it| {
            it.fields.categories.contains(&category)
                && it.fields.max_level.is_none_or(|m| i32::from(m) >= *level)
        });
        let device = i % 4 != 3 && item.is_some();
        let month = 3 + u32::try_from(i % 6).unwrap_or(0);
        let (_, need) = crate::rehab::needs::create(
            conn,
            pii,
            &rehab,
            &NeedCreate {
                id: None,
                fields: NeedInput {
                    person_id,
                    kind: if device {
                        NeedKind::Device
                    } else {
                        NeedKind::FunctionalTraining
                    },
                    project: if device {
                        RehabProject::BasicDevice
                    } else {
                        RehabProject::BasicRehab
                    },
                    item_id: if device { item.map(|it| it.id) } else { None },
                    source: NeedSource::Survey,
                    identified_on: day(month, 2),
                    note: None,
                    supersedes: None,
                },
                assessment: Some(Assessment {
                    result: if i % 8 == 5 {
                        AssessmentResult::Deferred
                    } else {
                        AssessmentResult::Needed
                    },
                    assessed_on: day(month, 5),
                    assessor: "湘乡市残疾人康复中心".into(),
                    evidence_id: None,
                }),
            },
        )?;
        written += 1;
        if i % 8 == 5 || i % 4 == 0 {
            continue;
        }
        let step = |action, version| NeedAction {
            action,
            version,
            reason: None,
            assessment: None,
            fitting: None,
            acceptance: None,
            follow_up: None,
            evidence_id: None,
        };
        let need = crate::rehab::needs::act(
            conn,
            &staff,
            need.id,
            &step(NeedActionKind::ApprovePlan, need.version),
        )?;
        if device && i % 4 == 2 {
            let mut fit = step(NeedActionKind::Fit, need.version);
            fit.fitting = Some(FittingInput {
                item_id: None,
                provider: "湘潭市辅助器具服务中心".into(),
                quantity: 1,
                side: Side::None,
                unit_price_fen: 50_000,
                subsidy_fen: None,
                delivered_on: day(month + 1, 10),
            });
            crate::rehab::needs::act(conn, &rehab, need.id, &fit)?;
        } else if !device {
            crate::rehab::episodes::create(
                conn,
                pii,
                &rehab,
                &EpisodeCreate {
                    id: None,
                    fields: EpisodeInput {
                        person_id,
                        need_id: Some(need.id),
                        institution: "湘乡市残疾人康复中心".into(),
                        project: RehabProject::BasicRehab,
                        category,
                        start_on: day(month, 15),
                        end_on: None,
                        months: 3,
                        monthly_fen: 60_000,
                        guardian: None,
                        outcome: None,
                        continues: None,
                    },
                },
            )?;
        }
    }
    Ok(written)
}
