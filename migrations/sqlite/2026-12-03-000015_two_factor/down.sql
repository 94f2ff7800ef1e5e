DROP TABLE sealed_values;
DROP TABLE mfa_challenges;
DROP TABLE recovery_codes;
DROP TABLE totp_credentials;
ALTER TABLE users DROP COLUMN two_factor_enabled;
