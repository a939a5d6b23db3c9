//! Roles, capabilities and password rules.
//!
//! What a role may do follows the plan's responsible units: employment staff write
//! training and loans, rehabilitation staff write rehab and device fitting, rights staff
//! write retrofits and petitions, leaders read and see KPIs, admins manage users.
//! *Where* a user may do it is their scope: their unit's region and everything below.

crate::string_enum! {
    /// A role a user holds; a user may hold several.
    pub enum Role {
        /// Administers users and units.
        Admin = "admin",
        /// DPF leader: reads everything in scope, sees KPIs.
        Leader = "leader",
        /// Reads the audit log.
        Auditor = "auditor",
        /// Keeps the person registry (data update office, county registrars).
        Registrar = "registrar",
        /// Employment staff: training rosters, loan subsidies, employment bases.
        Employment = "employment",
        /// Rehabilitation staff: rehab needs, assistive device fitting.
        Rehabilitation = "rehabilitation",
        /// Rights staff: accessibility retrofits, petitions.
        Rights = "rights",
        /// City or county DPF staff working in all business areas.
        Staff = "staff",
    }
}

crate::string_enum! {
    /// A thing a user may do, within their scope.
    pub enum Capability {
        /// Read the person registry (identity numbers masked).
        ReadPersons = "read_persons",
        /// Create, update and delete registry entries.
        WritePersons = "write_persons",
        /// See a full identity number, giving a reason (audited).
        RevealIdNumber = "reveal_id_number",
        /// Read the audit log.
        ReadAudit = "read_audit",
        /// Create, reset and disable users.
        ManageUsers = "manage_users",
        /// Read KPIs.
        ReadKpi = "read_kpi",
        /// Write training courses and rosters.
        WriteTraining = "write_training",
        /// Write loan interest subsidy applications.
        WriteLoans = "write_loans",
        /// Approve loan subsidies and allocate the budget (provincial employment staff).
        ApproveLoans = "approve_loans",
        /// Read rehabilitation needs, fittings and episodes (health data: only those
        /// whose business it is).
        ReadRehab = "read_rehab",
        /// Record rehabilitation needs, assessments, device fittings, acceptances,
        /// follow-ups and service episodes (county staff).
        WriteRehab = "write_rehab",
        /// Approve a rehabilitation or device plan (county; not the assessor).
        ApproveRehab = "approve_rehab",
        /// Maintain the assistive device catalogue and its caps (provincial devices centre).
        MaintainCatalogue = "maintain_catalogue",
        /// Write home accessibility retrofits: cases, visits, plans, construction,
        /// acceptance (county); at the province, the item code list and the caps.
        WriteRetrofits = "write_retrofits",
        /// Read home accessibility retrofit cases (household and disability data).
        ReadRetrofits = "read_retrofits",
        /// Approve a retrofit plan (county; not the plan's author).
        ApproveRetrofits = "approve_retrofits",
        /// Write petitions.
        WritePetitions = "write_petitions",
        /// Read petitions (the petitioner masked): rights and county staff, leaders.
        ReadPetitions = "read_petitions",
        /// Read care service (托养) assessments, placements and service logs (disability
        /// care data: employment and county staff, leaders).
        ReadCare = "read_care",
        /// Record care assessments, providers, placements and service logs (county).
        WriteCare = "write_care",
        /// Approve a care placement (county; not the assessor).
        ApproveCare = "approve_care",
        /// Confirm or reject a proposed grant of data roles to a user in scope (the
        /// second person of the two-person rule; never for one's own proposal).
        ConfirmGrants = "confirm_grants",
        /// Edit the plan: measures, responsible units, indicators, milestones (the
        /// provincial poverty office, see [`unit_capabilities`]).
        ManagePlan = "manage_plan",
        /// Set the targets of the units below one's own (the province's: the poverty
        /// office); leaders and the poverty office.
        SetTargets = "set_targets",
        /// Submit one's unit's period report, enter reported values and milestone
        /// deliveries, accept or return the reports of the units below.
        SubmitReports = "submit_reports",
        /// Approve (and withdraw approval of) the reports of the units below, and grant
        /// lock exceptions (leaders).
        ApproveReports = "approve_reports",
        /// Read the cadre ↔ household pairings and their visits in scope (a cadre
        /// always sees their own without it).
        ReadPairings = "read_pairings",
        /// Keep the pairings of one's county: pair cadres with households, end pairings
        /// (county staff).
        ManagePairings = "manage_pairings",
        /// Read rectification items (问题清零) in scope: county and city staff, leaders,
        /// the poverty office.
        ReadRectification = "read_rectification",
        /// Record rectification items and take the county's steps (assign, rectify,
        /// submit with evidence, long-term, merge duplicates).
        WriteRectification = "write_rectification",
        /// Recheck and close out (销号) or reopen items of the counties below (city staff,
        /// the provincial poverty office; never the unit that rectified).
        RecheckRectification = "recheck_rectification",
        /// Read unannounced inspections (四不两直) and stationings in scope: filed ones
        /// only, except at the province, where planned ones are seen too.
        ReadInspections = "read_inspections",
        /// Plan, record and file one's department's unannounced inspections (users of
        /// the provincial DPF's departments, see [`unit_capabilities`]).
        Inspect = "inspect",
        /// Keep the assignment table of stationed supervision (蹲点督战): the poverty
        /// office.
        ManageStationings = "manage_stationings",
        /// Read misconduct clues (measure 20): leaders and the poverty office, never of
        /// their own unit; every read is audited.
        ReadClues = "read_clues",
        /// Record misconduct clues, refer them to the discipline inspectors, record
        /// feedback and close them: the poverty office.
        WriteClues = "write_clues",
        /// Record the farm-produce purchases of one's own DPF's canteen (measure 17):
        /// city and county staff; at the province, the general office and the party
        /// committee (see [`unit_capabilities`]).
        WritePurchases = "write_purchases",
        /// Compute, recompute and adjust the allocation of funds by factors (measure
        /// 21): the provincial general office.
        ManageFunds = "manage_funds",
        /// Approve a fund allocation (provincial leaders; the allocation must be
        /// computed by someone else).
        ApproveFunds = "approve_funds",
        /// Record what a county spent from its share of an approved fund (county and
        /// city staff, the provincial general office).
        RecordSpending = "record_spending",
        /// Link one's DPF unit with villages of its area and record what is done there
        /// (measure 12, 连千村帮万户): city and county staff, and every department of the
        /// provincial DPF.
        LinkVillages = "link_villages",
        /// Record support given under a pairing of DPFs (measure 16): the staff of
        /// either side, and the provincial poverty office, which keeps the pairings.
        RecordSupport = "record_support",
        /// Collect typical cases and publicity material of one's area (measures 10 and
        /// 19): city and county staff, the provincial publicity and poverty offices.
        WritePublicity = "write_publicity",
        /// Select the typical cases of the units below (a city's leaders, then the
        /// province's).
        SelectCases = "select_cases",
        /// Read the cross-checks with other agencies' lists and their gaps (measures 5
        /// and 8): who should receive a scheme and does not, in one's area.
        ReadCrossChecks = "read_crosschecks",
        /// Import another agency's list of recipients (the provincial poverty office,
        /// which exchanges the lists with the other provincial departments).
        ImportAgencyLists = "import_agency_lists",
        /// Set the eligibility rules the cross-checks apply (the provincial poverty
        /// office).
        SetEligibility = "set_eligibility",
        /// Read the survey rounds of measure 7, their surveys, problems, progress and
        /// the household plans, in one's area.
        ReadSurveys = "read_surveys",
        /// Survey persons of one's county in a round it is assigned to, and keep the
        /// household plans (county staff).
        WriteSurveys = "write_surveys",
        /// Open survey rounds (the provincial data update office, which leads measure 7).
        ManageSurveys = "manage_surveys",
    }
}

impl Capability {
    /// Whether this capability reaches personal data or money: reading, writing or
    /// revealing registry entries, or handling and approving loan subsidies. Roles that
    /// grant one are [data roles](Role::is_data_role).
    pub fn is_data(self) -> bool {
        matches!(
            self,
            Capability::ReadPersons
                | Capability::WritePersons
                | Capability::RevealIdNumber
                | Capability::WriteLoans
                | Capability::ApproveLoans
                | Capability::ReadRehab
                | Capability::ReadRetrofits
                | Capability::ReadCare
                | Capability::ReadPetitions
                | Capability::ReadPairings
                | Capability::ReadRectification
                | Capability::ReadClues
                | Capability::ReadCrossChecks
                | Capability::ImportAgencyLists
                | Capability::ReadSurveys
                | Capability::WriteSurveys
        )
    }
}

impl Role {
    /// What this role may do.
    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::Admin => &[ManageUsers, ReadAudit],
            Role::Leader => &[
                ReadPersons,
                ReadRehab,
                ReadRetrofits,
                ReadCare,
                ReadPetitions,
                ReadPairings,
                ReadKpi,
                ConfirmGrants,
                SetTargets,
                SubmitReports,
                ApproveReports,
                ReadRectification,
                ReadInspections,
                ReadClues,
                ApproveFunds,
                SelectCases,
                ReadCrossChecks,
                ReadSurveys,
            ],
            Role::Auditor => &[ReadAudit],
            Role::Registrar => &[ReadPersons, WritePersons, RevealIdNumber, ReadCrossChecks],
            Role::Employment => &[
                ReadPersons,
                RevealIdNumber,
                WriteTraining,
                WriteLoans,
                ApproveLoans,
                ReadCare,
                WriteCare,
                ApproveCare,
                ReadKpi,
            ],
            Role::Rehabilitation => &[
                ReadPersons,
                ReadRehab,
                RevealIdNumber,
                WriteRehab,
                ApproveRehab,
                MaintainCatalogue,
                ReadKpi,
            ],
            Role::Rights => &[
                ReadPersons,
                RevealIdNumber,
                WriteRetrofits,
                ReadRetrofits,
                ApproveRetrofits,
                WritePetitions,
                ReadPetitions,
                ReadKpi,
            ],
            Role::Staff => &[
                ReadPersons,
                WritePersons,
                RevealIdNumber,
                WriteTraining,
                WriteLoans,
                ReadRehab,
                WriteRehab,
                ApproveRehab,
                WriteRetrofits,
                ReadRetrofits,
                ApproveRetrofits,
                WritePetitions,
                ReadPetitions,
                ReadCare,
                WriteCare,
                ApproveCare,
                ReadPairings,
                ManagePairings,
                ReadKpi,
                SubmitReports,
                ReadRectification,
                WriteRectification,
                RecheckRectification,
                ReadInspections,
                WritePurchases,
                RecordSpending,
                LinkVillages,
                RecordSupport,
                WritePublicity,
                ReadCrossChecks,
                ReadSurveys,
                WriteSurveys,
            ],
        }
    }
}

impl Role {
    /// Whether granting this role needs a second person: it gives a [data
    /// capability](Capability::is_data). An admin proposes such a grant and a leader whose
    /// scope covers the account confirms it; until then the account does not hold it.
    ///
    /// `admin` and `auditor` are not data roles: their capabilities (managing users,
    /// reading the audit log, whose records are masked) are ones every admin holds
    /// already, so an admin gains nothing by granting them.
    pub fn is_data_role(self) -> bool {
        self.capabilities().iter().any(|c| c.is_data())
    }
}

/// The data roles among `roles` (see [`Role::is_data_role`]).
pub fn data_roles(roles: &[Role]) -> Vec<Role> {
    roles.iter().copied().filter(|r| r.is_data_role()).collect()
}

/// The union of the capabilities of `roles`, sorted and without repeats.
pub fn capabilities_of(roles: &[Role]) -> Vec<Capability> {
    let mut caps: Vec<Capability> = roles
        .iter()
        .flat_map(|r| r.capabilities().iter().copied())
        .collect();
    caps.sort();
    caps.dedup();
    caps
}

/// The department of the provincial DPF that owns the plan (省残联扶贫办).
pub const PLAN_OFFICE: &str = "43.poverty_office";

/// The provincial DPF's data update office (数据更新办公室), which leads measure 7 (the
/// survey of those not yet out of poverty).
pub const DATA_UPDATE_OFFICE: &str = "43.data_update_office";

/// The provincial DPF's general office (省残联办公室): its canteen's purchases
/// (measure 17) and the funds allocated by factors (measure 21).
pub const GENERAL_OFFICE: &str = "43.general_office";

/// The provincial DPF's publicity, culture and sports department (宣文基部), which leads
/// measure 10 (publicity and typical cases).
pub const PUBLICITY_OFFICE: &str = "43.publicity_culture";

/// The provincial DPF's party committee (机关党委), which shares measure 17 (the
/// trade union's holiday goods).
pub const PARTY_COMMITTEE: &str = "43.party_committee";

/// What a user's unit adds to their roles. The plan follows its responsible units:
///
/// - the poverty office (which leads measures 2, 6, 11, 16, 19, 20 and 22 and keeps the
///   plan) edits the plan, sets the province's targets, keeps the stationing table and
///   the misconduct clues, and rechecks rectification items;
/// - the general office (measure 17 and 21) records its canteen's purchases, computes
///   and adjusts the funds allocated by factors and records spending; the party
///   committee (measure 17) records canteen purchases too;
/// - every department of the provincial DPF inspects counties unannounced (measure 22)
///   and links villages (measure 12).
///
/// It applies to accounts that hold a role of the DPF's work (for the poverty office:
/// leader or staff; for the departments: any role but admin and auditor), so that
/// taking an account's roles away takes this too.
pub fn unit_capabilities(unit_code: &str, roles: &[Role]) -> &'static [Capability] {
    let works = roles
        .iter()
        .any(|r| matches!(r, Role::Leader | Role::Staff));
    let cadre = roles
        .iter()
        .any(|r| !matches!(r, Role::Admin | Role::Auditor));
    if unit_code == PLAN_OFFICE && works {
        &[
            Capability::ReadKpi,
            Capability::ManagePlan,
            Capability::SetTargets,
            Capability::ReadRectification,
            Capability::WriteRectification,
            Capability::RecheckRectification,
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::ManageStationings,
            Capability::ReadClues,
            Capability::WriteClues,
            Capability::LinkVillages,
            Capability::RecordSupport,
            Capability::WritePublicity,
            Capability::SetEligibility,
            Capability::ImportAgencyLists,
        ]
    } else if unit_code == GENERAL_OFFICE && works {
        &[
            Capability::ReadKpi,
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::WritePurchases,
            Capability::ManageFunds,
            Capability::RecordSpending,
            Capability::LinkVillages,
        ]
    } else if unit_code == PARTY_COMMITTEE && cadre {
        &[
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::WritePurchases,
            Capability::LinkVillages,
        ]
    } else if unit_code == DATA_UPDATE_OFFICE && works {
        &[
            Capability::ReadKpi,
            Capability::ReadSurveys,
            Capability::ManageSurveys,
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::LinkVillages,
        ]
    } else if unit_code == PUBLICITY_OFFICE && cadre {
        &[
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::LinkVillages,
            Capability::WritePublicity,
        ]
    } else if unit_code.starts_with("43.") && cadre {
        &[
            Capability::ReadInspections,
            Capability::Inspect,
            Capability::LinkVillages,
        ]
    } else {
        &[]
    }
}

/// The capabilities of a user of `unit_code` holding `roles`: [`capabilities_of`] the
/// roles and [`unit_capabilities`], sorted and without repeats.
pub fn user_capabilities(unit_code: &str, roles: &[Role]) -> Vec<Capability> {
    let mut caps = capabilities_of(roles);
    caps.extend_from_slice(unit_capabilities(unit_code, roles));
    caps.sort();
    caps.dedup();
    caps
}

/// Shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password's length.
pub fn validate_password(password: &str) -> Result<(), crate::validation::ValidationError> {
    use crate::validation::ValidationError;
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(ValidationError::new(
            "too_short",
            format!("at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(ValidationError::new(
            "too_long",
            format!("at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks a username: 3–64 characters of a–z, 0–9, `.`, `_`, `-`.
pub fn validate_username(username: &str) -> Result<(), crate::validation::ValidationError> {
    use crate::validation::ValidationError;
    let ok_chars = username
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !(3..=64).contains(&username.len()) || !ok_chars {
        return Err(ValidationError::new(
            "invalid_username",
            "3 to 64 characters: a–z, 0–9, '.', '_' or '-'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_follow_responsibilities() {
        assert!(Role::Employment
            .capabilities()
            .contains(&Capability::WriteTraining));
        assert!(!Role::Employment
            .capabilities()
            .contains(&Capability::WriteRetrofits));
        assert!(!Role::Leader
            .capabilities()
            .contains(&Capability::WritePersons));
        assert!(!Role::Admin
            .capabilities()
            .contains(&Capability::ReadPersons));
        let caps = capabilities_of(&[Role::Leader, Role::Employment]);
        assert_eq!(
            caps.iter()
                .filter(|c| **c == Capability::ReadPersons)
                .count(),
            1
        );
    }

    #[test]
    fn data_roles_need_a_second_person() {
        for role in Role::ALL {
            let expected = !matches!(role, Role::Admin | Role::Auditor);
            assert_eq!(role.is_data_role(), expected, "{role:?}");
        }
        // Every role that reads persons or moves money is a data role.
        for role in Role::ALL {
            if role.capabilities().iter().any(|c| {
                matches!(
                    c,
                    Capability::ReadPersons | Capability::RevealIdNumber | Capability::ApproveLoans
                )
            }) {
                assert!(role.is_data_role(), "{role:?}");
            }
        }
        // Non-data roles give nothing an admin does not already have.
        let admin = Role::Admin.capabilities();
        assert!(Role::Auditor
            .capabilities()
            .iter()
            .all(|c| admin.contains(c)));
        assert_eq!(
            data_roles(&[Role::Admin, Role::Registrar, Role::Auditor]),
            vec![Role::Registrar]
        );
    }

    #[test]
    fn passwords_and_usernames() {
        assert!(validate_password("xiangzhu-demo").is_ok());
        assert!(validate_password("short").is_err());
        assert!(validate_password(&"a".repeat(64)).is_ok());
        assert!(validate_password(&"a".repeat(257)).is_err());
        assert!(validate_username("xiangtan.staff").is_ok());
        assert!(validate_username("Admin").is_err());
        assert!(validate_username("ab").is_err());
    }
}
