//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{audit, auth, bases, health, kpi, loans, org, persons, training, users};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Xiangzhu (湘助) API", version = "1", description = "Running the Hunan DPF's programme for disabled people: registry, auth, org units, audit."),
    modifiers(&BearerAuth),
    paths(
        health::healthz, health::readyz, serve,
        auth::routes::login, auth::routes::refresh, auth::routes::logout, auth::routes::me, auth::routes::change_password,
        org::routes::list, org::routes::get, org::routes::addresses, org::routes::address,
        users::routes::list, users::routes::create, users::routes::get, users::routes::reset_password, users::routes::disable, users::routes::enable,
        users::routes::set_roles, users::routes::confirm_roles, users::routes::reject_roles,
        persons::routes::list, persons::routes::create, persons::routes::get, persons::routes::update, persons::routes::delete, persons::routes::reveal,
        training::routes::list, training::routes::create, training::routes::get, training::routes::update, training::routes::delete,
        training::routes::roster, training::routes::enrol, training::routes::update_enrolment, training::routes::delete_enrolment, training::routes::history,
        bases::routes::list, bases::routes::create, bases::routes::get, bases::routes::update, bases::routes::employees, bases::routes::add_employee,
        loans::routes::list, loans::routes::create, loans::routes::get, loans::routes::act, loans::routes::programme_year, loans::routes::set_programme_year, loans::routes::set_allocation,
        training::routes::template, training::routes::export_courses, training::routes::export_history, training::routes::export_roster, training::routes::import_roster, training::routes::import_status, training::routes::import_commit,
        kpi::routes::employment,
        audit::routes::list,
    ),
    components(schemas(shared::api::Problem, shared::FieldError, shared::person::PersonItem, shared::person::Tombstone))
)]
pub struct ApiDoc;

/// Serves this document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "the OpenAPI 3 document")))]
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
