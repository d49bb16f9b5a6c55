-- Two-factor sign-in and recent authentication (issue 10).
--
-- second_factor_pending: the password (or a provider) was accepted and a
-- code is still owed. Such a session reaches only the code page and
-- sign-out; lib/auth/session.ts gives it a 10-minute deadline, and a valid
-- code replaces it with a new session (new id), never upgrades it.
-- authenticated_at: when this session last proved who is using it (the
-- sign-in itself, or the confirm-access page since); sensitive actions need
-- it to be recent. Existing sessions count from their sign-in.
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0
  CHECK (second_factor_pending IN (0, 1));
ALTER TABLE sessions ADD COLUMN authenticated_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET authenticated_at = created_at;

-- A recovery code is looked up by its hash within the account, and one
-- account never holds the same code twice.
CREATE UNIQUE INDEX recovery_codes_user_code ON recovery_codes (user_id, code_hash);
