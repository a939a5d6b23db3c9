//! The change feed as an offline phone uses it, on SQLite and on PostgreSQL.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::db_tests;
use crate::persons::tests::update_body;
use crate::testing::{Backend, PersonBuilder, TestApp};

db_tests!(
    an_offline_phone_loses_nothing_and_overwrites_nothing,
    a_commit_that_ends_late_is_never_skipped,
    the_feed_checks_its_cursor_and_its_reader,
);

/// What a phone holds: id → (version, name), and where its feed stands.
struct Phone {
    token: String,
    cursor: Option<String>,
    held: BTreeMap<String, (i64, String)>,
    tombstones: BTreeMap<String, String>,
}

impl Phone {
    async fn new(app: &TestApp, user: &str) -> Self {
        Self {
            token: app.token(user).await,
            cursor: None,
            held: BTreeMap::new(),
            tombstones: BTreeMap::new(),
        }
    }

    /// Pulls the feed until it says there is no more (small pages, so that paging is
    /// part of every sync); how many items came.
    async fn sync(&mut self, app: &TestApp) -> usize {
        let mut seen = 0;
        for _ in 0..1000 {
            let mut path = "/api/v1/sync/persons?limit=7".to_owned();
            if let Some(c) = &self.cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let r = app.get(&self.token, &path).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let items = r.body["items"].as_array().cloned().unwrap_or_default();
            let mut ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), items.len(), "each record once a page");
            for item in &items {
                let id = item["id"].as_str().unwrap_or_default().to_owned();
                match item["kind"].as_str() {
                    Some("person") => {
                        self.tombstones.remove(&id);
                        self.held.insert(
                            id,
                            (
                                item["version"].as_i64().unwrap_or_default(),
                                item["name"].as_str().unwrap_or_default().to_owned(),
                            ),
                        );
                    }
                    Some("tombstone") => {
                        assert_eq!(item["deleted"], true);
                        let keys: Vec<&String> = item
                            .as_object()
                            .map(|o| o.keys().collect())
                            .unwrap_or_default();
                        assert_eq!(
                            keys,
                            ["deleted", "id", "kind", "reason", "updated_at", "version"],
                            "a tombstone says nothing of where the record went"
                        );
                        self.held.remove(&id);
                        self.tombstones
                            .insert(id, item["reason"].as_str().unwrap_or_default().to_owned());
                    }
                    other => panic!("an item of kind {other:?}: {item}"),
                }
            }
            seen += items.len();
            let cursor = r.body["cursor"].as_str().map(str::to_owned);
            assert!(cursor.is_some(), "a cursor on every page: {}", r.body);
            self.cursor = cursor;
            if r.body["more"] != true {
                return seen;
            }
        }
        panic!("the feed never ended");
    }
}

/// The server's own view of the caller's persons: id → (version, name).
async fn server_view(app: &TestApp, token: &str) -> BTreeMap<String, (i64, String)> {
    let mut out = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/persons?limit=500".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(token, &path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for p in r.body["items"].as_array().cloned().unwrap_or_default() {
            out.insert(
                p["id"].as_str().unwrap_or_default().to_owned(),
                (
                    p["version"].as_i64().unwrap_or_default(),
                    p["name"].as_str().unwrap_or_default().to_owned(),
                ),
            );
        }
        cursor = r.body["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            return out;
        }
    }
}

/// Renames a person on the server, as another user does while the phone is offline.
fn rename_on_server(app: &TestApp, id: Uuid, name: &str) {
    let row = crate::persons::queries::get(&mut app.conn(), &crate::auth::Scope::Province, id)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut input = person_input(&row);
    input.name = name.into();
    crate::persons::queries::update(
        &mut app.conn(),
        &app.state.pii,
        &app.setup_actor(),
        id,
        row.version,
        &input,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The input that rewrites a stored person as it is.
fn person_input(row: &crate::persons::model::PersonRow) -> shared::person::PersonInput {
    let person = row.to_api().unwrap_or_else(|e| panic!("{e}"));
    let mut body = update_body(&serde_json::to_value(person).unwrap_or_default());
    if let Some(o) = body.as_object_mut() {
        o.remove("version");
    }
    serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"))
}

async fn an_offline_phone_loses_nothing_and_overwrites_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mine: Vec<_> = (0..10)
        .map(|i| {
            PersonBuilder::new()
                .county("430381")
                .name(&format!("湘乡{i}"))
                .create(&app)
        })
        .collect();
    for i in 0..3 {
        PersonBuilder::new()
            .county("430181")
            .name(&format!("浏阳{i}"))
            .create(&app);
    }
    let mut phone = Phone::new(&app, "xiangxiang.staff").await;
    assert_eq!(phone.sync(&app).await, 10);
    assert_eq!(phone.held, server_view(&app, &phone.token).await);

    // Offline on the phone: three new persons (client ids) and an edit of 湘乡0.
    let creates: Vec<Value> = (0..3)
        .map(|i| {
            let mut body = PersonBuilder::new()
                .county("430381")
                .name(&format!("新登记{i}"))
                .json();
            body["id"] = json!(Uuid::new_v4());
            body
        })
        .collect();
    let edited = &mine[0];
    let mut edit = update_body(&serde_json::to_value(edited).unwrap_or_default());
    edit["name"] = json!("手机上的修改");
    assert_eq!(edit["version"], 1);

    // Meanwhile on the server: 湘乡0 renamed, 湘乡1 moved to 浏阳市, 湘乡2 deleted, and
    // one more person registered.
    rename_on_server(&app, edited.id, "服务器上的修改");
    let moved = &mine[1];
    let row =
        crate::persons::queries::get(&mut app.conn(), &crate::auth::Scope::Province, moved.id)
            .unwrap_or_else(|e| panic!("{e}"));
    let mut input = person_input(&row);
    input.county_code = "430181".into();
    input.town_code = None;
    input.village_code = None;
    crate::persons::queries::update(
        &mut app.conn(),
        &app.state.pii,
        &app.setup_actor(),
        moved.id,
        row.version,
        &input,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    crate::persons::queries::delete(&mut app.conn(), &app.setup_actor(), mine[2].id, 1)
        .unwrap_or_else(|e| panic!("{e}"));
    // 浏阳市 edits the person who moved there: nothing of it may reach 湘乡市.
    rename_on_server(&app, moved.id, "迁入后改名");
    let other = PersonBuilder::new()
        .county("430381")
        .name("服务器新登记")
        .create(&app);

    // Back online: the queue is sent out of order, and twice (answers lost on the way).
    for i in [2, 0, 1, 2, 0, 1] {
        let r = app
            .post(&phone.token, "/api/v1/persons", creates[i].clone())
            .await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
        assert_eq!(r.body["id"], creates[i]["id"]);
        assert_eq!(r.body["version"], 1, "a replay changes nothing");
    }
    // The edit was made on version 1: refused, never written over the server's.
    let path = format!("/api/v1/persons/{}", edited.id);
    let r = app.put(&phone.token, &path, edit.clone()).await;
    assert_eq!((r.status, r.code()), (409, "stale_version"), "{}", r.body);
    let current = app.get(&phone.token, &path).await;
    assert_eq!(current.body["name"], "服务器上的修改");
    // The phone shows both, the user keeps theirs on top of version 2.
    let mut again = update_body(&current.body);
    again["name"] = json!("手机上的修改");
    let r = app.put(&phone.token, &path, again.clone()).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (200, Some(3)));
    // Sent twice: the second is stale, not applied again.
    let r = app.put(&phone.token, &path, again).await;
    assert_eq!(r.status, 409);

    // The next sync brings the phone exactly to the server's state.
    phone.sync(&app).await;
    let server = server_view(&app, &phone.token).await;
    assert_eq!(phone.held, server);
    assert_eq!(server.len(), 10 - 2 + 3 + 1, "no duplicate, nothing lost");
    assert_eq!(
        phone.held.get(&edited.id.to_string()),
        Some(&(3, "手机上的修改".to_owned()))
    );
    assert!(phone.held.contains_key(&other.id.to_string()));
    assert_eq!(
        phone
            .tombstones
            .get(&moved.id.to_string())
            .map(String::as_str),
        Some("out_of_scope")
    );
    // A phone of 湘乡市 that syncs from the start learns of the departure (version 2,
    // the move) and nothing after it (the rename in 浏阳市 made version 3).
    let fresh = app
        .get(&phone.token, "/api/v1/sync/persons?limit=500")
        .await;
    let departed: Vec<&Value> = fresh.body["items"]
        .as_array()
        .map(|a| a.iter().filter(|i| i["id"] == json!(moved.id)).collect())
        .unwrap_or_default();
    assert_eq!(departed.len(), 1, "{}", fresh.body);
    assert_eq!(departed[0]["kind"], "tombstone");
    assert_eq!(departed[0]["version"], 2, "the version it left with");
    assert_eq!(
        phone
            .tombstones
            .get(&mine[2].id.to_string())
            .map(String::as_str),
        Some("deleted")
    );
    // Caught up: nothing more, and the cursor stays.
    let cursor = phone.cursor.clone();
    assert_eq!(phone.sync(&app).await, 0);
    assert_eq!(phone.cursor, cursor);

    // 浏阳市's phone has the person who moved in, with the rest of its county.
    let mut liuyang = Phone::new(&app, "liuyang.staff").await;
    liuyang.sync(&app).await;
    assert_eq!(liuyang.held, server_view(&app, &liuyang.token).await);
    assert!(liuyang.held.contains_key(&moved.id.to_string()));
    assert_eq!(liuyang.held.len(), 4);
    // The city sees its county's changes; the province all.
    let mut city = Phone::new(&app, "xiangtan.staff").await;
    city.sync(&app).await;
    assert_eq!(city.held, server_view(&app, &city.token).await);
    let mut province = Phone::new(&app, "leader").await;
    province.sync(&app).await;
    assert_eq!(province.held, server_view(&app, &province.token).await);
}

/// A transaction that began writing before another and commits after it: a reader that
/// passed the second must still get the first. Only PostgreSQL lets writers overlap;
/// on SQLite the second writer waits for the first, and the test says so.
async fn a_commit_that_ends_late_is_never_skipped(backend: Backend) {
    let app = TestApp::new(backend).await;
    let slow = PersonBuilder::new()
        .county("430381")
        .name("慢事务")
        .create(&app);
    let quick = PersonBuilder::new()
        .county("430381")
        .name("快事务")
        .create(&app);
    let mut phone = Phone::new(&app, "xiangxiang.staff").await;
    phone.sync(&app).await;
    if backend == Backend::Sqlite {
        // One writer at a time: a late commit cannot happen.
        rename_on_server(&app, slow.id, "慢事务改");
        rename_on_server(&app, quick.id, "快事务改");
        phone.sync(&app).await;
        assert_eq!(phone.held, server_view(&app, &phone.token).await);
        return;
    }
    // The slow transaction writes first and stays open.
    let (wrote_tx, wrote) = std::sync::mpsc::channel::<()>();
    let (commit_tx, commit) = std::sync::mpsc::channel::<()>();
    let pool = app.state.pool.clone();
    let pii = app.state.pii.clone();
    let actor = app.setup_actor();
    let row = crate::persons::queries::get(&mut app.conn(), &crate::auth::Scope::Province, slow.id)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut input = person_input(&row);
    input.name = "慢事务改".into();
    let writer = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap_or_else(|e| panic!("{e}"));
        crate::db::write_tx(&mut conn, |conn| {
            crate::persons::queries::update(conn, &pii, &actor, slow.id, 1, &input)?;
            let _ = wrote_tx.send(());
            let _ = commit.recv();
            Ok::<_, crate::error::ApiError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    });
    wrote
        .recv()
        .unwrap_or_else(|e| panic!("the slow writer: {e}"));
    // The quick one begins after it and commits at once.
    rename_on_server(&app, quick.id, "快事务改");
    // The feed does not pass the open transaction: the quick change waits with it.
    assert_eq!(
        phone.sync(&app).await,
        0,
        "nothing past a running transaction"
    );
    let _ = commit_tx.send(());
    writer
        .join()
        .unwrap_or_else(|_| panic!("the slow writer panicked"));
    // Now both arrive. The feed's horizon is the cluster's oldest running transaction,
    // and other tests' databases share this PostgreSQL cluster: one of their short
    // transactions may still hold it back for a moment, so the phone tries again for up
    // to 10 s (what a phone does on its next sync) — never fewer nor more than the two.
    let mut got = phone.sync(&app).await;
    for _ in 0..100 {
        if got >= 2 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        got += phone.sync(&app).await;
    }
    assert_eq!(got, 2);
    assert_eq!(phone.held, server_view(&app, &phone.token).await);
    assert_eq!(
        phone
            .held
            .get(&slow.id.to_string())
            .map(|(_, n)| n.as_str()),
        Some("慢事务改")
    );
    // What a reader by `updated_at` would have done: passed the quick change and never
    // come back for the slow one, which has the earlier time.
    let times: Vec<String> = [slow.id, quick.id]
        .iter()
        .map(|id| {
            use diesel::prelude::*;
            crate::db::schema::persons::table
                .find(id.to_string())
                .select(crate::db::schema::persons::updated_at)
                .first::<chrono::NaiveDateTime>(&mut app.conn())
                .map(|t| t.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert!(times[0] < times[1], "{times:?}");
}

async fn the_feed_checks_its_cursor_and_its_reader(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.token("xiangxiang.staff").await;
    for bad in ["x", "MTIz", "bm90LWEtbnVtYmVyfGlk"] {
        let r = app
            .get(&t, &format!("/api/v1/sync/persons?cursor={bad}"))
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert_eq!(
            r.field_errors(),
            [("cursor".to_owned(), "invalid_cursor".to_owned())],
            "{bad}"
        );
    }
    for limit in ["0", "501", "-1"] {
        let r = app
            .get(&t, &format!("/api/v1/sync/persons?limit={limit}"))
            .await;
        assert_eq!(r.status, 422, "{limit}: {}", r.body);
    }
    let r = app.get("", "/api/v1/sync/persons").await;
    assert_eq!(r.status, 401);
    // A cursor belongs to the area it was given for, and to the database's history.
    let first = app.get(&t, "/api/v1/sync/persons").await;
    let cursor = first.body["cursor"].as_str().unwrap_or_default().to_owned();
    let city = app.token("xiangtan.staff").await;
    let r = app
        .get(&city, &format!("/api/v1/sync/persons?cursor={cursor}"))
        .await;
    assert_eq!(
        (r.status, r.field_errors()),
        (
            422,
            vec![("cursor".to_owned(), "invalid_cursor".to_owned())]
        ),
        "another area's cursor"
    );
    assert_eq!(
        app.get(&t, &format!("/api/v1/sync/persons?cursor={cursor}"))
            .await
            .status,
        200
    );
    // A cursor of the old updated_since list is not one of the feed's.
    PersonBuilder::new().county("430381").create(&app);
    PersonBuilder::new().county("430381").create(&app);
    let list = app
        .get(
            &t,
            "/api/v1/persons?updated_since=2000-01-01T00:00:00Z&limit=1",
        )
        .await;
    let old_kind = list.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!old_kind.is_empty(), "{}", list.body);
    let r = app
        .get(&t, &format!("/api/v1/sync/persons?cursor={old_kind}"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // After a restore (a new epoch), every cursor is refused; the feed from the start
    // still has everyone, and changes made after it come after them.
    crate::sync::new_epoch(&mut app.conn()).unwrap_or_else(|e| panic!("{e}"));
    let r = app
        .get(&t, &format!("/api/v1/sync/persons?cursor={cursor}"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut phone = Phone::new(&app, "xiangxiang.staff").await;
    assert_eq!(phone.sync(&app).await, 2);
    let later = PersonBuilder::new().county("430381").create(&app);
    assert_eq!(phone.sync(&app).await, 1);
    assert!(phone.held.contains_key(&later.id.to_string()));
    // A user who may not read the registry may not read its changes either.
    let admin = app.token("admin").await;
    let list = app.get(&admin, "/api/v1/persons").await.status;
    let feed = app.get(&admin, "/api/v1/sync/persons").await.status;
    assert_eq!((feed, list), (403, 403));
}
