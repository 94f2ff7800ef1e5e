//! The Diesel schema, written by hand to match both migration trees.
// Diesel's macros generate items without docs.
#![allow(missing_docs)]

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        name -> Text,
        first_name -> Text,
        last_name -> Text,
        phone -> Nullable<Text>,
        gender -> Nullable<Text>,
        birthday -> Nullable<Date>,
        time_zone -> Nullable<Text>,
        bio -> Text,
        location -> Text,
        public_email -> Nullable<Text>,
        skype -> Text,
        linkedin -> Text,
        twitter -> Text,
        discord -> Text,
        website_url -> Text,
        organization -> Text,
        job_title -> Text,
        pronouns -> Nullable<Text>,
        note -> Text,
        state -> Text,
        is_admin -> Bool,
        external -> Bool,
        private_profile -> Bool,
        projects_limit -> Integer,
        can_create_group -> Bool,
        theme_id -> Integer,
        color_scheme_id -> Integer,
        password_hash -> Text,
        confirmed_at -> Nullable<Timestamp>,
        unconfirmed_email -> Nullable<Text>,
        sign_in_count -> Integer,
        current_sign_in_at -> Nullable<Timestamp>,
        last_sign_in_at -> Nullable<Timestamp>,
        current_sign_in_ip -> Nullable<Text>,
        last_sign_in_ip -> Nullable<Text>,
        last_activity_on -> Nullable<Date>,
        failed_attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        searchable -> Bool,
        show_followers -> Bool,
        share_activity -> Bool,
        avatar -> Nullable<Text>,
        bot_group_id -> Nullable<BigInt>,
        two_factor_enabled -> Bool,
        github -> Text,
        service_account -> Bool,
    }
}

diesel::table! {
    avatars (name) {
        name -> Text,
        content_type -> Text,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follows (follower_id, followee_id) {
        follower_id -> BigInt,
        followee_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_preferences (user_id) {
        user_id -> BigInt,
        data -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    custom_attributes (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    emails (id) {
        id -> BigInt,
        user_id -> BigInt,
        email -> Text,
        confirmed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    identities (id) {
        id -> BigInt,
        user_id -> BigInt,
        provider -> Text,
        extern_uid -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    personal_access_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_digest -> Text,
        scopes -> Text,
        revoked -> Bool,
        expires_at -> Nullable<Date>,
        last_used_at -> Nullable<Timestamp>,
        previous_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        description -> Nullable<Text>,
        last_used_ips -> Text,
        impersonation -> Bool,
        created_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    oauth_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        access_digest -> Text,
        refresh_digest -> Text,
        scopes -> Text,
        expires_at -> Timestamp,
        refresh_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        application_id -> Nullable<BigInt>,
        auth_time -> Nullable<Timestamp>,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::joinable!(emails -> users (user_id));
diesel::joinable!(identities -> users (user_id));
diesel::joinable!(personal_access_tokens -> users (user_id));
diesel::joinable!(oauth_tokens -> users (user_id));

diesel::table! {
    keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        title -> Text,
        key -> Text,
        algorithm -> Text,
        fingerprint_sha256 -> Text,
        fingerprint_md5 -> Text,
        usage_type -> Text,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_confirmations (id) {
        id -> BigInt,
        email_id -> BigInt,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_changes (id) {
        id -> BigInt,
        user_id -> BigInt,
        email -> Text,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(keys -> users (user_id));
diesel::joinable!(email_confirmations -> emails (email_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(email_changes -> users (user_id));
diesel::joinable!(user_preferences -> users (user_id));
diesel::joinable!(custom_attributes -> users (user_id));
diesel::joinable!(user_statuses -> users (user_id));
diesel::table! {
    gpg_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        key -> Text,
        fingerprint -> Text,
        primary_keyid -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(gpg_keys -> users (user_id));

diesel::table! {
    system_hooks (id) {
        id -> BigInt,
        url -> Text,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        token_sealed -> Nullable<Text>,
        signing_secret_sealed -> Nullable<Text>,
        push_events -> Bool,
        tag_push_events -> Bool,
        merge_requests_events -> Bool,
        repository_update_events -> Bool,
        enable_ssl_verification -> Bool,
        events -> Nullable<Text>,
        last_event_id -> BigInt,
        recent_failures -> Integer,
        disabled_until -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    system_events (id) {
        id -> BigInt,
        webhook_id -> Text,
        event_name -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hook_deliveries (id) {
        id -> BigInt,
        hook_id -> BigInt,
        event_id -> Nullable<BigInt>,
        webhook_id -> Text,
        event_name -> Text,
        payload -> Text,
        test -> Bool,
        status -> Text,
        attempts -> Integer,
        response_code -> Nullable<Integer>,
        duration_ms -> Nullable<BigInt>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(hook_deliveries -> system_hooks (hook_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    emails,
    identities,
    personal_access_tokens,
    oauth_tokens,
    keys,
    email_confirmations,
    outbox,
    password_resets,
    email_changes,
    avatars,
    follows,
    user_preferences,
    custom_attributes,
    rate_limits,
    audit_events,
    user_statuses,
    unknown_sign_in_failures,
    groups,
    group_ancestors,
    group_members,
    group_invitations,
    oauth_applications,
    signing_keys,
    browser_sessions,
    oauth_grants,
    oauth_codes,
    oauth_device_codes,
    totp_credentials,
    recovery_codes,
    mfa_challenges,
    webauthn_credentials,
    webauthn_ceremonies,
    sealed_values,
    gpg_keys,
    system_hooks,
    system_events,
    hook_deliveries,
);

diesel::table! {
    unknown_sign_in_failures (login) {
        login -> Text,
        failed_attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        event_name -> Text,
        author_id -> Nullable<BigInt>,
        entity_id -> Nullable<BigInt>,
        ip_address -> Nullable<Text>,
        details -> Text,
        created_at -> Timestamp,
        entity_type -> Text,
    }
}

diesel::table! {
    user_statuses (user_id) {
        user_id -> BigInt,
        emoji -> Nullable<Text>,
        message -> Nullable<Text>,
        availability -> Text,
        clear_status_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    groups (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        path -> Text,
        full_path -> Text,
        full_name -> Text,
        description -> Text,
        visibility -> Text,
        avatar -> Nullable<Text>,
        depth -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_ancestors (group_id, ancestor_id) {
        group_id -> BigInt,
        ancestor_id -> BigInt,
        distance -> Integer,
    }
}

diesel::table! {
    group_members (id) {
        id -> BigInt,
        group_id -> BigInt,
        user_id -> BigInt,
        access_level -> Integer,
        expires_at -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_invitations (id) {
        id -> BigInt,
        group_id -> BigInt,
        email -> Text,
        access_level -> Integer,
        expires_at -> Nullable<Date>,
        token_digest -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(group_invitations -> groups (group_id));

diesel::table! {
    oauth_applications (id) {
        id -> BigInt,
        uid -> Text,
        name -> Text,
        secret_digest -> Text,
        redirect_uris -> Text,
        scopes -> Text,
        confidential -> Bool,
        trusted -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> BigInt,
        kid -> Text,
        algorithm -> Text,
        private_key -> Text,
        public_jwk -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    browser_sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        secret_digest -> Text,
        authenticated_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oauth_grants (id) {
        id -> BigInt,
        user_id -> BigInt,
        application_id -> BigInt,
        scopes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    oauth_codes (id) {
        id -> BigInt,
        code_digest -> Text,
        application_id -> BigInt,
        user_id -> BigInt,
        redirect_uri -> Text,
        redirect_uri_given -> Bool,
        scopes -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        family -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oauth_device_codes (id) {
        id -> BigInt,
        device_digest -> Text,
        user_code -> Text,
        application_id -> BigInt,
        scopes -> Text,
        user_id -> Nullable<BigInt>,
        status -> Text,
        auth_time -> Nullable<Timestamp>,
        poll_interval -> Integer,
        last_polled_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::joinable!(browser_sessions -> users (user_id));
diesel::joinable!(oauth_grants -> users (user_id));
diesel::joinable!(oauth_grants -> oauth_applications (application_id));
diesel::joinable!(oauth_codes -> users (user_id));

diesel::table! {
    totp_credentials (user_id) {
        user_id -> BigInt,
        sealed_seed -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_used_step -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_digest -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mfa_challenges (id) {
        id -> BigInt,
        token_digest -> Text,
        user_id -> BigInt,
        application_id -> Nullable<BigInt>,
        purpose -> Text,
        scopes -> Text,
        failures -> Integer,
        webauthn_state -> Nullable<Text>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(totp_credentials -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(mfa_challenges -> users (user_id));

diesel::table! {
    webauthn_credentials (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        credential_id -> Text,
        user_handle -> Text,
        transports -> Integer,
        static_state -> Text,
        dynamic_state -> Text,
        algorithm -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webauthn_ceremonies (challenge) {
        challenge -> Text,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        mfa_challenge_id -> Nullable<BigInt>,
        state -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webauthn_credentials -> users (user_id));

diesel::table! {
    sealed_values (name) {
        name -> Text,
        sealed -> Text,
        created_at -> Timestamp,
    }
}
