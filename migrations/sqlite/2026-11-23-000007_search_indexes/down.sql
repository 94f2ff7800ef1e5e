DROP INDEX users_last_activity_on_idx;
DROP INDEX users_updated_at_idx;
DROP INDEX users_lower_name_idx;
DROP TRIGGER users_search_update;
DROP TRIGGER users_search_delete;
DROP TRIGGER users_search_insert;
DROP TABLE users_search;
