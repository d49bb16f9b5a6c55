import { type Context, page } from "fresh";
import { Head } from "fresh/runtime";
import { FormError } from "../../../components/Field.tsx";
import { Notice } from "../../../components/Notice.tsx";
import RecoveryCodes from "../../../islands/RecoveryCodes.tsx";
import TwoFactorSetup from "../../../islands/TwoFactorSetup.tsx";
import type { Failure } from "../../../lib/auth/outcome.ts";
import type { TwoFactorSetup as Setup } from "../../../lib/auth/two_factor.ts";
import { asBodyError, BodyError, readInput } from "../../../lib/http/body.ts";
import { PublicError } from "../../../lib/http/public_error.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { flashCookie, takeFlash } from "../../../lib/web/flash.ts";
import {
  disableTwoFactorAction,
  enableTwoFactorAction,
  pendingSetupOf,
  regenerateRecoveryCodesAction,
  startTwoFactorSetupAction,
  type TwoFactorStatus,
  twoFactorStatusAction,
} from "../../../lib/web/two_factor_actions.ts";
import { define, type State } from "../../../utils.ts";

interface Data {
  status: TwoFactorStatus;
  notice?: string | null;
  /** A setup under way: its QR code, key and code field. */
  setup?: Setup;
  /** Recovery codes to show this once: after turning on, or new ones. */
  recoveryCodes?: string[];
  /** Which codes those are: the first set (just turned on) or a new set. */
  codesAre?: "first" | "new";
  error?: string;
  codeError?: string;
}

const PATH = "/settings/two-factor";
// Every answer of this page is the account's own, some hold a secret or
// recovery codes: never kept by a cache, never re-shown from history.
const NO_STORE = { "cache-control": "no-store" };

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "two_factor_disabled",
    ]);
    return page({ status: await statusOf(ctx), notice: flash.message }, {
      headers: { ...NO_STORE, ...flash.headers },
    });
  },
  // Each form says what it does in `action`. Setting up and turning on
  // answer with the next step rendered (the key and the recovery codes
  // must not travel in a URL or a cookie); turning off redirects.
  async POST(ctx) {
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return render(ctx, { error: input.message }, input.status);
    }
    switch (input.action) {
      case "setup": {
        const outcome = await startTwoFactorSetupAction(ctx);
        if (!outcome.ok) return refused(ctx, outcome);
        return render(ctx, { setup: outcome.setup });
      }
      case "enable": {
        const outcome = await enableTwoFactorAction(ctx, input);
        if (outcome.ok) {
          return render(ctx, {
            recoveryCodes: outcome.recoveryCodes,
            codesAre: "first",
          });
        }
        // A wrong code keeps the setup: the key is already in the app.
        const setup = outcome.reason === "taken"
          ? null
          : await pendingSetupOf(ctx);
        if (setup === null) return refused(ctx, outcome);
        return render(
          ctx,
          {
            setup,
            codeError: outcome.details?.code,
            error: outcome.details?.code ? undefined : outcome.error,
          },
          failureStatus(outcome),
          failureHeaders(outcome),
        );
      }
      case "regenerate": {
        const outcome = await regenerateRecoveryCodesAction(ctx);
        if (outcome instanceof Response) return outcome;
        if (!outcome.ok) return refused(ctx, outcome);
        return render(ctx, {
          recoveryCodes: outcome.recoveryCodes,
          codesAre: "new",
        });
      }
      case "disable": {
        const outcome = await disableTwoFactorAction(ctx);
        if (outcome instanceof Response) return outcome;
        if (!outcome.ok) return refused(ctx, outcome);
        return new Response(null, {
          status: 303,
          headers: {
            location: PATH,
            "set-cookie": flashCookie(
              { kind: "two_factor_disabled" },
              ctx.state.services.config.secureCookies,
            ),
          },
        });
      }
      default:
        return render(ctx, { error: "Choose one of the buttons" }, 400);
    }
  },
});

type Ctx = Context<State>;

/** The status, or the page's 429 when the account asked too often. */
async function statusOf(ctx: Ctx): Promise<TwoFactorStatus> {
  const outcome = await twoFactorStatusAction(ctx);
  if (!outcome.ok) throw new PublicError(429, outcome.error);
  const { enabled, recoveryCodesLeft, available } = outcome;
  return { enabled, recoveryCodesLeft, available };
}

async function render(
  ctx: Ctx,
  data: Omit<Data, "status">,
  status = 200,
  headers: Record<string, string> = {},
) {
  return page({ ...data, status: await statusOf(ctx) }, {
    status,
    headers: { ...NO_STORE, ...headers },
  });
}

function refused(ctx: Ctx, outcome: Failure) {
  return render(
    ctx,
    { error: outcome.error },
    failureStatus(outcome),
    failureHeaders(outcome),
  );
}

const TEXT = "text-sm text-slate-700 dark:text-slate-300";
const SECONDARY =
  "rounded-md border border-slate-500 px-4 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-400 dark:hover:bg-slate-800";
const DANGER =
  "rounded-md border border-red-700 px-4 py-2 text-sm font-medium text-red-800 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950";

/** Settings, Two-factor authentication: turn it on, see it, turn it off. */
export default define.page<typeof handler>(function TwoFactorSettings(
  { data },
) {
  const { status } = data;
  return (
    <section aria-labelledby="two-factor-title" class="max-w-2xl space-y-6">
      <Head>
        <title>Two-factor authentication · Settings · Islet</title>
      </Head>
      <div>
        <h2 id="two-factor-title" class="text-2xl font-bold">
          Two-factor authentication
        </h2>
        <p class={`mt-2 ${TEXT}`}>
          With two-factor on, signing in takes your password and a 6-digit code
          from an app on your phone, so a stolen password alone cannot open your
          account.
        </p>
      </div>
      <Notice message={data.notice} />
      {!status.available
        ? (
          <p data-testid="two-factor-unavailable" class={TEXT}>
            Two-factor authentication is not available on this server yet: its
            operator has not set the key that keeps two-factor secrets encrypted
            (<code>ENCRYPTION_KEY</code>). Ask them to set it.
          </p>
        )
        : data.codesAre === "new" && data.recoveryCodes
        ? <NewCodes codes={data.recoveryCodes} />
        : status.enabled && data.codesAre !== "first"
        ? <TurnedOn data={data} />
        : (
          <TwoFactorSetup
            setup={data.setup}
            recoveryCodes={data.recoveryCodes}
            error={data.error}
            codeError={data.codeError}
          />
        )}
    </section>
  );
});

/** New recovery codes, as the answer of the form that asked for them. */
function NewCodes({ codes }: { codes: string[] }) {
  return (
    <div class="space-y-4">
      <p role="status" class="font-medium">
        New recovery codes were made. The old ones no longer work.
      </p>
      <RecoveryCodes codes={codes} />
      <p>
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href={PATH}
        >
          I have stored my recovery codes
        </a>
      </p>
    </div>
  );
}

/** Two-factor on: how many codes are left, new codes, turning it off. */
function TurnedOn({ data }: { data: Data }) {
  const left = data.status.recoveryCodesLeft;
  return (
    <div class="space-y-6">
      <FormError message={data.error} />
      <div>
        <p class="font-medium" data-testid="two-factor-state">
          Two-factor authentication is on.
        </p>
        <p class={`mt-1 ${TEXT}`} data-testid="recovery-codes-left">
          {left === 1
            ? "1 recovery code left."
            : `${left} recovery codes left.`}
          {left <= 3 && " Make new ones before you run out."}
        </p>
      </div>
      <form method="post" action={PATH} class="space-y-2">
        <input type="hidden" name="action" value="regenerate" />
        <h3 class="font-semibold">Recovery codes</h3>
        <p class={TEXT}>
          Lost your codes, or used most of them? Make a new set of ten; the old
          ones stop working. You may be asked for your password first.
        </p>
        <button type="submit" class={SECONDARY}>
          Make new recovery codes
        </button>
      </form>
      <form method="post" action={PATH} class="space-y-2">
        <input type="hidden" name="action" value="disable" />
        <h3 class="font-semibold">Turn off two-factor</h3>
        <p class={TEXT}>
          Signing in will take only your password, and your recovery codes stop
          working. You may be asked for your password first.
        </p>
        <button type="submit" class={DANGER}>Turn off two-factor</button>
      </form>
    </div>
  );
}
