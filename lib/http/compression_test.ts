import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { App } from "fresh";
import {
  compression,
  type CompressionOptions,
  isCompressible,
  negotiateEncoding,
} from "./compression.ts";

const PAGE = "<!DOCTYPE html><main>" +
  "<p>Islet keeps pages small. </p>".repeat(200) + "</main>";
const HTML = { "content-type": "text/html; charset=utf-8" };

function app(options?: CompressionOptions) {
  return new App()
    .use(compression(options))
    .get("/page", () => new Response(PAGE, { headers: HTML }))
    .get("/json", () => Response.json({ items: Array(200).fill("same") }))
    .get("/tiny", () => new Response("<p>hi</p>", { headers: HTML }))
    .get("/png", () =>
      new Response(new Uint8Array(4096), {
        headers: { "content-type": "image/png" },
      }))
    .get(
      "/encoded",
      () =>
        new Response(PAGE, { headers: { ...HTML, "content-encoding": "br" } }),
    )
    .get("/no-transform", () =>
      new Response(PAGE, {
        headers: { ...HTML, "cache-control": "private, no-transform" },
      }))
    .get(
      "/etag",
      () => new Response(PAGE, { headers: { ...HTML, etag: '"v1"' } }),
    )
    .get(
      "/vary",
      () => new Response(PAGE, { headers: { ...HTML, vary: "Cookie" } }),
    )
    .get(
      "/not-modified",
      () => new Response(null, { status: 304, headers: HTML }),
    )
    .get("/no-content", () => new Response(null, { status: 204 }))
    // A fetched answer's headers are immutable.
    .get(
      "/frozen",
      () => fetch(`data:text/html;charset=utf-8,${encodeURIComponent(PAGE)}`),
    )
    .get("/stream", () => {
      // Three chunks a tick apart: a body that really streams.
      let i = 0;
      const chunk = new TextEncoder().encode(PAGE);
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(c) {
            await new Promise((r) => setTimeout(r, 1));
            if (i++ < 3) c.enqueue(chunk);
            else c.close();
          },
        }),
        { headers: HTML },
      );
    })
    .handler();
}

async function get(
  path: string,
  headers: Record<string, string> = {},
  init: RequestInit = {},
  options?: CompressionOptions,
) {
  return await app(options)(
    new Request(`http://localhost${path}`, { headers, ...init }),
  );
}

async function decoded(res: Response): Promise<string> {
  const coding = res.headers.get("content-encoding");
  const body = res.body!;
  if (coding === null) return await new Response(body).text();
  const format = coding === "br" ? "brotli" : "gzip";
  return await new Response(
    body.pipeThrough(
      new DecompressionStream(
        format as CompressionFormat,
      ) as unknown as TransformStream<Uint8Array, Uint8Array<ArrayBuffer>>,
    ),
  ).text();
}

Deno.test("negotiateEncoding: highest q wins, gzip on a tie, q=0, * and malformed q", () => {
  const cases: [string | null, string | null][] = [
    [null, null],
    ["", null],
    ["identity", null],
    ["gzip", "gzip"],
    ["x-gzip", "gzip"],
    ["br", "br"],
    ["gzip, deflate, br", "gzip"],
    ["gzip, deflate, br, zstd", "gzip"],
    ["br, gzip;q=0.8", "br"],
    ["BR;Q=1, GZIP;q=0.9", "br"],
    ["br;q=0, gzip", "gzip"],
    ["br;q=0.0, gzip;q=0", null],
    ["gzip;q=1, br;q=0.5", "gzip"],
    ["gzip;q=0.5, br;q=0.5", "gzip"],
    ["*", "gzip"],
    ["*, gzip;q=0.5", "br"],
    ["*;q=0", null],
    ["*;q=0, gzip", "gzip"],
    ["br;q=0, *", "gzip"],
    ["deflate", null],
    ["br;q=2", null], // out of range: not acceptable
    ["br;q=abc, gzip", "gzip"],
    ["br;q=", null],
    [" gzip ; q=0.001 ", "gzip"],
  ];
  for (const [header, want] of cases) {
    strictEqual(negotiateEncoding(header), want, `Accept-Encoding: ${header}`);
  }
  strictEqual(negotiateEncoding("gzip, deflate, br", "br"), "br");
  strictEqual(negotiateEncoding("gzip;q=1, br;q=0.9", "br"), "gzip");
});

Deno.test("isCompressible: text formats yes, binary formats and event streams no", () => {
  for (
    const t of [
      "text/html; charset=utf-8",
      "text/plain",
      "text/css",
      "application/json",
      "application/problem+json",
      "application/javascript",
      "image/svg+xml",
      "application/manifest+json",
    ]
  ) ok(isCompressible(t), t);
  for (
    const t of [
      null,
      "image/png",
      "image/webp",
      "font/woff2",
      "application/zip",
      "application/octet-stream",
      "text/event-stream",
      "application/jsonx",
    ]
  ) ok(!isCompressible(t), String(t));
});

Deno.test("compression: a page round-trips through br and gzip, with Vary", async () => {
  for (
    const [accept, coding] of [
      ["br", "br"],
      ["gzip", "gzip"],
      ["br, gzip", "gzip"],
    ]
  ) {
    const res = await get("/page", { "accept-encoding": accept });
    strictEqual(res.status, 200);
    strictEqual(res.headers.get("content-encoding"), coding);
    strictEqual(res.headers.get("vary"), "Accept-Encoding");
    strictEqual(res.headers.get("content-type"), HTML["content-type"]);
    const raw = new Uint8Array(await res.clone().arrayBuffer());
    ok(raw.byteLength < PAGE.length / 4, `${coding} shrinks the page`);
    strictEqual(await decoded(res), PAGE);
  }
});

Deno.test("compression: JSON is compressed too", async () => {
  const res = await get("/json", { "accept-encoding": "gzip" });
  strictEqual(res.headers.get("content-encoding"), "gzip");
  deepStrictEqual(JSON.parse(await decoded(res)), {
    items: Array(200).fill("same"),
  });
});

Deno.test("compression: identity when not asked or refused, still with Vary", async () => {
  for (
    const headers of [
      {},
      { "accept-encoding": "identity" },
      { "accept-encoding": "br;q=0, gzip;q=0" },
      { "accept-encoding": "deflate" },
    ] as Record<string, string>[]
  ) {
    const res = await get("/page", headers);
    strictEqual(res.headers.get("content-encoding"), null);
    strictEqual(res.headers.get("vary"), "Accept-Encoding");
    strictEqual(await res.text(), PAGE);
  }
});

Deno.test("compression: skips tiny, binary, encoded, no-transform, HEAD, ranges, 204, 304", async () => {
  const ae = { "accept-encoding": "br, gzip" };
  const tiny = await get("/tiny", ae);
  strictEqual(tiny.headers.get("content-encoding"), null);
  strictEqual(await tiny.text(), "<p>hi</p>");

  const png = await get("/png", ae);
  strictEqual(png.headers.get("content-encoding"), null);
  strictEqual(png.headers.get("vary"), null, "nothing varies for a PNG");
  strictEqual((await png.arrayBuffer()).byteLength, 4096);

  const encoded = await get("/encoded", ae);
  strictEqual(encoded.headers.get("content-encoding"), "br");
  strictEqual(await encoded.text(), PAGE, "not compressed twice");

  const noTransform = await get("/no-transform", ae);
  strictEqual(noTransform.headers.get("content-encoding"), null);
  strictEqual(await noTransform.text(), PAGE);

  const head = await get("/page", ae, { method: "HEAD" });
  strictEqual(head.headers.get("content-encoding"), null);
  await head.body?.cancel();

  const range = await get("/page", { ...ae, range: "bytes=0-9" });
  strictEqual(range.headers.get("content-encoding"), null);
  strictEqual(await range.text(), PAGE);

  for (const path of ["/no-content", "/not-modified"]) {
    const res = await get(path, ae);
    strictEqual(res.headers.get("content-encoding"), null, path);
    strictEqual(res.body, null, path);
  }
});

Deno.test("compression: a strong ETag turns weak when the bytes change", async () => {
  const compressed = await get("/etag", { "accept-encoding": "gzip" });
  strictEqual(compressed.headers.get("etag"), 'W/"v1"');
  await compressed.body?.cancel();
  const plain = await get("/etag");
  strictEqual(plain.headers.get("etag"), '"v1"');
  await plain.body?.cancel();
});

Deno.test("compression: Vary is added to an existing one, and to frozen headers", async () => {
  const res = await get("/vary", { "accept-encoding": "br" });
  strictEqual(res.headers.get("vary"), "Cookie, Accept-Encoding");
  await res.body?.cancel();
  for (const accept of ["br", "identity"]) {
    const frozen = await get("/frozen", { "accept-encoding": accept });
    strictEqual(frozen.status, 200);
    strictEqual(frozen.headers.get("vary"), "Accept-Encoding");
    strictEqual(await decoded(frozen), PAGE);
  }
});

Deno.test("compression: a body still streaming past the read-ahead is compressed as a stream", async () => {
  const res = await get("/stream", { "accept-encoding": "br" }, {}, {
    bufferBytes: 1024,
  });
  strictEqual(res.headers.get("content-encoding"), "br");
  strictEqual(await decoded(res), PAGE.repeat(3));
  const gz = await get("/stream", { "accept-encoding": "gzip" }, {}, {
    bufferBytes: 1024,
  });
  strictEqual(await decoded(gz), PAGE.repeat(3));
  // With the default read-ahead the same body arrives whole first.
  const whole = await get("/stream", { "accept-encoding": "gzip" });
  strictEqual(await decoded(whole), PAGE.repeat(3));
});

Deno.test("compression: `prefer` picks the coding on a tie", async () => {
  const res = await get("/page", { "accept-encoding": "gzip, br" }, {}, {
    prefer: "br",
  });
  strictEqual(res.headers.get("content-encoding"), "br");
  strictEqual(await decoded(res), PAGE);
});

Deno.test("compression: minBytes decides what is tiny", async () => {
  const res = await get("/tiny", { "accept-encoding": "gzip" }, {}, {
    minBytes: 1,
  });
  strictEqual(res.headers.get("content-encoding"), "gzip");
  strictEqual(await decoded(res), "<p>hi</p>");
});
