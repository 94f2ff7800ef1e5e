DROP TABLE gpg_keys;
