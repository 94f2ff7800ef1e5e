-- GitLab's moderation states: `banned` (POST /users/:id/ban) and
-- `blocked_pending_approval` (a sign-up waiting for an admin, with
-- ROSTER_SIGNUP_APPROVAL). The CHECK on users.state is widened.
--
-- SQLite cannot alter a CHECK, and rebuilding `users` is out of reach here:
-- the migrations run in one transaction with foreign keys enforced, where
-- dropping `users` would cascade into every table that references it. A
-- constraint that only gets weaker can instead be edited in place, the
-- procedure SQLite documents for removing a CHECK (lang_altertable.html,
-- "other kinds of table schema changes"): every stored row satisfies the new
-- text, so nothing on disk changes. RESET reloads this connection's schema;
-- the table made and dropped after it moves the schema cookie, so every
-- other connection reloads its own.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(
    sql,
    'CHECK (state IN (''active'', ''blocked'', ''deactivated''))',
    'CHECK (state IN (''active'', ''blocked'', ''deactivated'', ''banned'', ''blocked_pending_approval''))'
)
WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
PRAGMA writable_schema = OFF;
CREATE TABLE roster_schema_cookie (x INTEGER);
DROP TABLE roster_schema_cookie;

-- Fails the migration (and so rolls it back) unless the new text is in place.
CREATE TEMP TABLE roster_moderation_check (widened INTEGER NOT NULL CHECK (widened = 1));
INSERT INTO roster_moderation_check
SELECT instr(sql, '''blocked_pending_approval''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'users';
DROP TABLE roster_moderation_check;
