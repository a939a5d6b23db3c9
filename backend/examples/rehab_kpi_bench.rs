//! Measure 14's rehabilitation KPI at province scale: `kpi::rehab::rehab` for the
//! province, one city and one county, against a naive `GROUP BY` over the same needs.
//!
//! `cargo run --release -p xiangzhu-backend --features testing --example rehab_kpi_bench -- [sqlite|postgres] [persons] [rows]`
//!
//! On the shared build machine, build once under the lock and run the binary without it:
//!
//! ```text
//! export CARGO_TARGET_DIR=/var/tmp/xiangzhu-target
//! flock /tmp/xiangzhu-build.lock cargo build --release -p xiangzhu-backend --features testing --example rehab_kpi_bench
//! $CARGO_TARGET_DIR/release/examples/rehab_kpi_bench postgres 1000000 3000000
//! ```
//!
//! Defaults: 1,000,000 persons and 3,000,000 rows of needs and fittings together (about
//! 2.2 M needs and 0.8 M fittings), plus follow-ups of the fitted devices and service
//! episodes of the service needs, spread over the 134 counties of `org_units` (each
//! county a random weight), years 2019–2021, ~70 % registered poor. Needs run through
//! the whole workflow (identified … closed, not needed, refused, deferred, withdrawn,
//! superseded by a re-assessment); device needs name the seeded `device_items`, with
//! fittings priced around the item's cap, refits (a replaced fitting with a `replace`
//! follow-up) and devices fitted then refused. Children (0–6) get child rehabilitation.
//!
//! Persons: the first 5,000 come from `demo::seed_persons` (encrypted identity numbers),
//! timed, to show its rate; the rest are inserted directly with synthetic placeholder
//! identity columns (`id_number_enc`, `id_number_hmac` and `id_number_masked` are
//! unique placeholders, neither encrypted nor keyed), no town or village: the KPI never
//! reads them. Directly, because `seed_persons` is about twice as slow and makes
//! nobody born after 2005 (no child rehabilitation) and every county the same size. No `rehab_need_events` are written (the KPI does not read them either).
//! Every table is filled by multi-row INSERTs (thousands of rows per statement) inside
//! transactions, then PostgreSQL is `VACUUM ANALYZE`d (SQLite is left as the server
//! leaves it: no `ANALYZE`). Each query is run once to warm up, then 5 times.
//!
//! Environment: `REHAB_BENCH_KEEP=1` keeps the database and prints its URL (drop it
//! afterwards); `REHAB_BENCH_URL=<url>` measures such a database again, after applying
//! pending migrations, without generating anything; `REHAB_BENCH_EXPLAIN=1` prints the
//! plans of the KPI's four queries (`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL,
//! `EXPLAIN QUERY PLAN` on SQLite) at the province and the county;
//! `REHAB_BENCH_JIT=off` sets PostgreSQL's `jit` for the timed runs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use backend::auth::Scope;
use backend::db::{write_tx, DbConn};
use backend::testing::{Backend, TestApp};
use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::Digest as _;
use uuid::Uuid;

/// Persons made by `demo::seed_persons` (the rest are inserted directly).
const SEEDED: usize = 5_000;
/// Rows per INSERT statement for persons and needs; a need's fittings, follow-ups and
/// episodes go in the same transaction, right after it.
const ROWS: usize = 4_000;
/// Timed runs after the warm-up.
const RUNS: usize = 5;
const YEAR: i32 = 2020;
const CITY: &str = "4303";
const COUNTY: &str = "430381";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = if args.first().map(String::as_str) == Some("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let persons: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let rows: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000_000);
    actix_web::rt::System::new().block_on(run(backend, persons.max(1), rows))
}

async fn run(backend: Backend, n_persons: usize, n_rows: usize) -> anyhow::Result<()> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (app, mut conn, generated) = match env("REHAB_BENCH_URL") {
        Some(url) => {
            let pool = backend::db::connect(&url, 2)?;
            println!("{backend:?}: measuring the kept database {url}");
            (None, pool.get()?, None)
        }
        None => {
            let app = TestApp::new(backend).await;
            let mut conn = app.conn();
            let generated = generate(&app, &mut conn, n_persons, n_rows)?;
            (Some(app), conn, Some(generated))
        }
    };
    let started = Instant::now();
    match &mut *conn {
        DbConn::Pg(c) => c.batch_execute("VACUUM ANALYZE")?,
        DbConn::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?,
    }
    println!(
        "VACUUM ANALYZE / checkpoint: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let counts = table_counts(&mut conn)?;
    println!("rows: {counts}");

    if env("REHAB_BENCH_EXPLAIN").is_some() {
        for area in ["43", COUNTY] {
            for (name, sql) in backend::kpi::rehab::fact_queries(area, YEAR) {
                println!("\n== plan of {name} at {area} ==");
                for line in plan(&mut conn, &sql)? {
                    println!("{line}");
                }
            }
        }
        println!();
    }

    let kpi = |conn: &mut DbConn, unit: &str| {
        backend::kpi::rehab::rehab(conn, &Scope::Province, unit, YEAR)
            .map_err(|e| anyhow::anyhow!("rehab KPI at {unit}: {e:?}"))
    };
    let p = kpi(&mut conn, "43")?;
    let t = &p.total;
    println!(
        "province {YEAR}: service {}/{}, fitting by person {}/{}, by item {}/{}, follow-up {}/{}, \
         partial {}, refused {}, deferred {}, children {}, subsidy {} fen of cap {}, episodes {} fen; \
         {} children rows",
        t.service.num,
        t.service.den,
        t.fitting_by_person.num,
        t.fitting_by_person.den,
        t.fitting_by_item.num,
        t.fitting_by_item.den,
        t.follow_up.num,
        t.follow_up.den,
        t.partial_persons,
        t.refused,
        t.deferred,
        t.children_in_service,
        t.subsidy_fen,
        t.cap_fen,
        t.episodes_fen,
        p.children.len()
    );
    let city_den: i64 = p.children.iter().map(|c| c.service.den).sum();
    anyhow::ensure!(city_den == t.service.den, "cities do not add up");
    // One digest of the three answers, to compare runs over the same data (before and
    // after a change of the queries).
    let mut digest = sha2::Sha256::new();
    for unit in ["43", CITY, COUNTY] {
        digest.update(serde_json::to_vec(&kpi(&mut conn, unit)?)?);
    }
    let digest: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("digest of the province, city and county answers: {digest}");
    if let (Some(jit), DbConn::Pg(c)) = (env("REHAB_BENCH_JIT"), &mut *conn) {
        c.batch_execute(&format!("SET jit = {jit}"))?;
        println!("SET jit = {jit}");
    }

    let time = |label: &str, f: &mut dyn FnMut() -> anyhow::Result<()>| {
        let s = measure(f)?;
        println!(
            "{label:<34} min {:>9}  median {:>9}",
            ms(s.min),
            ms(s.median)
        );
        Ok::<_, anyhow::Error>(s)
    };
    let province = time("KPI province (43)", &mut || kpi(&mut conn, "43").map(drop))?;
    let city = time(&format!("KPI city ({CITY})"), &mut || {
        kpi(&mut conn, CITY).map(drop)
    })?;
    let county = time(&format!("KPI county ({COUNTY})"), &mut || {
        kpi(&mut conn, COUNTY).map(drop)
    })?;
    let naive_sql = format!(
        "SELECT county_code, status, COUNT(*) AS n FROM rehab_needs WHERE year = {YEAR} \
         GROUP BY county_code, status"
    );
    let mut groups = 0;
    let naive = time("naive GROUP BY county, status", &mut || {
        groups = diesel::sql_query(&naive_sql)
            .load::<Group>(&mut conn)?
            .len();
        Ok(())
    })?;
    let count = time("SELECT COUNT(*) FROM rehab_needs", &mut || {
        diesel::sql_query("SELECT COUNT(*) AS n FROM rehab_needs")
            .get_result::<Count>(&mut conn)?;
        Ok(())
    })?;
    for (name, sql) in backend::kpi::rehab::fact_queries("43", YEAR) {
        time(&format!("  {name} at 43"), &mut || {
            conn.batch_execute(&sql)?;
            Ok(())
        })?;
    }
    for (name, sql) in backend::kpi::rehab::fact_queries(COUNTY, YEAR) {
        time(&format!("  {name} at {COUNTY}"), &mut || {
            conn.batch_execute(&sql)?;
            Ok(())
        })?;
    }
    println!("(naive GROUP BY: {groups} groups)");

    let ratio = |a: Stats, b: Stats| a.median.as_secs_f64() / b.median.as_secs_f64().max(1e-9);
    println!("\n| backend | rows | generation | KPI province min / median | KPI city | KPI county | naive GROUP BY | COUNT(*) | KPI/naive (province, city, county; medians) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend:?} | {counts} | {} | {} / {} | {} / {} | {} / {} | {} / {} | {} / {} | {:.1}×, {:.1}×, {:.1}× |",
        generated.map_or_else(|| "kept".to_owned(), |d: Duration| format!("{:.0} s", d.as_secs_f64())),
        ms(province.min),
        ms(province.median),
        ms(city.min),
        ms(city.median),
        ms(county.min),
        ms(county.median),
        ms(naive.min),
        ms(naive.median),
        ms(count.min),
        ms(count.median),
        ratio(province, naive),
        ratio(city, naive),
        ratio(county, naive),
    );

    if env("REHAB_BENCH_KEEP").is_some() {
        let url = match &mut *conn {
            DbConn::Pg(c) => {
                let db: Name =
                    diesel::sql_query("SELECT current_database() AS name").get_result(c)?;
                let admin = backend::testing::pg_admin_url();
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                format!("{base}/{}", db.name)
            }
            DbConn::Sqlite(c) => {
                let db: Name = diesel::sql_query(
                    "SELECT file AS name FROM pragma_database_list WHERE name = 'main'",
                )
                .get_result(c)?;
                db.name
            }
        };
        println!("kept: REHAB_BENCH_URL={url}");
        drop(conn);
        std::mem::forget(app);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = Text)]
    #[expect(dead_code, reason = "loaded as the naive query returns it")]
    county_code: String,
    #[diesel(sql_type = Text)]
    #[expect(dead_code, reason = "loaded as the naive query returns it")]
    status: String,
    #[diesel(sql_type = BigInt)]
    #[expect(dead_code, reason = "loaded as the naive query returns it")]
    n: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    parent: i32,
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The plan of `sql`: executed with timings on PostgreSQL, the query plan on SQLite.
fn plan(conn: &mut DbConn, sql: &str) -> anyhow::Result<Vec<String>> {
    match conn {
        DbConn::Pg(c) => {
            c.batch_execute(
                "CREATE OR REPLACE FUNCTION pg_temp.bench_plan(q TEXT) RETURNS SETOF TEXT \
                 LANGUAGE plpgsql AS $f$ DECLARE r TEXT; BEGIN \
                 FOR r IN EXECUTE 'EXPLAIN (ANALYZE, BUFFERS) ' || q LOOP RETURN NEXT r; END LOOP; \
                 END $f$",
            )?;
            let lines: Vec<Line> =
                diesel::sql_query(format!("SELECT pg_temp.bench_plan($q${sql}$q$) AS line"))
                    .load(c)?;
            Ok(lines.into_iter().map(|l| l.line).collect())
        }
        DbConn::Sqlite(c) => {
            let rows: Vec<SqlitePlan> =
                diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(c)?;
            let mut depth: HashMap<i32, usize> = HashMap::new();
            Ok(rows
                .into_iter()
                .map(|r| {
                    let d = depth.get(&r.parent).map_or(0, |d| d + 1);
                    depth.insert(r.id, d);
                    format!("{}{}", "  ".repeat(d), r.detail)
                })
                .collect())
        }
    }
}

fn table_counts(conn: &mut DbConn) -> anyhow::Result<String> {
    let mut out = String::new();
    for t in [
        "persons",
        "rehab_needs",
        "device_fittings",
        "device_follow_ups",
        "rehab_episodes",
    ] {
        let c: Count =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}")).get_result(conn)?;
        let _ = write!(out, "{}{t} {}", if out.is_empty() { "" } else { ", " }, c.n);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    min: Duration,
    median: Duration,
}

fn measure(f: &mut dyn FnMut() -> anyhow::Result<()>) -> anyhow::Result<Stats> {
    f()?;
    let mut t = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        f()?;
        t.push(started.elapsed());
    }
    t.sort();
    Ok(Stats {
        min: t.first().copied().unwrap_or_default(),
        median: t.get(RUNS / 2).copied().unwrap_or_default(),
    })
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

// ---------------------------------------------------------------------------------
// Generation.

#[derive(Clone, Copy)]
struct Person {
    id: Uuid,
    county: u16,
    birth_year: i32,
    category: &'static str,
}

struct County {
    code: String,
    city: String,
}

struct Item {
    id: String,
    hearing: bool,
    seeing: bool,
    sided: bool,
    cap: i64,
    life: i32,
}

const CATEGORIES: [(&str, u32); 7] = [
    ("physical", 40),
    ("visual", 12),
    ("hearing", 12),
    ("speech", 2),
    ("intellectual", 12),
    ("mental", 12),
    ("multiple", 10),
];

const STATUSES: [&str; 12] = [
    "identified",
    "assessed",
    "plan_approved",
    "fitted",
    "accepted",
    "followed_up",
    "closed",
    "not_needed",
    "refused",
    "deferred",
    "withdrawn",
    "superseded",
];
/// Weights of [`STATUSES`] for device needs of a finished year and of the current one.
const DEVICE_DONE: [u32; 12] = [1, 3, 4, 6, 18, 26, 22, 4, 5, 4, 2, 5];
const DEVICE_OPEN: [u32; 12] = [6, 10, 10, 12, 25, 15, 4, 4, 4, 5, 1, 4];
/// The same for service needs (never fitted, accepted or followed up).
const SERVICE_DONE: [u32; 12] = [3, 6, 25, 0, 0, 0, 42, 6, 5, 5, 2, 6];
const SERVICE_OPEN: [u32; 12] = [8, 12, 38, 0, 0, 0, 18, 6, 5, 6, 1, 4];

/// Kinds with their weights; devices are about 47 % of needs.
const KINDS: [(&str, u32); 5] = [
    ("device", 47),
    ("rehab_medical", 15),
    ("functional_training", 20),
    ("surgery", 4),
    ("support", 14),
];
const SOURCES: [(&str, u32); 4] = [
    ("survey", 50),
    ("home_visit", 25),
    ("application", 15),
    ("referral", 10),
];
const PROVIDERS: [&str; 5] = [
    "省康复辅具中心",
    "市辅具服务站",
    "县残联辅具服务站",
    "湘雅康复器械有限公司",
    "福康假肢矫形中心",
];

fn weighted<T: Copy>(table: &[(T, u32)]) -> anyhow::Result<(Vec<T>, WeightedIndex<u32>)> {
    Ok((
        table.iter().map(|(t, _)| *t).collect(),
        WeightedIndex::new(table.iter().map(|(_, w)| *w))?,
    ))
}

fn q(s: &str) -> String {
    format!("'{s}'")
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "NULL".to_owned(), |v| format!("'{v}'"))
}

fn day(year: i32, offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default() + TimeDelta::days(offset)
}

/// Rows of one table waiting for their INSERT.
struct Rows {
    head: &'static str,
    body: String,
    n: usize,
    total: usize,
}

impl Rows {
    fn new(head: &'static str) -> Self {
        Self {
            head,
            body: String::new(),
            n: 0,
            total: 0,
        }
    }

    /// Starts a row: the caller writes its values after this.
    fn row(&mut self) -> &mut String {
        self.body.push_str(if self.n == 0 { "(" } else { "),\n(" });
        self.n += 1;
        self.total += 1;
        &mut self.body
    }

    /// The statement of the waiting rows, if any, and an empty buffer.
    fn take(&mut self) -> Option<String> {
        if self.n == 0 {
            return None;
        }
        self.n = 0;
        Some(format!(
            "INSERT INTO {} VALUES\n{})",
            self.head,
            std::mem::take(&mut self.body)
        ))
    }
}

fn execute_all(conn: &mut DbConn, statements: Vec<String>) -> anyhow::Result<()> {
    if statements.is_empty() {
        return Ok(());
    }
    write_tx(conn, |conn| {
        for s in &statements {
            conn.batch_execute(s)?;
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// Fills the database; returns how long it took.
fn generate(
    app: &TestApp,
    conn: &mut DbConn,
    n_persons: usize,
    n_rows: usize,
) -> anyhow::Result<Duration> {
    let all = Instant::now();
    let mut rng = StdRng::seed_from_u64(14);
    let counties: Vec<County> = backend::demo::all_counties(conn)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .into_iter()
        .map(|(code, city)| County { code, city })
        .collect();
    anyhow::ensure!(!counties.is_empty(), "no counties in org_units");
    let county_index: HashMap<&str, u16> = counties
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i as u16))
        .collect();
    let actor = backend::demo::system_user(conn).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let at = backend::db::now().format("%Y-%m-%d %H:%M:%S").to_string();

    // Persons: a few through the real seeding, to show its rate; the rest directly.
    let seeded = SEEDED.min(n_persons);
    let started = Instant::now();
    let pairs: Vec<(String, String)> = counties
        .iter()
        .map(|c| (c.code.clone(), c.city.clone()))
        .collect();
    backend::demo::seed_persons(conn, &app.state.pii, &pairs, seeded, 7, &|_| {})
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "seed_persons: {seeded} persons in {took:.1} s = {:.0}/s ({:.0} s for {n_persons})",
        seeded as f64 / took,
        n_persons as f64 * took / seeded as f64
    );
    let (categories, category_w) = weighted(&CATEGORIES)?;
    let existing: Vec<(String, String, i32, String)> = backend::db::schema::persons::table
        .select((
            backend::db::schema::persons::id,
            backend::db::schema::persons::county_code,
            backend::db::schema::persons::birth_year,
            backend::db::schema::persons::disability_category,
        ))
        .load(conn)?;
    let mut persons: Vec<Person> = Vec::with_capacity(n_persons);
    for (id, county, birth_year, category) in existing {
        persons.push(Person {
            id: Uuid::parse_str(&id)?,
            county: county_index.get(county.as_str()).copied().unwrap_or(0),
            birth_year,
            category: categories
                .iter()
                .copied()
                .find(|c| *c == category)
                .unwrap_or("physical"),
        });
    }
    let county_w = WeightedIndex::new(counties.iter().map(|_| rng.gen_range(0.3..1.7)))?;
    let started = Instant::now();
    let mut rows = Rows::new(
        "persons (id, name, id_number_enc, id_number_hmac, id_number_masked, has_certificate, \
         sex, birth_year, disability_category, disability_level, county_code, city_code, \
         poverty_status, registered_poor, multi_disabled_household, elderly_disabled, \
         assure_food_clothing, assure_education, assure_medical, assure_housing, \
         assure_drinking_water, notes, synthetic, version, created_at, created_by, updated_at, \
         updated_by, deleted_at, deleted_by)",
    );
    let mut statements = Vec::new();
    let direct = n_persons.saturating_sub(persons.len());
    for i in 0..direct {
        let c = county_w.sample(&mut rng);
        let county = &counties[c];
        let poor = rng.gen_bool(0.7);
        let birth_year = if rng.gen_bool(0.04) {
            rng.gen_range(2013..=2021)
        } else {
            rng.gen_range(1935..=2012)
        };
        let category = categories[category_w.sample(&mut rng)];
        let p = Person {
            id: Uuid::now_v7(),
            county: c as u16,
            birth_year,
            category,
        };
        let poverty = if poor {
            ["in_poverty", "lifted", "lifted", "unstable", "marginal"][rng.gen_range(0..5)]
        } else {
            ["none", "none", "none", "marginal"][rng.gen_range(0..4)]
        };
        let deleted = rng.gen_bool(0.005);
        let r = rows.row();
        let _ = write!(
            r,
            "'{}', '合成人员{i}', 'bench-placeholder', 'bench-{i}', '43**************{:02}', TRUE, '{}', \
             {birth_year}, '{category}', {}, '{}', '{}', '{poverty}', {poor}, {}, {}, 'met', 'met', \
             'met', 'met', 'met', 'benchmark placeholder, not a real person', TRUE, 1, '{at}', \
             '{actor}', '{at}', '{actor}', {}, {}",
            p.id,
            i % 100,
            if rng.gen_bool(0.58) { "male" } else { "female" },
            rng.gen_range(1..=4),
            county.code,
            county.city,
            rng.gen_bool(0.1),
            birth_year < 1966,
            if deleted { q(&at) } else { "NULL".into() },
            if deleted { q(&actor) } else { "NULL".into() },
        );
        persons.push(p);
        if rows.n == ROWS {
            statements.extend(rows.take());
            if statements.len() == 5 {
                execute_all(conn, std::mem::take(&mut statements))?;
            }
        }
    }
    statements.extend(rows.take());
    execute_all(conn, statements)?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "persons: {direct} inserted directly in {took:.1} s = {:.0}/s; {} in all",
        direct as f64 / took,
        persons.len()
    );

    // The catalogue, with caps for every year (only 2020's are seeded).
    let items: Vec<(String, String, i32, i64)> = diesel::sql_query(
        "SELECT i.id AS id, i.code AS code, i.service_life_years AS life, c.cap_fen AS cap \
         FROM device_items i JOIN device_caps c ON c.item_id = i.id AND c.year = 2020 \
         ORDER BY i.code",
    )
    .load::<ItemRow>(conn)?
    .into_iter()
    .map(|r| (r.id, r.code, r.life, r.cap))
    .collect();
    anyhow::ensure!(!items.is_empty(), "no device items");
    conn.batch_execute(
        "INSERT INTO device_caps (item_id, year, cap_fen) \
         SELECT item_id, 2019, cap_fen FROM device_caps WHERE year = 2020; \
         INSERT INTO device_caps (item_id, year, cap_fen) \
         SELECT item_id, 2021, cap_fen FROM device_caps WHERE year = 2020; \
         INSERT INTO device_caps (item_id, year, cap_fen) \
         SELECT item_id, 2022, cap_fen FROM device_caps WHERE year = 2020;",
    )?;
    let items: Vec<Item> = items
        .into_iter()
        .map(|(id, code, life, cap)| Item {
            id,
            hearing: code.starts_with("2206"),
            seeing: code.starts_with("2203"),
            sided: code.starts_with("06"),
            cap,
            life,
        })
        .collect();

    // Needs and what hangs off them: ~0.33 fittings per need, so needs ≈ rows / 1.33.
    let started = Instant::now();
    let n_needs = (n_rows as f64 / 1.33) as usize;
    let mut g = Gen {
        rng,
        persons: &persons,
        counties: &counties,
        items: &items,
        at: at.clone(),
        actor: actor.clone(),
        needs: Rows::new(
            "rehab_needs (id, person_id, county_code, city_code, kind, project, item_id, source, \
             identified_on, year, note, status, result, assessed_on, assessor, evidence_id, \
             supersedes, superseded_by, follow_up_due, create_hash, version, created_at, \
             created_by, updated_at, updated_by, deleted_at, deleted_by)",
        ),
        fittings: Rows::new(
            "device_fittings (id, need_id, county_code, item_id, provider, quantity, side, \
             unit_price_fen, cap_fen, total_fen, subsidy_fen, self_pay_fen, delivered_on, year, \
             service_until, accepted_on, accepted_by, guardian_name, evidence_id, replaced, \
             created_at, created_by)",
        ),
        follow_ups: Rows::new(
            "device_follow_ups (id, fitting_id, need_id, visited_on, result, note, recorded_by, \
             created_at)",
        ),
        episodes: Rows::new(
            "rehab_episodes (id, person_id, need_id, county_code, city_code, institution, \
             project, category, start_on, end_on, months, monthly_fen, total_fen, guardian, \
             outcome, continues, year, create_hash, version, created_at, created_by, updated_at, \
             updated_by, deleted_at, deleted_by)",
        ),
        kinds: weighted(&KINDS)?,
        sources: weighted(&SOURCES)?,
        device_status: [
            WeightedIndex::new(DEVICE_DONE)?,
            WeightedIndex::new(DEVICE_OPEN)?,
        ],
        service_status: [
            WeightedIndex::new(SERVICE_DONE)?,
            WeightedIndex::new(SERVICE_OPEN)?,
        ],
    };
    while g.needs.total < n_needs {
        g.need();
        if g.needs.n >= ROWS {
            let s = g.take();
            execute_all(conn, s)?;
        }
    }
    let s = g.take();
    execute_all(conn, s)?;
    let took = started.elapsed().as_secs_f64();
    let made = g.needs.total + g.fittings.total + g.follow_ups.total + g.episodes.total;
    println!(
        "needs {}, fittings {}, follow-ups {}, episodes {} in {took:.1} s = {:.0} rows/s",
        g.needs.total,
        g.fittings.total,
        g.follow_ups.total,
        g.episodes.total,
        made as f64 / took
    );
    let total = all.elapsed();
    println!("generation: {:.1} s in all", total.as_secs_f64());
    Ok(total)
}

#[derive(QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Integer)]
    life: i32,
    #[diesel(sql_type = BigInt)]
    cap: i64,
}

struct Gen<'a> {
    rng: StdRng,
    persons: &'a [Person],
    counties: &'a [County],
    items: &'a [Item],
    at: String,
    actor: String,
    needs: Rows,
    fittings: Rows,
    follow_ups: Rows,
    episodes: Rows,
    kinds: (Vec<&'static str>, WeightedIndex<u32>),
    sources: (Vec<&'static str>, WeightedIndex<u32>),
    device_status: [WeightedIndex<u32>; 2],
    service_status: [WeightedIndex<u32>; 2],
}

/// One need as it will be written.
struct Need<'a> {
    id: Uuid,
    person: Person,
    kind: &'static str,
    project: &'static str,
    item: Option<&'a Item>,
    year: i32,
    status: &'static str,
}

impl<'a> Gen<'a> {
    /// The waiting statements, in the order their foreign keys need.
    fn take(&mut self) -> Vec<String> {
        [
            self.needs.take(),
            self.fittings.take(),
            self.follow_ups.take(),
            self.episodes.take(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn status(&mut self, device: bool, year: i32) -> &'static str {
        let open = usize::from(year == 2021);
        let i = if device {
            self.device_status[open].sample(&mut self.rng)
        } else {
            self.service_status[open].sample(&mut self.rng)
        };
        STATUSES[i]
    }

    /// A need of a random person; a re-assessment writes the superseded need first.
    fn need(&mut self) {
        let person = self.persons[self.rng.gen_range(0..self.persons.len())];
        let year = match self.rng.gen_range(0..100) {
            0..30 => 2019,
            30..68 => 2020,
            _ => 2021,
        };
        let child = (0..=6).contains(&(year - person.birth_year));
        let kind = self.kinds.0[self.kinds.1.sample(&mut self.rng)];
        let items = self.items;
        let item = (kind == "device").then(|| &items[self.rng.gen_range(0..items.len())]);
        let project = match (kind, item) {
            (_, Some(i)) if i.hearing && !child => "adult_hearing_aid",
            (_, Some(i)) if i.seeing => "low_vision",
            (_, Some(_)) => "basic_device",
            ("surgery", _) if child && person.category == "hearing" => "cochlear",
            ("surgery", _) => "limb_surgery",
            ("rehab_medical" | "functional_training", _) if child => "child_rehab",
            _ => "basic_rehab",
        };
        let mut status = self.status(item.is_some(), year);
        let mut need = Need {
            id: Uuid::now_v7(),
            person,
            kind,
            project,
            item,
            year,
            status,
        };
        if status == "superseded" {
            let new_id = Uuid::now_v7();
            self.write_need(&need, None, Some(new_id), 0);
            while status == "superseded" {
                status = self.status(item.is_some(), year);
            }
            let old = need.id;
            need.id = new_id;
            need.status = status;
            self.write_need(&need, Some(old), None, 45);
        } else {
            self.write_need(&need, None, None, 0);
        }
    }

    fn write_need(
        &mut self,
        n: &Need<'a>,
        supersedes: Option<Uuid>,
        superseded_by: Option<Uuid>,
        later: i64,
    ) {
        let counties = self.counties;
        let county = &counties[usize::from(n.person.county)];
        let rng = &mut self.rng;
        let identified = day(n.year, rng.gen_range(0..240) + later);
        let assessed_on = identified + TimeDelta::days(rng.gen_range(3..40));
        let late_refusal = n.status == "refused" && rng.gen_bool(0.5);
        let result = match n.status {
            "identified" => None,
            "withdrawn" if rng.gen_bool(0.5) => None,
            "not_needed" => Some("not_needed"),
            "refused" if !late_refusal => Some("refused"),
            "deferred" => Some("deferred"),
            _ => Some("needed"),
        };
        let assessed = result.map(|_| assessed_on);
        let source = self.sources.0[self.sources.1.sample(rng)];
        let deleted = rng.gen_bool(0.005);

        // Device fittings, follow-ups and service episodes; the follow-up date due.
        let mut follow_up_due = None;
        if let Some(item) = n.item {
            let current = match n.status {
                "fitted" => Some(false),
                "accepted" | "followed_up" | "closed" => Some(true),
                _ => None,
            };
            let mut delivered = assessed_on + TimeDelta::days(self.rng.gen_range(15..75));
            let refit = (matches!(n.status, "plan_approved" | "refused")
                && !late_refusal
                && self.rng.gen_bool(0.03))
                || (current == Some(true) && self.rng.gen_bool(0.04));
            if refit {
                self.fitting(n, item, delivered, true, true);
                delivered += TimeDelta::days(self.rng.gen_range(100..160));
            }
            if late_refusal && self.rng.gen_bool(0.4) {
                // Fitted, then refused: the fitting is marked replaced.
                self.fitting(n, item, delivered, false, true);
            }
            if let Some(accepted) = current {
                let visits = match n.status {
                    "followed_up" => self.rng.gen_range(1..=2),
                    "closed" => self.rng.gen_range(1..=3),
                    _ => 0,
                };
                let (id, accepted_on) = self.fitting(n, item, delivered, accepted, false);
                let mut last = accepted_on;
                for k in 1..=visits {
                    last = accepted_on + TimeDelta::days(90 * k + self.rng.gen_range(-10..20));
                    let result = match self.rng.gen_range(0..100) {
                        0..85 => "in_use",
                        85..92 => "not_used",
                        _ => "needs_repair",
                    };
                    self.follow_up(id, n.id, last, result);
                }
                if matches!(n.status, "accepted" | "followed_up") {
                    follow_up_due = Some(last + TimeDelta::days(90));
                }
            }
        } else if matches!(n.status, "plan_approved" | "closed")
            && superseded_by.is_none()
            && self
                .rng
                .gen_bool(if n.status == "closed" { 0.95 } else { 0.6 })
        {
            self.episode(n, assessed_on);
        }

        let r = self.needs.row();
        let _ =
            write!(
            r,
            "'{}', '{}', '{}', '{}', '{}', '{}', {}, '{source}', '{identified}', {}, NULL, '{}', \
             {}, {}, {}, NULL, {}, {}, {}, NULL, {}, '{at}', '{actor}', '{at}', '{actor}', {}, {}",
            n.id,
            n.person.id,
            county.code,
            county.city,
            n.kind,
            n.project,
            opt(n.item.map(|i| &i.id)),
            n.year,
            n.status,
            opt(result),
            opt(assessed),
            opt(assessed.map(|_| "评估员")),
            opt(supersedes),
            opt(superseded_by),
            opt(follow_up_due),
            1 + STATUSES.iter().position(|s| *s == n.status).unwrap_or(0) % 7,
            if deleted { q(&self.at) } else { "NULL".into() },
            if deleted { q(&self.actor) } else { "NULL".into() },
            at = self.at,
            actor = self.actor,
        );
    }

    /// A fitting of `n`'s device delivered on `delivered`: its id and acceptance date.
    fn fitting(
        &mut self,
        n: &Need<'a>,
        item: &Item,
        delivered: NaiveDate,
        accepted: bool,
        replaced: bool,
    ) -> (Uuid, NaiveDate) {
        let rng = &mut self.rng;
        let id = Uuid::now_v7();
        let counties = self.counties;
        let county = &counties[usize::from(n.person.county)];
        let quantity: i64 = if rng.gen_bool(0.1) { 2 } else { 1 };
        let unit_price = (item.cap as f64 * rng.gen_range(0.5..1.5) / 100.0).round() as i64 * 100;
        let total = unit_price * quantity;
        let max = total.min(item.cap * quantity);
        let subsidy = if rng.gen_bool(0.9) { max } else { max * 8 / 10 };
        let side = if item.hearing || item.sided {
            ["left", "right", "both"][rng.gen_range(0..3)]
        } else {
            "none"
        };
        let accepted_on = delivered + TimeDelta::days(rng.gen_range(0..10));
        let guardian = (n.year - n.person.birth_year < 18 || rng.gen_bool(0.1)) && accepted;
        let until = shared::rehab::service_until(delivered, item.life);
        let r = self.fittings.row();
        let _ = write!(
            r,
            "'{id}', '{}', '{}', '{}', '{}', {quantity}, '{side}', {unit_price}, {}, {total}, \
             {subsidy}, {}, '{delivered}', {}, '{until}', {}, {}, {}, NULL, {replaced}, '{}', '{}'",
            n.id,
            county.code,
            item.id,
            PROVIDERS[rng.gen_range(0..PROVIDERS.len())],
            item.cap,
            total - subsidy,
            delivered.year(),
            opt(accepted.then_some(accepted_on)),
            opt(accepted.then_some(if guardian { "guardian" } else { "person" })),
            opt((accepted && guardian).then_some("监护人")),
            self.at,
            self.actor,
        );
        if replaced && accepted {
            let on = accepted_on + TimeDelta::days(self.rng.gen_range(30..90));
            self.follow_up(id, n.id, on, "replace");
        }
        (id, accepted_on)
    }

    fn follow_up(&mut self, fitting: Uuid, need: Uuid, on: NaiveDate, result: &str) {
        let r = self.follow_ups.row();
        let _ = write!(
            r,
            "'{}', '{fitting}', '{need}', '{on}', '{result}', NULL, '{}', '{}'",
            Uuid::now_v7(),
            self.actor,
            self.at
        );
    }

    fn episode(&mut self, n: &Need<'a>, assessed_on: NaiveDate) {
        let counties = self.counties;
        let county = &counties[usize::from(n.person.county)];
        let rng = &mut self.rng;
        let child = n.project == "child_rehab";
        let start = (assessed_on + TimeDelta::days(rng.gen_range(10..60))).min(day(n.year, 330));
        let months: i64 = match n.kind {
            "surgery" => 1,
            _ if child => rng.gen_range(6..=12),
            _ => rng.gen_range(1..=6),
        };
        let monthly: i64 = if child {
            rng.gen_range(1_500..=2_500) * 100
        } else if n.kind == "surgery" {
            rng.gen_range(5_000..=30_000) * 100
        } else {
            rng.gen_range(100..=800) * 100
        };
        let done = n.status == "closed";
        let end = done.then(|| start + TimeDelta::days(30 * months));
        let r = self.episodes.row();
        let _ = write!(
            r,
            "'{}', '{}', '{}', '{}', '{}', '{}康复中心', '{}', '{}', '{start}', {}, {months}, \
             {monthly}, {}, {}, {}, NULL, {}, NULL, 1, '{at}', '{actor}', '{at}', '{actor}', NULL, NULL",
            Uuid::now_v7(),
            n.person.id,
            n.id,
            county.code,
            county.city,
            county.code,
            n.project,
            n.person.category,
            opt(end),
            months * monthly,
            opt(child.then_some("监护人")),
            opt(done.then_some("improved")),
            n.year,
            at = self.at,
            actor = self.actor,
        );
    }
}
