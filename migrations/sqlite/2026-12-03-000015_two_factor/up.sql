-- Two-factor authentication (§11). `two_factor_enabled` is kept in the
-- transaction that changes a user's factors, so that views and the
-- `two_factor` filter of the users list read one column.
ALTER TABLE users ADD COLUMN two_factor_enabled BOOLEAN NOT NULL DEFAULT 0;

-- A user's TOTP seed, sealed with the secret key (never in the database in
-- the clear). It counts once confirmed; `last_used_step` refuses a code of
-- a step already used (RFC 6238 §5.2), on every node.
CREATE TABLE totp_credentials (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_seed TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_used_step BIGINT,
    created_at TIMESTAMP NOT NULL
);

-- Recovery codes, as SHA-256; each works once.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_digest TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_codes_user_id_idx ON recovery_codes (user_id);

-- A sign-in whose password was right and whose second factor is awaited:
-- the `mfa_token` (as SHA-256), single use, for five minutes, with what
-- the sign-in asked for. `purpose` is `token` (the password grant) or
-- `browser` (the sign-in page): each finishes only where it began.
CREATE TABLE mfa_challenges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_digest TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id INTEGER REFERENCES oauth_applications (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    scopes TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    webauthn_state TEXT,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX mfa_challenges_token_digest_key ON mfa_challenges (token_digest);
CREATE INDEX mfa_challenges_expires_at_idx ON mfa_challenges (expires_at);

-- Values sealed with the secret key that are not anyone's: the key of the
-- recovery codes' HMAC. Kept here (sealed) rather than derived from the
-- secret key, so that a new secret key re-seals it and the codes survive.
CREATE TABLE sealed_values (
    name TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
