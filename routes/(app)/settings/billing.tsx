import { type Context, page, type PageResponse } from "fresh";
import { Head } from "fresh/runtime";
import { FormError } from "../../../components/Field.tsx";
import { Notice } from "../../../components/Notice.tsx";
import BillingPanel from "../../../islands/BillingPanel.tsx";
import { type Failure, failure } from "../../../lib/auth/outcome.ts";
import { billingDeps } from "../../../lib/billing/deps.ts";
import { billingState } from "../../../lib/billing/state.ts";
import { asBodyError, BodyError, readInput } from "../../../lib/http/body.ts";
import {
  checkoutAction,
  portalAction,
} from "../../../lib/web/billing_actions.ts";
import {
  type BillingView,
  billingView,
} from "../../../lib/web/billing_view.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { define, requireSignedIn, type State } from "../../../utils.ts";

interface Data {
  view: BillingView;
  /** Back from Stripe: what the return URL says happened (words only). */
  notice: string | null;
  error?: string;
}

/**
 * Checkout's return URLs carry `?checkout=done` or `?checkout=canceled`.
 * Only a sentence is chosen from it: the plan shown comes from Stripe's
 * own state, written by the webhook, never from this query.
 */
const RETURN_NOTICES: Readonly<Record<string, string>> = {
  done:
    "Thanks! Stripe has your payment; your plan will show here in a moment. Reload the page if it does not.",
  canceled: "Checkout was canceled. Nothing was charged.",
};

async function load(
  ctx: Context<State>,
  extra: { notice?: string | null; error?: string } = {},
): Promise<Data> {
  const { user } = requireSignedIn(ctx.state);
  const deps = billingDeps(ctx.state.services);
  const state = deps === null ? null : await billingState(deps, user);
  return {
    view: billingView(user, state, deps?.billing.config.prices ?? null),
    notice: extra.notice ?? null,
    error: extra.error,
  };
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const back = ctx.url.searchParams.get("checkout") ?? "";
    const notice = Object.hasOwn(RETURN_NOTICES, back)
      ? RETURN_NOTICES[back]
      : null;
    return page(await load(ctx, { notice }), {
      headers: { "cache-control": "no-store" },
    });
  },
  // Every button of the page (and the banner's) posts here: a 303 to
  // Stripe, or this page again saying why not.
  async POST(ctx) {
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return page(await load(ctx, { error: input.message }), {
        status: input.status,
      });
    }
    const outcome = input.action === "checkout"
      ? await checkoutAction(ctx, input)
      : input.action === "portal"
      ? await portalAction(ctx)
      : failure("invalid", "That form did not say what to do.");
    if (!outcome.ok) return refused(ctx, outcome);
    return new Response(null, {
      status: 303,
      headers: { location: outcome.url, "cache-control": "no-store" },
    });
  },
});

async function refused(
  ctx: Context<State>,
  f: Failure,
): Promise<PageResponse<Data>> {
  const error = f.details?.plan ? `${f.error} ${f.details.plan}` : f.error;
  return page(await load(ctx, { error }), {
    status: failureStatus(f),
    headers: failureHeaders(f),
  });
}

/** Settings, Billing: the plan, its subscription, and the way to change it. */
export default define.page<typeof handler>(function BillingSettings(
  { data },
) {
  return (
    <section aria-labelledby="billing-title" class="space-y-6">
      <Head>
        <title>Billing · Settings · Islet</title>
      </Head>
      <h2 id="billing-title" class="text-2xl font-bold">Billing</h2>
      <Notice message={data.notice} />
      <FormError message={data.error} />
      <BillingPanel view={data.view} />
    </section>
  );
});
