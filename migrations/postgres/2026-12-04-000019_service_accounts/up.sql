-- GitLab's service accounts: bot users an admin makes, which cannot sign in
-- with a password and act only through their personal access tokens.
ALTER TABLE users ADD COLUMN service_account BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX users_service_account_idx ON users (id) WHERE service_account;
