/**
 * What an account whose email address is not confirmed yet may not do:
 * decided here and nowhere else. Such an account can sign in, see and
 * change its settings and send itself a new confirmation link; what could
 * cost money or reach other people waits until the address is proved,
 * because until then nobody knows that the person can be reached (for a
 * receipt, a failed payment, a reset) or that the address is theirs.
 *
 * Features ask {@linkcode mayUse} (to show or hide) and
 * {@linkcode requireVerified} (to refuse, as a domain failure the web
 * layer turns into 403).
 *
 * @module
 */
import type { User } from "../db/users.ts";
import { type Failure, failure } from "./outcome.ts";

/** The features that exist to be gated; add one here to gate it. */
export const GATED_FEATURES = ["billing"] as const;

/** One gated feature. */
export type GatedFeature = typeof GATED_FEATURES[number];

/**
 * Whether each feature needs a confirmed address: the one table to read
 * to know what an unverified account cannot do.
 */
const NEEDS_CONFIRMED_ADDRESS: Readonly<Record<GatedFeature, boolean>> = {
  // Stripe sends receipts and payment failures to this address, and a
  // customer made for an address that is not the payer's is hard to undo.
  billing: true,
};

const WHAT: Readonly<Record<GatedFeature, string>> = {
  billing: "choose a plan",
};

/**
 * Whether the user may use `feature` now.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const showUpgrade = mayUse(user, "billing");
 * ```
 */
export function mayUse(
  user: Pick<User, "emailVerifiedAt">,
  feature: GatedFeature,
): boolean {
  return !NEEDS_CONFIRMED_ADDRESS[feature] || user.emailVerifiedAt !== null;
}

/**
 * Null when the user may use `feature`, else the refusal to answer with
 * (`unverified`, 403), saying what to do.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const refused = requireVerified(user, "billing");
 * if (refused) console.log(refused.error); // "Confirm your email address to choose a plan…"
 * ```
 */
export function requireVerified(
  user: Pick<User, "emailVerifiedAt">,
  feature: GatedFeature,
): Failure<"unverified"> | null {
  if (mayUse(user, feature)) return null;
  return failure(
    "unverified",
    `Confirm your email address to ${
      WHAT[feature]
    }: open the link we sent you, or send a new one.`,
  );
}
