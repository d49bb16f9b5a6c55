import { page } from "fresh";
import { Head } from "fresh/runtime";
import { entitlements, UPGRADE_PATH } from "../../lib/billing/entitlements.ts";
import { upgradeMessage } from "../../lib/web/entitlement.ts";
import { define, requireSignedIn } from "../../utils.ts";

interface Data {
  allowed: boolean;
}

/** An example page gated by plan: reports, for Pro and Team accounts. */
export const handler = define.handlers<Data>({
  GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    const allowed = entitlements(user).may("pro_reports");
    return page({ allowed }, {
      status: allowed ? 200 : 403,
      headers: { "cache-control": "no-store" },
    });
  },
});

const LINK =
  "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";

export default define.page<typeof handler>(function Pro({ data, state }) {
  const { user } = requireSignedIn(state);
  const plan = entitlements(user).plan;
  return (
    <div class="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:py-12">
      <Head>
        <title>Reports · Islet</title>
      </Head>
      <h1 class="text-3xl font-bold">Reports</h1>
      {data.allowed
        ? (
          <section aria-labelledby="report-title" class="space-y-2">
            <h2 id="report-title" class="text-xl font-bold">
              Your {plan.name} plan
            </h2>
            <p class="text-slate-700 dark:text-slate-300">
              Your plan includes reports. It allows up to {plan.limits.projects}
              {" "}
              projects and {plan.limits.members}{" "}
              {plan.limits.members === 1 ? "member" : "members"}.
            </p>
          </section>
        )
        : (
          <section
            aria-labelledby="upgrade-title"
            class="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-amber-950"
          >
            <h2 id="upgrade-title" class="text-xl font-bold">
              Upgrade to see reports
            </h2>
            <p class="text-slate-800 dark:text-slate-200">
              {upgradeMessage("pro_reports")} You are on the {plan.name} plan.
            </p>
            <p>
              <a class={LINK} href={UPGRADE_PATH}>Choose a plan</a>
            </p>
          </section>
        )}
    </div>
  );
});
