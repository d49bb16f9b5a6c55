-- The "this wasn't me" links of security notices (lib/account/not_me.ts).
-- A notice (new device, password or email changed) carries a single-use
-- token; following it opens a page whose button ends every session of the
-- account and starts a password reset. Only the SHA-256 of the token is
-- stored; the row is deleted when used, and all of a user's go with the
-- account (CASCADE). `event` is what the notice was about, so the page can
-- say "the sign-in from Firefox on Linux" and the audit row can name it.
CREATE TABLE security_notice_tokens (
  token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX security_notice_tokens_user_id ON security_notice_tokens (user_id);
