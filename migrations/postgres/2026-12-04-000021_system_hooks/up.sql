-- System hooks (GitLab's), with Roster's signing secret and event filter.
-- The token and the signing secret are sealed with the secret key (they
-- must be sent, so they cannot be hashed). Delivery state lives on the
-- hook: the last event it has done with, the failures in a row, the time
-- before which it is not tried again, and the node holding its lease.
CREATE TABLE system_hooks (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    name TEXT,
    description TEXT,
    token_sealed TEXT,
    signing_secret_sealed TEXT,
    push_events BOOLEAN NOT NULL DEFAULT FALSE,
    tag_push_events BOOLEAN NOT NULL DEFAULT FALSE,
    merge_requests_events BOOLEAN NOT NULL DEFAULT FALSE,
    repository_update_events BOOLEAN NOT NULL DEFAULT TRUE,
    enable_ssl_verification BOOLEAN NOT NULL DEFAULT TRUE,
    events TEXT,
    last_event_id BIGINT NOT NULL DEFAULT 0,
    recent_failures INTEGER NOT NULL DEFAULT 0,
    disabled_until TIMESTAMP,
    disabled_at TIMESTAMP,
    lease_owner TEXT,
    leased_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The outbox of events: written in the transaction of the change that
-- caused it, only while some hook is enabled; each hook reads it in order.
CREATE TABLE system_events (
    id BIGSERIAL PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- The delivery log: one row per event and hook (and per test), with the
-- payload as sent, so that it can be sent again.
CREATE TABLE hook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    hook_id BIGINT NOT NULL REFERENCES system_hooks (id) ON DELETE CASCADE,
    event_id BIGINT,
    webhook_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    test BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    response_code INTEGER,
    duration_ms BIGINT,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX hook_deliveries_hook_id_idx ON hook_deliveries (hook_id, id);
CREATE UNIQUE INDEX hook_deliveries_event_key ON hook_deliveries (hook_id, event_id) WHERE NOT test;
