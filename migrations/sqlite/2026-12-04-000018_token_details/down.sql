ALTER TABLE users DROP COLUMN github;
-- Impersonation tokens cannot be told from personal ones without the column.
DELETE FROM personal_access_tokens WHERE impersonation;
ALTER TABLE personal_access_tokens DROP COLUMN created_by_id;
ALTER TABLE personal_access_tokens DROP COLUMN impersonation;
ALTER TABLE personal_access_tokens DROP COLUMN last_used_ips;
ALTER TABLE personal_access_tokens DROP COLUMN description;
