-- Account life cycle: password resets, primary address changes, and leases
-- so that each outbox message is sent by one node.
CREATE TABLE password_resets (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX password_resets_token_digest_key ON password_resets (token_digest);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);

-- A requested change of primary address, waiting for confirmation of the new one.
CREATE TABLE email_changes (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX email_changes_token_digest_key ON email_changes (token_digest);
CREATE INDEX email_changes_user_id_idx ON email_changes (user_id);

ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMP;
