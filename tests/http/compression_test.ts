/**
 * The built app over real HTTP: pages and JSON are compressed when the
 * client asks, sent as they are when it does not, and say
 * `Vary: Accept-Encoding` either way. Requests go over a raw socket,
 * since `fetch` would ask for and undo the compression on its own.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { startServer, type TestServer } from "../helpers/server.ts";

interface RawAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** One HTTP/1.1 request, read until the server closes the connection. */
async function rawRequest(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${server.port}`,
      "Connection: close",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const raw = new Uint8Array(await new Response(conn.readable).arrayBuffer());
    let end = 0;
    while (
      end < raw.length - 3 &&
      !(raw[end] === 13 && raw[end + 1] === 10 && raw[end + 2] === 13 &&
        raw[end + 3] === 10)
    ) end++;
    const head = new TextDecoder().decode(raw.subarray(0, end)).split("\r\n");
    const out = new Headers();
    for (const line of head.slice(1)) {
      const i = line.indexOf(":");
      out.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    const body = raw.subarray(end + 4);
    return {
      status: Number(head[0].split(" ")[1]),
      headers: out,
      body: /chunked/i.test(out.get("transfer-encoding") ?? "")
        ? dechunk(body)
        : body,
    };
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** Joins the chunks of a `Transfer-Encoding: chunked` body. */
function dechunk(body: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    let eol = at;
    while (body[eol] !== 13) eol++;
    const size = parseInt(new TextDecoder().decode(body.subarray(at, eol)), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("built app: pages and JSON are compressed only when the client accepts it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-gzip-" });
  const server = await startServer({
    env: { DATABASE_PATH: `${dir}/test.db` },
  });
  try {
    const plain = await rawRequest(server, "GET", "/");
    strictEqual(plain.status, 200);
    strictEqual(plain.headers.get("content-encoding"), null);
    strictEqual(plain.headers.get("vary"), "Accept-Encoding");
    // Sent whole with its length, as before the middleware: touching the
    // body of an answer it does not compress would make it a chunked
    // stream and cost twice the CPU per page.
    strictEqual(plain.headers.get("transfer-encoding"), null);
    strictEqual(Number(plain.headers.get("content-length")), plain.body.length);
    const html = text(plain.body);
    ok(html.startsWith("<!DOCTYPE html>"), html.slice(0, 40));
    ok(plain.body.length > 2048, "the landing page is worth compressing");

    const br = await rawRequest(server, "GET", "/", {
      "Accept-Encoding": "br, gzip;q=0.5",
    });
    strictEqual(br.headers.get("content-encoding"), "br");
    strictEqual(br.headers.get("vary"), "Accept-Encoding");
    strictEqual(Number(br.headers.get("content-length")), br.body.length);
    ok(br.body.length < plain.body.length / 2, "brotli at least halves it");
    const unbr = text(brotliDecompressSync(br.body));
    // Same page but for the per-request CSP nonce.
    const nonceless = (s: string) => s.replace(/nonce="[^"]+"/g, 'nonce=""');
    strictEqual(nonceless(unbr), nonceless(html));
    // The security headers are still there.
    ok(br.headers.get("content-security-policy"));
    strictEqual(br.headers.get("x-content-type-options"), "nosniff");

    // What browsers send: gzip, the cheaper of the two, on the tie.
    const gz = await rawRequest(server, "GET", "/", {
      "Accept-Encoding": "gzip, deflate, br, zstd",
    });
    strictEqual(gz.headers.get("content-encoding"), "gzip");
    strictEqual(nonceless(text(gunzipSync(gz.body))), nonceless(html));

    const refused = await rawRequest(server, "GET", "/", {
      "Accept-Encoding": "br;q=0, gzip;q=0",
    });
    strictEqual(refused.headers.get("content-encoding"), null);
    strictEqual(nonceless(text(refused.body)), nonceless(html));
    const onlyGzipRefused = await rawRequest(server, "GET", "/", {
      "Accept-Encoding": "gzip;q=0, br",
    });
    strictEqual(onlyGzipRefused.headers.get("content-encoding"), "br");

    const head = await rawRequest(server, "HEAD", "/", {
      "Accept-Encoding": "br",
    });
    strictEqual(head.status, 200);
    strictEqual(head.headers.get("content-encoding"), null);
    strictEqual(head.body.length, 0);

    // The 404 page is HTML too.
    const missing = await rawRequest(server, "GET", "/no-such-page", {
      "Accept-Encoding": "br",
    });
    strictEqual(missing.status, 404);
    strictEqual(missing.headers.get("content-encoding"), "br");
    ok(text(brotliDecompressSync(missing.body)).includes("</html>"));

    // A tiny JSON answer is not worth it.
    const health = await rawRequest(server, "GET", "/api/health", {
      "Accept-Encoding": "br",
    });
    strictEqual(health.headers.get("content-encoding"), null);
    deepStrictEqual(
      Object.keys(JSON.parse(text(health.body))).length > 0,
      true,
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
