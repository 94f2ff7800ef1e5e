DROP TABLE oauth_tokens;
DROP TABLE personal_access_tokens;
DROP TABLE identities;
DROP TABLE emails;
DROP TABLE users;
