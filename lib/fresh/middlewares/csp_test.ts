import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { h, type VNode } from "preact";
import { App } from "../app.ts";
import type { Context } from "../context.ts";
import { csp, type CSPOptions } from "./csp.ts";

function directives(header: string): Map<string, string> {
  return new Map(
    header.split(/;\s*/).map((d) => [d.split(" ", 1)[0], d] as const),
  );
}

/** A page with a script, which needs the nonce. */
const withScript = (ctx: Context) =>
  ctx.render(h("script", { src: "/a.js" }) as VNode);

async function headersFor(
  options: CSPOptions,
  respond: (ctx: Context) => Response | Promise<Response> = () =>
    new Response("ok"),
): Promise<Headers> {
  const handler = new App()
    .use(csp(options))
    .get("/", respond)
    .handler();
  const res = await handler(new Request("http://localhost/"));
  await res.body?.cancel();
  return res.headers;
}

Deno.test("csp: sets a default policy that allows this origin and Fresh's inline boot script", async () => {
  const headers = await headersFor({});
  const header = headers.get("content-security-policy")!;
  const d = directives(header);
  strictEqual(d.get("default-src"), "default-src 'self'");
  strictEqual(d.get("script-src"), "script-src 'self' 'unsafe-inline'");
  strictEqual(d.get("object-src"), "object-src 'none'");
  strictEqual(d.get("frame-ancestors"), "frame-ancestors 'none'");
  strictEqual(d.get("base-uri"), "base-uri 'self'");
  ok(!header.includes("nonce"));
  strictEqual(headers.get("content-security-policy-report-only"), null);
  strictEqual(headers.get("reporting-endpoints"), null);
});

Deno.test("csp: a directive in options.csp replaces the default of the same name, others are added", async () => {
  const headers = await headersFor({
    csp: [
      "img-src 'self' https://img.example;",
      "IMG-SRC 'self' https://cdn.example",
      "worker-src 'none'",
    ],
  });
  const header = headers.get("content-security-policy")!;
  const d = directives(header);
  strictEqual(d.get("img-src"), undefined);
  strictEqual(d.get("IMG-SRC"), "IMG-SRC 'self' https://cdn.example");
  strictEqual(d.get("worker-src"), "worker-src 'none'");
  strictEqual(header.match(/img-src/gi)?.length, 1);
  strictEqual(d.get("default-src"), "default-src 'self'");
});

Deno.test("csp: reportOnly uses the Report-Only header instead", async () => {
  const headers = await headersFor({ reportOnly: true });
  strictEqual(headers.get("content-security-policy"), null);
  match(
    headers.get("content-security-policy-report-only")!,
    /default-src 'self'/,
  );
});

Deno.test("csp: reportTo adds report-uri, report-to and Reporting-Endpoints", async () => {
  const headers = await headersFor({ reportTo: "/api/csp-reports" });
  const d = directives(headers.get("content-security-policy")!);
  strictEqual(d.get("report-uri"), "report-uri /api/csp-reports");
  strictEqual(d.get("report-to"), "report-to csp-endpoint");
  strictEqual(
    headers.get("reporting-endpoints"),
    'csp-endpoint="/api/csp-reports"',
  );
});

Deno.test("csp: useNonce puts a fresh nonce in script-src instead of 'unsafe-inline'", async () => {
  const a = await headersFor({ useNonce: true }, withScript);
  const b = await headersFor({ useNonce: true }, withScript);
  const sa = directives(a.get("content-security-policy")!).get("script-src")!;
  const sb = directives(b.get("content-security-policy")!).get("script-src")!;
  match(sa, /^script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==?'$/);
  ok(sa !== sb);
  // The order of the directives is kept.
  deepStrictEqual(
    [...directives(a.get("content-security-policy")!).keys()],
    [
      ...directives((await headersFor({})).get("content-security-policy")!)
        .keys(),
    ],
  );
});

Deno.test("csp: useNonce on a response without scripts: no nonce, still no 'unsafe-inline'", async () => {
  for (
    const respond of [
      () => new Response("ok"),
      (ctx: Context) => ctx.json({ a: 1 }),
      (ctx: Context) => ctx.render(h("p", null, "no script") as VNode),
    ]
  ) {
    const header = (await headersFor({ useNonce: true }, respond))
      .get("content-security-policy")!;
    strictEqual(directives(header).get("script-src"), "script-src 'self'");
    ok(!header.includes("nonce"), header);
  }
});

Deno.test("csp: useNonce adds the nonce to an overriding script-src", async () => {
  const headers = await headersFor({
    useNonce: true,
    csp: ["script-src 'self' https://js.example"],
  }, withScript);
  match(
    directives(headers.get("content-security-policy")!).get("script-src")!,
    /^script-src 'self' https:\/\/js\.example 'nonce-[^']+'$/,
  );
});

Deno.test("csp: responses with immutable headers still get the policy", async () => {
  const headers = await headersFor(
    { reportTo: "/r" },
    () => Response.redirect("http://localhost/elsewhere", 302),
  );
  match(headers.get("content-security-policy")!, /default-src 'self'/);
  strictEqual(headers.get("reporting-endpoints"), 'csp-endpoint="/r"');
  strictEqual(headers.get("location"), "http://localhost/elsewhere");
});
