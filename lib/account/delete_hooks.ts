/**
 * What other features do when an account is deleted: the one place they
 * hook into. Each hook runs inside the deletion's transaction, before any
 * row goes, and may refuse the deletion by throwing: then nothing is
 * deleted, no session ends and no goodbye is sent.
 *
 * Billing adds its hook here (cancel the Stripe subscription, so a deleted
 * account is not charged again), as one line in
 * {@linkcode BEFORE_DELETE_HOOKS}. A list in code rather than a registry
 * filled at start-up: what runs on deletion is read in one place, and no
 * import order decides it.
 *
 * @module
 */
import type { Billing } from "../billing/client.ts";
import { cancelBillingOnDelete } from "../billing/delete_hook.ts";
import type { Queryable } from "../db/db.ts";
import type { User } from "../db/users.ts";

export { DeleteRefusedError } from "./delete_refused.ts";

/** What a hook is given. */
export interface DeleteContext {
  /** The deletion's transaction: write through it, never through the database. */
  tx: Queryable;
  /** The account being deleted, as it was when deletion began. */
  user: User;
  /** The deletion's time (Unix ms). */
  now: number;
  /** Stripe, when configured (null otherwise). */
  billing: Billing | null;
}

/** A step run before an account's rows are deleted. */
export interface BeforeDeleteHook {
  /** For logs and errors, e.g. "billing: cancel subscription". */
  name: string;
  run(ctx: DeleteContext): Promise<void>;
}

/**
 * The hooks every deletion runs, in order. A hook refuses the deletion
 * with a message for the person by throwing `DeleteRefusedError`
 * (answered 503, nothing deleted); any other throw is a failure (500,
 * nothing deleted either).
 *
 * @example
 * ```ts
 * const cancelSubscription: BeforeDeleteHook = {
 *   name: "billing: cancel subscription",
 *   async run({ tx, user }) {
 *     await tx.run("UPDATE subscriptions SET cancel_at_period_end = 1 WHERE user_id = ?", [user.id]);
 *   },
 * };
 * const hooks = [...BEFORE_DELETE_HOOKS, cancelSubscription];
 * ```
 */
export const BEFORE_DELETE_HOOKS: readonly BeforeDeleteHook[] = [
  cancelBillingOnDelete,
];
