-- Substring search (`GET /users?search=`) over a million users. A trigram
-- full-text index answers `MATCH '"term"'` for any substring of three or more
-- characters, case-insensitively (Unicode case folding), without scanning.
-- It is an external-content table: it stores only the index, and the
-- triggers below keep it in step with `users`.
CREATE VIRTUAL TABLE users_search USING fts5(
    username, name, email,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, username, name, email)
    VALUES (new.id, new.username, new.name, new.email);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, name, email)
    VALUES ('delete', old.id, old.username, old.name, old.email);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username, name, email ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, name, email)
    VALUES ('delete', old.id, old.username, old.name, old.email);
    INSERT INTO users_search (rowid, username, name, email)
    VALUES (new.id, new.username, new.name, new.email);
END;

-- Orderings of the users list (`order_by=`), with the id that breaks ties,
-- and the exact matches of short search terms.
CREATE INDEX users_lower_name_idx ON users (lower(name), id);
CREATE INDEX users_updated_at_idx ON users (updated_at, id);
CREATE INDEX users_last_activity_on_idx ON users (last_activity_on, id);
