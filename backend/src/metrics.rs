//! Prometheus metrics: HTTP requests and their latency by route pattern, the database
//! pool, import jobs by state, and login attempts by outcome.
//!
//! The series live in a [`Metrics`] registry of the [`AppState`] (one per state, so tests
//! never share counters) and are served in the Prometheus text format at `/metrics` by a
//! listener of their own ([`app`], bound to `XIANGZHU_METRICS_BIND`), never by the main
//! app. Gauges of the pool and of the import jobs are read when scraped.
//!
//! Label values come from a bounded set only: the route is the matched resource pattern
//! (`/api/v1/persons/{id}`, never the raw path; [`UNMATCHED`] for requests no route
//! answered), the method is one of the standard ones or `other`, and the status is a
//! three-digit code.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, App, HttpResponse};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use shared::api::JobState;

use crate::error::ApiError;
use crate::state::AppState;

/// The route label of requests that no route answered (unknown paths, default
/// services): one label for all of them, whatever the path.
pub const UNMATCHED: &str = "unmatched";

/// The `Content-Type` of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds (seconds) of the request latency buckets: Prometheus' defaults, and 30 s
/// for the slow exports and imports.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How a login attempt ended, as the login handler decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Logged in.
    Success,
    /// The account exists and the password was wrong.
    WrongPassword,
    /// No account has that name (checked against a dummy hash all the same).
    UnknownUser,
    /// The password was right but the account is disabled.
    Disabled,
    /// The account is locked after too many failures; the password was not checked.
    Locked,
    /// The client address is throttled (429); the password was not checked.
    Throttled,
    /// Too many logins wait for a password check (503); the attempt does not count.
    Busy,
    /// The name or password is longer than any valid one; refused without a check.
    Oversized,
    /// The password check failed for another reason (500).
    Error,
}

impl LoginOutcome {
    /// Every outcome, so that each series exists from the start.
    pub const ALL: &'static [LoginOutcome] = &[
        LoginOutcome::Success,
        LoginOutcome::WrongPassword,
        LoginOutcome::UnknownUser,
        LoginOutcome::Disabled,
        LoginOutcome::Locked,
        LoginOutcome::Throttled,
        LoginOutcome::Busy,
        LoginOutcome::Oversized,
        LoginOutcome::Error,
    ];

    /// The `outcome` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            LoginOutcome::Success => "success",
            LoginOutcome::WrongPassword => "wrong_password",
            LoginOutcome::UnknownUser => "unknown_user",
            LoginOutcome::Disabled => "disabled",
            LoginOutcome::Locked => "locked",
            LoginOutcome::Throttled => "throttled",
            LoginOutcome::Busy => "busy",
            LoginOutcome::Oversized => "oversized",
            LoginOutcome::Error => "error",
        }
    }

    /// The outcome of a refused login from the reason the handler audits
    /// (`unknown_user`, `disabled`, `wrong_password`).
    pub fn of_failure_reason(reason: &str) -> Self {
        match reason {
            "unknown_user" => LoginOutcome::UnknownUser,
            "disabled" => LoginOutcome::Disabled,
            _ => LoginOutcome::WrongPassword,
        }
    }
}

/// The registry and every series of one server.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    import_jobs: IntGaugeVec,
    login_attempts: IntCounterVec,
    lockouts: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers `collector` and hands it back.
fn registered<C>(registry: &Registry, collector: C) -> C
where
    C: prometheus::core::Collector + Clone + 'static,
{
    // Fails only for a name registered twice: the names below are distinct constants.
    if let Err(e) = registry.register(Box::new(collector.clone())) {
        tracing::error!(error = %e, "registering a metric failed");
    }
    collector
}

impl Metrics {
    /// A fresh registry with every series.
    ///
    /// # Panics
    ///
    /// Never at run time: it panics only if a metric definition below is invalid (a
    /// constant name or label), which every test that builds an app would show.
    pub fn new() -> Self {
        let registry = Registry::new();
        let http_requests = registered(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "xiangzhu_http_requests_total",
                    "HTTP requests answered, by route pattern, method and status.",
                ),
                &["route", "method", "status"],
            )
            .expect("valid metric definition"),
        );
        let http_duration = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "xiangzhu_http_request_duration_seconds",
                    "Time until the response head, by route pattern and method.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["route", "method"],
            )
            .expect("valid metric definition"),
        );
        let gauge = |name: &str, help: &str| {
            registered(
                &registry,
                IntGauge::new(name, help).expect("valid metric definition"),
            )
        };
        let pool_connections = gauge(
            "xiangzhu_db_pool_connections",
            "Open database connections (busy and idle).",
        );
        let pool_idle = gauge(
            "xiangzhu_db_pool_idle_connections",
            "Idle database connections.",
        );
        let pool_max = gauge(
            "xiangzhu_db_pool_max_connections",
            "Largest number of database connections (XIANGZHU_DB_POOL).",
        );
        let import_jobs = registered(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "xiangzhu_import_jobs",
                    "Import jobs kept in the database, by state.",
                ),
                &["state"],
            )
            .expect("valid metric definition"),
        );
        let login_attempts = registered(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "xiangzhu_login_attempts_total",
                    "Login attempts, by outcome.",
                ),
                &["outcome"],
            )
            .expect("valid metric definition"),
        );
        let lockouts = registered(
            &registry,
            IntCounter::new(
                "xiangzhu_login_lockouts_total",
                "Accounts locked after too many failed logins.",
            )
            .expect("valid metric definition"),
        );
        // Every outcome's series exists from the start, at zero.
        for outcome in LoginOutcome::ALL {
            let _ = login_attempts.get_metric_with_label_values(&[outcome.as_str()]);
        }
        Self {
            registry,
            http_requests,
            http_duration,
            pool_connections,
            pool_idle,
            pool_max,
            import_jobs,
            login_attempts,
            lockouts,
        }
    }

    /// Counts an answered request and its latency. `route` is a resource pattern or
    /// [`UNMATCHED`].
    pub fn observe_request(
        &self,
        route: &str,
        method: &Method,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        if let Ok(c) =
            self.http_requests
                .get_metric_with_label_values(&[route, method, status.as_str()])
        {
            c.inc();
        }
        if let Ok(h) = self
            .http_duration
            .get_metric_with_label_values(&[route, method])
        {
            h.observe(elapsed.as_secs_f64());
        }
    }

    /// Counts a login attempt.
    pub fn login_attempt(&self, outcome: LoginOutcome) {
        if let Ok(c) = self
            .login_attempts
            .get_metric_with_label_values(&[outcome.as_str()])
        {
            c.inc();
        }
    }

    /// Counts an account lock.
    pub fn lockout(&self) {
        self.lockouts.inc();
    }

    /// Sets the pool gauges.
    pub fn set_pool(&self, connections: u32, idle: u32, max: u32) {
        self.pool_connections.set(i64::from(connections));
        self.pool_idle.set(i64::from(idle));
        self.pool_max.set(i64::from(max));
    }

    /// Sets the import job gauges from `(state, count)` rows: every known state, zero
    /// when it has no row; unknown states are left out.
    pub fn set_import_jobs(&self, counts: &[(String, i64)]) {
        for state in JobState::ALL {
            let n = counts
                .iter()
                .filter(|(s, _)| s == state.as_str())
                .map(|(_, n)| *n)
                .sum();
            if let Ok(g) = self
                .import_jobs
                .get_metric_with_label_values(&[state.as_str()])
            {
                g.set(n);
            }
        }
    }

    /// Drops the import job series (when they could not be read), so that stale values
    /// are not reported.
    pub fn clear_import_jobs(&self) {
        self.import_jobs.reset();
    }

    /// Every series in the Prometheus text format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        TextEncoder::new().encode_to_string(&self.registry.gather())
    }
}

/// The method label: the standard methods by name, anything else `other` (a client
/// can send any token as a method).
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// Middleware of the main app (for [`actix_web::middleware::from_fn`]): counts every
/// request by the pattern of the route that answered it, once the inner service has
/// resolved (routing has happened by then), and observes its latency.
pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.call(req).await;
    if let Some(metrics) = metrics {
        let elapsed = started.elapsed();
        match &res {
            Ok(res) => {
                let route = res.request().match_pattern();
                metrics.observe_request(
                    route.as_deref().unwrap_or(UNMATCHED),
                    &method,
                    res.status(),
                    elapsed,
                );
            }
            // Handlers' errors are answers by now; an error here ended the request
            // before a route could be told.
            Err(e) => metrics.observe_request(
                UNMATCHED,
                &method,
                e.as_response_error().status_code(),
                elapsed,
            ),
        }
    }
    res
}

/// Counts import jobs by state, on the blocking pool.
async fn import_job_counts(state: &AppState) -> Result<Vec<(String, i64)>, ApiError> {
    use crate::db::schema::import_jobs;
    use diesel::prelude::*;
    state
        .db(|conn| {
            Ok(import_jobs::table
                .group_by(import_jobs::state)
                .select((import_jobs::state, diesel::dsl::count_star()))
                .load(conn)?)
        })
        .await
}

/// Reads the gauges that are measured when scraped (the pool, the import jobs) and
/// renders every series.
pub async fn scrape(state: &AppState) -> Result<String, ApiError> {
    let pool = state.pool.state();
    state.metrics.set_pool(
        pool.connections,
        pool.idle_connections,
        state.pool.max_size(),
    );
    match import_job_counts(state).await {
        Ok(counts) => state.metrics.set_import_jobs(&counts),
        Err(e) => {
            tracing::warn!(error = %e, "counting import jobs for the metrics failed");
            state.metrics.clear_import_jobs();
        }
    }
    state
        .metrics
        .render()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("rendering the metrics: {e}")))
}

/// `GET /metrics` of the metrics listener: every series in the Prometheus text format.
pub async fn serve(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = scrape(&state).await?;
    Ok(HttpResponse::Ok().content_type(CONTENT_TYPE).body(text))
}

/// The app of the metrics listener: `/metrics` and nothing else. Used by the server
/// (on `XIANGZHU_METRICS_BIND`) and by the tests.
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
        .route("/metrics", web::get().to(serve))
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;
    use diesel::prelude::*;
    use serde_json::json;
    use uuid::Uuid;

    use crate::db::schema::import_jobs;
    use crate::db_tests;
    use crate::testing::{Backend, TestApp};

    db_tests!(
        requests_logins_pool_and_jobs_are_measured,
        lockouts_and_locked_attempts_are_counted,
        the_main_app_does_not_serve_metrics,
    );

    /// The metrics text, as the metrics listener serves it.
    async fn scrape(app: &TestApp) -> String {
        let service = actix_web::test::init_service(super::app(app.state.clone())).await;
        let req = actix_web::test::TestRequest::get()
            .uri("/metrics")
            .to_request();
        let resp = actix_web::test::call_service(&service, req).await;
        assert_eq!(resp.status().as_u16(), 200);
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        let body = actix_web::test::read_body(resp).await;
        String::from_utf8(body.to_vec()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The value of the sample `name` whose labels include every one of `labels`.
    fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| {
                l.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
            })
            .find(|l| {
                labels
                    .iter()
                    .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    async fn requests_logins_pool_and_jobs_are_measured(backend: Backend) {
        let app = TestApp::new(backend).await;
        let token = app.token("xiangxiang.staff").await;
        assert_eq!(app.get(&token, "/api/v1/persons").await.status, 200);
        let missing = Uuid::new_v4();
        let r = app.get(&token, &format!("/api/v1/persons/{missing}")).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.login_as("admin", "not-the-password").await;
        assert_eq!(r.status, 401, "{}", r.body);
        for path in ["/api/v1/no-such-thing/123", "/no/such/page"] {
            assert_eq!(app.get(&token, path).await.status, 404, "{path}");
        }
        // One import job waiting for its commit.
        let owner = app.setup_actor().id.to_string();
        let at = crate::db::now();
        diesel::insert_into(import_jobs::table)
            .values((
                import_jobs::id.eq(Uuid::new_v4().to_string()),
                import_jobs::kind.eq("roster"),
                import_jobs::target_id.eq(Uuid::new_v4().to_string()),
                import_jobs::owner_id.eq(owner),
                import_jobs::state.eq("valid"),
                import_jobs::total_rows.eq(3),
                import_jobs::created_at.eq(at),
                import_jobs::updated_at.eq(at),
            ))
            .execute(&mut app.conn())
            .unwrap_or_else(|e| panic!("{e}"));

        let text = scrape(&app).await;
        let requests = "xiangzhu_http_requests_total";
        let get = |route: &str, status: &str| {
            sample(
                &text,
                requests,
                &[("route", route), ("method", "GET"), ("status", status)],
            )
        };
        assert_eq!(get("/api/v1/persons", "200"), Some(1.0), "{text}");
        assert_eq!(get("/api/v1/persons/{id}", "404"), Some(1.0), "{text}");
        assert!(
            !text.contains(&missing.to_string()),
            "a raw path is a label:\n{text}"
        );
        // Unknown paths, under the API scope or not, share one label.
        assert_eq!(get(super::UNMATCHED, "404"), Some(2.0), "{text}");
        assert!(!text.contains("no-such-thing") && !text.contains("/no/such/page"));
        assert_eq!(
            sample(
                &text,
                requests,
                &[
                    ("route", "/api/v1/auth/login"),
                    ("method", "POST"),
                    ("status", "401")
                ]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                "xiangzhu_http_request_duration_seconds_count",
                &[("route", "/api/v1/persons/{id}"), ("method", "GET")]
            ),
            Some(1.0),
            "{text}"
        );
        let login = |outcome: &str| {
            sample(
                &text,
                "xiangzhu_login_attempts_total",
                &[("outcome", outcome)],
            )
        };
        assert_eq!(login("success"), Some(1.0), "{text}");
        assert_eq!(login("wrong_password"), Some(1.0), "{text}");
        assert_eq!(login("locked"), Some(0.0), "{text}");
        assert_eq!(
            sample(&text, "xiangzhu_login_lockouts_total", &[]),
            Some(0.0)
        );
        // The test app's pool has 8 connections at most; at least one is open.
        assert_eq!(
            sample(&text, "xiangzhu_db_pool_max_connections", &[]),
            Some(8.0)
        );
        let open = sample(&text, "xiangzhu_db_pool_connections", &[]).unwrap_or_default();
        let idle = sample(&text, "xiangzhu_db_pool_idle_connections", &[]).unwrap_or(-1.0);
        assert!(open >= 1.0 && (0.0..=open).contains(&idle), "{text}");
        let jobs = |state: &str| sample(&text, "xiangzhu_import_jobs", &[("state", state)]);
        assert_eq!(jobs("valid"), Some(1.0), "{text}");
        assert_eq!(jobs("committing"), Some(0.0), "{text}");
        // Scraping is not itself a request of the main app.
        assert!(!text.contains("route=\"/metrics\""), "{text}");
    }

    async fn lockouts_and_locked_attempts_are_counted(backend: Backend) {
        let app = TestApp::new(backend).await;
        let user = "xiangxiang.staff";
        for _ in 0..crate::auth::throttle::ACCOUNT.max {
            assert_eq!(app.login_as(user, "wrong-password").await.status, 401);
        }
        // Locked now: even the right password is refused, unchecked.
        let r = app.login_as(user, crate::demo::DEMO_PASSWORD).await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(app.login_as("nobody.at.all", "whatever").await.status, 401);
        let long = "x".repeat(shared::auth::PASSWORD_MAX_CHARS + 1);
        assert_eq!(app.login_as(user, &long).await.status, 401);
        let text = scrape(&app).await;
        let login = |outcome: &str| {
            sample(
                &text,
                "xiangzhu_login_attempts_total",
                &[("outcome", outcome)],
            )
        };
        let max = f64::from(crate::auth::throttle::ACCOUNT.max);
        assert_eq!(login("wrong_password"), Some(max), "{text}");
        assert_eq!(login("locked"), Some(1.0), "{text}");
        assert_eq!(login("unknown_user"), Some(1.0), "{text}");
        assert_eq!(login("oversized"), Some(1.0), "{text}");
        assert_eq!(login("success"), Some(0.0), "{text}");
        assert_eq!(
            sample(&text, "xiangzhu_login_lockouts_total", &[]),
            Some(1.0),
            "{text}"
        );
    }

    async fn the_main_app_does_not_serve_metrics(backend: Backend) {
        let app = TestApp::new(backend).await;
        // Something to report, so that a leak would show.
        let _ = app
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "admin", "password": "wrong"})),
                &[],
            )
            .await;
        for path in ["/metrics", "/api/v1/metrics"] {
            let r = app.request(Method::GET, path, None, None, &[]).await;
            assert_eq!(r.status, 404, "{path}: {}", r.body);
            assert!(!r.body.to_string().contains("xiangzhu_"), "{path}");
        }
        assert!(scrape(&app).await.contains("xiangzhu_login_attempts_total"));
    }

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        let odd = Method::from_bytes(b"BREW").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(super::method_label(&odd), "other");
        assert_eq!(super::method_label(&Method::PATCH), "PATCH");
    }
}
