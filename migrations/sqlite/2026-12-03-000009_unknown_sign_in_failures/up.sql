-- Failed sign-ins for names that belong to no account, counted like a real
-- account's (users.failed_attempts / locked_until) so that the answers for
-- unknown and known names cannot be told apart: after the same number of
-- failures both say the account is locked. Keyed by the normalised name.
CREATE TABLE unknown_sign_in_failures (
    login TEXT PRIMARY KEY NOT NULL,
    failed_attempts INTEGER NOT NULL,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX unknown_sign_in_failures_updated_at ON unknown_sign_in_failures (updated_at);
