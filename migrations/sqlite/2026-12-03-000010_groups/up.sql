-- Groups: organisations (top level) and their teams (subgroups), members,
-- invitations, and the bot users behind group access tokens.
CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    full_path TEXT NOT NULL,
    full_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL CHECK (visibility IN ('private', 'internal', 'public')),
    avatar TEXT,
    depth INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A path is unique under its parent, so a full path is unique everywhere.
CREATE UNIQUE INDEX groups_full_path_key ON groups (lower(full_path));
CREATE INDEX groups_parent_id_idx ON groups (parent_id, id);
CREATE INDEX groups_name_idx ON groups (lower(name), id);

-- Every (group, ancestor) pair, the group itself included at distance 0: the
-- inherited members of a group and the groups under one are a single join.
CREATE TABLE group_ancestors (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    ancestor_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    distance INTEGER NOT NULL,
    PRIMARY KEY (group_id, ancestor_id)
);
CREATE INDEX group_ancestors_ancestor_id_idx ON group_ancestors (ancestor_id, group_id);

CREATE TABLE group_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level INTEGER NOT NULL CHECK (access_level IN (10, 20, 30, 40, 50)),
    expires_at DATE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_members_group_id_user_id_key ON group_members (group_id, user_id);
CREATE INDEX group_members_user_id_idx ON group_members (user_id, group_id);
-- Members in id order with what a list reads of them, from the index alone.
CREATE INDEX group_members_listing_idx ON group_members (group_id, user_id, expires_at, access_level);

-- Invitations by address; the secret in the mailed link is stored as its
-- SHA-256. An invitation dies with the person who sent it.
CREATE TABLE group_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    access_level INTEGER NOT NULL CHECK (access_level IN (10, 20, 30, 40, 50)),
    expires_at DATE,
    token_digest TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_invitations_group_id_email_key ON group_invitations (group_id, email);
CREATE UNIQUE INDEX group_invitations_token_digest_key ON group_invitations (token_digest);
CREATE INDEX group_invitations_created_by_idx ON group_invitations (created_by);

-- A group access token's bot user belongs to its group and goes with it.
ALTER TABLE users ADD COLUMN bot_group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE;
CREATE INDEX users_bot_group_id_idx ON users (bot_group_id);

-- Events about groups as well as users.
ALTER TABLE audit_events ADD COLUMN entity_type TEXT NOT NULL DEFAULT 'User';
