//! HTTP tests of attachments, each on SQLite and on PostgreSQL.

use actix_web::http::Method;
use diesel::prelude::*;
use image::ImageEncoder;
use serde_json::Value;
use uuid::Uuid;

use super::media::samples;
use crate::db::schema::{attachments, audit_log, persons};
use crate::db_tests;
use crate::testing::{Backend, PersonBuilder, Resp, TestApp};

db_tests!(
    types_are_sniffed_not_believed,
    metadata_is_stripped_and_a_thumbnail_made,
    retries_are_idempotent_and_ids_are_not_reused,
    bodies_over_ten_megabytes_are_413,
    hostile_and_broken_input_is_422_never_500,
    scope_matrix,
    writes_are_audited_and_deletes_forget_the_file,
    an_owner_moved_out_of_scope_takes_its_files_along,
    a_directory_store_keeps_the_bytes_as_files,
);

fn path(person: Uuid, id: Option<Uuid>) -> String {
    let mut p = format!("/api/v1/attachments?owner_type=person&owner_id={person}");
    if let Some(id) = id {
        p.push_str(&format!("&id={id}"));
    }
    p
}

fn id_of(r: &Resp) -> String {
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

/// Status, headers and bytes of a download.
async fn fetch(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>, Option<String>) {
    let app_service = actix_web::test::init_service(crate::server::app(app.state.clone())).await;
    let req = actix_web::test::TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = actix_web::test::call_service(&app_service, req).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if status == 200 {
        assert_eq!(h("cache-control").as_deref(), Some("no-store"));
        assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"));
        assert!(h("content-disposition").is_some_and(|d| d.starts_with("inline")));
    }
    let body = actix_web::test::read_body(resp).await.to_vec();
    (status, body, h("content-type"))
}

fn webp(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 90, 128]));
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

async fn types_are_sniffed_not_believed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    // A PNG sent as image/jpeg is stored as what it is.
    let r = app
        .raw(
            Method::POST,
            &path(p.id, None),
            &t,
            "image/jpeg",
            samples::png(40, 30),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["content_type"], "image/png");
    assert_eq!(
        (r.body["width"].as_i64(), r.body["height"].as_i64()),
        (Some(40), Some(30))
    );
    let (status, bytes, ct) = fetch(&app, &t, &format!("/api/v1/attachments/{}", id_of(&r))).await;
    assert_eq!((status, ct.as_deref()), (200, Some("image/png")));
    assert!(bytes.starts_with(b"\x89PNG"));
    // WebP arrives, JPEG is kept.
    let r = app.upload(&t, &path(p.id, None), webp(50, 20)).await;
    assert_eq!(
        (r.status, r.body["content_type"].as_str()),
        (201, Some("image/jpeg")),
        "{}",
        r.body
    );
    // Whatever the header says, HTML, SVG and GIF are refused; so is a text file named
    // `photo.jpg` in a form upload, and a ZIP sent as a JPEG.
    let form = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nnot a photo\r\n--x--\r\n";
    for (ct, body) in [
        ("multipart/form-data; boundary=x", &form[..]),
        ("image/jpeg", b"PK\x03\x04\x14\x00\x00\x00photo.jpg"),
        (
            "image/png",
            &b"<!DOCTYPE html><html><script>alert(1)</script></html>"[..],
        ),
        (
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        (
            "image/gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;",
        ),
    ] {
        let r = app
            .raw(Method::POST, &path(p.id, None), &t, ct, body.to_vec())
            .await;
        assert_eq!(r.status, 422, "{ct}: {}", r.body);
        assert_eq!(
            r.field_errors(),
            [("file".to_owned(), "unsupported_type".to_owned())]
        );
    }
    let stored: i64 = attachments::table
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, 2);
}

async fn metadata_is_stripped_and_a_thumbnail_made(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let upload = samples::jpeg_with_exif(1200, 900);
    assert!(upload.windows(4).any(|w| w == b"Exif"));
    let r = app
        .upload(
            &t,
            &format!(
                "{}&taken_at=2026-11-01T08:30:00Z&latitude=27.86&longitude=112.91",
                path(p.id, None)
            ),
            upload.clone(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["has_thumbnail"], true);
    assert_eq!(r.body["latitude"], 27.86);
    assert_eq!(r.body["taken_at"], "2026-11-01T08:30:00Z");
    assert_eq!(r.body["created_by"], "xiangxiang.staff");
    let id = id_of(&r);
    let (status, stored, _) = fetch(&app, &t, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(status, 200);
    assert!(stored.starts_with(&[0xFF, 0xD8, 0xFF]));
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "EXIF left in the stored file"
    );
    assert!(!stored.windows(6).any(|w| w == b"SECRET"));
    assert_eq!(r.body["size_bytes"].as_u64(), Some(stored.len() as u64));
    assert_eq!(
        r.body["sha256"].as_str(),
        Some(super::media::sha256_hex(&stored).as_str())
    );
    let upload_sha: String = attachments::table
        .find(&id)
        .select(attachments::upload_sha256)
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(upload_sha, super::media::sha256_hex(&upload));
    let (status, thumb, ct) = fetch(&app, &t, &format!("/api/v1/attachments/{id}/thumbnail")).await;
    assert_eq!((status, ct.as_deref()), (200, Some("image/jpeg")));
    let thumb = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    // A PDF is kept as sent, and has no thumbnail.
    let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let r = app.upload(&t, &path(p.id, None), pdf.clone()).await;
    assert_eq!(
        (r.status, r.body["content_type"].as_str()),
        (201, Some("application/pdf"))
    );
    assert_eq!(r.body["has_thumbnail"], false);
    assert_eq!(r.body["width"], Value::Null);
    let (status, bytes, ct) = fetch(&app, &t, &format!("/api/v1/attachments/{}", id_of(&r))).await;
    assert_eq!(
        (status, bytes, ct.as_deref()),
        (200, pdf, Some("application/pdf"))
    );
    let (status, ..) = fetch(
        &app,
        &t,
        &format!("/api/v1/attachments/{}/thumbnail", id_of(&r)),
    )
    .await;
    assert_eq!(status, 404);
}

async fn retries_are_idempotent_and_ids_are_not_reused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let other = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let id = Uuid::new_v4();
    let photo = samples::jpeg(200, 100);
    let first = app.upload(&t, &path(p.id, Some(id)), photo.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        first.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/api/v1/attachments/{id}").as_str())
    );
    // The connection dropped before the answer came: the phone sends it again.
    let again = app.upload(&t, &path(p.id, Some(id)), photo.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body, first.body);
    // The same id for another file, another owner or by another user is a conflict.
    for (token, owner, bytes) in [
        (t.clone(), p.id, samples::jpeg(201, 100)),
        (t.clone(), other.id, photo.clone()),
        (app.token("xiangtan.staff").await, p.id, photo.clone()),
    ] {
        let r = app.upload(&token, &path(owner, Some(id)), bytes).await;
        assert_eq!((r.status, r.code()), (409, "id_conflict"), "{}", r.body);
    }
    let rows: i64 = attachments::table
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows, 1);
    assert_eq!(app.audit_count(&id.to_string(), "create"), 1);
    // A deleted one is not brought back by a retry.
    assert_eq!(
        app.delete(&t, &format!("/api/v1/attachments/{id}"))
            .await
            .status,
        204
    );
    let r = app.upload(&t, &path(p.id, Some(id)), photo).await;
    assert_eq!((r.status, r.code()), (409, "id_conflict"));
}

async fn bodies_over_ten_megabytes_are_413(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let mut big = samples::jpeg(16, 16);
    big.resize(shared::attachments::MAX_UPLOAD_BYTES + 1, 0);
    let r = app.upload(&t, &path(p.id, None), big).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.code(), "payload_too_large");
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    // Exactly the limit is read (and then refused for what it is, not for its size).
    let mut max = b"%PDF-1.4\n".to_vec();
    max.resize(shared::attachments::MAX_UPLOAD_BYTES - 6, b' ');
    max.extend_from_slice(b"%%EOF\n");
    let r = app.upload(&t, &path(p.id, None), max).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

async fn hostile_and_broken_input_is_422_never_500(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let jpeg = samples::jpeg(300, 200);
    let bodies: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("empty", Vec::new(), Some("unsupported_type")),
        ("one byte", vec![0xFF], Some("unsupported_type")),
        ("truncated JPEG header", jpeg[..40].to_vec(), None),
        ("truncated JPEG", jpeg[..jpeg.len() / 2].to_vec(), None),
        (
            "PNG bomb",
            samples::png_bomb(100_000, 100_000),
            Some("image_too_large"),
        ),
        (
            "PNG of 49 megapixels",
            samples::png_bomb(7_000, 7_000),
            Some("image_too_large"),
        ),
        (
            "PDF header and garbage",
            b"%PDF-1.4\n\x00\xff\xfegarbage".to_vec(),
            Some("unreadable"),
        ),
        (
            "WebP header only",
            b"RIFF\x04\0\0\0WEBP".to_vec(),
            Some("unreadable"),
        ),
    ];
    for (what, body, code) in bodies {
        let started = std::time::Instant::now();
        let r = app.upload(&t, &path(p.id, None), body).await;
        assert!(
            matches!(r.status, 201 | 422),
            "{what}: {} {}",
            r.status,
            r.body
        );
        if let Some(code) = code {
            assert_eq!(
                r.field_errors(),
                [("file".to_owned(), code.to_owned())],
                "{what}"
            );
        }
        if what.contains("PNG") {
            assert!(
                started.elapsed().as_secs() < 2,
                "{what} took {:?}",
                started.elapsed()
            );
        }
    }
    let bad_queries = [
        (
            format!("/api/v1/attachments?owner_type=base&owner_id={}", p.id),
            "owner_type",
        ),
        (
            "/api/v1/attachments?owner_type=person&owner_id=nope".to_owned(),
            "owner_id",
        ),
        (
            "/api/v1/attachments?owner_type=person".to_owned(),
            "owner_id",
        ),
        (
            format!("{}&latitude=91&longitude=0", path(p.id, None)),
            "latitude",
        ),
        (format!("{}&latitude=27", path(p.id, None)), "longitude"),
        (
            format!("{}&latitude=abc&longitude=1", path(p.id, None)),
            "latitude",
        ),
        (
            format!("{}&taken_at=2999-01-01T00:00:00Z", path(p.id, None)),
            "taken_at",
        ),
        (
            format!("{}&taken_at=yesterday", path(p.id, None)),
            "taken_at",
        ),
        (format!("{}&id=42", path(p.id, None)), "id"),
    ];
    for (q, field) in bad_queries {
        let r = app.upload(&t, &q, jpeg.clone()).await;
        assert_eq!(r.status, 422, "{q}: {}", r.body);
        assert!(
            r.field_errors().iter().any(|(f, _)| f == field),
            "{q}: {}",
            r.body
        );
        let r = app.get(&t, &q).await;
        assert!(matches!(r.status, 200 | 422), "list {q}: {}", r.status);
    }
    // Unknown ids and non-UUID ids name no attachment.
    for p in [
        "/api/v1/attachments/nope",
        "/api/v1/attachments/00000000-0000-0000-0000-000000000000",
    ] {
        assert_eq!(fetch(&app, &t, p).await.0, 404);
        assert_eq!(app.delete(&t, p).await.status, 404);
    }
}

async fn scope_matrix(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let county = app.token("xiangxiang.staff").await;
    let r = app
        .upload(&county, &path(p.id, None), samples::jpeg(64, 48))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    let file = format!("/api/v1/attachments/{id}");
    let thumb = format!("{file}/thumbnail");
    let list = path(p.id, None);
    // (user, upload, list, get, thumbnail)
    let matrix = [
        ("xiangxiang.staff", 201, 200, 200, 200),
        ("xiangtan.staff", 201, 200, 200, 200),
        ("rehab", 403, 200, 200, 200),
        ("leader", 403, 200, 200, 200),
        ("liuyang.staff", 404, 404, 404, 404),
        ("auditor", 403, 403, 404, 404),
        ("admin", 403, 403, 404, 404),
    ];
    for (user, up, ls, get, th) in matrix {
        let t = app.token(user).await;
        let r = app.upload(&t, &path(p.id, None), samples::jpeg(8, 8)).await;
        assert_eq!(r.status, up, "{user} upload: {}", r.body);
        let r = app.get(&t, &list).await;
        assert_eq!(r.status, ls, "{user} list: {}", r.body);
        if ls == 200 {
            assert!(r.body["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|m| m["id"] == id.as_str())));
        }
        assert_eq!(fetch(&app, &t, &file).await.0, get, "{user} get");
        assert_eq!(fetch(&app, &t, &thumb).await.0, th, "{user} thumbnail");
    }
    // An unknown owner looks exactly like one out of scope.
    let nobody = Uuid::new_v4();
    let r = app
        .upload(&county, &path(nobody, None), samples::jpeg(8, 8))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.get(&county, &path(nobody, None)).await.status, 404);
    // Deleting: not by someone who only reads, by a writer in scope.
    let leader = app.token("leader").await;
    assert_eq!(app.delete(&leader, &file).await.status, 403);
    assert_eq!(
        app.delete(&app.token("liuyang.staff").await, &file)
            .await
            .status,
        404
    );
    assert_eq!(
        app.delete(&app.token("xiangtan.staff").await, &file)
            .await
            .status,
        204
    );
}

async fn writes_are_audited_and_deletes_forget_the_file(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let r = app
        .upload(&t, &path(p.id, None), samples::jpeg(64, 48))
        .await;
    let id = id_of(&r);
    let entries: Vec<(String, String, Option<String>)> = audit_log::table
        .filter(audit_log::entity_id.eq(&id))
        .select((
            audit_log::entity_type,
            audit_log::unit_code,
            audit_log::after_json,
        ))
        .load(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries.len(), 1);
    let (kind, unit, after) = &entries[0];
    assert_eq!((kind.as_str(), unit.as_str()), ("attachment", "430381"));
    let after: Value = serde_json::from_str(after.as_deref().unwrap_or("null")).unwrap_or_default();
    assert_eq!(after["sha256"], r.body["sha256"]);
    assert!(
        after.get("bytes").is_none() && after.to_string().len() < 2000,
        "{after}"
    );
    // Downloads are not audited one by one.
    fetch(&app, &t, &format!("/api/v1/attachments/{id}")).await;
    let all: i64 = audit_log::table
        .filter(audit_log::entity_id.eq(&id))
        .count()
        .get_result(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all, 1);
    assert_eq!(
        app.delete(&t, &format!("/api/v1/attachments/{id}"))
            .await
            .status,
        204
    );
    assert_eq!(app.audit_count(&id, "delete"), 1);
    assert_eq!(
        app.delete(&t, &format!("/api/v1/attachments/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        fetch(&app, &t, &format!("/api/v1/attachments/{id}"))
            .await
            .0,
        404
    );
    let list = app.get(&t, &path(p.id, None)).await;
    assert_eq!(list.body["items"], serde_json::json!([]));
    let (bytes, thumb, deleted_by): (Option<Vec<u8>>, Option<Vec<u8>>, Option<String>) =
        attachments::table
            .find(&id)
            .select((
                attachments::bytes,
                attachments::thumbnail,
                attachments::deleted_by,
            ))
            .first(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((bytes, thumb), (None, None), "the file is forgotten");
    assert!(deleted_by.is_some(), "the tombstone stays");
}

async fn an_owner_moved_out_of_scope_takes_its_files_along(backend: Backend) {
    let app = TestApp::new(backend).await;
    let p = PersonBuilder::new().county("430381").create(&app);
    let xiangxiang = app.token("xiangxiang.staff").await;
    let liuyang = app.token("liuyang.staff").await;
    let r = app
        .upload(&xiangxiang, &path(p.id, None), samples::jpeg(64, 48))
        .await;
    let file = format!("/api/v1/attachments/{}", id_of(&r));
    assert_eq!(fetch(&app, &liuyang, &file).await.0, 404);
    diesel::update(persons::table.find(p.id.to_string()))
        .set((
            persons::county_code.eq("430181"),
            persons::city_code.eq("4301"),
        ))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fetch(&app, &xiangxiang, &file).await.0, 404);
    assert_eq!(app.get(&xiangxiang, &path(p.id, None)).await.status, 404);
    assert_eq!(app.delete(&xiangxiang, &file).await.status, 404);
    assert_eq!(fetch(&app, &liuyang, &file).await.0, 200);
    // A deleted owner hides its files from everyone.
    diesel::update(persons::table.find(p.id.to_string()))
        .set(persons::deleted_at.eq(Some(crate::db::now())))
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fetch(&app, &liuyang, &file).await.0, 404);
    assert_eq!(fetch(&app, &app.token("leader").await, &file).await.0, 404);
}

async fn a_directory_store_keeps_the_bytes_as_files(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let dir = std::env::temp_dir().join(format!("xiangzhu-files-{}", Uuid::new_v4().simple()));
    let store = super::store::DirStore::open(&dir).unwrap_or_else(|e| panic!("{e}"));
    app.state = actix_web::web::Data::new(crate::state::AppState {
        attachments: std::sync::Arc::new(store),
        ..app.state.get_ref().clone()
    });
    let p = PersonBuilder::new().county("430381").create(&app);
    let t = app.token("xiangxiang.staff").await;
    let r = app
        .upload(&t, &path(p.id, None), samples::jpeg(640, 480))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = id_of(&r);
    // Nothing of the file in the table; the file and its thumbnail on disk, owner-only.
    let (bytes, thumb): (Option<Vec<u8>>, Option<Vec<u8>>) = attachments::table
        .find(&id)
        .select((attachments::bytes, attachments::thumbnail))
        .first(&mut app.conn())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((bytes, thumb), (None, None));
    let file = dir.join(&id[..2]).join(&id);
    let on_disk = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert_eq!(
        super::media::sha256_hex(&on_disk),
        r.body["sha256"].as_str().unwrap_or_default()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default();
        assert_eq!(mode, 0o600);
    }
    // Served from the directory, to those who may see the owner only.
    let (status, served, ct) = fetch(&app, &t, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!((status, ct.as_deref()), (200, Some("image/jpeg")));
    assert_eq!(served, on_disk);
    let (status, small, _) = fetch(&app, &t, &format!("/api/v1/attachments/{id}/thumbnail")).await;
    assert!(status == 200 && !small.is_empty() && small.len() < on_disk.len());
    let other = app.token("liuyang.staff").await;
    assert_eq!(
        fetch(&app, &other, &format!("/api/v1/attachments/{id}"))
            .await
            .0,
        404
    );
    // A delete forgets both files; a second upload of the same id is still refused.
    assert_eq!(
        app.delete(&t, &format!("/api/v1/attachments/{id}"))
            .await
            .status,
        204
    );
    assert!(!file.exists());
    assert!(!dir.join(&id[..2]).join(format!("{id}.thumb")).exists());
    assert_eq!(
        fetch(&app, &t, &format!("/api/v1/attachments/{id}"))
            .await
            .0,
        404
    );
    let _ = std::fs::remove_dir_all(&dir);
}
