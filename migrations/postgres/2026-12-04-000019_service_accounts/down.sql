DROP INDEX users_service_account_idx;
ALTER TABLE users DROP COLUMN service_account;
