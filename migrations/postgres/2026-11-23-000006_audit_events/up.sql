-- Security events: who did what to whom, from where, when.
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    event_name TEXT NOT NULL,
    author_id BIGINT,
    entity_id BIGINT,
    ip_address TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_entity_id_idx ON audit_events (entity_id, id);
CREATE INDEX audit_events_author_id_idx ON audit_events (author_id, id);
CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);
