-- GPG public keys (GitLab's): the armored key as given, with the primary
-- key's fingerprint (unique: a key belongs to one account) and id.
CREATE TABLE gpg_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    primary_keyid TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX gpg_keys_fingerprint_key ON gpg_keys (fingerprint);
CREATE INDEX gpg_keys_user_id_idx ON gpg_keys (user_id, id);
