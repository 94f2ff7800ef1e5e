-- SSH keys, e-mail confirmation tokens and the mail outbox (PostgreSQL).
CREATE TABLE keys (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    key TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    fingerprint_sha256 TEXT NOT NULL,
    fingerprint_md5 TEXT NOT NULL,
    usage_type TEXT NOT NULL DEFAULT 'auth_and_signing',
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX keys_fingerprint_sha256_key ON keys (fingerprint_sha256);
CREATE INDEX keys_fingerprint_md5_idx ON keys (fingerprint_md5);
CREATE INDEX keys_user_id_idx ON keys (user_id);

-- Single-use confirmation tokens for an address (stored as SHA-256).
CREATE TABLE email_confirmations (
    id BIGSERIAL PRIMARY KEY,
    email_id BIGINT NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX email_confirmations_token_digest_key ON email_confirmations (token_digest);
CREATE INDEX email_confirmations_email_id_idx ON email_confirmations (email_id);

-- Mail to send, written in the same transaction as the change that caused
-- it; a sender delivers pending rows and marks them sent.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_pending_idx ON outbox (sent_at, next_attempt_at);
