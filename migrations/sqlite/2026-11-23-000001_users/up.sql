-- Users, their e-mail addresses, external identities and tokens (SQLite).
-- Times are TIMESTAMP in UTC; booleans are 0/1; ids are 64-bit integers.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    phone TEXT,
    gender TEXT,
    birthday DATE,
    time_zone TEXT,
    bio TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    public_email TEXT,
    skype TEXT NOT NULL DEFAULT '',
    linkedin TEXT NOT NULL DEFAULT '',
    twitter TEXT NOT NULL DEFAULT '',
    discord TEXT NOT NULL DEFAULT '',
    website_url TEXT NOT NULL DEFAULT '',
    organization TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    pronouns TEXT,
    note TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'blocked', 'deactivated')),
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    external BOOLEAN NOT NULL DEFAULT 0,
    private_profile BOOLEAN NOT NULL DEFAULT 0,
    projects_limit INTEGER NOT NULL DEFAULT 100,
    can_create_group BOOLEAN NOT NULL DEFAULT 1,
    theme_id INTEGER NOT NULL DEFAULT 1,
    color_scheme_id INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    unconfirmed_email TEXT,
    sign_in_count INTEGER NOT NULL DEFAULT 0,
    current_sign_in_at TIMESTAMP,
    last_sign_in_at TIMESTAMP,
    current_sign_in_ip TEXT,
    last_sign_in_ip TEXT,
    last_activity_on DATE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- Every address of every user, primary included, so that one UNIQUE index
-- keeps addresses unique across primary and secondary ones.
CREATE TABLE emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX emails_email_key ON emails (email);
CREATE INDEX emails_user_id_idx ON emails (user_id);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    extern_uid TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identities_provider_extern_uid_key ON identities (provider, extern_uid);
CREATE UNIQUE INDEX identities_user_id_provider_key ON identities (user_id, provider);

CREATE TABLE personal_access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    scopes TEXT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT 0,
    expires_at DATE,
    last_used_at TIMESTAMP,
    previous_id INTEGER REFERENCES personal_access_tokens (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX personal_access_tokens_token_digest_key ON personal_access_tokens (token_digest);
CREATE INDEX personal_access_tokens_user_id_idx ON personal_access_tokens (user_id);
CREATE INDEX personal_access_tokens_previous_id_idx ON personal_access_tokens (previous_id);

-- OAuth access tokens with their refresh token. A refresh creates a new row in
-- the same family and marks the old refresh token used; presenting a used
-- refresh token again revokes the whole family (reuse detection).
CREATE TABLE oauth_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    access_digest TEXT NOT NULL,
    refresh_digest TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    refresh_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_tokens_access_digest_key ON oauth_tokens (access_digest);
CREATE UNIQUE INDEX oauth_tokens_refresh_digest_key ON oauth_tokens (refresh_digest);
CREATE INDEX oauth_tokens_family_idx ON oauth_tokens (family);
CREATE INDEX oauth_tokens_user_id_idx ON oauth_tokens (user_id);
