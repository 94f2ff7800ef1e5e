ALTER TABLE outbox DROP COLUMN lease_until;
ALTER TABLE outbox DROP COLUMN lease_owner;
DROP TABLE email_changes;
DROP TABLE password_resets;
