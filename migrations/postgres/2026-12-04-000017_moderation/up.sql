-- GitLab's moderation states: `banned` (POST /users/:id/ban) and
-- `blocked_pending_approval` (a sign-up waiting for an admin, with
-- ROSTER_SIGNUP_APPROVAL).
ALTER TABLE users DROP CONSTRAINT users_state_check;
ALTER TABLE users ADD CONSTRAINT users_state_check
    CHECK (state IN ('active', 'blocked', 'deactivated', 'banned', 'blocked_pending_approval'));
