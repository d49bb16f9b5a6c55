-- The failed-payment banner's fact on the user row (lib/billing/payment_notice.ts):
-- 'past_due' (a payment failed and Stripe is retrying; the plan still
-- works) or 'unpaid' (Stripe gave up; the plan is on hold), else NULL. It
-- is written by the billing sync in the transaction that writes the
-- subscriptions and the tier (lib/billing/sync.ts), so every signed-in
-- page reads it with the session's user (the row cache on PostgreSQL)
-- instead of looking it up in the cache or the subscriptions.
ALTER TABLE users ADD COLUMN payment_problem TEXT
  CHECK (payment_problem IS NULL OR payment_problem IN ('past_due', 'unpaid'));

-- Accounts already past due or unpaid: the status of the subscription the
-- account's billing is about (lib/billing/state.ts mainSubscription: live
-- before paused before ended, then the latest period end, then the oldest).
UPDATE users SET payment_problem = (
  SELECT CASE WHEN s.status IN ('past_due', 'unpaid') THEN s.status END
  FROM subscriptions AS s
  WHERE s.user_id = users.id
  ORDER BY
    CASE
      WHEN s.status IN ('active', 'trialing', 'past_due', 'unpaid') THEN 0
      WHEN s.status IN ('paused', 'incomplete') THEN 1
      WHEN s.status IN ('canceled', 'incomplete_expired') THEN 2
      ELSE 3
    END,
    COALESCE(s.current_period_end, 0) DESC,
    s.created_at, s.id
  LIMIT 1
)
WHERE EXISTS (
  SELECT 1 FROM subscriptions AS s
  WHERE s.user_id = users.id AND s.status IN ('past_due', 'unpaid')
);
