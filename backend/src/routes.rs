//! Every route of the API, mounted in one place.

use actix_web::web::{self, delete, get, post, put};

use crate::error::ApiError;
use crate::{
    attachments, audit, auth, bases, care, certificates, crosscheck, duties, health, kpi, loans,
    monitoring, openapi, org, persons, petitions, plan, rectification, rehab, retrofit,
    supervision, survey, training, users, visits,
};

/// Mounts the API and the health checks.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", get().to(health::healthz))
        .route("/readyz", get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", get().to(openapi::serve))
                .route("/auth/login", post().to(auth::routes::login))
                .route("/auth/refresh", post().to(auth::routes::refresh))
                .route("/auth/logout", post().to(auth::routes::logout))
                .route("/me", get().to(auth::routes::me))
                .route("/me/password", post().to(auth::routes::change_password))
                .route("/org-units", get().to(org::routes::list))
                .route("/org-units/{code}", get().to(org::routes::get))
                .route("/addresses", get().to(org::routes::addresses))
                .route("/addresses/{code}", get().to(org::routes::address))
                .route("/users", get().to(users::routes::list))
                .route("/users", post().to(users::routes::create))
                .route("/users/{id}", get().to(users::routes::get))
                .route(
                    "/users/{id}/password",
                    post().to(users::routes::reset_password),
                )
                .route("/users/{id}/disable", post().to(users::routes::disable))
                .route("/users/{id}/enable", post().to(users::routes::enable))
                .route("/users/{id}/roles", put().to(users::routes::set_roles))
                .route(
                    "/users/{id}/roles/confirm",
                    post().to(users::routes::confirm_roles),
                )
                .route(
                    "/users/{id}/roles/reject",
                    post().to(users::routes::reject_roles),
                )
                .route("/sync/persons", get().to(crate::sync::routes::persons))
                .route("/persons", get().to(persons::routes::list))
                .route("/persons", post().to(persons::routes::create))
                .route("/persons/search", post().to(persons::routes::search))
                .route("/persons/{id}", get().to(persons::routes::get))
                .route("/persons/{id}", put().to(persons::routes::update))
                .route("/persons/{id}", delete().to(persons::routes::delete))
                .route("/persons/{id}/reveal", post().to(persons::routes::reveal))
                .route(
                    "/persons/{id}/enrolments",
                    get().to(training::routes::history),
                )
                .route(
                    "/courses/export",
                    get().to(training::routes::export_courses),
                )
                .route(
                    "/persons/{id}/enrolments/export",
                    get().to(training::routes::export_history),
                )
                .route("/courses", get().to(training::routes::list))
                .route("/courses", post().to(training::routes::create))
                .route("/courses/{id}", get().to(training::routes::get))
                .route("/courses/{id}", put().to(training::routes::update))
                .route("/courses/{id}", delete().to(training::routes::delete))
                .route(
                    "/courses/{id}/enrolments",
                    get().to(training::routes::roster),
                )
                .route(
                    "/courses/{id}/enrolments",
                    post().to(training::routes::enrol),
                )
                .route(
                    "/courses/{id}/enrolments",
                    put().to(training::routes::update_enrolments),
                )
                .route(
                    "/enrolments/{id}",
                    put().to(training::routes::update_enrolment),
                )
                .route(
                    "/enrolments/{id}",
                    delete().to(training::routes::delete_enrolment),
                )
                .route(
                    "/county-lists/{year}/{list}",
                    get().to(duties::routes::get_list),
                )
                .route(
                    "/county-lists/{year}/{list}",
                    put().to(duties::routes::put_list),
                )
                .route("/purchases", get().to(duties::routes::list_purchases))
                .route("/purchases", post().to(duties::routes::create_purchase))
                .route(
                    "/purchases/export",
                    get().to(duties::routes::export_purchases),
                )
                .route("/purchases/{id}", get().to(duties::routes::get_purchase))
                .route("/purchases/{id}", put().to(duties::routes::update_purchase))
                .route(
                    "/purchases/{id}",
                    delete().to(duties::routes::delete_purchase),
                )
                .route(
                    "/kpi/consumption",
                    get().to(duties::routes::consumption_kpi),
                )
                .route(
                    "/funds/allocations",
                    get().to(duties::routes::list_allocations),
                )
                .route(
                    "/funds/allocations",
                    post().to(duties::routes::create_allocation),
                )
                .route(
                    "/funds/allocations/{id}",
                    get().to(duties::routes::get_allocation),
                )
                .route(
                    "/funds/allocations/{id}",
                    delete().to(duties::routes::delete_allocation),
                )
                .route(
                    "/funds/allocations/{id}/compute",
                    post().to(duties::routes::recompute_allocation),
                )
                .route(
                    "/funds/allocations/{id}/adjust",
                    post().to(duties::routes::adjust_allocation),
                )
                .route(
                    "/funds/allocations/{id}/approve",
                    post().to(duties::routes::approve_allocation),
                )
                .route(
                    "/funds/allocations/{id}/export",
                    get().to(duties::routes::export_allocation),
                )
                .route(
                    "/funds/allocations/{id}/spending",
                    get().to(duties::routes::list_spending),
                )
                .route(
                    "/funds/spending",
                    post().to(duties::routes::create_spending),
                )
                .route(
                    "/funds/spending/{id}",
                    delete().to(duties::routes::delete_spending),
                )
                .route("/funds/performance", get().to(duties::routes::performance))
                .route(
                    "/village-links/export",
                    get().to(duties::routes::export_links),
                )
                .route("/village-links", get().to(duties::routes::list_links))
                .route("/village-links", post().to(duties::routes::create_link))
                .route("/village-links/{id}", get().to(duties::routes::get_link))
                .route("/village-links/{id}", put().to(duties::routes::update_link))
                .route(
                    "/village-links/{id}",
                    delete().to(duties::routes::delete_link),
                )
                .route(
                    "/village-links/{id}/activities",
                    post().to(duties::routes::add_activity),
                )
                .route("/kpi/villages", get().to(duties::routes::villages_kpi))
                .route(
                    "/support-pairs/export",
                    get().to(duties::routes::export_support),
                )
                .route("/support-pairs", get().to(duties::routes::list_pairs))
                .route("/support-pairs", post().to(duties::routes::create_pair))
                .route(
                    "/support-pairs/{id}/support",
                    get().to(duties::routes::list_support),
                )
                .route("/support", post().to(duties::routes::create_support))
                .route("/kpi/support", get().to(duties::routes::support_kpi))
                .route(
                    "/publicity/cases/export",
                    get().to(duties::routes::export_cases),
                )
                .route("/publicity/cases", get().to(duties::routes::list_cases))
                .route("/publicity/cases", post().to(duties::routes::create_case))
                .route("/publicity/cases/{id}", get().to(duties::routes::get_case))
                .route(
                    "/publicity/cases/{id}",
                    put().to(duties::routes::update_case),
                )
                .route(
                    "/publicity/cases/{id}/select",
                    post().to(duties::routes::select_case),
                )
                .route("/kpi/publicity", get().to(duties::routes::publicity_kpi))
                .route(
                    "/crosscheck/rules/{year}",
                    get().to(crosscheck::routes::get_rules),
                )
                .route(
                    "/crosscheck/rules/{year}",
                    put().to(crosscheck::routes::put_rules),
                )
                .service(
                    web::resource("/crosscheck/lists")
                        .app_data(web::PayloadConfig::new(crosscheck::import::MAX_LIST_UPLOAD))
                        .route(post().to(crosscheck::routes::import_list))
                        .route(get().to(crosscheck::routes::list_lists)),
                )
                .route(
                    "/crosscheck/lists/{id}",
                    get().to(crosscheck::routes::get_list),
                )
                .route(
                    "/crosscheck/lists/{id}/changes",
                    get().to(crosscheck::routes::list_changes),
                )
                .route("/crosscheck/gaps", get().to(crosscheck::routes::list_gaps))
                .route(
                    "/persons/{id}/poverty-status",
                    get().to(monitoring::routes::history),
                )
                .route(
                    "/persons/{id}/poverty-status",
                    post().to(monitoring::routes::change_status),
                )
                .route(
                    "/monitoring/watch-list",
                    get().to(monitoring::routes::watch_list),
                )
                .route("/monitoring/kpi", get().to(monitoring::routes::kpi))
                .route(
                    "/monitoring/visits",
                    post().to(monitoring::routes::create_visit),
                )
                .route(
                    "/monitoring/visits/{id}",
                    get().to(monitoring::routes::get_visit),
                )
                .route(
                    "/persons/{id}/monitoring-visits",
                    get().to(monitoring::routes::person_visits),
                )
                .route("/monitoring/cadence", get().to(monitoring::routes::cadence))
                .route(
                    "/monitoring/cadence",
                    put().to(monitoring::routes::put_cadence),
                )
                .route("/monitoring/overdue", get().to(monitoring::routes::overdue))
                .route("/certificates", post().to(certificates::routes::apply))
                .route(
                    "/certificates/checks",
                    get().to(certificates::routes::checks),
                )
                .route(
                    "/certificates/{id}/decide",
                    post().to(certificates::routes::decide),
                )
                .route(
                    "/persons/{id}/certificates",
                    get().to(certificates::routes::of_person),
                )
                .route("/crosscheck/summary", get().to(crosscheck::routes::summary))
                .route("/survey-rounds", get().to(survey::routes::list_rounds))
                .route("/survey-rounds", post().to(survey::routes::create_round))
                .route("/survey-rounds/{id}", get().to(survey::routes::get_round))
                .route(
                    "/survey-rounds/{id}/progress",
                    get().to(survey::routes::progress),
                )
                .route(
                    "/survey-rounds/{id}/persons",
                    get().to(survey::routes::persons),
                )
                .route(
                    "/survey-rounds/{id}/problems",
                    get().to(survey::routes::problems),
                )
                .route("/surveys", post().to(survey::routes::create_survey))
                .route("/surveys/{id}", get().to(survey::routes::get_survey))
                .route("/surveys/{id}", put().to(survey::routes::update_survey))
                .route(
                    "/persons/{id}/household-plan",
                    get().to(survey::routes::get_plan),
                )
                .route(
                    "/persons/{id}/household-plan",
                    put().to(survey::routes::put_plan),
                )
                .route("/bases", get().to(bases::routes::list))
                .route("/bases", post().to(bases::routes::create))
                .route("/bases/{id}", get().to(bases::routes::get))
                .route("/bases/{id}", put().to(bases::routes::update))
                .route("/bases/{id}/employees", get().to(bases::routes::employees))
                .route(
                    "/bases/{id}/employees/{person_id}",
                    delete().to(bases::routes::remove_employee),
                )
                .route(
                    "/bases/{id}/employees",
                    post().to(bases::routes::add_employee),
                )
                .route("/loans", get().to(loans::routes::list))
                .route("/loans", post().to(loans::routes::create))
                .route("/loans/{id}", get().to(loans::routes::get))
                .route("/loans/{id}", put().to(loans::routes::update))
                .route("/loans/{id}/actions", post().to(loans::routes::act))
                .route(
                    "/programme-years/{year}",
                    get().to(loans::routes::programme_year),
                )
                .route(
                    "/programme-years/{year}",
                    put().to(loans::routes::set_programme_year),
                )
                .route(
                    "/programme-years/{year}/allocations/{city}",
                    put().to(loans::routes::set_allocation),
                )
                .route("/kpi/employment", get().to(kpi::routes::employment))
                .route("/kpi/rehab", get().to(rehab::routes::kpi))
                .route("/kpi/retrofits", get().to(retrofit::routes::kpi))
                .route("/kpi/rectification", get().to(rectification::routes::kpi))
                .route("/my-work", get().to(rectification::routes::my_work))
                .route(
                    "/rectification/items/export",
                    get().to(rectification::routes::export),
                )
                .route(
                    "/rectification/items",
                    get().to(rectification::routes::list),
                )
                .route(
                    "/rectification/items",
                    post().to(rectification::routes::create),
                )
                .route(
                    "/rectification/items/{id}",
                    get().to(rectification::routes::get),
                )
                .route(
                    "/rectification/items/{id}/actions",
                    post().to(rectification::routes::act),
                )
                .route("/retrofits/items", get().to(retrofit::routes::list_items))
                .route("/retrofits/items", post().to(retrofit::routes::create_item))
                .route(
                    "/retrofits/items/{code}",
                    put().to(retrofit::routes::update_item),
                )
                .route("/retrofits/caps", get().to(retrofit::routes::list_caps))
                .route(
                    "/retrofits/caps/{year}",
                    put().to(retrofit::routes::set_cap),
                )
                .route(
                    "/retrofits/cases-template",
                    get().to(retrofit::routes::template),
                )
                .route(
                    "/retrofits/cases/export",
                    get().to(retrofit::routes::export),
                )
                .service(
                    web::resource("/retrofits/cases/import")
                        .app_data(web::PayloadConfig::new(crate::tabular::MAX_UPLOAD))
                        .route(post().to(retrofit::routes::import)),
                )
                .route("/retrofits/cases", get().to(retrofit::routes::list_cases))
                .route("/retrofits/cases", post().to(retrofit::routes::create_case))
                .route(
                    "/retrofits/cases/{id}",
                    get().to(retrofit::routes::get_case),
                )
                .route(
                    "/retrofits/cases/{id}/plan",
                    put().to(retrofit::routes::update_plan),
                )
                .route(
                    "/retrofits/cases/{id}/actions",
                    post().to(retrofit::routes::act),
                )
                .route("/kpi/care", get().to(care::routes::kpi))
                .route("/kpi/petitions", get().to(petitions::routes::kpi))
                .route("/petitions", get().to(petitions::routes::list))
                .route("/petitions", post().to(petitions::routes::create))
                .route("/petitions/export", get().to(petitions::routes::export))
                .route(
                    "/petitions/deadlines",
                    get().to(petitions::routes::deadlines),
                )
                .route("/petitions/{id}", get().to(petitions::routes::get))
                .route("/petitions/{id}/actions", post().to(petitions::routes::act))
                .route(
                    "/petitions/{id}/rectification",
                    post().to(petitions::routes::open_rectification),
                )
                .route(
                    "/petitions/{id}/reveal",
                    post().to(petitions::routes::reveal),
                )
                .route("/kpi/pairing", get().to(visits::routes::kpi))
                .route("/pairings", get().to(visits::routes::list_pairings))
                .route("/pairings", post().to(visits::routes::create_pairing))
                .route("/pairings/cadres", get().to(visits::routes::cadres))
                .route("/pairings/{id}", get().to(visits::routes::get_pairing))
                .route("/pairings/{id}", put().to(visits::routes::update_pairing))
                .route(
                    "/pairings/{id}",
                    delete().to(visits::routes::delete_pairing),
                )
                .route("/visits", get().to(visits::routes::list_visits))
                .route("/visits", post().to(visits::routes::create_visit))
                .route("/visits/{id}", get().to(visits::routes::get_visit))
                .route("/visits/{id}", put().to(visits::routes::update_visit))
                .route(
                    "/stationings",
                    get().to(supervision::routes::list_stationings),
                )
                .route(
                    "/stationings",
                    post().to(supervision::routes::create_stationing),
                )
                .route(
                    "/stationings/{id}",
                    get().to(supervision::routes::get_stationing),
                )
                .route(
                    "/stationings/{id}",
                    put().to(supervision::routes::update_stationing),
                )
                .route(
                    "/stationings/{id}/log",
                    post().to(supervision::routes::add_log),
                )
                .route(
                    "/inspections",
                    get().to(supervision::routes::list_inspections),
                )
                .route(
                    "/inspections",
                    post().to(supervision::routes::create_inspection),
                )
                .route(
                    "/inspections/{id}",
                    get().to(supervision::routes::get_inspection),
                )
                .route(
                    "/inspections/{id}",
                    put().to(supervision::routes::update_inspection),
                )
                .route(
                    "/inspections/{id}",
                    delete().to(supervision::routes::delete_inspection),
                )
                .route("/kpi/inspections", get().to(supervision::routes::matrix))
                .route("/supervision/people", get().to(supervision::routes::people))
                .route("/clues", get().to(supervision::routes::list_clues))
                .route("/clues", post().to(supervision::routes::create_clue))
                .route("/clues/{id}", get().to(supervision::routes::get_clue))
                .route(
                    "/clues/{id}/actions",
                    post().to(supervision::routes::act_clue),
                )
                .route("/care/providers", get().to(care::routes::list_providers))
                .route("/care/providers", post().to(care::routes::create_provider))
                .route("/care/providers/{id}", get().to(care::routes::get_provider))
                .route(
                    "/care/providers/{id}",
                    put().to(care::routes::update_provider),
                )
                .route(
                    "/care/providers/{id}",
                    delete().to(care::routes::delete_provider),
                )
                .route(
                    "/care/assessments",
                    get().to(care::routes::list_assessments),
                )
                .route(
                    "/care/assessments",
                    post().to(care::routes::create_assessment),
                )
                .route(
                    "/care/assessments/{id}",
                    get().to(care::routes::get_assessment),
                )
                .route("/care/placements/export", get().to(care::routes::export))
                .route("/care/placements", get().to(care::routes::list_placements))
                .route(
                    "/care/placements",
                    post().to(care::routes::create_placement),
                )
                .route(
                    "/care/placements/{id}",
                    get().to(care::routes::get_placement),
                )
                .route(
                    "/care/placements/{id}/actions",
                    post().to(care::routes::act),
                )
                .route(
                    "/care/placements/{id}/transfer",
                    post().to(care::routes::transfer),
                )
                .route(
                    "/care/placements/{id}/logs",
                    get().to(care::routes::list_logs),
                )
                .route(
                    "/care/placements/{id}/logs",
                    post().to(care::routes::add_log),
                )
                .route(
                    "/rehab/catalogue/export",
                    get().to(rehab::routes::export_catalogue),
                )
                .service(
                    web::resource("/rehab/catalogue/import")
                        .app_data(web::PayloadConfig::new(crate::tabular::MAX_UPLOAD))
                        .route(post().to(rehab::routes::import_catalogue)),
                )
                .route(
                    "/rehab/needs-template",
                    get().to(rehab::routes::needs_template),
                )
                .route("/rehab/needs/export", get().to(rehab::routes::export_needs))
                .service(
                    web::resource("/rehab/needs/import")
                        .app_data(web::PayloadConfig::new(crate::tabular::MAX_UPLOAD))
                        .route(post().to(rehab::routes::import_needs)),
                )
                .route("/rehab/catalogue", get().to(rehab::routes::catalogue))
                .route("/rehab/catalogue", post().to(rehab::routes::create_item))
                .route(
                    "/rehab/catalogue/{id}",
                    get().to(rehab::routes::catalogue_item),
                )
                .route(
                    "/rehab/catalogue/{id}",
                    put().to(rehab::routes::update_item),
                )
                .route(
                    "/rehab/catalogue/{id}/caps/{year}",
                    put().to(rehab::routes::set_cap),
                )
                .route("/rehab/needs", get().to(rehab::routes::list_needs))
                .route("/rehab/needs", post().to(rehab::routes::create_need))
                .route("/rehab/needs/{id}", get().to(rehab::routes::get_need))
                .route("/rehab/needs/{id}/actions", post().to(rehab::routes::act))
                .route("/rehab/assessments", post().to(rehab::routes::assess))
                .route("/rehab/renewals", get().to(rehab::routes::renewals))
                .route("/rehab/episodes", get().to(rehab::routes::list_episodes))
                .route("/rehab/episodes", post().to(rehab::routes::create_episode))
                .route("/rehab/episodes/{id}", get().to(rehab::routes::get_episode))
                .route(
                    "/rehab/episodes/{id}",
                    put().to(rehab::routes::update_episode),
                )
                .route("/roster-template", get().to(training::routes::template))
                .route(
                    "/courses/{id}/roster/export",
                    get().to(training::routes::export_roster),
                )
                .service(
                    web::resource("/courses/{id}/roster/import")
                        .app_data(web::PayloadConfig::new(crate::tabular::MAX_UPLOAD))
                        .route(post().to(training::routes::import_roster)),
                )
                .route("/imports/{id}", get().to(training::routes::import_status))
                .route(
                    "/imports/{id}/commit",
                    post().to(training::routes::import_commit),
                )
                .route("/plans", get().to(plan::routes::list_plans))
                .route("/plans/{year}", get().to(plan::routes::get_plan))
                .route("/plans/{year}", put().to(plan::routes::update_plan))
                .route(
                    "/plans/{year}/measures/{number}",
                    put().to(plan::routes::update_measure),
                )
                .route(
                    "/plans/{year}/indicators",
                    post().to(plan::routes::create_indicator),
                )
                .route(
                    "/indicators/{code}",
                    put().to(plan::routes::update_indicator),
                )
                .route("/targets", get().to(plan::routes::get_targets))
                .route(
                    "/targets/{indicator}/{unit}/{period}",
                    put().to(plan::routes::set_target),
                )
                .route(
                    "/targets/{indicator}/{unit}/{period}",
                    delete().to(plan::routes::delete_target),
                )
                .route(
                    "/milestones/{id}/submissions",
                    get().to(plan::routes::list_submissions),
                )
                .route(
                    "/milestones/{id}/submissions",
                    post().to(plan::routes::create_submission),
                )
                .route("/reported-values", get().to(plan::routes::list_reported))
                .route(
                    "/reported-values/{indicator}/{unit}/{period}",
                    put().to(plan::routes::put_reported),
                )
                .route(
                    "/period-reports/{unit}/{period}",
                    get().to(plan::routes::get_report),
                )
                .route(
                    "/period-reports/{unit}/{period}/actions",
                    post().to(plan::routes::act),
                )
                .route("/lock-exceptions", get().to(plan::routes::list_exceptions))
                .route("/lock-exceptions", post().to(plan::routes::grant_exception))
                .route("/dashboard", get().to(plan::routes::get_dashboard))
                .route("/dashboard/series", get().to(plan::routes::get_series))
                .route("/dashboard/ranking", get().to(plan::routes::get_ranking))
                .route("/dashboard/records", get().to(plan::routes::get_records))
                .route(
                    "/dashboard/export",
                    get().to(plan::routes::export_dashboard),
                )
                .route("/audit", get().to(audit::routes::list))
                .service(
                    web::resource("/attachments")
                        .app_data(web::PayloadConfig::new(attachments::routes::PAYLOAD_LIMIT))
                        .route(get().to(attachments::routes::list))
                        .route(post().to(attachments::routes::upload)),
                )
                .route("/attachments/{id}", get().to(attachments::routes::get))
                .route(
                    "/attachments/{id}",
                    delete().to(attachments::routes::delete),
                )
                .route(
                    "/attachments/{id}/thumbnail",
                    get().to(attachments::routes::thumbnail),
                )
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(ApiError::NotFound)
                })),
        );
}
