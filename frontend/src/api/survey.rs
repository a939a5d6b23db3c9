//! Measure 7, the survey of those not yet out of poverty (摸底排查): rounds, their
//! progress, work list and problems, surveys (a survey recorded without a network waits
//! in the [outbox](super::outbox)) and household plans (一户一策). Request and response
//! types are `shared::survey`'s; only the query strings are declared here.

use serde::Serialize;
use shared::api::Page;
use shared::survey::{
    HouseholdPlan, HouseholdPlanUpdate, RoundCreate, RoundPerson, RoundProgress, Survey,
    SurveyCreate, SurveyProblem, SurveyRound, SurveyUpdate,
};
use uuid::Uuid;

use super::{get, post, put, with_query, ApiError};

/// A page of a round's list, of the caller's area or one inside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoundListQuery {
    /// Only this area (a city or county code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Work list: surveyed (true) or still to survey (false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surveyed: Option<bool>,
    /// Problem list: open (true) or closed (false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Page cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of the rounds the caller sees, newest first.
pub async fn rounds(cursor: Option<String>) -> Result<Page<SurveyRound>, ApiError> {
    let q = RoundListQuery {
        limit: crate::hooks::remote::PAGE_SIZE,
        cursor,
        ..RoundListQuery::default()
    };
    get(&with_query("/api/v1/survey-rounds", &q)).await
}

/// One round.
pub async fn round(id: &str) -> Result<SurveyRound, ApiError> {
    get(&format!("/api/v1/survey-rounds/{id}")).await
}

/// Opens a round (the data update office).
pub async fn create_round(body: &RoundCreate) -> Result<SurveyRound, ApiError> {
    post("/api/v1/survey-rounds", body).await
}

/// A round's progress in the caller's unit (or `area`) and the units below it.
pub async fn progress(round: &str, area: Option<String>) -> Result<RoundProgress, ApiError> {
    #[derive(Serialize)]
    struct Q {
        #[serde(skip_serializing_if = "Option::is_none")]
        area: Option<String>,
    }
    get(&with_query(
        &format!("/api/v1/survey-rounds/{round}/progress"),
        &Q { area },
    ))
    .await
}

/// One page of a round's work list.
pub async fn persons(round: &str, q: &RoundListQuery) -> Result<Page<RoundPerson>, ApiError> {
    get(&with_query(
        &format!("/api/v1/survey-rounds/{round}/persons"),
        q,
    ))
    .await
}

/// One page of the problems a round's surveys found.
pub async fn problems(round: &str, q: &RoundListQuery) -> Result<Page<SurveyProblem>, ApiError> {
    get(&with_query(
        &format!("/api/v1/survey-rounds/{round}/problems"),
        q,
    ))
    .await
}

/// One survey.
pub async fn survey(id: &str) -> Result<Survey, ApiError> {
    get(&format!("/api/v1/surveys/{id}")).await
}

/// Records a survey (idempotent by its id).
pub async fn create_survey(body: &SurveyCreate) -> Result<Survey, ApiError> {
    post("/api/v1/surveys", body).await
}

/// Changes a survey against the version seen; 409 `stale_version` carries the server's
/// survey in the problem's `current`.
pub async fn update_survey(id: Uuid, body: &SurveyUpdate) -> Result<Survey, ApiError> {
    put(&format!("/api/v1/surveys/{id}"), body).await
}

/// A person's household plan; 404 when the household has none yet.
pub async fn plan(person: &str) -> Result<HouseholdPlan, ApiError> {
    get(&format!("/api/v1/persons/{person}/household-plan")).await
}

/// Makes or changes a person's household plan.
pub async fn put_plan(person: &str, body: &HouseholdPlanUpdate) -> Result<HouseholdPlan, ApiError> {
    put(&format!("/api/v1/persons/{person}/household-plan"), body).await
}

impl super::outbox::Outgoing for SurveyCreate {
    const KEY: &'static str = "xz.surveys.outbox";
    type Saved = Survey;

    fn client_id(&self) -> Uuid {
        self.id.unwrap_or_default()
    }

    fn day(&self) -> chrono::NaiveDate {
        self.fields.surveyed_on
    }

    fn create(&self) -> impl std::future::Future<Output = Result<Survey, ApiError>> {
        create_survey(self)
    }
}
