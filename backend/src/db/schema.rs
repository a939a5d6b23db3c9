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
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        create_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
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
        birth_date -> Date,
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

diesel::joinable!(towns -> org_units (county_code));
diesel::joinable!(villages -> towns (town_code));
diesel::joinable!(users -> org_units (unit_code));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    org_units,
    towns,
    villages,
    users,
    sessions,
    refresh_tokens,
    persons,
    audit_log
);
