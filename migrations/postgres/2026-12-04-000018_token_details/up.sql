-- Personal access tokens as GitLab has them now: a description, the last
-- addresses they were used from (up to five, newest first, space-separated),
-- and impersonation tokens, which an admin makes for a user
-- (`created_by_id`: the admin, kept as it was, so that a deleted admin's
-- tokens still name who made them). And the profile's `github` field.
ALTER TABLE personal_access_tokens ADD COLUMN description TEXT;
ALTER TABLE personal_access_tokens ADD COLUMN last_used_ips TEXT NOT NULL DEFAULT '';
ALTER TABLE personal_access_tokens ADD COLUMN impersonation BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE personal_access_tokens ADD COLUMN created_by_id BIGINT;
ALTER TABLE users ADD COLUMN github TEXT NOT NULL DEFAULT '';
