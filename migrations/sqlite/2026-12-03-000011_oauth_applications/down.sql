DROP INDEX oauth_tokens_application_id_idx;
ALTER TABLE oauth_tokens DROP COLUMN application_id;
DROP TABLE oauth_applications;
