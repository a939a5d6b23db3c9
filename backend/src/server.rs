//! Building the app and running the server.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{middleware, web, App, HttpServer};
use tracing_actix_web::TracingLogger;

use crate::config::{Config, Secrets};
use crate::db::{self, DbKind};
use crate::extract::{path_config, MAX_JSON_BODY};
use crate::logging::RequestSpan;
use crate::state::AppState;

/// The policy of every answer (the web app's pages above all): scripts only from this
/// origin and never inline (WebAssembly compiles under `'wasm-unsafe-eval'`), no
/// framing, no plugins, requests only to this origin.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The application with its middleware, routes and limits; used by the server and by
/// every HTTP test, so tests exercise exactly what runs.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(MAX_JSON_BODY))
        .app_data(path_config())
        .wrap(
            middleware::DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "no-referrer"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY)),
        )
        .wrap(middleware::ErrorHandlers::new().default_handler(problem_for_framework_errors))
        .wrap(middleware::Compress::default())
        .wrap(TracingLogger::<RequestSpan>::new())
        // With a read replica: where the primary stood after each write of a session.
        .wrap(middleware::from_fn(crate::db::replica::remember_writes))
        // Outermost: counts every request by route pattern, with its final status.
        .wrap(middleware::from_fn(crate::metrics::record_request))
        .configure(crate::routes::configure)
}

/// Every error answer is problem JSON: errors that actix-web makes itself (a body over a
/// route's limit, a method not allowed, a payload that could not be read) come out as
/// `text/plain` and are replaced here with the problem of their status.
fn problem_for_framework_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<middleware::ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(middleware::ErrorHandlerResponse::Response(
            res.map_into_left_body(),
        ));
    }
    let status = res.status();
    let error = match status.as_u16() {
        401 => crate::error::ApiError::unauthorized("unauthorized", "log in first"),
        404 => crate::error::ApiError::NotFound,
        413 => crate::error::ApiError::PayloadTooLarge,
        s if s >= 500 => crate::error::ApiError::Internal(anyhow::anyhow!("{status}")),
        _ => crate::error::ApiError::BadRequest {
            code: "bad_request",
            detail: status
                .canonical_reason()
                .unwrap_or("the request could not be handled")
                .to_lowercase(),
        },
    };
    let mut problem = error.problem();
    problem.status = status.as_u16();
    let (req, _) = res.into_parts();
    let resp = actix_web::HttpResponse::build(status)
        .insert_header((
            actix_web::http::header::CONTENT_TYPE,
            "application/problem+json",
        ))
        .json(problem);
    Ok(middleware::ErrorHandlerResponse::Response(
        ServiceResponse::new(req, resp).map_into_right_body(),
    ))
}

/// Opens the database, loads reference data, seeds the demo when asked, and returns the
/// shared state.
pub fn prepare(config: &Config) -> anyhow::Result<AppState> {
    let secrets = Secrets::load(config)?;
    let url = config.database_url();
    let kind = DbKind::of(&url);
    let pool = db::connect(&url, config.db_pool)?;
    let mut state = AppState::new(pool, kind, &secrets);
    state.trusted_proxies = std::sync::Arc::new(config.trusted_proxies.clone());
    if let Some(read) = &config.database_read_url {
        anyhow::ensure!(
            kind == DbKind::Postgres,
            "DATABASE_READ_URL needs DATABASE_URL on PostgreSQL"
        );
        state.read_pool = Some(db::connect_replica(read, config.db_pool)?);
        tracing::info!("reads that tolerate lag go to the read replica");
    }
    if let Some(dir) = &config.attachments_dir {
        state.attachments = std::sync::Arc::new(crate::attachments::store::DirStore::open(dir)?);
        tracing::info!(dir = %dir.display(), "attachments are kept as files");
    }
    let mut conn = state.pool.get()?;
    crate::org::seed::load(&mut conn).map_err(|e| anyhow::anyhow!("loading the org tree: {e}"))?;
    if config.demo {
        seed_demo(&mut conn, &state)?;
    }
    crate::plan::aggregates::build_missing(&mut conn)
        .map_err(|e| anyhow::anyhow!("building the KPI aggregates: {e}"))?;
    Ok(state)
}

/// Seeds the demo accounts and a few hundred synthetic persons, once.
pub fn seed_demo(conn: &mut db::DbConn, state: &AppState) -> anyhow::Result<()> {
    use diesel::prelude::*;
    let has_admin: i64 = crate::db::schema::users::table
        .filter(crate::db::schema::users::username.eq("admin"))
        .count()
        .get_result(conn)?;
    if has_admin > 0 {
        return Ok(());
    }
    let hash = crate::auth::password::hash_blocking(crate::demo::DEMO_PASSWORD)?;
    let accounts = crate::demo::seed_accounts(conn, &hash).map_err(|e| anyhow::anyhow!("{e}"))?;
    let persons = crate::demo::seed_persons(
        conn,
        &state.pii,
        &crate::demo::demo_counties(),
        360,
        2020,
        &|_| {},
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Budget for the demo cities, so that the loan workflow runs end to end out of the box.
    for city in ["4301", "4303"] {
        crate::loans::budget::set_allocation(conn, None, 2020, city, 50_000_000)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let needs = crate::demo::seed_rehab(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let retrofits =
        crate::demo::seed_retrofits(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let placements =
        crate::demo::seed_care(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let petitions =
        crate::demo::seed_petitions(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let pairings =
        crate::demo::seed_pairings(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rectification =
        crate::demo::seed_rectification(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let supervision =
        crate::demo::seed_supervision(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    let survey = crate::demo::seed_survey(conn, &state.pii).map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        accounts,
        persons,
        needs,
        retrofits,
        placements,
        petitions,
        pairings,
        rectification,
        supervision,
        survey,
        "seeded demo data (synthetic persons, 2020 allocations for 长沙市 and 湘潭市, rehab needs, retrofit cases, care placements, petitions, cadre pairings and rectification items in 湘乡市, a stationing, inspections and a misconduct clue, a survey round with three surveys and a household plan, the 2020 cross-check rules)"
    );
    Ok(())
}

/// Runs the server until SIGINT/SIGTERM, then finishes requests in flight (30 s at most).
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.demo {
        tracing::warn!(
            "DEMO MODE (--demo / XIANGZHU_DEMO): demo accounts with a published password are \
             created on an empty database; never use this for real data"
        );
    }
    let prep_config = config.clone();
    let state = web::Data::new(web::block(move || prepare(&prep_config)).await??);
    // Alive before the first request: other replicas must not take this process's jobs
    // for those of a dead one.
    let local = state.imports.clone();
    state
        .db(move |conn| crate::jobs::beat(conn, &local))
        .await
        .map_err(|e| anyhow::anyhow!("registering this server instance: {e}"))?;
    // The daily work digest per unit: one replica sends it each day.
    actix_web::rt::spawn(crate::rectification::work::digest_scheduler(state.clone()));
    actix_web::rt::spawn(crate::jobs::heartbeat(state.clone()));
    let leaving = state.clone();
    let static_dir = config.static_dir.clone();
    if static_dir.join("index.html").exists() {
        tracing::info!(dir = %static_dir.display(), "serving the web app");
    } else {
        tracing::warn!(dir = %static_dir.display(), "no built web app found; serving the API only (run `cargo xtask build-frontend`)");
    }
    // Prometheus metrics on a listener of their own (never on the main address).
    let metrics_server = match &config.metrics_bind {
        Some(bind) => {
            let metrics_state = state.clone();
            let server = HttpServer::new(move || crate::metrics::app(metrics_state.clone()))
                .workers(1)
                .shutdown_timeout(5)
                .bind(bind)?;
            for addr in server.addrs() {
                tracing::info!("metrics are served at http://{addr}/metrics");
            }
            Some(server.run())
        }
        None => None,
    };
    let server = HttpServer::new(move || {
        let with_spa = static_dir.join("index.html").exists();
        let app = app(state.clone());
        if with_spa {
            app.configure(crate::spa::configure(&static_dir))
        } else {
            app
        }
    })
    .shutdown_timeout(30)
    .bind(&config.bind)?;
    for addr in server.addrs() {
        tracing::info!("Xiangzhu is listening on http://{addr}");
        println!("Xiangzhu (湘助) is running at http://{addr}  (demo logins: see README)");
    }
    // SIGTERM: stop accepting, let requests in flight finish (30 s at most); SIGINT
    // stops at once. Either way, then leave the instances, so that the jobs this process
    // leaves unfinished are failed at once.
    let served = match metrics_server {
        Some(metrics) => {
            let (served, metrics_served) = tokio::join!(server.run(), metrics);
            if let Err(e) = metrics_served {
                tracing::error!(error = %e, "the metrics listener failed");
            }
            served
        }
        None => server.run().await,
    };
    let local = leaving.imports.clone();
    if let Err(e) = leaving
        .db(move |conn| crate::jobs::leave(conn, &local))
        .await
    {
        tracing::warn!(error = %e, "removing this server instance failed");
    }
    tracing::info!("stopped");
    served?;
    Ok(())
}
