import { PublicError } from "../../../lib/http/public_error.ts";
import {
  BILLING_NOT_CONFIGURED,
  billingDeps,
} from "../../../lib/billing/deps.ts";
import {
  handleWebhook,
  MAX_WEBHOOK_BYTES,
} from "../../../lib/billing/webhook.ts";
import { readRawText } from "../../../lib/http/body.ts";
import { jsonError, jsonOk } from "../../../lib/http/json.ts";
import { define } from "../../../utils.ts";

/**
 * Stripe's events (`lib/billing/webhook.ts`). Exempt from the origin
 * check and the rate limits (`app.ts`): the signature is the check, and
 * refusing Stripe's retries would lose events.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const deps = billingDeps(ctx.state.services);
    if (deps === null) throw new PublicError(404, BILLING_NOT_CONFIGURED);
    const payload = await readRawText(ctx.req, MAX_WEBHOOK_BYTES);
    const answer = await handleWebhook(
      deps,
      payload,
      ctx.req.headers.get("stripe-signature"),
    );
    if (answer.status === 200) {
      return jsonOk({ received: true, result: answer.result });
    }
    return jsonError(answer.status, answer.error);
  },
});
