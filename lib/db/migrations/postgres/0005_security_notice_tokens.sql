-- The "this wasn't me" links of security notices (lib/account/not_me.ts).
-- A notice (new device, password or email changed) carries a single-use
-- token; following it opens a page whose button ends every session of the
-- account and starts a password reset. Only the SHA-256 of the token is
-- stored; the row is deleted when used, and all of a user's go with the
-- account (CASCADE). `event` is what the notice was about, so the page can
-- say "the sign-in from Firefox on Linux" and the audit row can name it.
CREATE TABLE security_notice_tokens (
  token_hash BYTEA PRIMARY KEY NOT NULL CHECK (octet_length(token_hash) = 32),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX security_notice_tokens_user_id ON security_notice_tokens (user_id);

-- The security activity page reads a user's events newest first, a page at
-- a time, keyed on (created_at, id): the index carries id too, so a page
-- is one index range scan. (SQLite's index has the rowid, which is id,
-- already.)
DROP INDEX audit_log_user_id;
CREATE INDEX audit_log_user_id ON audit_log (user_id, created_at, id);
