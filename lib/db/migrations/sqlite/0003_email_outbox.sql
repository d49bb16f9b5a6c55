-- Mail waiting to be delivered (lib/email/outbox_table.ts). A message is
-- written here in the transaction of the change that caused it and deleted
-- once the transport accepted it; the body (which may hold a single-use
-- link) rests here until then, so the table is as sensitive as the tokens.
-- claimed_until: a deliverer owns the row until then (0: nobody); a
-- deliverer that died mid-send leaves it to be claimed again after that.
-- last_error: what kind of failure the latest attempt met (an error code),
-- never a server's reply text, which may quote the address.
CREATE TABLE email_outbox (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36), -- crypto.randomUUID()
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  html TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
) STRICT;
CREATE INDEX email_outbox_next_attempt_at ON email_outbox (next_attempt_at);
