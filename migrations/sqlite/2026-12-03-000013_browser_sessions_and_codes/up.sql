-- The sessions of the browser pages (sign-in, consent, device, account).
-- The cookie holds a random secret; this table holds its SHA-256, so every
-- node knows every session and a copy of the database signs nobody in.
CREATE TABLE browser_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_digest TEXT NOT NULL,
    authenticated_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX browser_sessions_secret_digest_key ON browser_sessions (secret_digest);
CREATE INDEX browser_sessions_user_id_idx ON browser_sessions (user_id);

-- What a user consented to give an application; a later request for no
-- more than this skips the consent page.
CREATE TABLE oauth_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_grants_user_application_key ON oauth_grants (user_id, application_id);
CREATE INDEX oauth_grants_application_id_idx ON oauth_grants (application_id);

-- Authorization codes (stored as SHA-256): single use, short-lived, bound
-- to the client, the redirect URI and the PKCE challenge. `family` names
-- the tokens the exchange issued, revoked if the code is presented again.
CREATE TABLE oauth_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code_digest TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    redirect_uri_given BOOLEAN NOT NULL,
    scopes TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    family TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_codes_code_digest_key ON oauth_codes (code_digest);
CREATE INDEX oauth_codes_expires_at_idx ON oauth_codes (expires_at);

-- The device grant (RFC 8628): the device polls with its device code
-- (stored as SHA-256); a signed-in person enters the user code.
CREATE TABLE oauth_device_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_digest TEXT NOT NULL,
    user_code TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    auth_time TIMESTAMP,
    poll_interval INTEGER NOT NULL,
    last_polled_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_device_codes_device_digest_key ON oauth_device_codes (device_digest);
CREATE UNIQUE INDEX oauth_device_codes_user_code_key ON oauth_device_codes (user_code);

-- When the person behind a token pair signed in (the ID token's auth_time,
-- kept through refreshes).
ALTER TABLE oauth_tokens ADD COLUMN auth_time TIMESTAMP;
