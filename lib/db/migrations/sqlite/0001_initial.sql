-- Islet initial schema.
--
-- Every time is an INTEGER of Unix epoch MILLISECONDS (UTC), as Date.now()
-- returns: comparisons and arithmetic stay plain integer operations and no
-- time-zone or format parsing is ever involved.
-- Booleans are INTEGER 0/1 with a CHECK. Tables are STRICT so a wrong type
-- is an error instead of being stored silently.
-- Every foreign-key column has an index (lib/db/schema_test.ts checks it):
-- without one, a parent DELETE scans the whole child table.
-- COLLATE NOCASE folds ASCII letters only; lib/db/users.ts also lower-cases
-- e-mail addresses (all of Unicode) before storing or looking them up.

CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36), -- UUID v4, crypto.randomUUID()
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  email_verified_at INTEGER,
  username TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash TEXT, -- argon2id PHC string; NULL for OAuth-only accounts
  subscription_tier TEXT NOT NULL DEFAULT 'free'
    CHECK (subscription_tier IN ('free', 'pro', 'team')),
  stripe_customer_id TEXT UNIQUE,
  totp_secret_encrypted TEXT, -- AES-256-GCM, see lib/security
  -- Last accepted TOTP time step: a code for this step or an earlier one is a replay.
  totp_last_used_step INTEGER,
  two_factor_enabled INTEGER NOT NULL DEFAULT 0 CHECK (two_factor_enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- For provider 'oidc', provider_user_id is "<issuer> <sub>": a `sub` is only
-- unique within its issuer.
CREATE TABLE oauth_accounts (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider IN ('github', 'google', 'oidc')),
  provider_user_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  UNIQUE (provider, provider_user_id)
) STRICT;
CREATE INDEX oauth_accounts_user_id ON oauth_accounts (user_id);

-- expires_at is the absolute deadline; the idle deadline is
-- last_verified_at + INACTIVITY_TIMEOUT_DAYS (derived, so a shorter setting
-- applies to existing sessions at once).
CREATE TABLE sessions (
  id TEXT PRIMARY KEY NOT NULL,
  secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32), -- SHA-256 of the secret
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_verified_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  two_factor_verified INTEGER NOT NULL DEFAULT 0 CHECK (two_factor_verified IN (0, 1)),
  ip TEXT,
  user_agent TEXT
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at); -- purge of expired rows

-- Single use: the row is deleted when the token is used. token_hash is the
-- SHA-256 of the token sent by e-mail. `email` is the address being
-- verified, so a token stops working if the address changes meanwhile.
CREATE TABLE email_verification_tokens (
  token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX email_verification_tokens_user_id ON email_verification_tokens (user_id);

-- Single use, deleted when used (and all of a user's when the password changes).
CREATE TABLE password_reset_tokens (
  token_hash BLOB PRIMARY KEY NOT NULL CHECK (length(token_hash) = 32),
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX password_reset_tokens_user_id ON password_reset_tokens (user_id);

-- code_hash: a hash string (hex SHA-256 or a PHC string); used_at set once used.
CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;
CREATE INDEX recovery_codes_user_id ON recovery_codes (user_id);

-- Written from Stripe's own state (re-read on every webhook), never from
-- event payloads alone.
CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  stripe_subscription_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN (
    'incomplete', 'incomplete_expired', 'trialing', 'active',
    'past_due', 'canceled', 'unpaid', 'paused'
  )),
  price_id TEXT,
  plan TEXT,
  current_period_start INTEGER,
  current_period_end INTEGER,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),
  payment_method_brand TEXT,
  payment_method_last4 TEXT CHECK (payment_method_last4 IS NULL OR length(payment_method_last4) = 4),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX subscriptions_user_id ON subscriptions (user_id);

-- Webhook idempotency. processed_at stays NULL until handling succeeded, so
-- a delivery that failed half-way can be told apart from a duplicate.
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY NOT NULL,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
) STRICT;

CREATE TABLE preferences (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  theme TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark')),
  language TEXT NOT NULL DEFAULT 'en',
  updated_at INTEGER NOT NULL
) STRICT;

-- Kept when the user is deleted (user_id becomes NULL): the trail outlives the account.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
  event TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  created_at INTEGER NOT NULL,
  details TEXT CHECK (details IS NULL OR json_valid(details))
) STRICT;
CREATE INDEX audit_log_user_id ON audit_log (user_id, created_at);
CREATE INDEX audit_log_created_at ON audit_log (created_at);
