/**
 * Where a sign-in that owes its second factor goes. No imports: the
 * sign-in island uses it in the browser too.
 *
 * @module
 */

/** The code page. */
export const SECOND_FACTOR_PAGE = "/login/two-factor";

/** The JSON endpoint that takes the code. */
export const SECOND_FACTOR_API = "/api/auth/two-factor";

/**
 * The code page, carrying where to go once the code is accepted. `next`
 * must already be checked (`safeNext`); the code page checks it again.
 *
 * @example
 * ```ts
 * secondFactorPage("/settings?tab=1"); // "/login/two-factor?next=%2Fsettings%3Ftab%3D1"
 * secondFactorPage("/settings", true); // "/login/two-factor?next=%2Fsettings&method=recovery"
 * ```
 */
export function secondFactorPage(next: string, recovery = false): string {
  return `${SECOND_FACTOR_PAGE}?next=${encodeURIComponent(next)}${
    recovery ? "&method=recovery" : ""
  }`;
}
