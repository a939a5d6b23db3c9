//! Diesel table definitions, kept by hand in step with `migrations/` (one set for both
//! databases, so only types both backends share are used).

diesel::table! {
    org_units (code) {
        code -> Text,
        name -> Text,
        name_en -> Nullable<Text>,
        kind -> Text,
        parent_code -> Nullable<Text>,
        region_code -> Text,
    }
}

diesel::table! {
    towns (code) {
        code -> Text,
        name -> Text,
        county_code -> Text,
    }
}

diesel::table! {
    villages (code) {
        code -> Text,
        name -> Text,
        town_code -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        unit_code -> Text,
        roles -> Text,
        disabled -> Bool,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
        pending_roles -> Nullable<Text>,
        proposed_by -> Nullable<Text>,
        proposed_at -> Nullable<Timestamp>,
        must_change_password -> Bool,
    }
}

diesel::table! {
    login_attempts (throttle_key) {
        throttle_key -> Text,
        attempts -> Integer,
        window_start -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        write_lsn -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        name -> Text,
        id_number_enc -> Text,
        id_number_hmac -> Text,
        id_number_masked -> Text,
        has_certificate -> Bool,
        sex -> Text,
        birth_year -> Integer,
        disability_category -> Text,
        disability_level -> Integer,
        phone -> Nullable<Text>,
        county_code -> Text,
        city_code -> Text,
        town_code -> Nullable<Text>,
        village_code -> Nullable<Text>,
        address_detail -> Nullable<Text>,
        household_number -> Nullable<Text>,
        household_size -> Nullable<Integer>,
        poverty_status -> Text,
        registered_poor -> Bool,
        multi_disabled_household -> Bool,
        elderly_disabled -> Bool,
        assure_food_clothing -> Text,
        assure_education -> Text,
        assure_medical -> Text,
        assure_housing -> Text,
        assure_drinking_water -> Text,
        assessed_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        synthetic -> Bool,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        unit_code -> Text,
        city_code -> Nullable<Text>,
        county_code -> Nullable<Text>,
        reason -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    programme_years (year) {
        year -> Integer,
        share_bp -> BigInt,
        cap_person_fen -> BigInt,
        cap_base_fen -> BigInt,
        max_principal_fen -> BigInt,
        budget_fen -> BigInt,
        target_persons_trained -> BigInt,
        target_subsidy_fen -> BigInt,
    }
}

diesel::table! {
    city_allocations (year, city_code) {
        year -> Integer,
        city_code -> Text,
        allocated_fen -> BigInt,
        committed_fen -> BigInt,
        disbursed_fen -> BigInt,
    }
}

diesel::table! {
    training_courses (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        programme -> Text,
        organiser_unit -> Text,
        county_code -> Text,
        city_code -> Text,
        venue -> Nullable<Text>,
        start_date -> Date,
        end_date -> Date,
        year -> Integer,
        planned_places -> Integer,
        hours -> Integer,
        trainer -> Nullable<Text>,
        funding_fen -> BigInt,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        course_id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        status -> Text,
        hours_attended -> Integer,
        completion_date -> Nullable<Date>,
        certificate_obtained -> Bool,
        outcome -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    employment_bases (id) {
        id -> Text,
        name -> Text,
        credit_code -> Text,
        county_code -> Text,
        city_code -> Text,
        kind -> Text,
        recognised_on -> Date,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    base_employees (base_id, person_id) {
        base_id -> Text,
        person_id -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    loans (id) {
        id -> Text,
        applicant -> Text,
        person_id -> Nullable<Text>,
        base_id -> Nullable<Text>,
        bank -> Text,
        principal_fen -> BigInt,
        annual_rate_bp -> BigInt,
        term_months -> BigInt,
        loan_date -> Date,
        purpose -> Text,
        year -> Integer,
        county_code -> Text,
        city_code -> Text,
        status -> Text,
        interest_fen -> BigInt,
        subsidy_fen -> BigInt,
        capped -> Bool,
        approved_fen -> Nullable<BigInt>,
        disbursed_fen -> Nullable<BigInt>,
        disbursed_on -> Nullable<Date>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    loan_events (id) {
        id -> Text,
        loan_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        amount_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    device_codes (edition, code) {
        edition -> Text,
        code -> Text,
        title_zh -> Text,
        title_en -> Text,
    }
}

diesel::table! {
    device_items (id) {
        id -> Text,
        code -> Text,
        edition -> Text,
        name_zh -> Text,
        name_en -> Text,
        categories -> Text,
        unit -> Text,
        service_life_years -> Integer,
        max_level -> Nullable<Integer>,
        assessment_required -> Bool,
        active -> Bool,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    device_caps (item_id, year) {
        item_id -> Text,
        year -> Integer,
        cap_fen -> BigInt,
    }
}

diesel::table! {
    rehab_needs (id) {
        id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        kind -> Text,
        project -> Text,
        item_id -> Nullable<Text>,
        source -> Text,
        identified_on -> Date,
        year -> Integer,
        note -> Nullable<Text>,
        status -> Text,
        result -> Nullable<Text>,
        assessed_on -> Nullable<Date>,
        assessor -> Nullable<Text>,
        evidence_id -> Nullable<Text>,
        supersedes -> Nullable<Text>,
        superseded_by -> Nullable<Text>,
        follow_up_due -> Nullable<Date>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
    }
}

diesel::table! {
    device_fittings (id) {
        id -> Text,
        need_id -> Text,
        county_code -> Text,
        item_id -> Text,
        provider -> Text,
        quantity -> BigInt,
        side -> Text,
        unit_price_fen -> BigInt,
        cap_fen -> BigInt,
        total_fen -> BigInt,
        subsidy_fen -> BigInt,
        self_pay_fen -> BigInt,
        delivered_on -> Date,
        year -> Integer,
        service_until -> Date,
        accepted_on -> Nullable<Date>,
        accepted_by -> Nullable<Text>,
        guardian_name -> Nullable<Text>,
        evidence_id -> Nullable<Text>,
        replaced -> Bool,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    device_follow_ups (id) {
        id -> Text,
        fitting_id -> Text,
        need_id -> Text,
        visited_on -> Date,
        result -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rehab_need_events (id) {
        id -> Text,
        need_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    rehab_episodes (id) {
        id -> Text,
        person_id -> Text,
        need_id -> Nullable<Text>,
        county_code -> Text,
        city_code -> Text,
        institution -> Text,
        project -> Text,
        category -> Text,
        start_on -> Date,
        end_on -> Nullable<Date>,
        months -> Integer,
        monthly_fen -> BigInt,
        total_fen -> BigInt,
        guardian -> Nullable<Text>,
        outcome -> Nullable<Text>,
        continues -> Nullable<Text>,
        year -> Integer,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    rehab_targets (year) {
        year -> Integer,
        service_bp -> BigInt,
        fitting_bp -> BigInt,
        children -> BigInt,
    }
}

diesel::table! {
    care_providers (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        county_code -> Text,
        city_code -> Text,
        places -> Integer,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        active -> Bool,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    care_assessments (id) {
        id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        assessed_on -> Date,
        assessor -> Text,
        self_care -> Text,
        carer -> Text,
        preferred_mode -> Text,
        note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    care_placements (id) {
        id -> Text,
        person_id -> Text,
        provider_id -> Text,
        county_code -> Text,
        city_code -> Text,
        mode -> Text,
        start_on -> Date,
        end_on -> Nullable<Date>,
        monthly_subsidy_fen -> BigInt,
        funder -> Text,
        assessment_id -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
        note -> Nullable<Text>,
        status -> Text,
        end_reason -> Nullable<Text>,
        transferred_from -> Nullable<Text>,
        transferred_to -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    care_placement_events (id) {
        id -> Text,
        placement_id -> Text,
        effective_on -> Date,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    care_service_logs (id) {
        id -> Text,
        placement_id -> Text,
        county_code -> Text,
        served_on -> Date,
        hours -> Integer,
        tasks -> Text,
        carer -> Text,
        recorded_by -> Text,
        create_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    care_settings (year) {
        year -> Integer,
        served_days -> Integer,
    }
}

diesel::table! {
    care_targets (year, unit_code) {
        year -> Integer,
        unit_code -> Text,
        persons -> BigInt,
    }
}

diesel::joinable!(towns -> org_units (county_code));
diesel::joinable!(villages -> towns (town_code));
diesel::joinable!(users -> org_units (unit_code));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(enrolments -> training_courses (course_id));
diesel::joinable!(enrolments -> persons (person_id));
diesel::joinable!(base_employees -> employment_bases (base_id));
diesel::joinable!(base_employees -> persons (person_id));
diesel::joinable!(loan_events -> loans (loan_id));
diesel::joinable!(rehab_needs -> persons (person_id));
diesel::joinable!(rehab_needs -> device_items (item_id));
diesel::joinable!(device_fittings -> rehab_needs (need_id));
diesel::joinable!(device_follow_ups -> device_fittings (fitting_id));
diesel::joinable!(rehab_episodes -> persons (person_id));
diesel::joinable!(care_assessments -> persons (person_id));
diesel::joinable!(care_placements -> persons (person_id));
diesel::joinable!(care_placements -> care_providers (provider_id));
diesel::joinable!(care_placement_events -> care_placements (placement_id));
diesel::joinable!(care_service_logs -> care_placements (placement_id));

diesel::allow_tables_to_appear_in_same_query!(
    org_units,
    towns,
    villages,
    users,
    login_attempts,
    sessions,
    refresh_tokens,
    persons,
    audit_log,
    programme_years,
    city_allocations,
    training_courses,
    enrolments,
    employment_bases,
    base_employees,
    loans,
    loan_events,
    device_codes,
    device_items,
    device_caps,
    rehab_needs,
    device_fittings,
    device_follow_ups,
    rehab_need_events,
    rehab_episodes,
    rehab_targets,
    care_providers,
    care_assessments,
    care_placements,
    care_placement_events,
    care_service_logs,
    care_settings,
    care_targets,
);

diesel::table! {
    import_jobs (id) {
        id -> Text,
        kind -> Text,
        target_id -> Text,
        owner_id -> Text,
        state -> Text,
        total_rows -> Integer,
        processed_rows -> Integer,
        error_count -> Integer,
        errors_json -> Text,
        rows_json -> Nullable<Text>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        worker -> Nullable<Text>,
    }
}

diesel::table! {
    sync_changes (entity, county_code, position, entity_id) {
        entity -> Text,
        position -> BigInt,
        entity_id -> Text,
        county_code -> Text,
        version -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    sync_epoch (id) {
        id -> Integer,
        epoch -> Text,
        base -> BigInt,
    }
}

diesel::table! {
    server_instances (id) {
        id -> Text,
        host -> Text,
        pid -> BigInt,
        started_at -> Timestamp,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        owner_type -> Text,
        owner_id -> Text,
        county_code -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        upload_sha256 -> Text,
        create_hash -> Nullable<Text>,
        taken_at -> Nullable<Timestamp>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        bytes -> Nullable<Binary>,
        thumbnail -> Nullable<Binary>,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    retrofit_items (code) {
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        unit -> Text,
        serves -> Nullable<Text>,
        active -> Bool,
        sort_order -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    retrofit_caps (year) {
        year -> Integer,
        cap_fen -> BigInt,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    retrofit_cases (id) {
        id -> Text,
        county_code -> Text,
        city_code -> Text,
        household_key -> Text,
        village_code -> Nullable<Text>,
        year -> Integer,
        status -> Text,
        status_since -> Timestamp,
        source -> Text,
        identified_on -> Date,
        linked_programme -> Text,
        address -> Nullable<Text>,
        note -> Nullable<Text>,
        relocated_from -> Nullable<Text>,
        registered_poor -> Nullable<Bool>,
        severe -> Nullable<Bool>,
        need_verified -> Nullable<Bool>,
        willing -> Nullable<Bool>,
        housing_suitable -> Nullable<Bool>,
        visited_on -> Nullable<Date>,
        visitors -> Nullable<Text>,
        visit_note -> Nullable<Text>,
        plan_total_fen -> BigInt,
        plan_drafted_by -> Nullable<Text>,
        plan_approved_by -> Nullable<Text>,
        plan_approved_on -> Nullable<Date>,
        contractor -> Nullable<Text>,
        started_on -> Nullable<Date>,
        started_at -> Nullable<Timestamp>,
        completed_on -> Nullable<Date>,
        actual_total_fen -> Nullable<BigInt>,
        acceptance_rounds -> Integer,
        first_pass -> Nullable<Bool>,
        accepted_on -> Nullable<Date>,
        signature_id -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    retrofit_case_members (case_id, person_id) {
        case_id -> Text,
        person_id -> Text,
        position -> Integer,
        added_at -> Timestamp,
        added_by -> Text,
    }
}

diesel::table! {
    retrofit_plan_items (id) {
        id -> Text,
        case_id -> Text,
        position -> Integer,
        item_code -> Text,
        location -> Text,
        quantity -> BigInt,
        unit_cost_fen -> BigInt,
        line_total_fen -> BigInt,
        note -> Nullable<Text>,
        actual_cost_fen -> Nullable<BigInt>,
        result -> Nullable<Text>,
    }
}

diesel::table! {
    retrofit_acceptances (id) {
        id -> Text,
        case_id -> Text,
        round -> Integer,
        accepted_on -> Date,
        team -> Text,
        passed -> Bool,
        satisfaction -> Nullable<Text>,
        signature_id -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    retrofit_acceptance_items (acceptance_id, plan_item_id) {
        acceptance_id -> Text,
        plan_item_id -> Text,
        result -> Text,
    }
}

diesel::table! {
    retrofit_case_photos (attachment_id) {
        attachment_id -> Text,
        case_id -> Text,
        side -> Text,
    }
}

diesel::table! {
    retrofit_case_events (id) {
        id -> Text,
        case_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        action -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(retrofit_case_members -> retrofit_cases (case_id));
diesel::joinable!(retrofit_case_members -> persons (person_id));
diesel::joinable!(retrofit_plan_items -> retrofit_cases (case_id));
diesel::joinable!(retrofit_plan_items -> retrofit_items (item_code));
diesel::joinable!(retrofit_case_events -> retrofit_cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    retrofit_items,
    retrofit_caps,
    retrofit_cases,
    retrofit_case_members,
    retrofit_plan_items,
    retrofit_acceptances,
    retrofit_acceptance_items,
    retrofit_case_photos,
    retrofit_case_events,
    persons,
);

diesel::table! {
    plans (year) {
        year -> Integer,
        title -> Text,
        document_date -> Date,
        status -> Text,
        entry_deadline -> Nullable<Date>,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    plan_measures (plan_year, number) {
        plan_year -> Integer,
        number -> Integer,
        section -> Integer,
        short_zh -> Text,
        short_en -> Text,
        text_zh -> Text,
        local_dpfs -> Bool,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    measure_units (plan_year, number, unit_code) {
        plan_year -> Integer,
        number -> Integer,
        unit_code -> Text,
        part -> Text,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        plan_year -> Integer,
        measure -> Integer,
        name_zh -> Text,
        name_en -> Text,
        kind -> Text,
        source -> Text,
        aggregation -> Text,
        period_kind -> Text,
        computation -> Nullable<Text>,
        position -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    targets (indicator, unit_code, period) {
        indicator -> Text,
        unit_code -> Text,
        period -> Text,
        value -> BigInt,
        set_by -> Text,
        set_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    milestones (id) {
        id -> Text,
        plan_year -> Integer,
        measure -> Nullable<Integer>,
        title_zh -> Text,
        title_en -> Text,
        due -> Date,
        deliverer -> Text,
        receiver -> Text,
    }
}

diesel::table! {
    milestone_submissions (id) {
        id -> Text,
        milestone_id -> Text,
        unit_code -> Text,
        period -> Text,
        attachment_id -> Nullable<Text>,
        note -> Text,
        create_hash -> Nullable<Text>,
        submitted_at -> Timestamp,
        submitted_by -> Text,
        created_by -> Text,
    }
}

diesel::table! {
    reported_values (indicator, unit_code, period) {
        indicator -> Text,
        unit_code -> Text,
        period -> Text,
        value -> BigInt,
        evidence_id -> Nullable<Text>,
        note -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    period_reports (unit_code, period) {
        unit_code -> Text,
        period -> Text,
        status -> Text,
        last_action -> Nullable<Text>,
        acted_by -> Nullable<Text>,
        acted_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    report_snapshots (indicator, unit_code, period) {
        indicator -> Text,
        unit_code -> Text,
        period -> Text,
        value -> Nullable<BigInt>,
        numerator -> BigInt,
        denominator -> Nullable<BigInt>,
        computed_at -> Timestamp,
        record_count -> BigInt,
    }
}

diesel::table! {
    lock_exceptions (id) {
        id -> Text,
        unit_code -> Text,
        period -> Text,
        granted_by -> Text,
        granted_at -> Timestamp,
        reason -> Text,
        until -> Date,
    }
}

diesel::joinable!(milestone_submissions -> milestones (milestone_id));
diesel::allow_tables_to_appear_in_same_query!(milestone_submissions, milestones, org_units);

diesel::table! {
    kpi_contributions (computation, subject, year, quarter, unit_code) {
        computation -> Text,
        subject -> Text,
        year -> Integer,
        quarter -> Integer,
        unit_code -> Text,
        numerator -> BigInt,
        denominator -> BigInt,
        records -> BigInt,
        valid_until -> Nullable<Date>,
    }
}

diesel::table! {
    kpi_totals (computation, year, quarter, unit_code) {
        computation -> Text,
        year -> Integer,
        quarter -> Integer,
        unit_code -> Text,
        numerator -> BigInt,
        denominator -> BigInt,
        records -> BigInt,
    }
}

diesel::table! {
    kpi_builds (computation) {
        computation -> Text,
        version -> Integer,
        built_at -> Timestamp,
    }
}

diesel::table! {
    petition_deadlines (channel) {
        channel -> Text,
        accept_days -> Integer,
        reply_days -> Integer,
    }
}

diesel::table! {
    petitions (id) {
        id -> Text,
        county_code -> Text,
        city_code -> Text,
        channel -> Text,
        received_on -> Date,
        year -> Integer,
        petitioner_name_enc -> Text,
        petitioner_name_masked -> Text,
        petitioner_id_enc -> Nullable<Text>,
        petitioner_id_masked -> Nullable<Text>,
        petitioner_phone_enc -> Nullable<Text>,
        petitioner_phone_masked -> Nullable<Text>,
        petitioner_key -> Text,
        subject -> Text,
        category -> Text,
        content -> Nullable<Text>,
        person_id -> Nullable<Text>,
        assigned_unit -> Nullable<Text>,
        status -> Text,
        accept_due -> Date,
        accepted_on -> Nullable<Date>,
        reply_due -> Nullable<Date>,
        reply -> Nullable<Text>,
        replied_on -> Nullable<Date>,
        follow_up -> Nullable<Text>,
        followed_up_on -> Nullable<Date>,
        satisfaction -> Nullable<Text>,
        unresolved -> Bool,
        closed_on -> Nullable<Date>,
        reopened -> Integer,
        rectification_id -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    petition_events (id) {
        id -> Text,
        petition_id -> Text,
        effective_on -> Date,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(petition_events -> petitions (petition_id));
diesel::allow_tables_to_appear_in_same_query!(petitions, petition_events);

diesel::table! {
    rectification_items (id) {
        id -> Text,
        county_code -> Text,
        city_code -> Text,
        source -> Text,
        source_id -> Nullable<Text>,
        source_ref -> Nullable<Text>,
        category -> Text,
        description -> Text,
        person_id -> Nullable<Text>,
        household -> Nullable<Text>,
        measure -> Nullable<Integer>,
        responsible_person -> Nullable<Text>,
        found_on -> Date,
        deadline -> Date,
        original_deadline -> Date,
        status -> Text,
        status_since -> Timestamp,
        long_term_plan -> Nullable<Text>,
        rectification_note -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        submitted_unit -> Nullable<Text>,
        recheck_note -> Nullable<Text>,
        rechecked_at -> Nullable<Timestamp>,
        rechecked_by -> Nullable<Text>,
        rechecked_unit -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Text>,
        closed_unit -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        reopen_count -> Integer,
        recheck_failures -> Integer,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    rectification_events (id) {
        id -> Text,
        item_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_unit -> Text,
        action -> Nullable<Text>,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(rectification_events -> rectification_items (item_id));

diesel::allow_tables_to_appear_in_same_query!(rectification_items, rectification_events, persons);

diesel::table! {
    pairings (id) {
        id -> Text,
        cadre_id -> Text,
        cadre_unit -> Text,
        cadre_post -> Text,
        person_id -> Text,
        household_number -> Nullable<Text>,
        county_code -> Text,
        city_code -> Text,
        from_on -> Date,
        to_on -> Nullable<Date>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    visits (id) {
        id -> Text,
        pairing_id -> Text,
        county_code -> Text,
        city_code -> Text,
        visited_on -> Date,
        mode -> Text,
        help_given -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    visit_checks (visit_id, item) {
        visit_id -> Text,
        item -> Text,
        result -> Text,
        note -> Nullable<Text>,
        rectification_id -> Nullable<Text>,
    }
}

diesel::table! {
    visit_policies (visit_id, policy) {
        visit_id -> Text,
        policy -> Text,
    }
}

diesel::joinable!(visits -> pairings (pairing_id));
diesel::allow_tables_to_appear_in_same_query!(visits, pairings);

diesel::table! {
    stationings (id) {
        id -> Text,
        leader_id -> Text,
        county_code -> Text,
        city_code -> Text,
        from_on -> Date,
        to_on -> Nullable<Date>,
        note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    stationing_departments (stationing_id, department_code) {
        stationing_id -> Text,
        department_code -> Text,
    }
}

diesel::table! {
    stationing_logs (id) {
        id -> Text,
        stationing_id -> Text,
        on_day -> Date,
        text -> Text,
        create_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    inspections (id) {
        id -> Text,
        status -> Text,
        department_code -> Text,
        leader_id -> Text,
        county_code -> Text,
        city_code -> Text,
        planned_on -> Nullable<Date>,
        visited_on -> Nullable<Date>,
        households_visited -> Integer,
        findings -> Nullable<Text>,
        filed_at -> Nullable<Timestamp>,
        filed_by -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    inspection_villages (inspection_id, village_code) {
        inspection_id -> Text,
        village_code -> Text,
    }
}

diesel::table! {
    inspection_checks (inspection_id, item) {
        inspection_id -> Text,
        item -> Text,
        result -> Text,
        note -> Nullable<Text>,
        rectification_id -> Nullable<Text>,
    }
}

diesel::table! {
    inspection_policies (inspection_id, policy) {
        inspection_id -> Text,
        policy -> Text,
    }
}

diesel::table! {
    clues (id) {
        id -> Text,
        source -> Text,
        kind -> Text,
        received_on -> Date,
        county_code -> Text,
        city_code -> Text,
        implicated_unit -> Nullable<Text>,
        implicated_user_id -> Nullable<Text>,
        implicated_person -> Nullable<Text>,
        description -> Text,
        status -> Text,
        referred_on -> Nullable<Date>,
        reference -> Nullable<Text>,
        feedback_on -> Nullable<Date>,
        feedback -> Nullable<Text>,
        closing_note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    digest_runs (day) {
        day -> Date,
        started_at -> Timestamp,
        units -> Nullable<Integer>,
    }
}

diesel::table! {
    digest_deliveries (day, unit_code) {
        day -> Date,
        unit_code -> Text,
        delivered_at -> Timestamp,
    }
}

diesel::table! {
    county_lists (year, list, county_code) {
        year -> Integer,
        list -> Text,
        county_code -> Text,
    }
}

diesel::table! {
    canteen_purchases (id) {
        id -> Text,
        county_code -> Text,
        city_code -> Text,
        purchased_on -> Date,
        supplier -> Text,
        origin_county_code -> Nullable<Text>,
        amount_fen -> BigInt,
        from_poverty_base -> Bool,
        holiday -> Bool,
        goods -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    fund_allocations (id) {
        id -> Text,
        year -> Integer,
        title -> Text,
        department_code -> Text,
        total_fen -> BigInt,
        uplift_bp -> BigInt,
        weights -> Text,
        factor_totals -> Text,
        status -> Text,
        computed_at -> Timestamp,
        computed_by -> Text,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        approve_reason -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    fund_allocation_lines (allocation_id, county_code) {
        allocation_id -> Text,
        county_code -> Text,
        city_code -> Text,
        factor_values -> Text,
        deeply_poor -> Bool,
        base_score -> BigInt,
        score -> BigInt,
        computed_fen -> BigInt,
        amount_fen -> BigInt,
        adjust_reason -> Nullable<Text>,
    }
}

diesel::table! {
    fund_spending (id) {
        id -> Text,
        allocation_id -> Text,
        county_code -> Text,
        city_code -> Text,
        spent_on -> Date,
        amount_fen -> BigInt,
        purpose -> Text,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::joinable!(fund_allocation_lines -> fund_allocations (allocation_id));
diesel::joinable!(fund_spending -> fund_allocations (allocation_id));
diesel::allow_tables_to_appear_in_same_query!(
    fund_allocations,
    fund_allocation_lines,
    fund_spending,
    org_units
);
diesel::allow_tables_to_appear_in_same_query!(canteen_purchases, org_units, county_lists);

diesel::table! {
    village_links (id) {
        id -> Text,
        unit_code -> Text,
        unit_region -> Text,
        village_code -> Text,
        county_code -> Text,
        city_code -> Text,
        from_on -> Date,
        to_on -> Nullable<Date>,
        households_helped -> BigInt,
        note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    village_activities (id) {
        id -> Text,
        link_id -> Text,
        on_day -> Date,
        what -> Text,
        money_fen -> BigInt,
        goods -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(village_activities -> village_links (link_id));
diesel::allow_tables_to_appear_in_same_query!(village_links, village_activities, villages);
diesel::allow_tables_to_appear_in_same_query!(village_links, towns);

diesel::table! {
    support_pairs (id) {
        id -> Text,
        supporter_code -> Nullable<Text>,
        supporter_name -> Nullable<Text>,
        supported_code -> Text,
        from_year -> Integer,
        to_year -> Nullable<Integer>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    support_entries (id) {
        id -> Text,
        pair_id -> Text,
        on_day -> Date,
        kind -> Text,
        amount_fen -> BigInt,
        description -> Text,
        create_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(support_entries -> support_pairs (pair_id));
diesel::allow_tables_to_appear_in_same_query!(support_pairs, support_entries);

diesel::table! {
    publicity_cases (id) {
        id -> Text,
        county_code -> Text,
        city_code -> Text,
        subject -> Text,
        person_id -> Nullable<Text>,
        base_id -> Nullable<Text>,
        title -> Text,
        story -> Text,
        media -> Text,
        sunshine -> Bool,
        consent_on -> Nullable<Date>,
        consent_note -> Nullable<Text>,
        status -> Text,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    crosscheck_rules (year, scheme) {
        year -> Integer,
        scheme -> Text,
        registered_poor_only -> Bool,
        poverty_statuses -> Text,
        max_level -> Nullable<Integer>,
        recipients_registered -> Bool,
        note -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    agency_lists (id) {
        id -> Text,
        scheme -> Text,
        period -> Text,
        year -> Integer,
        area_code -> Text,
        county_code -> Text,
        city_code -> Text,
        row_count -> BigInt,
        receiving_count -> BigInt,
        previous_id -> Nullable<Text>,
        added -> BigInt,
        removed -> BigInt,
        changed -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        created_by_name -> Text,
        create_hash -> Nullable<Text>,
    }
}

diesel::table! {
    agency_list_rows (list_id, row_no) {
        list_id -> Text,
        row_no -> Integer,
        id_number_hmac -> Text,
        id_number_masked -> Text,
        name -> Text,
        receipt -> Text,
        county_code -> Text,
    }
}

diesel::joinable!(agency_list_rows -> agency_lists (list_id));
diesel::allow_tables_to_appear_in_same_query!(agency_lists, agency_list_rows);

diesel::table! {
    status_changes (id) {
        id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        from_status -> Text,
        to_status -> Text,
        changed_on -> Date,
        reason -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        created_by_name -> Text,
    }
}

diesel::table! {
    certificates (id) {
        id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        kind -> Text,
        status -> Text,
        applied_on -> Date,
        found_on_visit -> Bool,
        category -> Nullable<Text>,
        level -> Nullable<Integer>,
        decided_on -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        fee_waived -> Bool,
        note -> Text,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    survey_rounds (id) {
        id -> Text,
        title -> Text,
        from_on -> Date,
        to_on -> Date,
        area_code -> Text,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    survey_round_units (round_id, county_code) {
        round_id -> Text,
        county_code -> Text,
    }
}

diesel::table! {
    surveys (id) {
        id -> Text,
        round_id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        surveyed_on -> Date,
        note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    survey_checks (survey_id, item) {
        survey_id -> Text,
        item -> Text,
        result -> Text,
        note -> Nullable<Text>,
        rectification_id -> Nullable<Text>,
    }
}

diesel::table! {
    survey_policies (survey_id, policy) {
        survey_id -> Text,
        policy -> Text,
    }
}

diesel::table! {
    household_plans (id) {
        id -> Text,
        household_key -> Text,
        person_id -> Text,
        county_code -> Text,
        note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    household_plan_measures (plan_id, seq) {
        plan_id -> Text,
        seq -> Integer,
        measure -> Text,
        responsible_unit -> Text,
        due_on -> Date,
        done_on -> Nullable<Date>,
    }
}

diesel::joinable!(survey_round_units -> survey_rounds (round_id));
diesel::joinable!(surveys -> survey_rounds (round_id));
diesel::joinable!(survey_checks -> surveys (survey_id));
diesel::joinable!(survey_policies -> surveys (survey_id));
diesel::joinable!(household_plan_measures -> household_plans (plan_id));
diesel::allow_tables_to_appear_in_same_query!(
    survey_rounds,
    survey_round_units,
    surveys,
    survey_checks,
    survey_policies,
);
diesel::allow_tables_to_appear_in_same_query!(surveys, persons);
diesel::allow_tables_to_appear_in_same_query!(surveys, rectification_items);
diesel::allow_tables_to_appear_in_same_query!(survey_checks, rectification_items);
diesel::allow_tables_to_appear_in_same_query!(household_plans, household_plan_measures);

diesel::table! {
    monitoring_visits (id) {
        id -> Text,
        person_id -> Text,
        county_code -> Text,
        city_code -> Text,
        visited_on -> Date,
        income_change -> Text,
        illness -> Bool,
        disaster -> Bool,
        covid -> Bool,
        risk_level -> Text,
        measures -> Text,
        note -> Nullable<Text>,
        create_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    visit_cadences (risk_level) {
        risk_level -> Text,
        days -> Integer,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}
