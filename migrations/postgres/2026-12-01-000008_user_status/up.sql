-- A user's status (GitLab's /user/status): one row a user, none when no
-- status is set. A status whose clear_status_at has passed is treated as
-- unset when read, so nothing has to sweep the table.
CREATE TABLE user_statuses (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT,
    message TEXT,
    availability TEXT NOT NULL,
    clear_status_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
