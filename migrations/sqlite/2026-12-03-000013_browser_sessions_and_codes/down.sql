ALTER TABLE oauth_tokens DROP COLUMN auth_time;
DROP TABLE oauth_device_codes;
DROP TABLE oauth_codes;
DROP TABLE oauth_grants;
DROP TABLE browser_sessions;
