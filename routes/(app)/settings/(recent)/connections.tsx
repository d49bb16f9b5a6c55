import { type Context, page } from "fresh";
import { Head } from "fresh/runtime";
import { Notice } from "../../../../components/Notice.tsx";
import {
  asBodyError,
  BodyError,
  readInput,
} from "../../../../lib/http/body.ts";
import { PublicError } from "../../../../lib/http/public_error.ts";
import {
  connectionsAction,
  disconnectAction,
} from "../../../../lib/web/connections_actions.ts";
import type {
  ConnectionsView,
  ConnectionView,
} from "../../../../lib/web/connections_view.ts";
import { formatUtcDate } from "../../../../lib/web/date_time.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../../lib/web/failure_answer.ts";
import {
  flashCookie,
  type FlashKind,
  takeFlash,
} from "../../../../lib/web/flash.ts";
import { define, type State } from "../../../../utils.ts";
import { CONNECTIONS_PATH } from "../../../../lib/oauth/accounts_link.ts";

/**
 * Settings, Connected accounts: the sign-in providers this server offers,
 * each connected (who, since when, Disconnect) or not (Connect, which
 * starts the provider's flow with `intent=link`), then the links whose
 * provider is no longer configured. A page of the `(recent)` group: its
 * GET and POST need a sign-in from the last 10 minutes.
 */

interface Data {
  view: ConnectionsView;
  notice: string | null;
  /** The notice is a refusal (the provider account is someone else's). */
  warning?: boolean;
  /** A refused Disconnect: the words, and whether it was the last-method rule. */
  error?: { message: string; lastMethod: boolean };
}

const PATH = CONNECTIONS_PATH;
const NO_STORE = { "cache-control": "no-store" };

/**
 * The notices this page shows: a connection is finished by the provider's
 * callback (lib/web/oauth_finish.ts), which comes back here with one.
 */
const FLASH_KINDS: FlashKind[] = [
  "oauth_connected",
  "oauth_taken",
  "oauth_already_linked",
  "oauth_disconnected",
];

type Ctx = Context<State>;

/** What the page shows; the group's middleware has checked the recent sign-in. */
async function viewOf(ctx: Ctx): Promise<ConnectionsView> {
  const outcome = await connectionsAction(ctx);
  if (outcome instanceof Response) {
    throw new PublicError(403, "Confirm it is you first.");
  }
  if (!outcome.ok) throw new PublicError(429, outcome.error);
  return outcome.view;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    const view = await viewOf(ctx);
    const flash = takeFlash(
      ctx.req,
      services.config.secureCookies,
      FLASH_KINDS,
      services.oauth.list.map((c) => c.name),
    );
    return page({ view, notice: flash.message, warning: flash.warning }, {
      headers: { ...flash.headers, ...NO_STORE },
    });
  },
  // A plain form per link (`intent=unlink&link=<id>`), so this works
  // without JavaScript; post/redirect/get with a flash on success.
  async POST(ctx) {
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return page({
        view: await viewOf(ctx),
        notice: null,
        error: {
          message: input.message,
          lastMethod: false,
        },
      }, { status: input.status, headers: NO_STORE });
    }
    if (input.intent !== "unlink" || typeof input.link !== "string") {
      throw new PublicError(400, "That form did not say what to do.");
    }
    const outcome = await disconnectAction(ctx, input.link);
    if (outcome instanceof Response) return outcome;
    if (!outcome.ok) {
      return page({
        view: await viewOf(ctx),
        notice: null,
        error: {
          message: outcome.error,
          lastMethod: outcome.reason === "last_method",
        },
      }, {
        status: failureStatus(outcome),
        headers: { ...failureHeaders(outcome), ...NO_STORE },
      });
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: PATH,
        "set-cookie": flashCookie(
          { kind: "oauth_disconnected", provider: outcome.providerIndex },
          ctx.state.services.config.secureCookies,
        ),
      },
    });
  },
});

const LINK =
  "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";
const CARD =
  "space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800";
/** One line of a card: what it is, then its button (beside it from small screens up). */
const ROW = "flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between";
const MUTED = "text-sm text-slate-700 dark:text-slate-300";

/** How to get out of the last-method rule: a password, through the reset link. */
function SetPasswordFirst({ id }: { id?: string }) {
  return (
    <p id={id} class="text-sm">
      This is your only way to sign in, so it cannot be disconnected yet. Set a
      password first:{" "}
      <a class={LINK} href="/forgot-password">
        ask for a link to choose one
      </a>
      , then come back here.
    </p>
  );
}

function Since({ ms }: { ms: number }) {
  return <time datetime={new Date(ms).toISOString()}>{formatUtcDate(ms)}</time>;
}

/** One connected identity: who, since when, and its Disconnect form. */
function Connected(
  { connection, name, lastMethod }: {
    connection: ConnectionView;
    name: string;
    lastMethod: boolean;
  },
) {
  const hintId = `last-method-${connection.id}`;
  return (
    <div class={ROW} data-connection-id={connection.id}>
      <div class="min-w-0 space-y-2">
        <p class={MUTED}>
          Connected as{" "}
          <strong class="break-words font-medium text-slate-950 dark:text-white">
            {connection.label}
          </strong>{" "}
          since <Since ms={connection.createdAt} />.
        </p>
        {lastMethod && <SetPasswordFirst id={hintId} />}
      </div>
      <form method="post" action={PATH} class="shrink-0">
        <input type="hidden" name="intent" value="unlink" />
        <input type="hidden" name="link" value={connection.id} />
        <button
          type="submit"
          class="rounded-md border border-red-700 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
          aria-label={`Disconnect ${name} (${connection.label})`}
          aria-describedby={lastMethod ? hintId : undefined}
        >
          Disconnect
        </button>
      </form>
    </div>
  );
}

/** Settings, Connected accounts. */
export default define.page<typeof handler>(function ConnectionsSettings(
  { data },
) {
  const { view, error } = data;
  const nothing = view.providers.length === 0 && view.retired.length === 0;
  return (
    <section aria-labelledby="connections-title" class="space-y-6">
      <Head>
        <title>Connected accounts · Settings · Islet</title>
      </Head>
      <div>
        <h2 id="connections-title" class="text-2xl font-bold">
          Connected accounts
        </h2>
        <p class={`mt-2 ${MUTED}`}>
          Sign in to Islet with an account you already have elsewhere. Each
          account connected here signs in to this one.
        </p>
      </div>
      <Notice message={data.notice} warning={data.warning} />
      {error && (
        <div
          role="alert"
          class="space-y-1 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <p>{error.message}</p>
          {error.lastMethod && (
            <p>
              <a class="font-medium underline" href="/forgot-password">
                Ask for a link to set a password
              </a>
            </p>
          )}
        </div>
      )}
      {nothing && (
        <p class={MUTED}>
          No sign-in providers are set up on this server, so there is nothing to
          connect.
        </p>
      )}
      {view.providers.length > 0 && (
        <ul class="space-y-3" aria-label="Sign-in providers">
          {view.providers.map((p) => (
            <li key={p.id} class={CARD} data-provider={p.id}>
              <h3 class="font-semibold">{p.name}</h3>
              {p.connections.length === 0
                ? (
                  <div class={ROW}>
                    <p class={MUTED}>Not connected.</p>
                    <a
                      href={p.connectHref}
                      class="shrink-0 self-start rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800"
                    >
                      Connect {p.name}
                    </a>
                  </div>
                )
                : p.connections.map((c) => (
                  <Connected
                    key={c.id}
                    connection={c}
                    name={p.name}
                    lastMethod={view.lastMethodId === c.id}
                  />
                ))}
            </li>
          ))}
        </ul>
      )}
      {view.retired.length > 0 && (
        <section aria-labelledby="retired-title" class="space-y-3">
          <h3 id="retired-title" class="text-lg font-semibold">
            No longer offered
          </h3>
          <p class={MUTED}>
            This server no longer offers these providers, so they cannot be used
            to sign in. You can disconnect them.
          </p>
          <ul class="space-y-3">
            {view.retired.map((r) => (
              <li key={r.id} class={CARD} data-provider={r.provider}>
                <h4 class="font-semibold break-words">{r.source}</h4>
                <Connected
                  connection={r}
                  name={r.source}
                  lastMethod={view.lastMethodId === r.id}
                />
              </li>
            ))}
          </ul>
        </section>
      )}
      {!view.hasPassword && view.lastMethodId === null && !nothing && (
        <p class={MUTED}>
          Your account has no password: you sign in with the accounts connected
          here. <a class={LINK} href="/forgot-password">Set a password</a>{" "}
          to have another way in.
        </p>
      )}
    </section>
  );
});
