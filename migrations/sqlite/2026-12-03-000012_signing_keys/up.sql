-- The keys that sign ID tokens, shared by every node. The private key is
-- sealed with the secret key (ROSTER_SECRET_KEY or its file), which is not
-- in the database. The newest unretired key signs; a retired key stays
-- published until the tokens it signed have expired.
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kid TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
CREATE UNIQUE INDEX signing_keys_kid_key ON signing_keys (kid);
