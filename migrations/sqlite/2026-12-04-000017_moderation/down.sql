-- Back to three states: banned and pending users become blocked (an admin
-- unblocks them), then the CHECK is narrowed the way up.sql widened it
-- (narrowing is safe once no row holds a removed value).
UPDATE users SET state = 'blocked' WHERE state IN ('banned', 'blocked_pending_approval');
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(
    sql,
    'CHECK (state IN (''active'', ''blocked'', ''deactivated'', ''banned'', ''blocked_pending_approval''))',
    'CHECK (state IN (''active'', ''blocked'', ''deactivated''))'
)
WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
PRAGMA writable_schema = OFF;
CREATE TABLE roster_schema_cookie (x INTEGER);
DROP TABLE roster_schema_cookie;
