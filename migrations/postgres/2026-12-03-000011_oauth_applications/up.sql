-- OAuth applications ("Sign in with Roster"). `uid` is the public client id;
-- the secret is stored as its SHA-256, shown once.
CREATE TABLE oauth_applications (
    id BIGSERIAL PRIMARY KEY,
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_digest TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    trusted BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_uid_key ON oauth_applications (uid);
CREATE UNIQUE INDEX oauth_applications_secret_digest_key ON oauth_applications (secret_digest);

-- The application a token pair was issued to (none for Roster's own
-- password grant without client credentials). Deleting the application
-- deletes its tokens.
ALTER TABLE oauth_tokens ADD COLUMN application_id BIGINT REFERENCES oauth_applications (id) ON DELETE CASCADE;
CREATE INDEX oauth_tokens_application_id_idx ON oauth_tokens (application_id);
