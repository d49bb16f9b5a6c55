/**
 * A bounded, deterministic fuzz of the built app: every route, unknown
 * paths and static files, with every method, hostile paths, query strings,
 * headers, cookies and bodies, signed in and not, with and without a valid
 * Origin. No answer may be a 5xx, /api/ errors keep their JSON shape, the
 * server keeps serving, logs no request error and writes no half rows.
 *
 * The seed is printed; `FUZZ_SEED=<n>` replays a run, e.g.
 * `FUZZ_SEED=12345 deno test -A tests/security/malformed_test.ts`.
 *
 * @module
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  type AuthApp,
  Client,
  nextIp,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  type FuzzContext,
  fuzzSeed,
  nextRequest,
  readAppMap,
  Rng,
} from "./fuzz.ts";
import {
  badLogLines,
  databaseProblems,
  newTally,
  probeMethods,
  runBatched,
  sendAndCheck,
  summary,
  type Tally,
} from "./fuzz_run.ts";

/** Requests of the broad pass (rate limits off) and of the pass with limits on. */
const BROAD_REQUESTS = 1300;
const LIMITED_REQUESTS = 200;
/** Requests in flight at once. */
const WIDTH = 16;

const seed = fuzzSeed();
console.log(
  `fuzz seed: ${seed} (0x${seed.toString(16)}); replay with FUZZ_SEED=${seed}`,
);

/** A real user with a live session, to fuzz the signed-in handlers too. */
async function fuzzUser(app: AuthApp): Promise<FuzzContext & { me: Client }> {
  const me = new Client(app);
  const email = uniqueEmail("fuzz");
  await me.register(email);
  return {
    me,
    origin: app.origin,
    validCookie: me.cookie,
    validSessionId: me.sessionId,
    email,
    password: PASSWORD,
  };
}

/** The app still answers as it should: health, sign-in, the session it gives. */
async function assertStillServing(
  app: AuthApp,
  email: string,
): Promise<void> {
  const health = await app.fetch("/api/health", {
    headers: { "x-forwarded-for": nextIp() },
  });
  strictEqual(health.status, 200, "GET /api/health after the fuzz");
  strictEqual((await health.json()).status, "ok");
  const alice = new Client(app);
  await alice.login(email);
  strictEqual(await alice.meStatus(), 200, "the new session works");
  const bob = new Client(app);
  await bob.register(uniqueEmail("after-fuzz"));
  strictEqual(await bob.meStatus(), 200, "sign-up still works");
}

function assertClean(tally: Tally, app: AuthApp): void {
  const log = app.logs();
  deepStrictEqual(
    badLogLines(log),
    [],
    `the server logged request errors:\n${log.slice(-4000)}`,
  );
  ok(
    tally.failures.length === 0,
    `${tally.failures.length} bad answers (seed ${seed}):\n` +
      tally.failures.slice(0, 40).join("\n"),
  );
}

Deno.test("fuzz: no malformed request gets a 5xx (rate limits off)", async () => {
  const started = performance.now();
  const app = await startApp({ env: { RATE_LIMITS: "off" } });
  const map = readAppMap(app.files);
  ok(map.routes.length >= 8, `routes from the build: ${map.routes}`);
  const tally = newTally();
  try {
    const ctx = await fuzzUser(app);
    await probeMethods(app.fetch, map, ctx.validCookie);
    console.log(`routes: ${JSON.stringify(map.allow)}`);
    const rng = new Rng(seed);
    // All requests are made up front, so they depend on the seed alone.
    const requests = Array.from(
      { length: BROAD_REQUESTS },
      () => nextRequest(rng, map, ctx),
    );
    let renewed = 0;
    await runBatched(
      requests,
      WIDTH,
      (r, i) => sendAndCheck(app.fetch, r, tally, `#${i}`),
      // A fuzzed sign-out or "end other sessions" may end the real session:
      // sign in again so the signed-in handlers keep being reached. A
      // fuzzed deletion (a fresh sign-in is all the proof it needs) removes
      // the account: sign up anew.
      async () => {
        if (ctx.validCookie && await ctx.me.meStatus() === 200) return;
        const again = await ctx.me.post("/api/auth/login", {
          json: { email: ctx.email, password: ctx.password },
        });
        if (again.status === 401) {
          ctx.email = uniqueEmail("fuzz");
          await ctx.me.register(ctx.email);
        }
        ok(ctx.me.cookie, `signed in again: ${again.status} ${again.text}`);
        ctx.validCookie = ctx.me.cookie;
        ctx.validSessionId = ctx.me.sessionId;
        renewed++;
      },
    );
    const ms = Math.round(performance.now() - started);
    console.log(
      `broad pass (seed ${seed}, ${ms} ms, session renewed ${renewed}×):\n  ${
        summary(tally)
      }`,
    );
    ok(
      [...tally.statuses.keys()].some((s) => s === 200) &&
        tally.statuses.has(400) && tally.statuses.has(403) &&
        tally.statuses.has(404),
      "the fuzz reached handlers, the CSRF check and the not-found page",
    );
    await assertStillServing(app, ctx.email);
    await app.close();
    assertClean(tally, app);
    deepStrictEqual(databaseProblems(app.dbPath), []);
  } finally {
    await app.stop();
  }
});

Deno.test("fuzz: with rate limits on, refusals are 429s with Retry-After, never 5xx", async () => {
  const app = await startApp();
  const map = readAppMap(app.files);
  const tally = newTally();
  try {
    const ctx = await fuzzUser(app);
    await probeMethods(app.fetch, map, ctx.validCookie);
    const rng = new Rng(seed ^ 0x5a5a5a5a);
    const requests = Array.from({ length: LIMITED_REQUESTS }, () => {
      const r = nextRequest(rng, map, ctx);
      // Most from one address, so the limits are reached.
      if (rng.chance(0.8)) delete r.headers["x-forwarded-for"];
      return r;
    });
    await runBatched(
      requests,
      WIDTH,
      (r, i) => sendAndCheck(app.fetch, r, tally, `limited #${i}`),
    );
    console.log(`limited pass (seed ${seed}):\n  ${summary(tally)}`);
    ok(
      (tally.statuses.get(429) ?? 0) > 0,
      "the limits were reached at least once",
    );
    // The fuzz may have locked the fuzz user's account (5 failures): check
    // sign-in with someone else.
    const fresh = new Client(app);
    const email = uniqueEmail("limited");
    await fresh.register(email);
    await assertStillServing(app, email);
    await app.close();
    assertClean(tally, app);
    deepStrictEqual(databaseProblems(app.dbPath), []);
  } finally {
    await app.stop();
  }
});
