DROP INDEX users_last_activity_on_idx;
DROP INDEX users_updated_at_idx;
DROP INDEX users_lower_name_idx;
DROP INDEX users_email_trgm_idx;
DROP INDEX users_names_trgm_idx;
-- The extension stays: other schemas in the database may use it.
