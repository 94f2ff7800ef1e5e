DROP TABLE custom_attributes;
DROP TABLE user_preferences;
DROP TABLE follows;
DROP TABLE avatars;
ALTER TABLE users DROP COLUMN avatar;
ALTER TABLE users DROP COLUMN share_activity;
ALTER TABLE users DROP COLUMN show_followers;
ALTER TABLE users DROP COLUMN searchable;
