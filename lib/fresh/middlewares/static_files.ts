/**
 * Serving the files of the build: the project's `static/` folder (after
 * transforms such as Tailwind) and the client bundle under
 * `/_fresh/js/<BUILD_ID>/`.
 *
 * Caching policy:
 * - content-addressed files (the client bundle) and URLs carrying the
 *   current build id (`?__frsh_c=<BUILD_ID>`, what `asset()` writes) are
 *   `public, max-age=31536000, immutable`: their URL changes with content;
 * - any other static file must be revalidated on every use (`no-cache` in
 *   development, `public, max-age=0, must-revalidate` in production, which
 *   lets shared caches store it too) and carries a weak ETag of its content,
 *   so revalidation is a cheap 304. The hash is exact in both modes, so 304
 *   is answered in both.
 *
 * @module
 */
import { getBuildCache } from "../app.ts";
import type { BuildCache, StaticFile } from "../build_cache.ts";
import type { Encoding, PrecompressedFiles } from "../build_cache_prod.ts";
import type { Context } from "../context.ts";
import type { Middleware } from "../types.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE_DEV = "no-cache";
const REVALIDATE_PROD = "public, max-age=0, must-revalidate";
const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|manifest\+json|xml)|image\/svg\+xml)/;

/**
 * Serves the app's static and built files for GET and HEAD; every other
 * request, and every path that is not a file of the build, goes on to the
 * next middleware. Malformed paths (bad percent-encoding, `..` segments)
 * also go on, so they end as a 404, never a 500 or a file outside the
 * static folder.
 *
 * @example
 * ```ts
 * import { App, staticFiles } from "fresh";
 * export const app = new App().use(staticFiles()).fsRoutes();
 * ```
 */
export function staticFiles<T>(): Middleware<T> {
  // Not async: most requests are not for a file and go on at once, with no
  // await and no allocation.
  return (ctx: Context<T>): Promise<Response> => {
    const method = ctx.req.method;
    if (method !== "GET" && method !== "HEAD") return ctx.next();
    const cache = getBuildCache(ctx as Context<unknown>);
    if (cache === null) return ctx.next();
    const pathname = staticPath(ctx.urlPathname, ctx.config.basePath);
    if (pathname === null || !cache.hasStaticFile(pathname)) return ctx.next();
    return serveFile(ctx, cache, pathname, method);
  };
}

async function serveFile<T>(
  ctx: Context<T>,
  cache: BuildCache,
  pathname: string,
  method: string,
): Promise<Response> {
  const encoding = pickEncoding(cache, ctx.req.headers.get("accept-encoding"));
  let file: StaticFile | null = null;
  let usedEncoding: Encoding | null = null;
  if (encoding !== null) {
    for (const enc of encoding) {
      file = await (cache as BuildCache & PrecompressedFiles)
        .readEncodedStaticFile(pathname, enc);
      if (file !== null) {
        usedEncoding = enc;
        break;
      }
    }
  }
  file ??= await cache.readStaticFile(pathname);
  // Listed but gone from disk since the build.
  if (file === null) return ctx.next();

  const immutable = file.immutable ||
    ctx.url.searchParams.get("__frsh_c") === cache.buildId;
  const etag = `W/"${file.hash}"`;
  const headers = new Headers({
    "Cache-Control": immutable
      ? IMMUTABLE
      : cache.mode === "development"
      ? REVALIDATE_DEV
      : REVALIDATE_PROD,
    "ETag": etag,
    "X-Content-Type-Options": "nosniff",
  });
  // The answer differs by Accept-Encoding whenever a compressed copy may
  // exist, including the uncompressed answer: say so to caches.
  if (isPrecompressed(cache) && COMPRESSIBLE.test(file.contentType)) {
    headers.set("Vary", "Accept-Encoding");
  }

  if (etagMatches(ctx.req.headers.get("if-none-match"), file.hash)) {
    await discard(file.body);
    return new Response(null, { status: 304, headers });
  }
  headers.set("Content-Type", file.contentType);
  headers.set("Content-Length", String(file.size));
  if (usedEncoding !== null) headers.set("Content-Encoding", usedEncoding);
  if (method === "HEAD") {
    await discard(file.body);
    return new Response(null, { status: 200, headers });
  }
  // A Uint8Array over a plain ArrayBuffer; the type only says ArrayBufferLike.
  return new Response(file.body as BodyInit, { status: 200, headers });
}

// A path with none of these is already what staticPath() would make of it:
// percent-escapes, backslashes, NULs, repeated slashes and dot segments.
const NOT_CANONICAL = /[%\\\0]|\/\/|\/\.\.?(?:\/|$)/;

/**
 * The decoded file path a request path names, or null when it cannot name
 * a static file: outside the base path, malformed percent-encoding, a NUL
 * or backslash, or a `.`/`..` segment (the URL parser already resolves
 * literal and `%2e` dot segments; this also catches ones that only appear
 * after decoding, like `%2e%2e%2f`).
 *
 * @example
 * ```ts
 * staticPath("/img/a%20b.png", ""); // "/img/a b.png"
 * staticPath("/%ZZ", "");           // null
 * ```
 */
export function staticPath(pathname: string, basePath: string): string | null {
  if (basePath !== "") {
    if (!pathname.startsWith(basePath + "/")) return null;
    pathname = pathname.slice(basePath.length);
  }
  if (!NOT_CANONICAL.test(pathname)) return pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (/[\0\\]/.test(decoded)) return null;
  decoded = decoded.replace(/\/{2,}/g, "/");
  for (const segment of decoded.split("/")) {
    if (segment === "." || segment === "..") return null;
  }
  return decoded;
}

function isPrecompressed(
  cache: BuildCache,
): cache is BuildCache & PrecompressedFiles {
  return typeof (cache as Partial<PrecompressedFiles>).readEncodedStaticFile ===
    "function";
}

/** Encodings to try, best first; null when none applies. */
function pickEncoding(
  cache: BuildCache,
  header: string | null,
): Encoding[] | null {
  if (header === null || !isPrecompressed(cache)) return null;
  const accepted = new Set<string>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    accepted.add(name.trim());
  }
  const out = (["br", "gzip"] as const).filter((e) => accepted.has(e));
  return out.length > 0 ? out : null;
}

/**
 * Whether an `If-None-Match` header matches a file's hash (weak
 * comparison, as RFC 9110 requires for If-None-Match).
 *
 * @example
 * ```ts
 * etagMatches('W/"abc", "def"', "abc"); // true
 * ```
 */
export function etagMatches(header: string | null, hash: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) =>
    tag.trim().replace(/^W\//, "") === `"${hash}"`
  );
}

async function discard(body: StaticFile["body"]): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel();
}
