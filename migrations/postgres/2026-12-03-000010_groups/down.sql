ALTER TABLE audit_events DROP COLUMN entity_type;
DROP INDEX users_bot_group_id_idx;
ALTER TABLE users DROP COLUMN bot_group_id;
DROP TABLE group_invitations;
DROP TABLE group_members;
DROP TABLE group_ancestors;
DROP TABLE groups;
