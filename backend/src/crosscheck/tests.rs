//! HTTP tests of the cross-checks, each on SQLite and on PostgreSQL: the rules as data,
//! a list imported all or nothing with identity numbers kept only hashed and masked,
//! the gaps of a hand-made fixture (every kind), the scope of what each unit sees, and
//! a second month's snapshot with what changed.

use serde_json::{json, Value};
use shared::DisabilityCategory;

use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    rules_are_data_kept_by_the_poverty_office,
    a_list_is_imported_whole_or_not_at_all_and_never_keeps_the_number,
    the_gaps_of_a_hand_made_fixture_are_exactly_those_expected,
    the_next_month_s_list_shows_what_changed,
);

/// The provincial poverty office, which imports the agencies' lists.
const IMPORTER: &str = "poverty";
/// City staff of 湘潭市 (4303).
const CITY: &str = "xiangtan.staff";
/// County staff of 湘乡市 (430381).
const COUNTY: &str = "xiangxiang.staff";
/// County staff of 浏阳市 (430181), another city.
const OTHER: &str = "liuyang.staff";

fn nursing_rules() -> Value {
    json!({
        "rules": [
            {"scheme": "nursing_subsidy", "registered_poor_only": true, "max_level": 2,
             "recipients_registered": true, "note": "湘民发〔2016〕重度残疾人护理补贴"},
            {"scheme": "medical_insurance", "registered_poor_only": true}
        ],
        "reason": "2020年交叉比对规则"
    })
}

async fn set_rules(app: &TestApp) {
    let t = app.token("poverty").await;
    let r = app
        .put(&t, "/api/v1/crosscheck/rules/2020", nursing_rules())
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// The code of a 422's first field error.
fn first_error(r: &crate::testing::Resp) -> String {
    r.field_errors()
        .into_iter()
        .next()
        .map(|(_, code)| code)
        .unwrap_or_default()
}

fn id_number(county: &str) -> String {
    crate::demo::synthetic_id_number(&mut rand::thread_rng(), county)
}

/// A CSV list: (identity number, name, status, county).
fn csv(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut out = String::from("身份证号,姓名,项目,状态,期间,发放地区\n");
    for (id, name, status, county) in rows {
        out.push_str(&format!(
            "{id},{name},重度残疾人护理补贴,{status},2020-06,{county}\n"
        ));
    }
    out.into_bytes()
}

fn upload_path(period: &str, area: &str) -> String {
    format!(
        "/api/v1/crosscheck/lists?scheme=nursing_subsidy&period={period}&area={area}&format=csv"
    )
}

fn list_count(app: &TestApp) -> i64 {
    use crate::db::schema::agency_lists;
    use diesel::prelude::*;
    agency_lists::table
        .count()
        .get_result(&mut app.conn())
        .unwrap_or(-1)
}

async fn rules_are_data_kept_by_the_poverty_office(backend: Backend) {
    let app = TestApp::new(backend).await;
    set_rules(&app).await;
    let county = app.token(COUNTY).await;
    let r = app.get(&county, "/api/v1/crosscheck/rules/2020").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["rules"].as_array().map(Vec::len), Some(2));
    let nursing = &r.body["rules"][1];
    assert_eq!(nursing["scheme"], "nursing_subsidy");
    assert_eq!(nursing["max_level"], 2);
    // Another year has none: rules are per programme year.
    let r = app.get(&county, "/api/v1/crosscheck/rules/2021").await;
    assert_eq!(r.body["rules"], json!([]));
    // Only the province's poverty office sets them.
    for who in ["office", "leader", COUNTY, CITY, "xiangtan.leader"] {
        let t = app.token(who).await;
        let r = app
            .put(
                &t,
                "/api/v1/crosscheck/rules/2020",
                json!({"rules": [], "reason": "x"}),
            )
            .await;
        assert_eq!(r.status, 403, "{who}: {:?}", r.body);
    }
    // Bad rules change nothing.
    let poverty = app.token("poverty").await;
    let r = app
        .put(
            &poverty,
            "/api/v1/crosscheck/rules/2020",
            json!({"rules": [
                {"scheme": "dibao", "registered_poor_only": true, "max_level": 7},
                {"scheme": "dibao", "registered_poor_only": false}
            ], "reason": ""}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("reason".to_owned(), "required".to_owned()),
            ("rules[0].max_level".to_owned(), "out_of_range".to_owned()),
            ("rules[1].scheme".to_owned(), "duplicate".to_owned()),
        ]
    );
    let r = app
        .put(&poverty, "/api/v1/crosscheck/rules/1999", nursing_rules())
        .await;
    assert_eq!(first_error(&r), "out_of_range");
    let r = app.get(&county, "/api/v1/crosscheck/rules/2020").await;
    assert_eq!(r.body["rules"].as_array().map(Vec::len), Some(2));
    let audited: i64 = {
        use crate::db::schema::audit_log;
        use diesel::prelude::*;
        audit_log::table
            .filter(audit_log::entity_type.eq("crosscheck_rules"))
            .count()
            .get_result(&mut app.conn())
            .unwrap_or(0)
    };
    assert_eq!(
        audited, 1,
        "the one change is audited, the refused ones are not"
    );
}

async fn a_list_is_imported_whole_or_not_at_all_and_never_keeps_the_number(backend: Backend) {
    let app = TestApp::new(backend).await;
    let importer = app.token(IMPORTER).await;
    let (a, b) = (id_number("430381"), id_number("430321"));
    let mut bad_check = id_number("430381");
    let last = if bad_check.ends_with('1') { '2' } else { '1' };
    bad_check.pop();
    bad_check.push(last);
    // One bad row (a wrong check character), one repeated person, a status no one
    // uses, a county outside the list's area: nothing is written, every row is named.
    let file = csv(&[
        (&a, "张三", "享受", "430381"),
        (&bad_check, "李四", "享受", "430381"),
        (&a, "张三", "享受", "430381"),
        (&b, "王五", "也许", "430181"),
    ]);
    let r = app
        .upload(&importer, &upload_path("2020-06", "4303"), file)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        [
            (
                "rows[3].id_number".to_owned(),
                "invalid_check_character".to_owned()
            ),
            ("rows[4].id_number".to_owned(), "duplicate".to_owned()),
            ("rows[5].county".to_owned(), "outside_area".to_owned()),
            ("rows[5].status".to_owned(), "invalid_status".to_owned()),
        ],
        "{:?}",
        r.body
    );
    assert_eq!(list_count(&app), 0, "nothing written");
    // Who may import: the province's poverty office, which exchanges lists with the
    // other agencies; not a county, a city or a leader elsewhere. An area that is no
    // city or county of Hunan is refused.
    let good = csv(&[
        (&a, "张三", "享受", "430381"),
        (&b, "王五", "停发", "430321"),
    ]);
    for who in [COUNTY, CITY, "xiangtan.leader", "leader"] {
        let t = app.token(who).await;
        let r = app
            .upload(&t, &upload_path("2020-06", "4303"), good.clone())
            .await;
        assert_eq!(r.status, 403, "{who}: {:?}", r.body);
    }
    let r = app
        .upload(&importer, &upload_path("2020-06", "4399"), good.clone())
        .await;
    assert_eq!(
        r.field_errors(),
        [("area".to_owned(), "outside_scope".to_owned())]
    );
    let r = app
        .upload(&importer, &upload_path("2020-13", "4303"), good.clone())
        .await;
    assert_eq!(
        r.field_errors(),
        [("period".to_owned(), "invalid_period".to_owned())]
    );
    let r = app
        .upload(
            &importer,
            "/api/v1/crosscheck/lists?scheme=nursing_subsidy&period=2020-06&area=4303&format=xlsx",
            b"PK not a workbook".to_vec(),
        )
        .await;
    assert_eq!(first_error(&r), "unreadable", "{:?}", r.body);
    let r = app
        .upload(
            &importer,
            &upload_path("2020-06", "4303"),
            b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D\n".to_vec(),
        )
        .await;
    assert_eq!(first_error(&r), "missing_column", "{:?}", r.body);
    assert_eq!(list_count(&app), 0);

    // A good list is written whole, with a client-chosen id; a retry answers with it.
    let id = uuid::Uuid::new_v4();
    let path = format!("{}&id={id}", upload_path("2020-06", "4303"));
    let r = app.upload(&importer, &path, good.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["id"], id.to_string());
    assert_eq!(r.body["rows"], 2);
    assert_eq!(r.body["receiving"], 1);
    assert_eq!(r.body["agency"], "civil_affairs");
    assert_eq!(r.body["added"], 2);
    let r = app.upload(&importer, &path, good.clone()).await;
    assert_eq!(r.status, 200, "a retry is not a second list");
    assert_eq!(list_count(&app), 1);
    // The same id for another list, or for another file, or by another user, is 409.
    let other = path.replace("nursing_subsidy", "dibao");
    let r = app.upload(&importer, &other, good.clone()).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));
    let changed = csv(&[
        (&a, "张三", "停发", "430381"),
        (&b, "王五", "停发", "430321"),
    ]);
    let r = app.upload(&importer, &path, changed).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));
    app.add_user("poverty.second", "43.poverty_office", "staff");
    let second = app.token("poverty.second").await;
    let r = app.upload(&second, &path, good).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));
    assert_eq!(list_count(&app), 1);

    // No column of the list, and nothing in the audit log, holds a number in clear.
    {
        use crate::db::schema::{agency_list_rows, audit_log};
        use diesel::prelude::*;
        let mut conn = app.conn();
        let rows: Vec<(String, String, String)> = agency_list_rows::table
            .select((
                agency_list_rows::id_number_hmac,
                agency_list_rows::id_number_masked,
                agency_list_rows::name,
            ))
            .load(&mut conn)
            .unwrap_or_default();
        assert_eq!(rows.len(), 2);
        let audit: Vec<Option<String>> = audit_log::table
            .select(audit_log::after_json)
            .load(&mut conn)
            .unwrap_or_default();
        for n in [&a, &b] {
            for (hmac, masked, name) in &rows {
                assert!(
                    !hmac.contains(n.as_str())
                        && !masked.contains(n.as_str())
                        && !name.contains(n.as_str())
                );
            }
            assert!(audit.iter().flatten().all(|j| !j.contains(n.as_str())));
        }
        assert!(rows
            .iter()
            .any(|(h, _, _)| *h == app.state.pii.lookup_hash(&a)));
    }
    // Who sees the list: the city, its counties, the province; not another city.
    for (who, seen) in [(CITY, 1), (COUNTY, 1), ("leader", 1), (OTHER, 0)] {
        let t = app.token(who).await;
        let r = app.get(&t, "/api/v1/crosscheck/lists?year=2020").await;
        assert_eq!(
            r.body.as_array().map(Vec::len),
            Some(seen),
            "{who}: {:?}",
            r.body
        );
        let r = app.get(&t, &format!("/api/v1/crosscheck/lists/{id}")).await;
        assert_eq!(r.status, if seen == 1 { 200 } else { 404 }, "{who}");
    }
}

/// The masked numbers of a page of gaps, sorted.
fn masked(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["id_number_masked"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

fn mask(id: &str) -> String {
    shared::mask::mask_id_number(id)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

async fn gaps(app: &TestApp, who: &str, kind: &str) -> Value {
    let t = app.token(who).await;
    let r = app
        .get(
            &t,
            &format!("/api/v1/crosscheck/gaps?year=2020&scheme=nursing_subsidy&kind={kind}"),
        )
        .await;
    assert_eq!(r.status, 200, "{who} {kind}: {:?}", r.body);
    r.body
}

async fn the_gaps_of_a_hand_made_fixture_are_exactly_those_expected(backend: Backend) {
    let app = TestApp::new(backend).await;
    set_rules(&app).await;
    let level = |l: u8| PersonBuilder::new().disability(DisabilityCategory::Physical, l);
    let number = |b: &PersonBuilder| b.input().id_number.unwrap_or_default();
    // A: poor, level 1, receiving: no gap. B: poor, level 2, not listed: missing.
    // C: poor, level 2, listed as stopped: missing. D: poor, level 3: not eligible.
    // E: not poor, level 1: not eligible. F: poor, level 1, registered in 湘乡市,
    // receiving in 湘潭县: other county (and not missing). G: receiving, not
    // registered: not in the registry. H: stopped, not registered: nothing.
    let (a, c, f) = (
        level(1).name("甲"),
        level(2).name("丙"),
        level(1).name("己"),
    );
    let (na, nc, nf) = (number(&a), number(&c), number(&f));
    let _a = a.create(&app);
    let b = level(2).name("乙").create(&app);
    let c = c.create(&app);
    let _d = level(3).name("丁").create(&app);
    let _e = level(1).registered_poor(false).name("戊").create(&app);
    let f = f.create(&app);
    let (g, h) = (id_number("430381"), id_number("430321"));
    let file = csv(&[
        (&na, "甲", "享受", "430381"),
        (&nc, "丙", "停发", "430381"),
        (&nf, "己", "享受", "430321"),
        (&g, "庚", "享受", "430381"),
        (&h, "辛", "停发", "430321"),
    ]);
    let importer = app.token(IMPORTER).await;
    let r = app
        .upload(&importer, &upload_path("2020-06", "4303"), file)
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let city = app.token(CITY).await;
    let list_id = r.body["id"].clone();

    // 湘乡市 sees its own: B and C missing (C with the stopped status), G not in the
    // registry, F receiving in another county, with the person linked.
    let missing = gaps(&app, COUNTY, "missing").await;
    assert_eq!(
        masked(&missing),
        sorted(vec![b.id_number.clone(), c.id_number.clone()])
    );
    let c_gap = missing["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["person_id"] == c.id.to_string())
        .cloned()
        .unwrap_or_default();
    assert_eq!(c_gap["receipt"], "stopped");
    assert_eq!(c_gap["list_id"], list_id);
    assert_eq!(c_gap["disability_level"], 2);
    let unregistered = gaps(&app, COUNTY, "not_in_registry").await;
    assert_eq!(masked(&unregistered), [mask(&g)]);
    assert_eq!(unregistered["items"][0]["name"], "庚");
    assert_eq!(unregistered["items"][0]["person_id"], Value::Null);
    let elsewhere = gaps(&app, COUNTY, "other_county").await;
    assert_eq!(masked(&elsewhere), vec![f.id_number.clone()]);
    assert_eq!(elsewhere["items"][0]["person_id"], f.id.to_string());
    assert_eq!(elsewhere["items"][0]["registered_county"], "430381");
    assert_eq!(elsewhere["items"][0]["listed_county"], "430321");

    // 湘潭县's staff see F from their side: the list's name, no link to a person of
    // another county, no level or status.
    app.add_user("xiangtanxian.staff", "430321", "staff");
    let theirs = gaps(&app, "xiangtanxian.staff", "other_county").await;
    assert_eq!(masked(&theirs), vec![f.id_number.clone()]);
    assert_eq!(theirs["items"][0]["person_id"], Value::Null);
    assert_eq!(theirs["items"][0]["disability_level"], Value::Null);
    assert_eq!(theirs["items"][0]["registered_county"], Value::Null);
    assert_eq!(
        masked(&gaps(&app, "xiangtanxian.staff", "missing").await),
        Vec::<String>::new()
    );
    // 浏阳市 (another city) sees none of it.
    for kind in ["missing", "not_in_registry", "other_county"] {
        assert_eq!(
            masked(&gaps(&app, OTHER, kind).await),
            Vec::<String>::new(),
            "{kind}"
        );
    }
    // Medical insurance has a rule but no list: nothing to compare, no gaps.
    let t = app.token(COUNTY).await;
    let r = app
        .get(
            &t,
            "/api/v1/crosscheck/gaps?year=2020&scheme=medical_insurance&kind=missing",
        )
        .await;
    assert_eq!(r.body["items"], json!([]));

    // The city's summary: the totals, and 湘乡市's line among its counties.
    let r = app.get(&city, "/api/v1/crosscheck/summary?year=2020").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let count = |v: &Value, kind: &str| {
        v.as_array()
            .into_iter()
            .flatten()
            .find(|c| c["scheme"] == "nursing_subsidy" && c["kind"] == kind)
            .map_or(0, |c| c["count"].as_i64().unwrap_or(-1))
    };
    let totals = &r.body["totals"];
    assert_eq!(
        (
            count(totals, "missing"),
            count(totals, "not_in_registry"),
            count(totals, "other_county")
        ),
        (2, 1, 1)
    );
    let xiangxiang = r.body["units"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["code"] == "430381")
        .cloned()
        .unwrap_or_default();
    assert_eq!(count(&xiangxiang["counts"], "missing"), 2);
    assert_eq!(r.body["lists"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        r.body["rules"],
        json!(["medical_insurance", "nursing_subsidy"])
    );
    // Paging: one at a time, the two missing persons, then the end.
    let r1 = app
        .get(
            &t,
            "/api/v1/crosscheck/gaps?year=2020&scheme=nursing_subsidy&kind=missing&limit=1",
        )
        .await;
    let cursor = r1.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r2 = app
        .get(&t, &format!("/api/v1/crosscheck/gaps?year=2020&scheme=nursing_subsidy&kind=missing&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(r2.body["next_cursor"], Value::Null);
    let mut both = masked(&r1.body);
    both.extend(masked(&r2.body));
    assert_eq!(sorted(both), masked(&missing));
    // A forged cursor is refused, not put into the SQL.
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "x' OR '1'='1",
    );
    let r = app
        .get(&t, &format!("/api/v1/crosscheck/gaps?year=2020&scheme=nursing_subsidy&kind=missing&cursor={forged}"))
        .await;
    assert_eq!(first_error(&r), "invalid_cursor");
    // An area outside one's own is refused; the province's leaders read everything.
    let r = app
        .get(&t, "/api/v1/crosscheck/summary?year=2020&area=4301")
        .await;
    assert_eq!(
        r.field_errors(),
        [("area".to_owned(), "outside_scope".to_owned())]
    );
    let leader = app.token("leader").await;
    let r = app
        .get(&leader, "/api/v1/crosscheck/summary?year=2020")
        .await;
    assert_eq!(count(&r.body["totals"], "missing"), 2);
    let rights = app.token("xiangxiang.rights").await;
    let r = app
        .get(&rights, "/api/v1/crosscheck/summary?year=2020")
        .await;
    assert_eq!(r.status, 403, "a unit whose business it is not");
}

async fn the_next_month_s_list_shows_what_changed(backend: Backend) {
    let app = TestApp::new(backend).await;
    set_rules(&app).await;
    let c = PersonBuilder::new().disability(DisabilityCategory::Physical, 1);
    let nc = c.input().id_number.unwrap_or_default();
    let c = c.create(&app);
    let (g, k) = (id_number("430381"), id_number("430381"));
    let county = app.token(COUNTY).await;
    let importer = app.token(IMPORTER).await;
    let june = csv(&[(&nc, "丙", "停发", ""), (&g, "庚", "享受", "")]);
    let path = |p: &str| upload_path(p, "430381");
    let r = app.upload(&importer, &path("2020-06"), june).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let first = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        masked(&gaps(&app, COUNTY, "missing").await),
        vec![c.id_number.clone()]
    );
    // July: C receives now, G is gone, K is new.
    let july = csv(&[(&nc, "丙", "享受", ""), (&k, "癸", "享受", "")]);
    let july = String::from_utf8(july)
        .unwrap_or_default()
        .replace("2020-06", "2020-07");
    let r = app
        .upload(&importer, &path("2020-07"), july.into_bytes())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["previous_id"], first);
    assert_eq!(
        (
            r.body["added"].as_i64(),
            r.body["removed"].as_i64(),
            r.body["changed"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    for (kind, who, before, after) in [
        ("added", mask(&k), Value::Null, json!("receiving")),
        ("removed", mask(&g), json!("receiving"), Value::Null),
        (
            "changed",
            c.id_number.clone(),
            json!("stopped"),
            json!("receiving"),
        ),
    ] {
        let r = app
            .get(
                &county,
                &format!("/api/v1/crosscheck/lists/{id}/changes?kind={kind}"),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(masked(&r.body), [who], "{kind}");
        assert_eq!(r.body["items"][0]["before"], before, "{kind}");
        assert_eq!(r.body["items"][0]["after"], after, "{kind}");
    }
    // The latest list governs: C is no longer missing; K is not registered.
    assert_eq!(
        masked(&gaps(&app, COUNTY, "missing").await),
        Vec::<String>::new()
    );
    assert_eq!(
        masked(&gaps(&app, COUNTY, "not_in_registry").await),
        [mask(&k)]
    );
    // Another city's staff cannot read the changes.
    let other = app.token(OTHER).await;
    let r = app
        .get(
            &other,
            &format!("/api/v1/crosscheck/lists/{id}/changes?kind=added"),
        )
        .await;
    assert_eq!(r.status, 404);
}
