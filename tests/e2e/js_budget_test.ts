/**
 * The JavaScript budget (design.md, "Quality bars"): what a public page
 * loads, the boot script's imports and everything they import statically,
 * is at most 20 KB gzipped; the sign-in page is the one the bar names, and
 * the two-factor code page (issue 10) is held to it too.
 *
 * Plain HTTP against the built app: the modules come from the page's
 * `Link: rel=modulepreload` header and its inline boot script, then from
 * the static imports of each fetched module, until nothing new turns up.
 * Every module of that graph must also be preloaded, so the browser never
 * discovers one only after another has arrived.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { startServedApp } from "../helpers/auth.ts";
import { pendingClient, twoFactorAccount } from "../helpers/two_factor.ts";

/** 20 KB, counted in decimal kilobytes: the stricter reading. */
const BUDGET_BYTES = 20_000;

/** The code page of a sign-in with two-factor on: seen with a pending session. */
const CODE_PAGE = "/login/two-factor";

const PAGES = ["/login", "/", "/signup", CODE_PAGE];

/**
 * Static import and re-export specifiers of an ES module (minified or not):
 * `import x from "m"`, `import{a as b}from"m"`, `import "m"`,
 * `export * from "m"`. Dynamic `import("m")` is not loaded at boot and is
 * left out.
 */
export function staticImports(source: string): string[] {
  const re =
    /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+)["']/g;
  return [...source.matchAll(re)].map((m) => m[1]);
}

Deno.test("staticImports finds minified and plain static imports only", () => {
  deepStrictEqual(
    staticImports(
      'import{a as d,b as g}from"./chunk-A.js";import"./side.js";' +
        'var s="import";export*from"./re.js";let m=import("./lazy.js");\n' +
        'import x, { y } from "/abs.js";\nexport { z } from "./z.js";',
    ),
    ["./chunk-A.js", "./side.js", "./re.js", "/abs.js", "./z.js"],
  );
});

/** `<url>; rel="modulepreload"` entries of a Link header. */
function modulePreloads(link: string | null): string[] {
  if (!link) return [];
  return link.split(/,\s*(?=<)/).filter((part) =>
    /;\s*rel="?modulepreload"?/i.test(part)
  ).map((part) => part.slice(part.indexOf("<") + 1, part.indexOf(">")));
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

interface Module {
  path: string;
  bytes: number;
  gzip: number;
}

/** Every module the page's boot script loads, with raw and gzipped sizes. */
async function pageModules(
  base: string,
  path: string,
  cookie: string | null = null,
): Promise<{ modules: Module[]; preloaded: Set<string> }> {
  // Not followed: a redirect (to sign in) would measure another page.
  const res = await fetch(base + path, {
    headers: cookie === null ? {} : { cookie },
    redirect: "manual",
  });
  strictEqual(res.status, 200, `GET ${path}`);
  const html = await res.text();
  const pageUrl = new URL(path, base);
  const preloaded = new Set(
    modulePreloads(res.headers.get("link")).map((u) =>
      new URL(u, pageUrl).href
    ),
  );
  const inline = [
    ...html.matchAll(/<script\b[^>]*type="module"[^>]*>([^]*?)<\/script>/g),
  ].map((m) => m[1]);
  ok(inline.length > 0, `${path} has a boot script`);

  const queue = [
    ...preloaded,
    ...inline.flatMap(staticImports).map((s) => new URL(s, pageUrl).href),
  ];
  const seen = new Map<string, Module>();
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    const r = await fetch(url);
    strictEqual(r.status, 200, `GET ${url}`);
    ok(
      /javascript/.test(r.headers.get("content-type") ?? ""),
      `${url} is served as JavaScript`,
    );
    const body = new Uint8Array(await r.arrayBuffer());
    seen.set(url, {
      path: new URL(url).pathname,
      bytes: body.byteLength,
      gzip: await gzipSize(body),
    });
    const source = new TextDecoder().decode(body);
    for (const spec of staticImports(source)) {
      queue.push(new URL(spec, url).href);
    }
  }
  for (const url of seen.keys()) {
    ok(preloaded.has(url), `${path}: ${url} is imported but not preloaded`);
  }
  return { modules: [...seen.values()], preloaded };
}

Deno.test(`the public pages' JavaScript is at most ${BUDGET_BYTES} bytes gzipped`, async (t) => {
  const app = await startServedApp();
  try {
    const account = await twoFactorAccount(app);
    for (const path of PAGES) {
      await t.step(path, async () => {
        const cookie = path === CODE_PAGE
          ? (await pendingClient(app, account)).cookie
          : null;
        const { modules } = await pageModules(app.url, path, cookie);
        const total = modules.reduce((n, m) => n + m.gzip, 0);
        const raw = modules.reduce((n, m) => n + m.bytes, 0);
        const rows = modules.map((m) =>
          `  ${String(m.gzip).padStart(6)} B gz ${
            String(m.bytes).padStart(7)
          } B  ${m.path.split("/").pop()}`
        );
        console.log(
          `${path}: ${modules.length} modules, ${total} B gzipped ` +
            `(${(total / 1000).toFixed(1)} KB of ${BUDGET_BYTES / 1000} KB), ` +
            `${raw} B raw\n${rows.join("\n")}`,
        );
        ok(
          total <= BUDGET_BYTES,
          `${path} loads ${total} B of gzipped JavaScript, over ` +
            `the ${BUDGET_BYTES} B budget:\n${rows.join("\n")}`,
        );
      });
    }
  } finally {
    await app.stop();
  }
});
