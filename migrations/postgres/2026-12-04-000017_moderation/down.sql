-- Back to three states: banned and pending users become blocked.
UPDATE users SET state = 'blocked' WHERE state IN ('banned', 'blocked_pending_approval');
ALTER TABLE users DROP CONSTRAINT users_state_check;
ALTER TABLE users ADD CONSTRAINT users_state_check CHECK (state IN ('active', 'blocked', 'deactivated'));
