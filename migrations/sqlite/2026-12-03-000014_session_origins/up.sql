-- Where a token pair was last issued to (the sign-in, then each refresh),
-- for the user's list of sessions.
ALTER TABLE oauth_tokens ADD COLUMN ip_address TEXT;
ALTER TABLE oauth_tokens ADD COLUMN user_agent TEXT;
