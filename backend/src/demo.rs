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
            "office",
            "省残联办公室干部",
            department_code("general_office"),
            vec![Role::Leader],
        ),
        (
            "poverty",
            "省残联扶贫办干部",
            department_code("poverty_office"),
            vec![Role::Leader],
        ),
        (
            "data",
            "省残联数据更新办干部",
            department_code("data_update_office"),
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
            "xiangxiang.rights",
            "湘乡市残联维权干部",
            "430381".into(),
            vec![Role::Rights],
        ),
        (
            "xiangxiang.employment",
            "湘乡市残联教就干部",
            "430381".into(),
            vec![Role::Employment],
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
            let inserted = crate::db::batch_insert!(conn, persons::table, &batch)?;
            let changes: Vec<crate::sync::Change<'_>> = batch
                .iter()
                .map(|p| crate::sync::Change {
                    id: p.id.as_str(),
                    county: p.county_code.as_str(),
                    version: p.version,
                    at: p.updated_at,
                })
                .collect();
            crate::sync::record_many(conn, crate::sync::Entity::Person, &changes)?;
            Ok::<_, ApiError>(inserted)
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
        write_lsn: None,
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

/// Home accessibility retrofits under way in 湘乡市 for the demo: ten cases of synthetic
/// persons in various states, recorded by `xiangxiang.rights` with plans approved by
/// `xiangxiang.staff` (four eyes), all through the module's own checks and audited. Two
/// cases wait in `verified` with nothing else done, for a walk through plan → approve →
/// start → complete → accept (upload the before photos before starting); the first case
/// holds two members of one household.
pub fn seed_retrofits(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::rehab::NeedSource;
    use shared::retrofit::{
        ActualCost, CaseAction, CaseActionKind, CaseCreate, CaseInput, CompleteInput,
        LinkedProgramme, PlanItemInput, StartInput, VisitInput,
    };
    let rights = demo_actor(conn, "xiangxiang.rights")?;
    let staff = demo_actor(conn, "xiangxiang.staff")?;
    let people: Vec<(String, Option<String>)> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::registered_poor.eq(true))
        .filter(persons::disability_level.le(2))
        .filter(persons::synthetic.eq(true))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.desc())
        .limit(11)
        .select((persons::id, persons::household_number))
        .load(conn)?;
    if people.len() < 11 {
        return Ok(0);
    }
    // Two synthetic persons made one household, so that one case holds both.
    write_tx(conn, |conn| {
        diesel::update(persons::table.filter(persons::id.eq(&people[1].0)))
            .set(persons::household_number.eq(&people[0].1))
            .execute(conn)?;
        let (county, version, at): (String, i64, chrono::NaiveDateTime) = persons::table
            .find(&people[1].0)
            .select((persons::county_code, persons::version, persons::updated_at))
            .first(conn)?;
        crate::sync::record(
            conn,
            crate::sync::Entity::Person,
            (&people[1].0, version, at),
            &[&county],
        )
    })?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let step = |action, version| CaseAction {
        action,
        version,
        reason: None,
        visit: None,
        start: None,
        complete: None,
        acceptance: None,
    };
    let visit = |m: u32| VisitInput {
        visited_on: day(m, 12),
        visitors: "湘乡市残联维权部 王芳、村残疾人专职委员 李强".into(),
        need_verified: true,
        willing: true,
        housing_suitable: true,
        note: None,
    };
    let plan = [
        ("ramp", "大门口", 1, 120_000),
        ("grab_bars", "卫生间", 2, 30_000),
        ("sitting_toilet", "卫生间", 1, 80_000),
    ];
    let mut written = 0;
    // Case 0 holds persons 0 and 1; cases 1–9 one person each (persons 2–10).
    for i in 0..10usize {
        let members: Vec<Uuid> = if i == 0 {
            vec![
                crate::db::uuid(&people[0].0)?,
                crate::db::uuid(&people[1].0)?,
            ]
        } else {
            vec![crate::db::uuid(&people[i + 1].0)?]
        };
        let month = 3 + u32::try_from(i % 5).unwrap_or(0);
        let (_, case) = crate::retrofit::cases::create(
            conn,
            pii,
            &rights,
            &CaseCreate {
                id: None,
                fields: CaseInput {
                    person_ids: members,
                    source: if i % 2 == 0 {
                        NeedSource::Survey
                    } else {
                        NeedSource::HomeVisit
                    },
                    identified_on: day(month, 2),
                    linked_programme: if i == 6 {
                        LinkedProgramme::DilapidatedHousing
                    } else {
                        LinkedProgramme::None
                    },
                    address: None,
                    note: Some("演示数据（虚构）".into()),
                    relocated_from: None,
                },
            },
        )?;
        written += 1;
        let (id, version) = (case.id, std::cell::Cell::new(case.version));
        // Each step answers the case; its version is the next step's.
        let act = |conn: &mut DbConn,
                   who: &crate::auth::AuthUser,
                   edit: &dyn Fn(&mut CaseAction),
                   kind: CaseActionKind|
         -> Result<shared::retrofit::RetrofitCase, ApiError> {
            let mut a = step(kind, version.get());
            edit(&mut a);
            let c = crate::retrofit::cases::act(conn, who, id, &a)?;
            version.set(c.version);
            Ok(c)
        };
        match i {
            0 | 1 => continue,
            8 => {
                let why = |a: &mut CaseAction| a.reason = Some("户主表示暂不需要改造".into());
                act(conn, &rights, &why, CaseActionKind::Decline)?;
                continue;
            }
            9 => {
                let why = |a: &mut CaseAction| a.reason = Some("房屋为C级危房，转危房改造".into());
                act(conn, &rights, &why, CaseActionKind::ReferHousing)?;
                continue;
            }
            _ => {}
        }
        let v = visit(month);
        act(
            conn,
            &rights,
            &|a: &mut CaseAction| a.visit = Some(v.clone()),
            CaseActionKind::Verify,
        )?;
        if i <= 3 {
            continue;
        }
        let lines: Vec<PlanItemInput> = plan
            .iter()
            .map(|(item, location, quantity, cost)| PlanItemInput {
                id: None,
                item_code: (*item).into(),
                location: (*location).into(),
                quantity: *quantity,
                unit_cost_fen: *cost,
                note: None,
            })
            .collect();
        let c = crate::retrofit::cases::update_plan(conn, &rights, id, version.get(), &lines)?;
        version.set(c.version);
        let none = |_: &mut CaseAction| {};
        act(conn, &rights, &none, CaseActionKind::DraftPlan)?;
        if i == 4 {
            continue;
        }
        act(conn, &staff, &none, CaseActionKind::ApprovePlan)?;
        if i == 5 {
            continue;
        }
        let start = StartInput {
            contractor: "湘乡市安居建筑装饰有限公司".into(),
            started_on: day(month + 1, 3),
        };
        let c = act(
            conn,
            &rights,
            &|a: &mut CaseAction| a.start = Some(start.clone()),
            CaseActionKind::Start,
        )?;
        if i == 6 {
            continue;
        }
        let done = CompleteInput {
            completed_on: day(month + 1, 20),
            costs: c
                .plan
                .items
                .iter()
                .map(|l| ActualCost {
                    plan_item_id: l.id,
                    actual_cost_fen: l.line_total_fen,
                })
                .collect(),
        };
        act(
            conn,
            &rights,
            &|a: &mut CaseAction| a.complete = Some(done.clone()),
            CaseActionKind::Complete,
        )?;
    }
    Ok(written)
}

/// Care services in 湘乡市 for the demo: three providers and eight placements in every
/// state — referred, assessed, approved, active (residential, day care, home-based with
/// service logs), suspended, ended, and one transferred — recorded by
/// `xiangxiang.employment` and approved by `xiangxiang.staff` (four eyes), through the
/// module's own checks.
pub fn seed_care(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::care::{
        CareAssessmentCreate, CareAssessmentInput, CareMode, CarerSituation, EndReason, Funder,
        PlacementAction, PlacementActionKind, PlacementCreate, PlacementInput, PlacementStatus,
        PlacementTransfer, ProviderCreate, ProviderInput, ProviderKind, SelfCareLevel,
        ServiceLogInput,
    };
    let writer = demo_actor(conn, "xiangxiang.employment")?;
    let approver = demo_actor(conn, "xiangxiang.staff")?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let mut providers = Vec::new();
    for (name, kind, places) in [
        ("湘乡市残疾人托养中心", ProviderKind::DpfCentre, 40),
        ("湘乡市东山街道日间照料中心", ProviderKind::DayCentre, 20),
        ("湘乡市助残居家服务社", ProviderKind::HomeServiceOrg, 60),
    ] {
        let (_, p) = crate::care::providers::create(
            conn,
            pii,
            &writer,
            &ProviderCreate {
                id: None,
                fields: ProviderInput {
                    name: name.into(),
                    kind,
                    county_code: "430381".into(),
                    places,
                    address: None,
                    phone: None,
                    active: true,
                },
            },
        )?;
        providers.push(p.id);
    }
    // Persons of 湘乡市 not already used by the rehab demo's first ones.
    let people: Vec<String> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::registered_poor.eq(true))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.desc())
        .limit(8)
        .select(persons::id)
        .load(conn)?;
    let modes = [
        CareMode::Residential,
        CareMode::DayCare,
        CareMode::HomeBased,
    ];
    // The status each placement is taken to, in order.
    let targets = [
        PlacementStatus::Referred,
        PlacementStatus::Assessed,
        PlacementStatus::Approved,
        PlacementStatus::Active,
        PlacementStatus::Active,
        PlacementStatus::Active,
        PlacementStatus::Suspended,
        PlacementStatus::Ended,
    ];
    let mut written = 0;
    for (i, (person, target)) in people.iter().zip(targets).enumerate() {
        let person_id = crate::db::uuid(person)?;
        let mode = modes[i % 3];
        let provider = providers[i % 3];
        let month = 2 + u32::try_from(i).unwrap_or(0);
        let assessment = if target == PlacementStatus::Referred {
            None
        } else {
            let (_, a) = crate::care::assessments::create(
                conn,
                pii,
                &writer,
                &CareAssessmentCreate {
                    id: None,
                    fields: CareAssessmentInput {
                        person_id,
                        assessed_on: day(month, 3),
                        assessor: "湘乡市残联托养评估小组".into(),
                        self_care: SelfCareLevel::ALL[i % 3],
                        carer: CarerSituation::ALL[i % 4],
                        preferred_mode: mode,
                        note: None,
                    },
                },
            )?;
            Some(a.id)
        };
        let (_, mut p) = crate::care::placements::create(
            conn,
            pii,
            &writer,
            &PlacementCreate {
                id: None,
                fields: PlacementInput {
                    person_id,
                    provider_id: provider,
                    mode,
                    start_on: day(month, 10),
                    end_on: None,
                    monthly_subsidy_fen: [120_000, 60_000, 30_000][i % 3],
                    funder: Funder::ALL[i % 3],
                    assessment_id: assessment,
                    note: None,
                },
            },
        )?;
        written += 1;
        let step = |action, on| PlacementAction {
            action,
            version: None,
            on,
            end_reason: None,
            assessment_id: None,
            note: None,
        };
        let mut go = |conn: &mut DbConn, who: &crate::auth::AuthUser, a: PlacementAction| {
            crate::care::placements::act(conn, who, p.id, p.version, &a).map(|n| p = n)
        };
        if matches!(
            target,
            PlacementStatus::Referred | PlacementStatus::Assessed
        ) {
            continue;
        }
        go(
            conn,
            &approver,
            step(PlacementActionKind::Approve, Some(day(month, 8))),
        )?;
        if target == PlacementStatus::Approved {
            continue;
        }
        go(
            conn,
            &writer,
            step(PlacementActionKind::Activate, Some(day(month, 10))),
        )?;
        match target {
            PlacementStatus::Suspended => {
                go(
                    conn,
                    &writer,
                    step(PlacementActionKind::Suspend, Some(day(month + 2, 1))),
                )?;
            }
            PlacementStatus::Ended => {
                let mut end = step(PlacementActionKind::End, Some(day(month + 3, 20)));
                end.end_reason = Some(EndReason::FamilyCare);
                go(conn, &writer, end)?;
            }
            _ => {}
        }
        if mode == CareMode::HomeBased && target == PlacementStatus::Active {
            for (d, tasks) in [(12, "助浴、理发"), (19, "送餐、打扫卫生"), (26, "陪同就医")]
            {
                crate::care::placements::add_log(
                    conn,
                    pii,
                    &writer,
                    p.id,
                    &ServiceLogInput {
                        id: None,
                        served_on: day(month, d),
                        hours: 2,
                        tasks: tasks.into(),
                        carer: "王秀兰".into(),
                    },
                )?;
            }
        }
        if i == 3 {
            // A change of mode: residential care becomes day care from July.
            crate::care::placements::transfer(
                conn,
                &writer,
                p.id,
                p.version,
                &PlacementTransfer {
                    version: None,
                    new_id: None,
                    on: day(7, 1),
                    provider_id: providers[1],
                    mode: CareMode::DayCare,
                    monthly_subsidy_fen: 60_000,
                    funder: Funder::Dpf,
                    note: Some("家属要求改为日间照料".into()),
                },
            )?;
        }
    }
    Ok(written)
}

/// Petitions in 湘乡市 for the demo, registered and handled by `xiangxiang.rights`
/// through the module's own checks (audited like any write): one waiting to be accepted,
/// one in progress past its reply deadline, one replied, one closed after a follow-up,
/// one redirected — and one petitioner who wrote to the governor's mailbox and then
/// called, linked by their identity number. The petitioners are synthetic. Adds nothing
/// when the county has petitions already.
pub fn seed_petitions(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::petitions::{
        PetitionAction, PetitionActionKind as A, PetitionCategory as C, PetitionChannel as Ch,
        PetitionCreate, PetitionInput,
    };
    use shared::retrofit::Satisfaction;
    let existing: i64 = crate::db::schema::petitions::table
        .filter(crate::db::schema::petitions::county_code.eq("430381"))
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let rights = demo_actor(conn, "xiangxiang.rights")?;
    let person: Option<String> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::synthetic.eq(true))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.asc())
        .select(persons::id)
        .first(conn)
        .optional()?;
    let mut rng = StdRng::seed_from_u64(18);
    let twice = synthetic_id_number(&mut rng, "430381");
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    // (channel, received, name, id number, subject, category, linked person, steps)
    type Spec<'a> = (
        Ch,
        NaiveDate,
        &'a str,
        Option<String>,
        &'a str,
        C,
        bool,
        &'a [A],
    );
    let done: &[A] = &[
        A::Accept,
        A::Assign,
        A::Start,
        A::Reply,
        A::FollowUp,
        A::Close,
    ];
    let specs: Vec<Spec<'_>> = vec![
        (
            Ch::GovernorMailbox,
            day(3, 2),
            "刘德明",
            Some(twice.clone()),
            "反映困难残疾人生活补贴未按时发放",
            C::Subsidies,
            true,
            done,
        ),
        (
            Ch::Phone,
            day(6, 8),
            "刘德明",
            Some(twice),
            "再次反映补贴发放问题，要求说明发放时间",
            C::Subsidies,
            true,
            &[A::Accept, A::Assign, A::Start, A::Reply],
        ),
        (
            Ch::Rednet,
            day(7, 15),
            "陈秀英",
            Some(synthetic_id_number(&mut rng, "430381")),
            "咨询重度残疾人护理补贴申请条件",
            C::PolicyInquiry,
            false,
            &[A::Accept, A::Assign, A::Start],
        ),
        (
            Ch::Letter,
            day(9, 1),
            "周建华",
            None,
            "要求为家中残疾人进行无障碍改造",
            C::Housing,
            false,
            &[],
        ),
        (
            Ch::Visit,
            day(5, 20),
            "黄桂兰",
            None,
            "反映邻里纠纷，请求调解",
            C::Other,
            false,
            &[A::Redirect],
        ),
        (
            Ch::ChairmanMailbox,
            day(4, 10),
            "李志强",
            Some(synthetic_id_number(&mut rng, "430381")),
            "咨询残疾人职业技能培训报名",
            C::Employment,
            false,
            done,
        ),
    ];
    let mut written = 0;
    for (channel, received, name, number, subject, category, link, steps) in specs {
        let (_, p) = crate::petitions::cases::create(
            conn,
            pii,
            &rights,
            &PetitionCreate {
                id: None,
                fields: PetitionInput {
                    channel,
                    received_on: received,
                    county_code: Some("430381".into()),
                    petitioner_name: name.into(),
                    petitioner_id_number: number,
                    petitioner_phone: Some(format!("1380732{:04}", written + 1)),
                    subject: subject.into(),
                    category,
                    content: Some("演示数据（虚构）".into()),
                    person_id: if link {
                        person.as_deref().map(crate::db::uuid).transpose()?
                    } else {
                        None
                    },
                },
            },
        )?;
        written += 1;
        let mut version = p.version;
        let mut on = received;
        for action in steps.iter().copied() {
            on += TimeDelta::days(if action == A::Reply { 20 } else { 3 });
            let a = PetitionAction {
                action,
                version: Some(version),
                on: Some(on),
                assigned_unit: (action == A::Assign).then(|| "430381".to_owned()),
                reply: (action == A::Reply)
                    .then(|| "经核实，已协调相关部门办理，并书面答复信访人".to_owned()),
                follow_up: (action == A::FollowUp)
                    .then(|| "电话回访，信访人表示问题已解决".to_owned()),
                satisfaction: (action == A::FollowUp).then_some(Satisfaction::Satisfied),
                unresolved: None,
                note: (action == A::Redirect)
                    .then(|| "属民事纠纷，已告知信访人向所在镇人民调解委员会申请调解".to_owned()),
            };
            version = crate::petitions::cases::act(conn, &rights, p.id, version, &a)?.version;
        }
    }
    Ok(written)
}

/// Problems to rectify (问题清零) in 湘乡市 for the demo: five items from different
/// sources, recorded by `xiangxiang.staff` through the module's own checks — one open,
/// one assigned, one being rectified (due within the week), one long-term with its plan,
/// and one overdue — for a walk through rectify → submit with a photo (the county) →
/// recheck and close out (`xiangtan.staff` or the poverty office).
pub fn seed_rectification(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::rectification::{
        LongTermInput, ProblemCategory as C, ProblemSource as S, RectificationAction,
        RectificationActionKind as A, RectificationCreate, RectificationInput,
    };
    let staff = demo_actor(conn, "xiangxiang.staff")?;
    let today = crate::db::today();
    let day = |n: i64| crate::rectification::items::days_after(today, n);
    // (source, category, description, household, two day offsets from today, steps)
    type Spec<'a> = (S, C, &'a str, &'a str, i64, i64, &'a [A]);
    let items: [Spec; 5] = [
        (
            S::Inspection,
            C::Housing,
            "3组 刘家危房未改造，残疾人仍居住在危房中",
            "梅桥镇 3组",
            -20,
            25,
            &[],
        ),
        (
            S::Visit,
            C::Medical,
            "重度残疾人未参加城乡居民基本医疗保险",
            "东山街道 8组",
            -15,
            10,
            &[A::Assign],
        ),
        (
            S::Petition,
            C::Policy,
            "困难残疾人生活补贴连续两个月未发放到位",
            "壶天镇 2组",
            -30,
            5,
            &[A::Assign, A::Start],
        ),
        (
            S::Assessment2019,
            C::Exit,
            "2019年考核反馈：一户残疾人家庭退出贫困不达标",
            "棋梓镇 5组",
            -60,
            -5,
            &[A::Assign, A::Start, A::LongTerm],
        ),
        (
            S::SelfCheck,
            C::Education,
            "适龄残疾儿童未入学，也未安排送教上门",
            "龙洞镇 1组",
            -40,
            -3,
            &[A::Assign],
        ),
    ];
    let mut written = 0;
    for (source, category, description, household, found, due, steps) in items {
        let (_, item) = crate::rectification::items::create(
            conn,
            pii,
            &staff,
            &RectificationCreate {
                id: None,
                fields: RectificationInput {
                    source,
                    source_id: None,
                    source_ref: None,
                    county_code: "430381".into(),
                    person_id: None,
                    household: Some(household.into()),
                    category,
                    description: description.into(),
                    measure: Some(6),
                    found_on: day(found),
                    deadline: day(due),
                },
            },
        )?;
        let mut version = item.version;
        for action in steps {
            let body = RectificationAction {
                action: *action,
                version,
                note: None,
                responsible_person: (*action == A::Assign)
                    .then(|| "湘乡市残联 扶贫办 王建国".to_owned()),
                long_term: (*action == A::LongTerm).then(|| LongTermInput {
                    plan: "列入下一年度危房改造和产业帮扶计划，按季度跟踪".into(),
                    deadline: day(120),
                }),
                duplicate_of: None,
            };
            version = crate::rectification::items::act(conn, &staff, item.id, &body)?.version;
        }
        written += 1;
    }
    Ok(written)
}

/// Measure 4 in 湘乡市 for the demo: each of the county's cadres paired by
/// `xiangxiang.staff` with two registered-poor households from January 2020, and visits
/// recorded by the cadres themselves (one finding unsafe housing), through the module's
/// own checks, audited like any write.
pub fn seed_pairings(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::visits::{
        CheckResult, PairingCreate, PairingInput, VisitCheck, VisitCheckItem, VisitCreate,
        VisitInput, VisitMode, VisitPolicy,
    };
    let staff = demo_actor(conn, "xiangxiang.staff")?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let households: Vec<String> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::registered_poor.eq(true))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.asc())
        .offset(12)
        .limit(8)
        .select(persons::id)
        .load(conn)?;
    let cadres = [
        ("xiangxiang.staff", "办公室主任"),
        ("xiangxiang.rehab", "康复部干事"),
        ("xiangxiang.rights", "维权部干事"),
        ("xiangxiang.employment", "教就部干事"),
    ];
    let mut written = 0;
    for (i, pair) in households.chunks(2).enumerate() {
        let Some((username, post)) = cadres.get(i) else {
            break;
        };
        let cadre = demo_actor(conn, username)?;
        for (j, person) in pair.iter().enumerate() {
            let (_, p) = crate::visits::pairings::create(
                conn,
                pii,
                &staff,
                &PairingCreate {
                    id: None,
                    fields: PairingInput {
                        cadre_id: cadre.id,
                        cadre_post: (*post).into(),
                        person_id: crate::db::uuid(person)?,
                        from_on: day(1, 6),
                        to_on: None,
                    },
                },
            )?;
            written += 1;
            // Two visits of the first household, one of the second; the rehab cadre's
            // second visit finds the house unsafe.
            let visits: &[(u32, u32, VisitMode)] = if j == 0 {
                &[(3, 12, VisitMode::InPerson), (5, 20, VisitMode::Phone)]
            } else {
                &[(4, 8, VisitMode::InPerson)]
            };
            for (k, (m, d, mode)) in visits.iter().enumerate() {
                let problem = i == 1 && j == 0 && k == 1;
                let checks = VisitCheckItem::ALL
                    .iter()
                    .map(|item| {
                        let bad = problem && *item == VisitCheckItem::Housing;
                        VisitCheck {
                            item: *item,
                            result: if bad {
                                CheckResult::Problem
                            } else {
                                CheckResult::Ok
                            },
                            note: bad.then(|| "房屋墙体开裂，雨季有倒塌风险".into()),
                        }
                    })
                    .collect();
                crate::visits::records::create(
                    conn,
                    pii,
                    &cadre,
                    &VisitCreate {
                        id: None,
                        fields: VisitInput {
                            pairing_id: p.id,
                            visited_on: day(*m, *d),
                            mode: *mode,
                            checks,
                            policies: vec![
                                VisitPolicy::LivingSubsidy,
                                VisitPolicy::SubsistenceAllowance,
                                VisitPolicy::MedicalInsurance,
                            ],
                            help_given: Some("宣讲政策，帮助申请护理补贴".into()),
                        },
                    },
                )?;
            }
        }
    }
    Ok(written)
}

/// Demo survey (measure 7) and cross-check rules (measures 5 and 8): the data update
/// office's 2020 round over the whole province, with three persons of 湘乡市 surveyed
/// (one with unsafe housing, which opens a rectification item, and a household plan for
/// that household); and the poverty office's 2020 eligibility rules. Answers the records
/// written.
pub fn seed_survey(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::crosscheck::{AgencyScheme, EligibilityRule, RuleSetPut};
    use shared::survey::{
        HouseholdPlanInput, PlanMeasure, RoundCreate, RoundInput, SurveyCreate, SurveyInput,
    };
    use shared::visits::{CheckResult, VisitPolicy};
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let office = demo_actor(conn, "data")?;
    let (_, round) = crate::survey::rounds::create(
        conn,
        pii,
        &office,
        &RoundCreate {
            id: None,
            fields: RoundInput {
                title: "2020年未脱贫残疾人两不愁三保障摸底排查".into(),
                from_on: day(3, 1),
                to_on: day(12, 31),
                area_code: "43".into(),
                units: Vec::new(),
            },
        },
    )?;
    let staff = demo_actor(conn, "xiangxiang.staff")?;
    let poor: Vec<String> = persons::table
        .filter(persons::county_code.eq("430381"))
        .filter(persons::poverty_status.eq(PovertyStatus::InPoverty.as_str()))
        .filter(persons::deleted_at.is_null())
        .order(persons::id.desc())
        .limit(3)
        .select(persons::id)
        .load(conn)?;
    let mut written = 1;
    for (i, person) in poor.iter().enumerate() {
        let person_id = crate::db::uuid(person)?;
        let mut checks = SurveyInput::all_ok();
        if i == 0 {
            checks[4].result = CheckResult::Problem;
            checks[4].note = Some("土坯房，屋顶漏雨，需危房改造".into());
        }
        crate::survey::records::create(
            conn,
            pii,
            &staff,
            &SurveyCreate {
                id: None,
                fields: SurveyInput {
                    round_id: round.id,
                    person_id,
                    surveyed_on: day(4, 10 + u32::try_from(i).unwrap_or(0)),
                    checks,
                    policies: vec![VisitPolicy::LivingSubsidy, VisitPolicy::MedicalInsurance],
                    note: None,
                },
            },
        )?;
        written += 1;
        if i == 0 {
            crate::survey::plans::put(
                conn,
                &staff,
                person_id,
                None,
                &HouseholdPlanInput {
                    measures: vec![
                        PlanMeasure {
                            measure: "纳入农村危房改造".into(),
                            responsible_unit: "湘乡市住建局".into(),
                            due_on: day(6, 30),
                            done_on: None,
                        },
                        PlanMeasure {
                            measure: "申报重度残疾人护理补贴".into(),
                            responsible_unit: "湘乡市残联".into(),
                            due_on: day(5, 31),
                            done_on: Some(day(5, 20)),
                        },
                    ],
                    note: Some("一户一策：住房安全为先".into()),
                },
            )?;
            written += 1;
        }
    }
    let poverty = demo_actor(conn, "poverty")?;
    let rule = |scheme, registered_poor_only, max_level, recipients_registered, note: &str| {
        EligibilityRule {
            scheme,
            registered_poor_only,
            poverty_statuses: Vec::new(),
            max_level,
            recipients_registered,
            note: note.into(),
        }
    };
    crate::crosscheck::rules::put(
        conn,
        &poverty,
        2020,
        &RuleSetPut {
            rules: vec![
                rule(
                    AgencyScheme::NursingSubsidy,
                    true,
                    Some(2),
                    true,
                    "一、二级重度残疾人护理补贴",
                ),
                rule(
                    AgencyScheme::LivingSubsidy,
                    true,
                    None,
                    true,
                    "困难残疾人生活补贴",
                ),
                rule(
                    AgencyScheme::MedicalInsurance,
                    true,
                    None,
                    false,
                    "建档立卡贫困残疾人参加基本医疗保险",
                ),
                rule(
                    AgencyScheme::Dibao,
                    true,
                    Some(2),
                    false,
                    "重度残疾人单独纳入低保",
                ),
            ],
            reason: "2020年省残联脱贫攻坚22条措施".into(),
        },
    )?;
    Ok(written + 1)
}

/// Demo supervision (measures 20 and 22): the provincial leader stationed in 湘乡市 with
/// the rights and rehabilitation departments tasked; the rights department's filed
/// inspection of 浏阳市 (one problem, so one rectification item) and a planned one of
/// 湘潭县; one misconduct clue in 湘乡市. Answers the records written.
pub fn seed_supervision(conn: &mut DbConn, pii: &Pii) -> Result<usize, ApiError> {
    use shared::supervision::{
        ClueCreate, ClueInput, ClueKind, ClueSource, InspectionCreate, InspectionInput,
        InspectionStatus, StationingCreate, StationingInput, StationingLogInput,
    };
    use shared::visits::{CheckResult, VisitCheck, VisitCheckItem, VisitPolicy};
    let office = demo_actor(conn, "poverty")?;
    let leader = demo_actor(conn, "leader")?;
    let rights = demo_actor(conn, "rights")?;
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2020, m, d).unwrap_or_default();
    let (_, s) = crate::supervision::stationings::create(
        conn,
        pii,
        &office,
        &StationingCreate {
            id: None,
            fields: StationingInput {
                leader_id: leader.id,
                county_code: "430381".into(),
                departments: vec!["43.rehabilitation".into(), "43.rights".into()],
                from_on: day(3, 1),
                to_on: Some(day(12, 31)),
                note: Some("蹲点督战，每月不少于一次".into()),
            },
        },
    )?;
    crate::supervision::stationings::add_log(
        conn,
        pii,
        &leader,
        s.id,
        &StationingLogInput {
            id: None,
            on: day(3, 18),
            text: "走访翻江镇三个村，召开乡镇残联座谈会".into(),
        },
    )?;
    let villages: Vec<String> = villages::table
        .filter(villages::code.like("430181%"))
        .order(villages::code.asc())
        .limit(2)
        .select(villages::code)
        .load(conn)?;
    let checks = VisitCheckItem::ALL
        .iter()
        .map(|item| {
            let bad = *item == VisitCheckItem::DrinkingWater;
            VisitCheck {
                item: *item,
                result: if bad {
                    CheckResult::Problem
                } else {
                    CheckResult::Ok
                },
                note: bad.then(|| "两户饮水管道损坏，未及时维修".into()),
            }
        })
        .collect();
    let visit = |status, county: &str, villages: Vec<String>, checks| InspectionInput {
        status,
        department_code: "43.rights".into(),
        leader_id: rights.id,
        county_code: county.into(),
        planned_on: Some(day(5, 10)),
        visited_on: (status == InspectionStatus::Filed).then(|| day(5, 12)),
        households_visited: if status == InspectionStatus::Filed {
            6
        } else {
            0
        },
        villages,
        checks,
        policies: vec![VisitPolicy::LivingSubsidy, VisitPolicy::NursingSubsidy],
        findings: None,
    };
    for fields in [
        visit(InspectionStatus::Filed, "430181", villages, checks),
        visit(InspectionStatus::Planned, "430321", vec![], vec![]),
    ] {
        crate::supervision::inspections::create(
            conn,
            pii,
            &rights,
            &InspectionCreate { id: None, fields },
        )?;
    }
    crate::supervision::clues::create(
        conn,
        pii,
        &office,
        &ClueCreate {
            id: None,
            fields: ClueInput {
                source: ClueSource::Visit,
                kind: ClueKind::Favouritism,
                received_on: day(4, 2),
                county_code: "430381".into(),
                implicated_unit: None,
                implicated_user_id: None,
                implicated_person: Some("某村村干部".into()),
                description: "走访中群众反映：低保名额优先给了村干部亲属".into(),
            },
        },
    )?;
    Ok(5)
}
