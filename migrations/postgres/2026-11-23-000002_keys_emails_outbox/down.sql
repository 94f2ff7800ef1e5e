DROP TABLE outbox;
DROP TABLE email_confirmations;
DROP TABLE keys;
