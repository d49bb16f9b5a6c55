/**
 * Path patterns and the route table.
 *
 * Patterns use `:name` for one segment, `:name?` for an optional segment and
 * `:name*` for the rest of the path (zero or more segments). Static segments
 * win over parameters, which win over optional and rest segments, so the
 * order in which routes are added does not decide precedence.
 *
 * @module
 */

type Segment =
  | { kind: "static"; value: string }
  | { kind: "param"; name: string }
  | { kind: "optional"; name: string }
  | { kind: "rest"; name: string };

/** A parsed path pattern. */
export interface PathPattern {
  readonly source: string;
  readonly segments: readonly Segment[];
  readonly isStatic: boolean;
}

/**
 * Parses a pattern such as `/blog/:slug` or `/docs/:path*`.
 *
 * @example
 * ```ts
 * const p = parsePattern("/blog/:slug");
 * matchPattern(p, splitPath("/blog/hello")!); // { slug: "hello" }
 * ```
 */
export function parsePattern(source: string): PathPattern {
  const segments: Segment[] = [];
  for (const part of source.split("/")) {
    if (part === "") continue;
    if (part.startsWith(":")) {
      const last = part[part.length - 1];
      if (last === "*") {
        segments.push({ kind: "rest", name: part.slice(1, -1) });
      } else if (last === "?") {
        segments.push({ kind: "optional", name: part.slice(1, -1) });
      } else segments.push({ kind: "param", name: part.slice(1) });
    } else if (part === "*") {
      segments.push({ kind: "rest", name: "" });
    } else {
      segments.push({ kind: "static", value: part });
    }
  }
  return {
    source,
    segments,
    isStatic: segments.every((s) => s.kind === "static"),
  };
}

/**
 * Splits a URL path into decoded segments; null when a segment is not
 * valid percent-encoding (such a path matches no route). Empty segments
 * (repeated slashes) are dropped.
 *
 * @example
 * ```ts
 * splitPath("//a/%C3%BC//"); // ["a", "ü"]
 * ```
 */
export function splitPath(pathname: string): string[] | null {
  const out: string[] = [];
  for (const part of pathname.split("/")) {
    if (part === "") continue;
    if (part.includes("%")) {
      try {
        out.push(decodeURIComponent(part));
      } catch {
        return null;
      }
    } else {
      out.push(part);
    }
  }
  return out;
}

// ASCII characters the URL parser keeps as they are in a path: no
// percent-encoding happens to them and none is a `\` (read as `/`).
const PATH_CHAR = new Uint8Array(128);
for (
  const c
    of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/"
) {
  PATH_CHAR[c.charCodeAt(0)] = 1;
}

/**
 * The pathname of an absolute URL such as `Request.url`, as
 * `new URL(href).pathname` gives it, found without parsing the URL: only
 * when the path holds nothing the parser would change (percent-escapes,
 * dot segments, non-ASCII, `\`); null otherwise, or when in doubt.
 *
 * @example
 * ```ts
 * simplePathname("http://localhost:8000/api/health?x=1"); // "/api/health"
 * simplePathname("http://localhost/a/../b");              // null
 * ```
 */
export function simplePathname(href: string): string | null {
  const authority = href.indexOf("://");
  if (authority === -1) return null;
  let i = authority + 3;
  // The authority ends at the first `/`; a `?`, `#` or `\` before it would
  // end it differently.
  for (;; i++) {
    if (i === href.length) return null;
    const c = href.charCodeAt(i);
    if (c === 47 /* / */) break;
    if (c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) return null;
  }
  const start = i;
  for (; i < href.length; i++) {
    const c = href.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    if (c >= 128 || PATH_CHAR[c] === 0) return null;
    // A segment starting with "." may be a dot segment.
    if (c === 46 /* . */ && href.charCodeAt(i - 1) === 47 /* / */) return null;
  }
  return href.slice(start, i);
}

/**
 * Matches decoded path segments against a pattern; returns the parameters
 * or null.
 *
 * @example
 * ```ts
 * matchPattern(parsePattern("/:lang?"), []); // {}
 * ```
 */
export function matchPattern(
  pattern: PathPattern,
  path: readonly string[],
): Record<string, string> | null {
  const params: Record<string, string> = {};
  return matchFrom(pattern.segments, 0, path, 0, params) ? params : null;
}

function matchFrom(
  segs: readonly Segment[],
  si: number,
  path: readonly string[],
  pi: number,
  params: Record<string, string>,
): boolean {
  for (; si < segs.length; si++) {
    const seg = segs[si];
    switch (seg.kind) {
      case "static":
        if (path[pi] !== seg.value) return false;
        pi++;
        break;
      case "param":
        if (pi >= path.length) return false;
        params[seg.name] = path[pi++];
        break;
      case "optional":
        if (pi < path.length && matchFrom(segs, si + 1, path, pi + 1, params)) {
          params[seg.name] = path[pi];
          return true;
        }
        break;
      case "rest":
        // A rest segment takes everything left; patterns put it last.
        if (seg.name !== "") params[seg.name] = path.slice(pi).join("/");
        return true;
    }
  }
  return pi === path.length;
}

/**
 * Whether a scope pattern (of a middleware, layout or error handler)
 * covers a route pattern: `*` and `/` cover everything, `/admin` and
 * `/admin/*` cover `/admin` and all below it.
 *
 * @example
 * ```ts
 * scopeCoversPattern("/admin", "/admin/users/:id"); // true
 * ```
 */
export function scopeCoversPattern(
  scope: string,
  routePattern: string,
): boolean {
  const s = scopeSegments(scope);
  const r = routePattern.split("/").filter((p) => p !== "");
  if (s.length > r.length) return false;
  for (let i = 0; i < s.length; i++) if (s[i] !== r[i]) return false;
  return true;
}

/**
 * Whether a scope pattern covers a concrete request path (used when no
 * route matched, to pick the middlewares that still apply).
 *
 * @example
 * ```ts
 * scopeCoversPath("/blog/:id", ["blog", "42", "edit"]); // true
 * ```
 */
export function scopeCoversPath(
  scope: string,
  path: readonly string[],
): boolean {
  const s = scopeSegments(scope);
  if (s.length > path.length) return false;
  for (let i = 0; i < s.length; i++) {
    if (s[i].startsWith(":")) continue;
    if (s[i] !== path[i]) return false;
  }
  return true;
}

function scopeSegments(scope: string): string[] {
  const parts = scope.split("/").filter((p) => p !== "");
  if (parts[parts.length - 1] === "*") parts.pop();
  return parts;
}

/** A route table entry: one pattern with its handlers by method. */
export interface RouteEntry<T> {
  pattern: PathPattern;
  /** Method (upper case) or "ALL" → value. */
  byMethod: Map<string, T>;
}

/** Result of a lookup. */
export type Match<T> =
  | { kind: "found"; value: T; params: Record<string, string>; pattern: string }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" };

/**
 * Route table: exact map for static patterns, ordered list for dynamic
 * ones. Generic over what a route holds so it stays testable alone.
 *
 * @example
 * ```ts
 * const r = new Router<string>();
 * r.add("GET", "/users/:id", "user");
 * r.match("GET", splitPath("/users/7")!); // { kind: "found", value: "user", params: { id: "7" }, ... }
 * ```
 */
export class Router<T> {
  #static = new Map<string, RouteEntry<T>>();
  #dynamic: RouteEntry<T>[] = [];
  #sorted = true;

  /** Adds a value for a method ("ALL" for every method) and pattern. */
  add(method: string, pattern: string, value: T): void {
    const parsed = parsePattern(pattern);
    const key = "/" + parsed.segments.map(segmentKey).join("/");
    // Dynamic patterns share an entry only when their param names match
    // too: `/users/:id` (GET) and `/users/:userId` (POST) each keep their
    // own names.
    let entry = parsed.isStatic
      ? this.#static.get(key)
      : this.#dynamic.find((e) =>
        "/" + e.pattern.segments.map(segmentKey).join("/") === key
      );
    if (entry === undefined) {
      entry = { pattern: parsed, byMethod: new Map() };
      if (parsed.isStatic) this.#static.set(key, entry);
      else {
        this.#dynamic.push(entry);
        this.#sorted = false;
      }
    }
    // The first registration wins, as a later duplicate is most likely a mistake
    // shadowed by an earlier, more deliberate route.
    if (!entry.byMethod.has(method)) entry.byMethod.set(method, value);
  }

  /**
   * Finds a static route straight from a URL path, for the common case of
   * a path that needs no decoding or slash folding (no `%`, no repeated or
   * trailing slash): then the path is its own static key and splitting it
   * can be skipped. Null when that does not apply or finds nothing to
   * answer with; `match()` then decides.
   *
   * @example
   * ```ts
   * const router = new Router<string>();
   * router.add("GET", "/api/health", "health");
   * router.matchStatic("GET", "/api/health") ?? router.match("GET", splitPath("/api/health")!);
   * ```
   */
  matchStatic(method: string, pathname: string): Match<T> | null {
    if (
      pathname.includes("%") || pathname.includes("//") ||
      (pathname.length > 1 && pathname.endsWith("/"))
    ) {
      return null;
    }
    const entry = this.#static.get(pathname);
    if (entry === undefined) return null;
    const value = pick(entry, method);
    if (value === undefined) return null;
    return { kind: "found", value, params: {}, pattern: entry.pattern.source };
  }

  /** Finds the value for a method and decoded path segments. */
  match(method: string, path: readonly string[]): Match<T> {
    if (!this.#sorted) this.#sort();
    // Allocated only on a miss, to keep the common path allocation-free.
    let allowed: Set<string> | null = null;
    const entry = this.#static.get("/" + path.join("/"));
    // The segment count guards against a decoded `%2F` joining two
    // segments into one static key (`/a%2Fb` is not `/a/b`).
    if (entry !== undefined && entry.pattern.segments.length === path.length) {
      const value = pick(entry, method);
      if (value !== undefined) {
        return {
          kind: "found",
          value,
          params: {},
          pattern: entry.pattern.source,
        };
      }
      allowed = new Set(entry.byMethod.keys());
    }
    for (const e of this.#dynamic) {
      const params = matchPattern(e.pattern, path);
      if (params === null) continue;
      const value = pick(e, method);
      if (value !== undefined) {
        return { kind: "found", value, params, pattern: e.pattern.source };
      }
      allowed ??= new Set();
      for (const m of e.byMethod.keys()) allowed.add(m);
    }
    if (allowed === null || allowed.size === 0) return { kind: "none" };
    if (allowed.has("GET")) allowed.add("HEAD");
    return { kind: "method", allowed: [...allowed].sort() };
  }

  #sort(): void {
    // Stable sort: equal rank keeps insertion order.
    this.#dynamic.sort((a, b) => compareRank(a.pattern, b.pattern));
    this.#sorted = true;
  }
}

function pick<T>(entry: RouteEntry<T>, method: string): T | undefined {
  return entry.byMethod.get(method) ??
    (method === "HEAD" ? entry.byMethod.get("GET") : undefined) ??
    entry.byMethod.get("ALL");
}

function segmentKey(s: Segment): string {
  switch (s.kind) {
    case "static":
      return s.value;
    case "param":
      return ":" + s.name;
    case "optional":
      return ":" + s.name + "?";
    case "rest":
      return ":" + s.name + "*";
  }
}

const RANK = { static: 0, param: 1, optional: 2, rest: 3 } as const;

function compareRank(a: PathPattern, b: PathPattern): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    // A pattern that ends earlier is the less greedy one.
    if (sa === undefined) return -1;
    if (sb === undefined) return 1;
    const d = RANK[sa.kind] - RANK[sb.kind];
    if (d !== 0) return d;
  }
  return 0;
}
