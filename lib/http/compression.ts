/**
 * Compresses dynamic answers (pages, JSON, plain text, SVG…) for clients
 * that accept it: gzip, or brotli for a client that prefers it.
 *
 * - Negotiation follows RFC 9110 §12.5.3: `q=0` refuses a coding, `*`
 *   stands for codings not named, the highest q wins, and on a tie (every
 *   browser sends `gzip, deflate, br`) the server's preference: gzip.
 *   Measured on the 14.7 KB landing page (CPU per call, this machine):
 *   gzip level 3 ≈ 55 µs for 4075 bytes, brotli quality 4 ≈ 186 µs for
 *   3941 bytes, brotli quality 1 ≈ 84 µs for 4549 bytes. Brotli's edge is
 *   for files compressed once at high quality, as the build does for
 *   scripts and styles; per request, 3 % fewer bytes is not worth three
 *   times the CPU. Compressing costs the server CPU (see
 *   docs/benchmarks.md, scenario g), but it takes the page under the
 *   ~14 KB a new TCP connection can send in its first round trip.
 * - Every compressible answer says `Vary: Accept-Encoding`, compressed or
 *   not, so a shared cache never serves one client's encoding to another.
 * - Left alone: HEAD, requests with `Range`, statuses without a body or
 *   with a partial one (1xx, 204, 206, 304), answers that are already
 *   encoded (the precompressed scripts and styles of `staticFiles`),
 *   `Cache-Control: no-transform`, bodies under `minBytes`, and types that
 *   do not shrink (images, archives) or must not wait (`text/event-stream`).
 * - A strong `ETag` becomes weak on a compressed answer: the bytes differ
 *   from the identity answer's, the content does not.
 * - A body that arrives whole (every string or JSON answer of the app) is
 *   compressed in one synchronous call: for a 6 KB page that costs less
 *   than setting up a stream. Only a body still streaming after
 *   `bufferBytes` is compressed as a stream, so it is never held whole.
 *
 * BREACH: compressing a body that holds a secret next to text an attacker
 * chose lets the attacker guess the secret from the compressed size. Islet
 * pages carry no CSRF token (unsafe requests are checked by origin
 * instead) and never the session token; the only per-request value, the
 * CSP nonce, changes on every request, so there is nothing stable to
 * guess. A route that ever puts a secret in a body next to reflected
 * input opts out with `Cache-Control: no-transform`.
 *
 * @module
 */
import type { Middleware } from "fresh";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Options of {@linkcode compression}. */
export interface CompressionOptions {
  /** Bodies shorter than this (bytes) are sent as they are. Default 1024. */
  minBytes?: number;
  /** Bytes read ahead before compressing as a stream. Default 64 KiB. */
  bufferBytes?: number;
  /** Brotli quality 0–11. Default 4: most of q11's gain at a few % of its cost. */
  brotliQuality?: number;
  /**
   * Gzip level 1–9. Default 3: on the 14.7 KB landing page (node:zlib in
   * Deno, this machine) level 3 takes 55 µs for 4075 bytes, level 6 73 µs
   * for 3967, level 1 41 µs for 5409.
   */
  gzipLevel?: number;
  /** The coding chosen when the client likes both equally. Default gzip. */
  prefer?: Coding;
}

/** A content coding this middleware produces. */
export type Coding = "br" | "gzip";

// Text formats and the structured ones built on them; not images other
// than SVG, not fonts (woff2 is already compressed), not archives.
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)[\w.+-]+|application\/(?:json|javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|manifest\+json|ld\+json|problem\+json|problem\+xml|wasm|[\w.-]+\+json|[\w.-]+\+xml)|image\/svg\+xml|image\/x-icon|image\/vnd\.microsoft\.icon|font\/(?:ttf|otf))\s*(?:;|$)/i;

/**
 * Whether a `Content-Type` is worth compressing.
 *
 * @example
 * ```ts
 * isCompressible("text/html; charset=utf-8"); // true
 * isCompressible("image/png"); // false
 * ```
 */
export function isCompressible(contentType: string | null): boolean {
  return contentType !== null && COMPRESSIBLE.test(contentType);
}

/**
 * The coding to answer with for an `Accept-Encoding` header, or null for
 * none (identity).
 *
 * @example
 * ```ts
 * negotiateEncoding("gzip, deflate, br");       // "gzip"
 * negotiateEncoding("gzip, deflate, br", "br"); // "br"
 * negotiateEncoding("br, gzip;q=0.8");          // "br"
 * negotiateEncoding("*;q=0");                   // null
 * ```
 */
export function negotiateEncoding(
  header: string | null,
  prefer: Coding = "gzip",
): Coding | null {
  if (header === null) return null;
  let br: number | undefined;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const part of header.split(",")) {
    const [rawName, ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim().toLowerCase());
      if (k === "q") {
        // RFC 9110 qvalue: 0 to 1, at most three decimals; anything else
        // is malformed and the safe reading is "not acceptable".
        q = v !== undefined && /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(v)
          ? Number(v)
          : 0;
      }
    }
    if (name === "br") br = q;
    else if (name === "gzip" || name === "x-gzip") {
      gzip = Math.max(gzip ?? 0, q);
    } else if (name === "*") star = q;
  }
  const qBr = br ?? star ?? 0;
  const qGzip = gzip ?? star ?? 0;
  if (qBr <= 0 && qGzip <= 0) return null;
  if (qBr === qGzip) return prefer;
  return qBr > qGzip ? "br" : "gzip";
}

/**
 * Middleware compressing compressible answers; use it first so it sees
 * the final answer.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(compression());
 * ```
 */
export function compression<State>(
  options: CompressionOptions = {},
): Middleware<State> {
  const minBytes = options.minBytes ?? 1024;
  const bufferBytes = Math.max(minBytes, options.bufferBytes ?? 64 * 1024);
  const brotliQuality = options.brotliQuality ?? 4;
  const gzipLevel = options.gzipLevel ?? 3;
  const prefer = options.prefer ?? "gzip";
  const compress = (coding: Coding, bytes: Uint8Array): BodyInit =>
    (coding === "br"
      ? brotliCompressSync(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
        },
      })
      : gzipSync(bytes, { level: gzipLevel })) as Uint8Array<ArrayBuffer>;

  return async (ctx) => {
    const res = await ctx.next();
    const headers = res.headers;
    // `res.body` is not looked at until the answer is sure to be
    // compressed: reading that getter turns Deno's fast path for a string
    // body into a stream (chunked, and twice the CPU per page).
    if (
      res.status < 200 || res.status === 204 ||
      res.status === 206 || res.status === 304 ||
      !isCompressible(headers.get("content-type")) ||
      headers.has("content-encoding") ||
      /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(
        headers.get("cache-control") ?? "",
      )
    ) {
      return res;
    }
    // From here the answer depends on Accept-Encoding, whatever we send.
    const varied = withVary(res);
    const req = ctx.req;
    if (req.method === "HEAD" || req.headers.has("range")) return varied;
    const coding = negotiateEncoding(
      req.headers.get("accept-encoding"),
      prefer,
    );
    if (coding === null) return varied;
    const length = headers.get("content-length");
    if (length !== null && Number(length) < minBytes) return varied;

    const body = varied.body;
    if (body === null) return varied;
    const head = await readAhead(body, bufferBytes);
    if (head.done && head.size < minBytes) {
      return new Response(head.bytes(), varied);
    }
    const out = new Headers(varied.headers);
    out.set("content-encoding", coding);
    out.delete("content-length");
    const etag = out.get("etag");
    if (etag !== null && !etag.startsWith("W/")) out.set("etag", `W/${etag}`);
    const init = {
      status: res.status,
      statusText: res.statusText,
      headers: out,
    };
    if (head.done) return new Response(compress(coding, head.bytes()), init);
    // Deno's CompressionStream takes "brotli" too; its types only say
    // BufferSource in, which every Uint8Array chunk is.
    const stream = head.rest().pipeThrough(
      new CompressionStream(
        coding === "br" ? "brotli" : "gzip",
      ) as unknown as TransformStream<Uint8Array, Uint8Array<ArrayBuffer>>,
    );
    return new Response(stream, init);
  };
}

/** Adds `Accept-Encoding` to `Vary`, copying the answer if its headers are frozen. */
function withVary(res: Response): Response {
  const vary = res.headers.get("vary");
  if (
    vary !== null && /(?:^|,)\s*(?:\*|accept-encoding)\s*(?:,|$)/i.test(vary)
  ) {
    return res;
  }
  const value = vary === null ? "Accept-Encoding" : `${vary}, Accept-Encoding`;
  try {
    res.headers.set("vary", value);
    return res;
  } catch {
    // Immutable headers (a fetched or Response.redirect answer).
    const headers = new Headers(res.headers);
    headers.set("vary", value);
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  }
}

interface ReadAhead {
  /** The whole body was read. */
  done: boolean;
  size: number;
  /** The bytes read, joined (only meaningful when done). */
  bytes(): Uint8Array<ArrayBuffer>;
  /** The bytes read followed by the rest of the stream. */
  rest(): ReadableStream<Uint8Array>;
}

/** Reads until the body ends or `limit` bytes have come. */
async function readAhead(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<ReadAhead> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < limit) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    size += r.value.byteLength;
  }
  return {
    done,
    size,
    bytes() {
      if (chunks.length === 1 && chunks[0].buffer instanceof ArrayBuffer) {
        return chunks[0] as Uint8Array<ArrayBuffer>;
      }
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.byteLength;
      }
      return all;
    },
    rest() {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
        },
        async pull(controller) {
          const r = await reader.read();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
    },
  };
}
