//! Serving the built single-page app: content-hashed files under `/assets/` cached for a
//! year, everything else answered with `index.html` (never cached) so that client-side
//! routes survive a reload.

use std::path::Path;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{middleware, web, HttpResponse};

/// Mounts the SPA of `dir` (built by `cargo xtask build-frontend`).
pub fn configure(dir: &Path) -> impl FnOnce(&mut web::ServiceConfig) {
    let assets = dir.join("assets");
    let index = dir.join("index.html");
    move |cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::scope("/assets")
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("Cache-Control", "public, max-age=31536000, immutable")),
                )
                .service(Files::new("", assets)),
        )
        .default_service(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                // API paths that reach here are unknown: never answer them with the app.
                if req.path().starts_with("/api/") {
                    let resp = HttpResponse::NotFound().finish();
                    return Ok(ServiceResponse::new(req, resp));
                }
                let file = NamedFile::open_async(&index).await?;
                let mut res = file.into_response(&req);
                let cache = CacheControl(vec![CacheDirective::NoCache]);
                res.headers_mut().insert(
                    actix_web::http::header::CACHE_CONTROL,
                    cache
                        .to_string()
                        .parse()
                        .map_err(actix_web::error::ErrorInternalServerError)?,
                );
                Ok(ServiceResponse::new(req, res))
            }
        }));
    }
}
