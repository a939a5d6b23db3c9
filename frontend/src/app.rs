//! The app shell: routes, the session and language context, the layout.

use std::rc::Rc;

use gloo_storage::{LocalStorage, Storage};
use shared::api::Me;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::header::Header;
use crate::i18n::Lang;
use crate::pages;

/// Client-side routes.
#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    /// Home page per role.
    #[at("/")]
    Home,
    /// Login.
    #[at("/login")]
    Login,
    /// Person search.
    #[at("/persons")]
    Persons,
    /// Register a person.
    #[at("/persons/new")]
    PersonNew,
    /// One person.
    #[at("/persons/:id")]
    Person {
        /// Record id.
        id: String,
    },
    /// Edit a person.
    #[at("/persons/:id/edit")]
    PersonEdit {
        /// Record id.
        id: String,
    },
    /// A person's rehabilitation: needs, fittings, episodes.
    #[at("/persons/:id/rehab")]
    PersonRehab {
        /// Person id.
        id: String,
    },
    /// Record an assessment of a person and the needs found.
    #[at("/persons/:id/rehab/assess")]
    PersonAssess {
        /// Person id.
        id: String,
    },
    /// Rehabilitation needs of the user's area.
    #[at("/rehab")]
    RehabNeeds,
    /// Device needs whose follow-up visit is due.
    #[at("/rehab/follow-ups")]
    RehabFollowUps,
    /// One need and its workflow.
    #[at("/rehab/needs/:id")]
    RehabNeed {
        /// Need id.
        id: String,
    },
    /// The assistive device catalogue.
    #[at("/rehab/catalogue")]
    RehabCatalogue,
    /// The leaders' dashboard of the user's region for the plan year in force.
    #[at("/dashboard")]
    Dashboard,
    /// The dashboard of a unit (a region in scope) for a period (`2020`, `2020Q1`).
    #[at("/dashboard/:unit/:period")]
    DashboardUnit {
        /// Region code.
        unit: String,
        /// Period.
        period: String,
    },
    /// The records behind one figure of a dashboard.
    #[at("/dashboard/:unit/:period/records/:indicator")]
    DashboardRecords {
        /// Region code.
        unit: String,
        /// Period.
        period: String,
        /// Indicator code.
        indicator: String,
    },
    /// Splitting targets among the units below.
    #[at("/targets")]
    Targets,
    /// Measure 14's KPIs by unit.
    #[at("/kpi/rehab")]
    RehabKpi,
    /// Home accessibility retrofit cases of the user's area.
    #[at("/retrofits")]
    Retrofits,
    /// A new retrofit case.
    #[at("/retrofits/new")]
    RetrofitNew,
    /// One retrofit case: plan, photos and workflow.
    #[at("/retrofits/cases/:id")]
    RetrofitCase {
        /// Case id.
        id: String,
    },
    /// Measure 15's KPIs by unit.
    #[at("/kpi/retrofits")]
    RetrofitKpi,
    /// The rectification items (问题清零) of the user's area.
    #[at("/rectification")]
    Rectification,
    /// A new rectification item.
    #[at("/rectification/new")]
    RectificationNew,
    /// One rectification item.
    #[at("/rectification/items/:id")]
    RectificationItem {
        /// Item id.
        id: String,
    },
    /// What the user's unit has due soon or overdue, across the ledgers.
    #[at("/my-work")]
    MyWork,
    /// Whether the problem (measure 6) and petition (measure 18) ledgers are closing to
    /// zero, by unit.
    #[at("/kpi/ledgers")]
    LedgersKpi,
    /// Care placements (托养) of the user's area.
    #[at("/care")]
    CarePlacements,
    /// A new care placement.
    #[at("/care/new")]
    CareNew,
    /// One care placement.
    #[at("/care/placements/:id")]
    CarePlacement {
        /// Placement id.
        id: String,
    },
    /// Care providers.
    #[at("/care/providers")]
    CareProviders,
    /// Measure 9's KPI by unit.
    #[at("/kpi/care")]
    CareKpi,
    /// Petitions (信访) of the user's area.
    #[at("/petitions")]
    Petitions,
    /// Register a petition.
    #[at("/petitions/new")]
    PetitionNew,
    /// One petition and its steps.
    #[at("/petitions/:id")]
    Petition {
        /// Petition id.
        id: String,
    },
    /// Unannounced inspections (四不两直, measure 22) of the user's area.
    #[at("/inspections")]
    Inspections,
    /// Plan or record an inspection.
    #[at("/inspections/new")]
    InspectionNew,
    /// One inspection, its checks and the rectification items they opened.
    #[at("/inspections/:id")]
    Inspection {
        /// Inspection id.
        id: String,
    },
    /// Change a planned inspection, or record and file it.
    #[at("/inspections/:id/edit")]
    InspectionEdit {
        /// Inspection id.
        id: String,
    },
    /// Measure 22's matrix: departments × counties not stationed in.
    #[at("/kpi/inspections")]
    InspectionKpi,
    /// Stationed supervision (蹲点督战) of the user's area.
    #[at("/stationings")]
    Stationings,
    /// Station a leader in a county.
    #[at("/stationings/new")]
    StationingNew,
    /// One stationing and its log.
    #[at("/stationings/:id")]
    Stationing {
        /// Stationing id.
        id: String,
    },
    /// Change a stationing.
    #[at("/stationings/:id/edit")]
    StationingEdit {
        /// Stationing id.
        id: String,
    },
    /// Misconduct clues (问题线索, measure 20).
    #[at("/clues")]
    Clues,
    /// Record a clue.
    #[at("/clues/new")]
    ClueNew,
    /// One clue and its steps.
    #[at("/clues/:id")]
    Clue {
        /// Clue id.
        id: String,
    },
    /// A cadre's paired households (measure 4) and the visits waiting to be sent.
    #[at("/households")]
    Households,
    /// A new visit of a pairing.
    #[at("/households/:pairing/visit")]
    VisitNew {
        /// Pairing id.
        pairing: String,
    },
    /// The visits of a pairing.
    #[at("/households/:pairing/visits")]
    PairingVisits {
        /// Pairing id.
        pairing: String,
    },
    /// The pairings of the user's area (county staff keep them) and their KPI.
    #[at("/pairings")]
    Pairings,
    /// The survey rounds of measure 7 (摸底排查); the data update office opens them.
    #[at("/surveys")]
    Surveys,
    /// One round: progress per unit, the work list and the problem list.
    #[at("/surveys/:id")]
    SurveyRound {
        /// Round id.
        id: String,
    },
    /// Survey a person of a round's work list.
    #[at("/surveys/:round/persons/:person")]
    SurveyNew {
        /// Round id.
        round: String,
        /// Person id.
        person: String,
    },
    /// One recorded survey.
    #[at("/surveys/records/:id")]
    SurveyEdit {
        /// Survey id.
        id: String,
    },
    /// A person's household plan (一户一策).
    #[at("/persons/:id/household-plan")]
    HouseholdPlan {
        /// Person id.
        id: String,
    },
    /// Cross-checks with other agencies' lists (measures 5 and 8).
    #[at("/crosscheck")]
    Crosscheck,
    /// Training courses.
    #[at("/courses")]
    Courses,
    /// Create a course.
    #[at("/courses/new")]
    CourseNew,
    /// One course and its roster.
    #[at("/courses/:id")]
    Course {
        /// Course id.
        id: String,
    },
    /// Loan subsidy applications.
    #[at("/loans")]
    Loans,
    /// A new application.
    #[at("/loans/new")]
    LoanNew,
    /// One application.
    #[at("/loans/:id")]
    Loan {
        /// Application id.
        id: String,
    },
    /// Employment bases.
    #[at("/bases")]
    Bases,
    /// One employment base and its employees.
    #[at("/bases/:id")]
    Base {
        /// Base id.
        id: String,
    },
    /// Loan subsidy programme years and city allocations.
    #[at("/programme-years")]
    Programme,
    /// Canteen purchases of farm produce and the share from the key poverty counties
    /// (measure 17).
    #[at("/purchases")]
    Purchases,
    /// Funds allocated to counties by factors (measure 21).
    #[at("/funds")]
    Funds,
    /// One fund allocation with its working.
    #[at("/funds/:id")]
    Allocation {
        /// Allocation id.
        id: String,
    },
    /// Village links and their activities (measure 12).
    #[at("/villages")]
    Villages,
    /// Paired support of DPFs (measure 16).
    #[at("/support")]
    Support,
    /// Typical cases and their selection (measures 10 and 19).
    #[at("/cases")]
    Cases,
    /// The key poverty and deeply poor county lists per programme year.
    #[at("/county-lists")]
    CountyLists,
    /// User administration: the users of the admin's area (for a leader, the grants
    /// waiting for confirmation).
    #[at("/users")]
    Users,
    /// Create a user.
    #[at("/users/new")]
    UserNew,
    /// One user.
    #[at("/users/:id")]
    User {
        /// User id.
        id: String,
    },
    /// The audit log (auditors and admins); `?entity_id=` pre-selects one record.
    #[at("/audit")]
    Audit,
    /// Change own password.
    #[at("/password")]
    Password,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

impl Route {
    /// The menu entry a page belongs to (a person's page belongs to the registry), so the
    /// menu can mark where the user is.
    pub fn section(&self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::Login => "login",
            Route::Persons | Route::PersonNew | Route::Person { .. } | Route::PersonEdit { .. } => {
                "persons"
            }
            // A person's rehabilitation is rehab work, not the registry's.
            Route::RehabNeeds
            | Route::RehabNeed { .. }
            | Route::PersonRehab { .. }
            | Route::PersonAssess { .. } => "rehab",
            Route::RehabFollowUps => "rehab_follow_ups",
            Route::RehabCatalogue => "rehab_catalogue",
            Route::RehabKpi => "kpi_rehab",
            Route::Dashboard | Route::DashboardUnit { .. } | Route::DashboardRecords { .. } => {
                "dashboard"
            }
            Route::Targets => "targets",
            Route::Retrofits | Route::RetrofitNew | Route::RetrofitCase { .. } => "retrofits",
            Route::RetrofitKpi => "kpi_retrofits",
            Route::Rectification | Route::RectificationNew | Route::RectificationItem { .. } => {
                "rectification"
            }
            Route::MyWork => "my_work",
            Route::LedgersKpi => "kpi_ledgers",
            Route::CarePlacements | Route::CareNew | Route::CarePlacement { .. } => "care",
            Route::CareProviders => "care_providers",
            Route::CareKpi => "kpi_care",
            Route::Petitions | Route::PetitionNew | Route::Petition { .. } => "petitions",
            Route::Inspections
            | Route::InspectionNew
            | Route::Inspection { .. }
            | Route::InspectionEdit { .. } => "inspections",
            Route::InspectionKpi => "kpi_inspections",
            Route::Stationings
            | Route::StationingNew
            | Route::Stationing { .. }
            | Route::StationingEdit { .. } => "stationings",
            Route::Clues | Route::ClueNew | Route::Clue { .. } => "clues",
            Route::Households | Route::VisitNew { .. } | Route::PairingVisits { .. } => {
                "households"
            }
            Route::Pairings => "pairings",
            Route::Surveys
            | Route::SurveyRound { .. }
            | Route::SurveyNew { .. }
            | Route::SurveyEdit { .. }
            | Route::HouseholdPlan { .. } => "surveys",
            Route::Crosscheck => "crosscheck",
            Route::Courses | Route::CourseNew | Route::Course { .. } => "courses",
            Route::Loans | Route::LoanNew | Route::Loan { .. } => "loans",
            Route::Bases | Route::Base { .. } => "bases",
            Route::Programme => "programme",
            Route::Purchases => "purchases",
            Route::Funds | Route::Allocation { .. } => "funds",
            Route::Villages => "villages",
            Route::Support => "support",
            Route::Cases => "cases",
            Route::CountyLists => "county_lists",
            Route::Users | Route::UserNew | Route::User { .. } => "users",
            Route::Audit => "audit",
            Route::Password => "password",
            Route::NotFound => "",
        }
    }
}

/// Whether the user reads the employment work without doing it (a leader).
pub fn oversees(me: &Me) -> bool {
    use shared::auth::Capability::*;
    me.permissions.contains(&ReadKpi)
        && me.permissions.contains(&ReadPersons)
        && !me.permissions.iter().any(|c| {
            matches!(
                c,
                WritePersons
                    | WriteTraining
                    | WriteLoans
                    | WriteRehab
                    | WriteRetrofits
                    | WritePetitions
            )
        })
}

/// Whether the user takes part in measure 14 (rehabilitation and devices).
pub fn rehab_work(me: &Me) -> bool {
    use shared::auth::Capability::*;
    me.permissions
        .iter()
        .any(|c| matches!(c, WriteRehab | ApproveRehab | MaintainCatalogue))
}

/// Whether the user takes part in measure 15 (home accessibility retrofits).
pub fn retrofit_work(me: &Me) -> bool {
    use shared::auth::Capability::*;
    me.permissions
        .iter()
        .any(|c| matches!(c, WriteRetrofits | ApproveRetrofits))
}

/// The pages this user can use, in menu order, with their message keys: the one place
/// that says which role sees which page (the menu and the home page both show it).
pub fn menu(me: &Me) -> Vec<(Route, &'static str)> {
    use shared::auth::Capability::*;
    let has = |c| me.permissions.contains(&c);
    let employment = has(WriteTraining) || has(WriteLoans) || has(ApproveLoans) || oversees(me);
    let mut items = Vec::new();
    // The plan's dashboard is the first thing a reader of KPIs (a leader) sees.
    if has(ReadKpi) {
        items.push((Route::Dashboard, "nav.dashboard"));
    }
    items.push((Route::Home, "nav.home"));
    // Everyone whose unit holds work of the ledgers has a "my work" list.
    if has(ReadRectification) || has(ReadRetrofits) || has(SubmitReports) {
        items.push((Route::MyWork, "nav.my_work"));
    }
    if has(SetTargets) {
        items.push((Route::Targets, "nav.targets"));
    }
    if has(ReadPersons) {
        items.push((Route::Persons, "nav.persons"));
    }
    if employment {
        items.push((Route::Courses, "nav.courses"));
        items.push((Route::Loans, "nav.loans"));
        items.push((Route::Bases, "nav.bases"));
    }
    if has(ApproveLoans) {
        items.push((Route::Programme, "nav.programme"));
    }
    if has(WriteRehab) || has(ReadRehab) {
        // Leaders read the needs they oversee; staff work them.
        items.push((Route::RehabNeeds, "nav.rehab"));
        // Follow-up visits are made by the county that fitted the device.
        if has(WriteRehab) && me.scope.code.len() == 6 {
            items.push((Route::RehabFollowUps, "nav.rehab_follow_ups"));
        }
    }
    if has(MaintainCatalogue) {
        items.push((Route::RehabCatalogue, "nav.rehab_catalogue"));
    }
    if has(ReadKpi) && (rehab_work(me) || oversees(me)) {
        items.push((Route::RehabKpi, "nav.kpi_rehab"));
    }
    if has(ReadRetrofits) || has(WriteRetrofits) {
        items.push((Route::Retrofits, "nav.retrofits"));
    }
    if has(ReadKpi) && (retrofit_work(me) || oversees(me)) {
        items.push((Route::RetrofitKpi, "nav.kpi_retrofits"));
    }
    if has(ReadRectification) {
        items.push((Route::Rectification, "nav.rectification"));
    }
    // Problems (read_rectification) and petitions (read_kpi) closed to zero: one page,
    // each section shown to whoever may read it.
    if has(ReadRectification) || has(ReadKpi) {
        items.push((Route::LedgersKpi, "nav.kpi_ledgers"));
    }
    if has(ReadCare) {
        // Leaders read the placements they oversee; county staff keep them.
        items.push((Route::CarePlacements, "nav.care"));
        items.push((Route::CareProviders, "nav.care_providers"));
        if has(ReadKpi) {
            items.push((Route::CareKpi, "nav.kpi_care"));
        }
    }
    if has(ReadPetitions) {
        items.push((Route::Petitions, "nav.petitions"));
    }
    // Supervision (measures 20 and 22): the provincial departments inspect, the
    // poverty office keeps the stationings and the clues, leaders and counties read.
    if has(ReadInspections) {
        items.push((Route::Inspections, "nav.inspections"));
        items.push((Route::InspectionKpi, "nav.kpi_inspections"));
        items.push((Route::Stationings, "nav.stationings"));
    }
    if has(ReadClues) {
        items.push((Route::Clues, "nav.clues"));
    }
    // Every DPF cadre visits paired households (measure 4).
    if me
        .user
        .roles
        .iter()
        .any(|r| !matches!(r, shared::auth::Role::Admin | shared::auth::Role::Auditor))
    {
        items.push((Route::Households, "nav.households"));
    }
    if has(ReadPairings) {
        items.push((Route::Pairings, "nav.pairings"));
    }
    // Measure 7: the data update office opens rounds, counties survey, leaders read.
    if has(ReadSurveys) || has(WriteSurveys) || has(ManageSurveys) {
        items.push((Route::Surveys, "nav.surveys"));
    }
    // Measures 5 and 8: the poverty office imports the agencies' lists, readers see
    // the gaps.
    if has(ReadCrossChecks) || has(ImportAgencyLists) {
        items.push((Route::Crosscheck, "nav.crosscheck"));
    }
    // The federation's own duties (measures 17 and 21): those who record purchases or
    // handle funds, and the leaders who oversee them. Other readers of KPIs may open
    // them by address (the server lets them read), but the menu does not offer them.
    if has(WritePurchases) || oversees(me) {
        items.push((Route::Purchases, "nav.purchases"));
    }
    if has(ManageFunds) || has(ApproveFunds) || has(RecordSpending) || oversees(me) {
        items.push((Route::Funds, "nav.funds"));
    }
    // Measures 12, 16, 10 and 19: those who take part, and the leaders.
    if has(LinkVillages) || oversees(me) {
        items.push((Route::Villages, "nav.villages"));
    }
    if has(RecordSupport) || has(ManagePlan) || oversees(me) {
        items.push((Route::Support, "nav.support"));
    }
    if has(WritePublicity) || has(SelectCases) || oversees(me) {
        items.push((Route::Cases, "nav.cases"));
    }
    // Everyone reads the county lists (by address); the menu offers them to those who
    // keep them and to the leaders.
    if has(ManagePlan) || oversees(me) {
        items.push((Route::CountyLists, "nav.county_lists"));
    }
    if has(ManageUsers) || has(ConfirmGrants) {
        items.push((Route::Users, "nav.users"));
    }
    if has(ReadAudit) {
        items.push((Route::Audit, "nav.audit"));
    }
    items.push((Route::Password, "nav.password"));
    items
}

/// Where a user lands after logging in: leaders on the dashboard, everyone else on the
/// home page.
pub fn landing(me: &Me) -> Route {
    if me.user.must_change_password {
        Route::Password
    } else if oversees(me) {
        Route::Dashboard
    } else {
        Route::Home
    }
}

/// The session ended mid-work: log in again over the page, so a half-filled form stays
/// as it was and can be saved afterwards.
#[function_component(Relogin)]
fn relogin() -> Html {
    let ctx = use_context::<Ctx>();
    let route = use_route::<Route>();
    let ended = ctx
        .as_ref()
        .is_some_and(|c| c.me.is_none() && c.notice.is_some());
    if !ended || matches!(route, Some(Route::Login) | None) {
        return html! {};
    }
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="relogin-title">
            <pages::login::Login overlay=true />
        </div>
    }
}

/// Watches navigation: after the route changes, focus goes to the new page's heading.
#[function_component(RouteWatcher)]
fn route_watcher() -> Html {
    let route = use_route::<Route>();
    let first = use_mut_ref(|| true);
    use_effect_with(route, move |_| {
        // Not on the first render: a page opened directly keeps the browser's focus.
        if std::mem::replace(&mut *first.borrow_mut(), false) {
            return;
        }
        crate::hooks::page::focus_heading();
    });
    html! {}
}

/// What every page can read: language, user, and how to change them.
#[derive(Clone, PartialEq)]
pub struct Ctx {
    /// UI language.
    pub lang: Lang,
    /// The logged-in user, if any.
    pub me: Option<Rc<Me>>,
    /// Sets the language (remembered).
    pub set_lang: Callback<Lang>,
    /// Sets or clears the user.
    pub set_me: Callback<Option<Me>>,
    /// A message for the login page (session ended).
    pub notice: Option<String>,
}

impl Ctx {
    /// Translates a key in the current language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

const LANG_KEY: &str = "xz.lang";

fn set_html_lang(lang: Lang) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", lang.tag());
    }
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let lang = use_state(|| LocalStorage::get::<Lang>(LANG_KEY).unwrap_or(Lang::Zh));
    let me = use_state(|| None::<Rc<Me>>);
    let loading = use_state(crate::api::has_session);
    let notice = use_state(|| None::<String>);

    {
        let lang = *lang;
        use_effect_with(lang, move |_| {
            set_html_lang(lang);
            || ()
        });
    }
    {
        // When a refresh fails mid-session, drop the user and say why.
        let me = me.clone();
        let notice = notice.clone();
        let lang = *lang;
        use_effect_with(lang, move |_| {
            crate::api::on_session_end(Callback::from(move |_| {
                me.set(None);
                notice.set(Some(lang.t("login.session_ended")));
            }));
            || ()
        });
    }
    {
        // A stored session survives reloads: load the user once.
        let me = me.clone();
        let loading = loading.clone();
        use_effect_with((), move |_| {
            // Visits recorded without a network go out now and when it is back.
            crate::api::outbox::start();
            if crate::api::has_session() {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(m) = crate::api::get::<Me>("/api/v1/me").await {
                        me.set(Some(Rc::new(m)));
                    }
                    loading.set(false);
                });
            }
            || ()
        });
    }

    let ctx = Ctx {
        lang: *lang,
        me: (*me).clone(),
        set_lang: {
            let lang = lang.clone();
            Callback::from(move |l: Lang| {
                let _ = LocalStorage::set(LANG_KEY, l);
                lang.set(l);
            })
        },
        set_me: {
            let me = me.clone();
            let notice = notice.clone();
            Callback::from(move |m: Option<Me>| {
                if m.is_some() {
                    notice.set(None);
                }
                me.set(m.map(Rc::new));
            })
        },
        notice: (*notice).clone(),
    };

    html! {
        <ContextProvider<Ctx> context={ctx.clone()}>
            <BrowserRouter>
                <RouteWatcher />
                <a class="skip" href="#main">{ ctx.t("app.skip") }</a>
                <Header />
                <main id="main" tabindex="-1">
                    if *loading {
                        <p role="status">{ ctx.t("app.loading") }</p>
                    } else {
                        <Switch<Route> render={switch} />
                    }
                </main>
                <Relogin />
            </BrowserRouter>
        </ContextProvider<Ctx>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Login => html! { <pages::login::Login /> },
        Route::Home => html! { <RequireLogin><pages::home::Home /></RequireLogin> },
        Route::Persons => html! { <RequireLogin><pages::persons::PersonList /></RequireLogin> },
        Route::PersonNew => {
            html! { <RequireLogin><pages::person_form::PersonForm id={None::<String>} /></RequireLogin> }
        }
        Route::Person { id } => {
            html! { <RequireLogin><pages::person_detail::PersonDetail {id} /></RequireLogin> }
        }
        Route::PersonEdit { id } => {
            html! { <RequireLogin><pages::person_form::PersonForm id={Some(id)} /></RequireLogin> }
        }
        Route::PersonRehab { id } => {
            html! { <RequireLogin><pages::rehab::person::PersonRehab {id} /></RequireLogin> }
        }
        Route::PersonAssess { id } => {
            html! { <RequireLogin><pages::rehab::assess::AssessmentForm {id} /></RequireLogin> }
        }
        Route::RehabNeeds => {
            html! { <RequireLogin><pages::rehab::needs::NeedList follow_ups=false /></RequireLogin> }
        }
        Route::RehabFollowUps => {
            html! { <RequireLogin><pages::rehab::needs::NeedList follow_ups=true /></RequireLogin> }
        }
        Route::RehabNeed { id } => {
            html! { <RequireLogin><pages::rehab::need::NeedPage {id} /></RequireLogin> }
        }
        Route::RehabCatalogue => {
            html! { <RequireLogin><pages::rehab::catalogue::CataloguePage /></RequireLogin> }
        }
        Route::RehabKpi => html! { <RequireLogin><pages::rehab::kpi::KpiPage /></RequireLogin> },
        Route::Dashboard => {
            html! { <RequireLogin><pages::dashboard::page::DashboardPage /></RequireLogin> }
        }
        Route::DashboardUnit { unit, period } => html! {
            <RequireLogin><pages::dashboard::page::DashboardPage unit={Some(unit)} period={Some(period)} /></RequireLogin>
        },
        Route::DashboardRecords {
            unit,
            period,
            indicator,
        } => html! {
            <RequireLogin><pages::dashboard::records::RecordsPage {unit} {period} {indicator} /></RequireLogin>
        },
        Route::Targets => {
            html! { <RequireLogin><pages::dashboard::targets::TargetsPage /></RequireLogin> }
        }
        Route::Retrofits => {
            html! { <RequireLogin><pages::retrofit::cases::CaseList /></RequireLogin> }
        }
        Route::RetrofitNew => {
            html! { <RequireLogin><pages::retrofit::new::CaseNew /></RequireLogin> }
        }
        Route::RetrofitCase { id } => {
            html! { <RequireLogin><pages::retrofit::case::CasePage {id} /></RequireLogin> }
        }
        Route::RetrofitKpi => {
            html! { <RequireLogin><pages::retrofit::kpi::KpiPage /></RequireLogin> }
        }
        Route::Rectification => {
            html! { <RequireLogin><pages::rectification::list::ItemList /></RequireLogin> }
        }
        Route::RectificationNew => {
            html! { <RequireLogin><pages::rectification::new::ItemNew /></RequireLogin> }
        }
        Route::RectificationItem { id } => {
            html! { <RequireLogin><pages::rectification::item::ItemPage {id} /></RequireLogin> }
        }
        Route::MyWork => {
            html! { <RequireLogin><pages::rectification::work::WorkPage /></RequireLogin> }
        }
        Route::LedgersKpi => {
            html! { <RequireLogin><pages::ledgers::LedgersPage /></RequireLogin> }
        }
        Route::CarePlacements => {
            html! { <RequireLogin><pages::care::placements::PlacementList /></RequireLogin> }
        }
        Route::CareNew => {
            html! { <RequireLogin><pages::care::form::PlacementForm /></RequireLogin> }
        }
        Route::CarePlacement { id } => {
            html! { <RequireLogin><pages::care::placement::PlacementPage {id} /></RequireLogin> }
        }
        Route::CareProviders => {
            html! { <RequireLogin><pages::care::providers::ProviderList /></RequireLogin> }
        }
        Route::CareKpi => html! { <RequireLogin><pages::care::kpi::CareKpiPage /></RequireLogin> },
        Route::Petitions => {
            html! { <RequireLogin><pages::petitions::list::PetitionList /></RequireLogin> }
        }
        Route::PetitionNew => {
            html! { <RequireLogin><pages::petitions::form::PetitionForm /></RequireLogin> }
        }
        Route::Petition { id } => {
            html! { <RequireLogin><pages::petitions::page::PetitionPage {id} /></RequireLogin> }
        }
        Route::Inspections => {
            html! { <RequireLogin><pages::supervision::inspections::InspectionList /></RequireLogin> }
        }
        Route::InspectionNew => html! {
            <RequireLogin><pages::supervision::inspections::InspectionFormPage id={None::<String>} /></RequireLogin>
        },
        Route::Inspection { id } => {
            html! { <RequireLogin><pages::supervision::inspections::InspectionPage {id} /></RequireLogin> }
        }
        Route::InspectionEdit { id } => html! {
            <RequireLogin><pages::supervision::inspections::InspectionFormPage id={Some(id)} /></RequireLogin>
        },
        Route::InspectionKpi => {
            html! { <RequireLogin><pages::supervision::matrix::InspectionKpiPage /></RequireLogin> }
        }
        Route::Stationings => {
            html! { <RequireLogin><pages::supervision::stationings::StationingList /></RequireLogin> }
        }
        Route::StationingNew => html! {
            <RequireLogin><pages::supervision::stationings::StationingFormPage id={None::<String>} /></RequireLogin>
        },
        Route::Stationing { id } => {
            html! { <RequireLogin><pages::supervision::stationings::StationingPage {id} /></RequireLogin> }
        }
        Route::StationingEdit { id } => html! {
            <RequireLogin><pages::supervision::stationings::StationingFormPage id={Some(id)} /></RequireLogin>
        },
        Route::Clues => {
            html! { <RequireLogin><pages::supervision::clues::ClueList /></RequireLogin> }
        }
        Route::ClueNew => {
            html! { <RequireLogin><pages::supervision::clues::ClueForm /></RequireLogin> }
        }
        Route::Clue { id } => {
            html! { <RequireLogin><pages::supervision::clues::CluePage {id} /></RequireLogin> }
        }
        Route::Households => {
            html! { <RequireLogin><pages::visits::MyHouseholds /></RequireLogin> }
        }
        Route::VisitNew { pairing } => {
            html! { <RequireLogin><pages::visits::VisitNew {pairing} /></RequireLogin> }
        }
        Route::PairingVisits { pairing } => {
            html! { <RequireLogin><pages::visits::PairingVisits {pairing} /></RequireLogin> }
        }
        Route::Pairings => {
            html! { <RequireLogin><pages::visits::PairingList /></RequireLogin> }
        }
        Route::Surveys => {
            html! { <RequireLogin><pages::survey::rounds::RoundsPage /></RequireLogin> }
        }
        Route::SurveyRound { id } => {
            html! { <RequireLogin><pages::survey::round::RoundPage {id} /></RequireLogin> }
        }
        Route::SurveyNew { round, person } => {
            html! { <RequireLogin><pages::survey::form::SurveyNew {round} {person} /></RequireLogin> }
        }
        Route::SurveyEdit { id } => {
            html! { <RequireLogin><pages::survey::form::SurveyEdit {id} /></RequireLogin> }
        }
        Route::HouseholdPlan { id } => {
            html! { <RequireLogin><pages::survey::plan::PlanPage {id} /></RequireLogin> }
        }
        Route::Crosscheck => {
            html! { <RequireLogin><pages::crosscheck::CrosscheckPage /></RequireLogin> }
        }
        Route::Courses => html! { <RequireLogin><pages::courses::CourseList /></RequireLogin> },
        Route::CourseNew => html! { <RequireLogin><pages::courses::CourseForm /></RequireLogin> },
        Route::Course { id } => {
            html! { <RequireLogin><pages::course::CoursePage {id} /></RequireLogin> }
        }
        Route::Loans => html! { <RequireLogin><pages::loans::LoanList /></RequireLogin> },
        Route::LoanNew => html! { <RequireLogin><pages::loans::LoanForm /></RequireLogin> },
        Route::Loan { id } => {
            html! { <RequireLogin><pages::loans::LoanPage {id} /></RequireLogin> }
        }
        Route::Bases => html! { <RequireLogin><pages::bases::BaseList /></RequireLogin> },
        Route::Base { id } => {
            html! { <RequireLogin><pages::bases::BasePage {id} /></RequireLogin> }
        }
        Route::Programme => {
            html! { <RequireLogin><pages::programme::ProgrammePage /></RequireLogin> }
        }
        Route::Purchases => {
            html! { <RequireLogin><pages::duties::purchases::PurchasesPage /></RequireLogin> }
        }
        Route::Funds => html! { <RequireLogin><pages::duties::funds::FundsPage /></RequireLogin> },
        Route::Villages => {
            html! { <RequireLogin><pages::duties::villages::VillagesPage /></RequireLogin> }
        }
        Route::Support => {
            html! { <RequireLogin><pages::duties::support::SupportPage /></RequireLogin> }
        }
        Route::Cases => html! { <RequireLogin><pages::duties::cases::CasesPage /></RequireLogin> },
        Route::CountyLists => {
            html! { <RequireLogin><pages::duties::lists::CountyListsPage /></RequireLogin> }
        }
        Route::Allocation { id } => {
            html! { <RequireLogin><pages::duties::allocation::AllocationPage {id} /></RequireLogin> }
        }
        Route::Users => html! { <RequireLogin><pages::users::UserList /></RequireLogin> },
        Route::UserNew => html! { <RequireLogin><pages::users::UserNew /></RequireLogin> },
        Route::User { id } => {
            html! { <RequireLogin><pages::users::UserPage {id} /></RequireLogin> }
        }
        Route::Audit => html! { <RequireLogin><pages::audit::AuditPage /></RequireLogin> },
        Route::Password => html! { <RequireLogin><pages::password::Password /></RequireLogin> },
        Route::NotFound => html! { <pages::not_found::NotFound /> },
    }
}

/// Children of a page that needs a user.
#[derive(Properties, PartialEq)]
pub struct RequireLoginProps {
    /// The page.
    pub children: Html,
}

/// Shows its children to a logged-in user, and the login page otherwise. A user whose
/// password an admin set is sent to the password page until they change it.
#[function_component(RequireLogin)]
pub fn require_login(props: &RequireLoginProps) -> Html {
    let ctx = use_context::<Ctx>();
    let route = use_route::<Route>();
    let ended = ctx.as_ref().is_some_and(|c| c.notice.is_some());
    match ctx.and_then(|c| c.me) {
        Some(me) if me.user.must_change_password && route != Some(Route::Password) => {
            html! { <Redirect<Route> to={Route::Password} /> }
        }
        Some(_) => props.children.clone(),
        // The session ended while the page was open: keep it (the login dialog is
        // over it), so nothing typed is lost.
        None if ended => props.children.clone(),
        None => html! { <Redirect<Route> to={Route::Login} /> },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// A user holding every capability, at a county (some pages are a county's only).
    fn everyone() -> Me {
        let unit = serde_json::json!({
            "code": "430381", "name": "湘乡市", "name_en": null, "kind": "county",
            "parent_code": "4303", "child_count": 0
        });
        serde_json::from_value(serde_json::json!({
            "user": {
                "id": "6f1c9c3e-8d7a-4e55-9d0b-4c1d2e3f4a5b", "username": "u", "display_name": "U",
                "unit_code": "430381", "roles": ["staff"], "disabled": false, "version": 1,
                "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"
            },
            "unit": unit.clone(),
            "scope": unit,
            "permissions": shared::auth::Capability::ALL,
        }))
        .expect("a valid Me")
    }

    #[test]
    fn every_menu_section_is_explained_on_the_home_page() {
        for (route, label) in menu(&everyone()) {
            if route == Route::Home {
                continue;
            }
            let key = format!("home.about.{}", route.section());
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(lang.t(&key), key, "{key} missing");
                assert_ne!(lang.t(label), label, "{label} missing");
            }
        }
    }

    #[test]
    fn supervision_pages_follow_the_capabilities() {
        use shared::auth::Capability::*;
        let mut me = everyone();
        me.permissions = vec![ReadInspections];
        let routes: Vec<Route> = menu(&me).into_iter().map(|(r, _)| r).collect();
        assert!(routes.contains(&Route::Inspections));
        assert!(routes.contains(&Route::Stationings));
        assert!(!routes.contains(&Route::Clues));
        me.permissions = vec![ReadClues];
        let routes: Vec<Route> = menu(&me).into_iter().map(|(r, _)| r).collect();
        assert!(routes.contains(&Route::Clues));
        assert!(!routes.contains(&Route::Inspections));
    }

    #[test]
    fn survey_and_crosscheck_pages_follow_the_capabilities() {
        use shared::auth::Capability::*;
        let routes = |caps: Vec<shared::auth::Capability>| {
            let mut me = everyone();
            me.permissions = caps;
            menu(&me).into_iter().map(|(r, _)| r).collect::<Vec<_>>()
        };
        for cap in [ReadSurveys, WriteSurveys, ManageSurveys] {
            let r = routes(vec![cap]);
            assert!(r.contains(&Route::Surveys) && !r.contains(&Route::Crosscheck));
        }
        for cap in [ReadCrossChecks, ImportAgencyLists] {
            let r = routes(vec![cap]);
            assert!(r.contains(&Route::Crosscheck) && !r.contains(&Route::Surveys));
        }
        assert_eq!(
            Route::HouseholdPlan { id: "p".into() }.section(),
            Route::Surveys.section()
        );
        assert_eq!(
            Route::recognize("/surveys/records/abc"),
            Some(Route::SurveyEdit { id: "abc".into() })
        );
    }

    #[test]
    fn duties_pages_follow_the_capabilities() {
        use shared::auth::Capability::*;
        let routes = |caps: Vec<shared::auth::Capability>| {
            let mut me = everyone();
            me.permissions = caps;
            menu(&me).into_iter().map(|(r, _)| r).collect::<Vec<_>>()
        };
        let r = routes(vec![WritePurchases]);
        assert!(r.contains(&Route::Purchases) && !r.contains(&Route::Funds));
        for cap in [ManageFunds, ApproveFunds, RecordSpending] {
            let r = routes(vec![cap]);
            assert!(r.contains(&Route::Funds) && !r.contains(&Route::Purchases));
        }
        // A rehabilitation cadre reads KPIs but keeps no canteen and no funds.
        let r = routes(vec![ReadKpi, ReadPersons, WriteRehab]);
        assert!(!r.contains(&Route::Purchases) && !r.contains(&Route::Funds));
        // A leader oversees both.
        let r = routes(vec![ReadKpi, ReadPersons]);
        assert!(r.contains(&Route::Purchases) && r.contains(&Route::Funds));
        for page in [
            Route::Villages,
            Route::Support,
            Route::Cases,
            Route::CountyLists,
        ] {
            assert!(r.contains(&page), "{page:?}");
        }
        // Each of measures 12, 16 and 10/19 to those who take part in it.
        assert!(routes(vec![LinkVillages]).contains(&Route::Villages));
        assert!(routes(vec![RecordSupport]).contains(&Route::Support));
        assert!(routes(vec![WritePublicity]).contains(&Route::Cases));
        let r = routes(vec![ManagePlan]);
        assert!(r.contains(&Route::Support) && r.contains(&Route::CountyLists));
        assert!(!r.contains(&Route::Villages) && !r.contains(&Route::Cases));
    }
}
