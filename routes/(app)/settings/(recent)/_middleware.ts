import { requireRecentAuth } from "../../../../lib/web/recent_auth.ts";
import { define } from "../../../../utils.ts";

/**
 * The settings pages of this group change how the account is reached
 * (email, password) or end it: every method of each needs a sign-in proof
 * from the last 10 minutes, else the visitor is sent to confirm it and
 * brought back (lib/web/recent_auth.ts). A page put here is gated by being
 * here; the JSON routes of the same actions call `requireRecentAuth`.
 */
export default define.middleware((ctx) => requireRecentAuth(ctx) ?? ctx.next());
