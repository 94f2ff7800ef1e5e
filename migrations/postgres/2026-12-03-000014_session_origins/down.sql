ALTER TABLE oauth_tokens DROP COLUMN user_agent;
ALTER TABLE oauth_tokens DROP COLUMN ip_address;
