//! Every machine code an error answer can carry, in one place: the `code` of a problem
//! and of each field error. The server's codes are checked against this list by a test
//! that reads its sources, and the web app's test checks that each has zh-CN and English
//! text — so no answer shows a user a bare code.

crate::string_enum! {
    /// A problem's or a field error's machine code.
    pub enum ErrorCode {
        /// `above_allocated`.
        AboveAllocated = "above_allocated",
        /// `above_budget`.
        AboveBudget = "above_budget",
        /// `above_cap`.
        AboveCap = "above_cap",
        /// `above_maximum`.
        AboveMaximum = "above_maximum",
        /// `above_person_cap`.
        AbovePersonCap = "above_person_cap",
        /// `account_disabled`.
        AccountDisabled = "account_disabled",
        /// `already_enrolled`.
        AlreadyEnrolled = "already_enrolled",
        /// `already_superseded`.
        AlreadySuperseded = "already_superseded",
        /// `bad_body`.
        BadBody = "bad_body",
        /// `bad_cap`.
        BadCap = "bad_cap",
        /// `bad_request`.
        BadRequest = "bad_request",
        /// `before_acceptance`.
        BeforeAcceptance = "before_acceptance",
        /// `before_delivery`.
        BeforeDelivery = "before_delivery",
        /// `before_identified`.
        BeforeIdentified = "before_identified",
        /// `before_loan`.
        BeforeLoan = "before_loan",
        /// `before_start`.
        BeforeStart = "before_start",
        /// `below_allocated`.
        BelowAllocated = "below_allocated",
        /// `below_committed`.
        BelowCommitted = "below_committed",
        /// `birth_date_in_future`.
        BirthDateInFuture = "birth_date_in_future",
        /// `birth_date_mismatch`.
        BirthDateMismatch = "birth_date_mismatch",
        /// `budget_exceeded`.
        BudgetExceeded = "budget_exceeded",
        /// `busy`.
        Busy = "busy",
        /// `cannot_disable_self`.
        CannotDisableSelf = "cannot_disable_self",
        /// `certificate_category_mismatch`.
        CertificateCategoryMismatch = "certificate_category_mismatch",
        /// `certificate_id_mismatch`.
        CertificateIdMismatch = "certificate_id_mismatch",
        /// `certificate_level_mismatch`.
        CertificateLevelMismatch = "certificate_level_mismatch",
        /// `children_not_approved`.
        ChildrenNotApproved = "children_not_approved",
        /// `concurrent_update`.
        ConcurrentUpdate = "concurrent_update",
        /// `consent_required`.
        ConsentRequired = "consent_required",
        /// `device_in_service`.
        DeviceInService = "device_in_service",
        /// `differs_from_registry`.
        DiffersFromRegistry = "differs_from_registry",
        /// `duplicate`.
        Duplicate = "duplicate",
        /// `duplicate_credit_code`.
        DuplicateCreditCode = "duplicate_credit_code",
        /// `duplicate_enrolment`.
        DuplicateEnrolment = "duplicate_enrolment",
        /// `duplicate_id_number`.
        DuplicateIdNumber = "duplicate_id_number",
        /// `duplicate_row`.
        DuplicateRow = "duplicate_row",
        /// `duplicate_username`.
        DuplicateUsername = "duplicate_username",
        /// `empty_factor`.
        EmptyFactor = "empty_factor",
        /// `empty_file`.
        EmptyFile = "empty_file",
        /// `evidence_in_use`.
        EvidenceInUse = "evidence_in_use",
        /// `evidence_not_found`.
        EvidenceNotFound = "evidence_not_found",
        /// `evidence_reused`.
        EvidenceReused = "evidence_reused",
        /// `file_too_large`.
        FileTooLarge = "file_too_large",
        /// `forbidden`.
        Forbidden = "forbidden",
        /// `four_eyes`.
        FourEyes = "four_eyes",
        /// `housing_unsuitable`.
        HousingUnsuitable = "housing_unsuitable",
        /// `id_conflict`.
        IdConflict = "id_conflict",
        /// `id_number_in_url`.
        IdNumberInUrl = "id_number_in_url",
        /// `image_too_large`.
        ImageTooLarge = "image_too_large",
        /// `immutable`.
        Immutable = "immutable",
        /// `import_not_valid`.
        ImportNotValid = "import_not_valid",
        /// `in_future`.
        InFuture = "in_future",
        /// `inconsistent`.
        Inconsistent = "inconsistent",
        /// `internal_error`.
        InternalError = "internal_error",
        /// `invalid`.
        Invalid = "invalid",
        /// `invalid_birth_date`.
        InvalidBirthDate = "invalid_birth_date",
        /// `invalid_category_digit`.
        InvalidCategoryDigit = "invalid_category_digit",
        /// `invalid_characters`.
        InvalidCharacters = "invalid_characters",
        /// `invalid_check_character`.
        InvalidCheckCharacter = "invalid_check_character",
        /// `invalid_code`.
        InvalidCode = "invalid_code",
        /// `invalid_credentials`.
        InvalidCredentials = "invalid_credentials",
        /// `invalid_cursor`.
        InvalidCursor = "invalid_cursor",
        /// `invalid_date`.
        InvalidDate = "invalid_date",
        /// `invalid_edition`.
        InvalidEdition = "invalid_edition",
        /// `invalid_format`.
        InvalidFormat = "invalid_format",
        /// `invalid_length`.
        InvalidLength = "invalid_length",
        /// `invalid_level_digit`.
        InvalidLevelDigit = "invalid_level_digit",
        /// `invalid_number`.
        InvalidNumber = "invalid_number",
        /// `invalid_outcome`.
        InvalidOutcome = "invalid_outcome",
        /// `invalid_period`.
        InvalidPeriod = "invalid_period",
        /// `invalid_phone`.
        InvalidPhone = "invalid_phone",
        /// `invalid_refresh_token`.
        InvalidRefreshToken = "invalid_refresh_token",
        /// `invalid_region`.
        InvalidRegion = "invalid_region",
        /// `invalid_status`.
        InvalidStatus = "invalid_status",
        /// `invalid_token`.
        InvalidToken = "invalid_token",
        /// `invalid_transition`.
        InvalidTransition = "invalid_transition",
        /// `invalid_username`.
        InvalidUsername = "invalid_username",
        /// `invalid_value`.
        InvalidValue = "invalid_value",
        /// `invalid_version`.
        InvalidVersion = "invalid_version",
        /// `invalid_year`.
        InvalidYear = "invalid_year",
        /// `invalid_yes_no`.
        InvalidYesNo = "invalid_yes_no",
        /// `links_in_county`.
        LinksInCounty = "links_in_county",
        /// `locked_approved`.
        LockedApproved = "locked_approved",
        /// `locked_closed`.
        LockedClosed = "locked_closed",
        /// `locked_expired`.
        LockedExpired = "locked_expired",
        /// `malformed_json`.
        MalformedJson = "malformed_json",
        /// `missing_column`.
        MissingColumn = "missing_column",
        /// `missing_line`.
        MissingLine = "missing_line",
        /// `missing_token`.
        MissingToken = "missing_token",
        /// `more_errors`.
        MoreErrors = "more_errors",
        /// `name_mismatch`.
        NameMismatch = "name_mismatch",
        /// `no_cap`.
        NoCap = "no_cap",
        /// `no_need`.
        NoNeed = "no_need",
        /// `no_plan`.
        NoPlan = "no_plan",
        /// `no_programme_year`.
        NoProgrammeYear = "no_programme_year",
        /// `not_a_child`.
        NotAChild = "not_a_child",
        /// `not_a_device_need`.
        NotADeviceNeed = "not_a_device_need",
        /// `not_an_image`.
        NotAnImage = "not_an_image",
        /// `not_applicable`.
        NotApplicable = "not_applicable",
        /// `not_approved`.
        NotApproved = "not_approved",
        /// `not_approved_item`.
        NotApprovedItem = "not_approved_item",
        /// `not_author`.
        NotAuthor = "not_author",
        /// `not_editable`.
        NotEditable = "not_editable",
        /// `not_eligible`.
        NotEligible = "not_eligible",
        /// `not_found`.
        NotFound = "not_found",
        /// `not_in_parent`.
        NotInParent = "not_in_parent",
        /// `not_in_registry`.
        NotInRegistry = "not_in_registry",
        /// `not_one_household`.
        NotOneHousehold = "not_one_household",
        /// `not_positive`.
        NotPositive = "not_positive",
        /// `not_registered_poor`.
        NotRegisteredPoor = "not_registered_poor",
        /// `not_relocated`.
        NotRelocated = "not_relocated",
        /// `not_same_household`.
        NotSameHousehold = "not_same_household",
        /// `not_same_need`.
        NotSameNeed = "not_same_need",
        /// `not_severe`.
        NotSevere = "not_severe",
        /// `not_willing`.
        NotWilling = "not_willing",
        /// `not_your_level`.
        NotYourLevel = "not_your_level",
        /// `nothing_pending`.
        NothingPending = "nothing_pending",
        /// `one_category_per_year`.
        OneCategoryPerYear = "one_category_per_year",
        /// `out_of_range`.
        OutOfRange = "out_of_range",
        /// `outside_area`.
        OutsideArea = "outside_area",
        /// `outside_province`.
        OutsideProvince = "outside_province",
        /// `outside_scope`.
        OutsideScope = "outside_scope",
        /// `over_cap`.
        OverCap = "over_cap",
        /// `own_account`.
        OwnAccount = "own_account",
        /// `own_proposal`.
        OwnProposal = "own_proposal",
        /// `own_unit`.
        OwnUnit = "own_unit",
        /// `password_change_required`.
        PasswordChangeRequired = "password_change_required",
        /// `payload_too_large`.
        PayloadTooLarge = "payload_too_large",
        /// `period_locked`.
        PeriodLocked = "period_locked",
        /// `person_not_in_unit`.
        PersonNotInUnit = "person_not_in_unit",
        /// `photo_not_found`.
        PhotoNotFound = "photo_not_found",
        /// `provider_full`.
        ProviderFull = "provider_full",
        /// `refresh_token_reused`.
        RefreshTokenReused = "refresh_token_reused",
        /// `required`.
        Required = "required",
        /// `retired_item`.
        RetiredItem = "retired_item",
        /// `roster_not_empty`.
        RosterNotEmpty = "roster_not_empty",
        /// `same_as_current`.
        SameAsCurrent = "same_as_current",
        /// `same_unit`.
        SameUnit = "same_unit",
        /// `session_ended`.
        SessionEnded = "session_ended",
        /// `sex_mismatch`.
        SexMismatch = "sex_mismatch",
        /// `stale_version`.
        StaleVersion = "stale_version",
        /// `target_not_settable`.
        TargetNotSettable = "target_not_settable",
        /// `token_expired`.
        TokenExpired = "token_expired",
        /// `too_early`.
        TooEarly = "too_early",
        /// `too_large`.
        TooLarge = "too_large",
        /// `too_long`.
        TooLong = "too_long",
        /// `too_many`.
        TooMany = "too_many",
        /// `too_many_requests`.
        TooManyRequests = "too_many_requests",
        /// `too_many_rows`.
        TooManyRows = "too_many_rows",
        /// `too_short`.
        TooShort = "too_short",
        /// `town_required`.
        TownRequired = "town_required",
        /// `turns_seven`.
        TurnsSeven = "turns_seven",
        /// `unauthorized`.
        Unauthorized = "unauthorized",
        /// `unavailable`.
        Unavailable = "unavailable",
        /// `unbalanced`.
        Unbalanced = "unbalanced",
        /// `unchanged`.
        Unchanged = "unchanged",
        /// `unexpected`.
        Unexpected = "unexpected",
        /// `unknown_code`.
        UnknownCode = "unknown_code",
        /// `unknown_county`.
        UnknownCounty = "unknown_county",
        /// `unknown_unit`.
        UnknownUnit = "unknown_unit",
        /// `unreadable`.
        Unreadable = "unreadable",
        /// `unsupported_media_type`.
        UnsupportedMediaType = "unsupported_media_type",
        /// `unsupported_type`.
        UnsupportedType = "unsupported_type",
        /// `upper_level_acted`.
        UpperLevelActed = "upper_level_acted",
        /// `validation_failed`.
        ValidationFailed = "validation_failed",
        /// `weights_not_whole`.
        WeightsNotWhole = "weights_not_whole",
        /// `wrong_password`.
        WrongPassword = "wrong_password",
        /// `wrong_period`.
        WrongPeriod = "wrong_period",
        /// `wrong_scheme`.
        WrongScheme = "wrong_scheme",
        /// `wrong_side`.
        WrongSide = "wrong_side",
    }
}
