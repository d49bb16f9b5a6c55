-- Billing (lib/billing): the webhook's claims on events and the order of
-- the reads of Stripe's state.
--
-- A delivery claims its event before the slow part (re-reading the
-- customer from Stripe): claim_token says who holds it, claimed_until
-- (Unix ms) until when; a claim that outlived its holder (a crashed
-- process) is taken over after that. processed_at is set in the same
-- transaction as what the event wrote, and `outcome` says what that was:
-- 'synced' (the customer's state written), 'ignored' (an event type that
-- changes nothing), 'unknown_customer' (no account has this customer),
-- 'no_customer' (the event names none).
ALTER TABLE stripe_events ADD COLUMN claim_token TEXT;
ALTER TABLE stripe_events ADD COLUMN claimed_until INTEGER;
ALTER TABLE stripe_events ADD COLUMN outcome TEXT
  CHECK (outcome IS NULL OR outcome IN ('synced', 'ignored', 'unknown_customer', 'no_customer'));
ALTER TABLE stripe_events ADD COLUMN customer_id TEXT;
-- Processed events are purged after a while (billing:sync); Stripe retries
-- an event for three days at most.
CREATE INDEX stripe_events_processed_at ON stripe_events (processed_at);

-- Reads of a customer's state from Stripe, in the order they began: a read
-- takes the next ticket before it starts, and its result is written only
-- if no read with a later ticket was written before it. Two events for one
-- customer handled at once (here or on another instance) can finish in
-- either order; the state written last is always from the read that began
-- last, so an older read never overwrites a newer one.
CREATE TABLE billing_sync (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  next_ticket INTEGER NOT NULL,
  written_ticket INTEGER NOT NULL DEFAULT 0,
  synced_at INTEGER
) STRICT;
