-- WebAuthn credentials (§11): the public key and counters, never a secret.
-- Binary parts are stored base64url-encoded; `credential_id` is unique
-- across users (a credential belongs to one account). `user_handle` is the
-- same for every credential of a user (the WebAuthn user.id).
CREATE TABLE webauthn_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    user_handle TEXT NOT NULL,
    transports INTEGER NOT NULL,
    static_state TEXT NOT NULL,
    dynamic_state TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX webauthn_credentials_credential_id_key ON webauthn_credentials (credential_id);
CREATE INDEX webauthn_credentials_user_id_idx ON webauthn_credentials (user_id);

-- A WebAuthn ceremony under way: the relying party's state, keyed by the
-- challenge it sent, single use (deleted when answered), for every node.
-- `kind` is `registration` (for `user_id`), `second_factor` (for the
-- sign-in `mfa_challenge_id`) or `passkey` (a sign-in with a passkey
-- alone, for no one yet).
CREATE TABLE webauthn_ceremonies (
    challenge TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    mfa_challenge_id INTEGER REFERENCES mfa_challenges (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires_at_idx ON webauthn_ceremonies (expires_at);
