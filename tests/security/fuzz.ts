/**
 * The malformed-input fuzz (malformed_test.ts): the app's routes read from
 * the build, and whole requests made of the hostile parts in fuzz_inputs.ts
 * and fuzz_bodies.ts. Everything is derived from the seed, so a failing
 * request can be made again with `FUZZ_SEED=<seed>`.
 *
 * @module
 */

import { type FuzzBody, fuzzBody } from "./fuzz_bodies.ts";
import {
  type FuzzContext,
  fuzzHeaders,
  fuzzPath,
  fuzzQuery,
  UNKNOWN_PATHS,
} from "./fuzz_inputs.ts";
import { ALNUM, type Rng } from "./fuzz_rng.ts";

export { type FuzzContext } from "./fuzz_inputs.ts";
export { fuzzSeed, Rng, utf8Bytes } from "./fuzz_rng.ts";

/** What the build knows: URL paths of routes (`:param` for params) and static files. */
export interface AppMap {
  routes: string[];
  statics: string[];
  /** The methods each route answers (its `Allow`), once probed. */
  allow?: Record<string, string[]>;
}

/** A build's file routes (paths under routes/) and the URL paths of its files. */
export interface BuildFiles {
  routes: string[];
  statics: string[];
}

/**
 * The routes and files of the disk build, from `_fresh/snapshot.json`.
 *
 * @example
 * ```ts
 * snapshotFiles().routes; // ["(app)/dashboard.tsx", "api/health.ts", ...]
 * ```
 */
export function snapshotFiles(
  root = new URL("../..", import.meta.url).pathname,
): BuildFiles {
  const snapshot = JSON.parse(
    Deno.readTextFileSync(`${root}/_fresh/snapshot.json`),
  ) as {
    routes: string[];
    staticFiles: Record<string, unknown>;
    clientEntry?: string;
    islands?: { chunk: string }[];
  };
  const statics = Object.keys(snapshot.staticFiles);
  if (snapshot.clientEntry) statics.push(snapshot.clientEntry);
  for (const island of snapshot.islands ?? []) statics.push(island.chunk);
  return { routes: snapshot.routes, statics: [...new Set(statics)] };
}

/**
 * The app's URL paths from a build (by default `_fresh/`'s): route groups
 * dropped, `index` is the directory, `[id]` becomes `:id`; `_` files are
 * not routes.
 *
 * @example
 * ```ts
 * const map = readAppMap(); // { routes: ["/dashboard", "/api/health", ...], statics: [...] }
 * ```
 */
export function readAppMap(build: BuildFiles = snapshotFiles()): AppMap {
  const routes = new Set<string>();
  for (const file of build.routes) {
    const name = file.split("/").pop()!;
    if (name.startsWith("_")) continue;
    const path = "/" + file
      .replace(/\([^)/]*\)\//g, "")
      .replace(/\.[jt]sx?$/, "")
      .replace(/(^|\/)index$/, "")
      .replace(/\[\.{3}([^\]]+)\]|\[([^\]]+)\]/g, (_, a, b) => `:${a ?? b}`);
    routes.add(path.replace(/\/$/, "") || "/");
  }
  return { routes: [...routes].sort(), statics: [...build.statics] };
}

export const METHODS = [
  "GET",
  "GET",
  "HEAD",
  "POST",
  "POST",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "DELETE",
  "OPTIONS",
  "PROPFIND",
  "get", // methods are case-sensitive: "get" is not GET
];

/** One request of the fuzz. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: FuzzBody;
}

/**
 * The next request: a route (its params filled with junk or a real id), an
 * unknown path or a static file; any method; hostile parts mixed in.
 */
export function nextRequest(
  rng: Rng,
  map: AppMap,
  c: FuzzContext,
): FuzzRequest {
  const roll = rng.int(10);
  const chosen = roll < 7
    ? rng.pick(map.routes)
    : roll < 9
    ? rng.pick(UNKNOWN_PATHS)
    : rng.pick(map.statics);
  const base = chosen.replace(
    /:[^/]+/g,
    () =>
      rng.pick([
        c.validSessionId ?? "x",
        rng.text(22, ALNUM),
        "..",
        "%2e%2e",
        "%00",
        "x".repeat(5000),
        "%F0%9F%98%80",
      ]),
  );
  // Mostly a method the route has, so its handler (not the 405) is reached.
  const own = (map.allow?.[chosen] ?? []).filter((m) =>
    m !== "HEAD" && m !== "OPTIONS"
  );
  const method = own.length > 0 && rng.chance(0.6)
    ? rng.pick(own)
    : rng.pick(METHODS);
  const canHaveBody = method !== "GET" && method !== "HEAD" &&
    method !== "get";
  const body: FuzzBody = canHaveBody
    ? fuzzBody(rng, c)
    : { label: "none", body: null };
  const headers = fuzzHeaders(rng, c, method, body.body !== null);
  if (body.type !== undefined && rng.chance(0.7)) {
    headers["content-type"] = body.type;
  }
  return {
    method,
    path: fuzzPath(rng, base) + fuzzQuery(rng),
    headers,
    body,
  };
}

/** A one-line description of a request for failure reports. */
export function describe(r: FuzzRequest): string {
  const cut = (s: string, n: number) =>
    s.length > n ? `${s.slice(0, n)}…(${s.length})` : s;
  const headers = Object.entries(r.headers).map(([k, v]) =>
    `${k}: ${JSON.stringify(cut(v, 60))}`
  ).join(", ");
  return `${r.method} ${cut(r.path, 160)} [${headers}] body=${r.body.label}`;
}
