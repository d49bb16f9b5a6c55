/**
 * Scenario f of `deno task bench`: pages served during a sign-in storm.
 *
 * `GET /` is measured alone, then again while 8 clients (one wrk with 8
 * connections and a Lua script) loop `POST /api/auth/login` with valid
 * credentials as fast as the server answers them. The pair is taken
 * back to back in one run so the ratio compares like with like.
 *
 * @module
 */
import { wrk, type WrkResult } from "./wrk.ts";

/** Figures of the storm scenario. */
export interface StormResult {
  /** `GET /` alone. */
  calm: WrkResult;
  /** `GET /` while the sign-in clients run. */
  storm: WrkResult;
  /** Sign-ins answered 200 per second during the storm. */
  signInsPerSecond: number;
  /** Sign-ins refused (503 busy, or any other non-2xx) per second. */
  refusedPerSecond: number;
}

/**
 * Measures `GET /` calm, then during a storm of `clients` sign-in loops.
 *
 * @example
 * ```ts
 * const r = await measureStorm("http://127.0.0.1:8000", {
 *   email: "bench@example.com",
 *   password: "load-test passphrase 42",
 *   seconds: 5,
 *   connections: 32,
 *   clients: 8,
 * });
 * console.log(r.storm.requestsPerSecond / r.calm.requestsPerSecond);
 * ```
 */
export async function measureStorm(
  app: string,
  opts: {
    email: string;
    password: string;
    seconds: number;
    connections: number;
    clients: number;
  },
): Promise<StormResult> {
  const page = `${app}/`;
  await wrk(page, { seconds: 1, connections: opts.connections });
  const calm = await wrk(page, {
    seconds: opts.seconds,
    connections: opts.connections,
  });

  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    const body = JSON.stringify({ email: opts.email, password: opts.password });
    await Deno.writeTextFile(
      script,
      [
        `wrk.method = "POST"`,
        `wrk.body = ${JSON.stringify(body)}`,
        `wrk.headers["Content-Type"] = "application/json"`,
        `wrk.headers["Origin"] = ${JSON.stringify(app)}`,
      ].join("\n"),
    );
    // The storm runs a little longer than the page load on both ends, so
    // every page request is measured with the sign-ins at full speed.
    const stormSeconds = opts.seconds + 3;
    const signIns = wrk(`${app}/api/auth/login`, {
      seconds: stormSeconds,
      connections: opts.clients,
      script,
    });
    await new Promise((r) => setTimeout(r, 1500));
    const storm = await wrk(page, {
      seconds: opts.seconds,
      connections: opts.connections,
    });
    const s = await signIns;
    const total = s.requestsPerSecond * stormSeconds;
    const refused = s.non2xx / stormSeconds;
    return {
      calm,
      storm,
      signInsPerSecond: (total - s.non2xx) / stormSeconds,
      refusedPerSecond: refused,
    };
  } finally {
    await Deno.remove(script);
  }
}
