DROP TABLE unknown_sign_in_failures;
