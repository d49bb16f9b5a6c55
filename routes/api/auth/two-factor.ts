import { HttpError } from "fresh";
import { jsonOk } from "../../../lib/http/json.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { flashCookie } from "../../../lib/web/flash.ts";
import {
  isNotPending,
  secondFactorAction,
} from "../../../lib/web/second_factor_actions.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/**
 * The second step of a sign-in with two-factor on: `{ code }` (the 6
 * digits) or `{ recoveryCode }`, with the session cookie the password step
 * set. Answers the user and a new session cookie; 400 for a wrong code,
 * 429 past 5 a quarter-hour; 401 when there is no sign-in waiting for a
 * code (never started, or timed out after 10 minutes), 409 when already
 * signed in.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await secondFactorAction(ctx);
    if (outcome.ok) {
      const headers = new Headers({ "set-cookie": outcome.cookie });
      if (outcome.method === "recovery_code") {
        // For a browser going on to a page: it says how many are left too.
        headers.append(
          "set-cookie",
          flashCookie({
            kind: "recovery_code_used",
            count: outcome.recoveryCodesLeft,
          }, ctx.state.services.config.secureCookies),
        );
      }
      return jsonOk(
        {
          user: userJson(outcome.user),
          method: outcome.method,
          recoveryCodesLeft: outcome.recoveryCodesLeft,
        },
        200,
        headers,
      );
    }
    if (!isNotPending(outcome)) return failureJson(outcome);
    if (outcome.reason === "signed_in") {
      throw new HttpError(409, "You are already signed in");
    }
    throw new HttpError(
      401,
      outcome.reason === "timed_out"
        ? "Your sign-in timed out: the code must be entered within 10 minutes of the password. Sign in again"
        : "Sign in with your password first",
    );
  },
});
