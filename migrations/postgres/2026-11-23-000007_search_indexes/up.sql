-- Substring search (`GET /users?search=`) over a million users: trigram GIN
-- indexes answer `lower(column) LIKE '%term%'` for terms of three or more
-- characters without scanning. pg_trgm ships with PostgreSQL and is a trusted
-- extension (13+), so a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_username_trgm_idx ON users USING gin (lower(username) gin_trgm_ops);
CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);

-- Orderings of the users list (`order_by=`), with the id that breaks ties,
-- and the exact matches of short search terms.
CREATE INDEX users_lower_name_idx ON users (lower(name), id);
CREATE INDEX users_updated_at_idx ON users (updated_at, id);
CREATE INDEX users_last_activity_on_idx ON users (last_activity_on, id);
