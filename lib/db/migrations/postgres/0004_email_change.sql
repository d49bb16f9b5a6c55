-- Changing the account's email address (issue 9, item 5).
--
-- The address switches only when the new one is confirmed from its own
-- inbox (purpose 'confirm', 24 hours); until then the account keeps its
-- verified address, so a mistyped or hostile address never becomes the
-- one that signs in and receives resets. Once switched, the old address is
-- sent a link that puts it back (purpose 'undo', 7 days).
--
-- Single use: a row is deleted when its token is used. token_hash is the
-- SHA-256 of the token in the link. Both addresses are kept so a token
-- only acts while the account is still in the state it was made for (a
-- confirm while the account still has old_email, an undo while it still
-- has new_email).
CREATE TABLE email_change_tokens (
  token_hash BYTEA PRIMARY KEY NOT NULL CHECK (octet_length(token_hash) = 32),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'undo')),
  old_email TEXT NOT NULL,
  new_email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX email_change_tokens_user_id ON email_change_tokens (user_id);
