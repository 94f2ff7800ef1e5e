-- Privacy settings, avatars, follows, preferences and custom attributes.
ALTER TABLE users ADD COLUMN searchable BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN show_followers BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN share_activity BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN avatar TEXT;

-- Images by content: the name is the SHA-256 of the bytes plus an extension,
-- so identical uploads share a row and names never change meaning.
CREATE TABLE avatars (
    name TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE follows (
    follower_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee_id_idx ON follows (followee_id, follower_id);

CREATE TABLE user_preferences (
    user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE custom_attributes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX custom_attributes_key_value_idx ON custom_attributes (key, value);
