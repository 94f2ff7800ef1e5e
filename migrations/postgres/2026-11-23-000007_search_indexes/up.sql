-- Substring search (`GET /users?search=`) over a million users: trigram GIN
-- indexes answer `lower(column) LIKE '%term%'` for terms of three or more
-- characters without scanning. `fastupdate = off`: with the default, new
-- entries wait in a pending list that every search reads in full until a
-- vacuum merges it (at 10,000 entries, several milliseconds a search); users are read far
-- more often than written. pg_trgm ships with PostgreSQL and is a trusted
-- extension (13+), so a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- User name and name share one index (one scan per search instead of two);
-- queries use exactly this expression, then test each column.
CREATE INDEX users_names_trgm_idx ON users USING gin ((lower(username) || ' ' || lower(name)) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops) WITH (fastupdate = off);

-- Orderings of the users list (`order_by=`), with the id that breaks ties,
-- and the exact matches of short search terms.
CREATE INDEX users_lower_name_idx ON users (lower(name), id);
CREATE INDEX users_updated_at_idx ON users (updated_at, id);
CREATE INDEX users_last_activity_on_idx ON users (last_activity_on, id);
