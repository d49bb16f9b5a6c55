import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import type { ComponentChildren, VNode } from "preact";
import { type Signal, signal } from "@preact/signals";
import { App, setBuildCache } from "./app.ts";
import type { BuildCache, IslandInfo } from "./build_cache.ts";
import { csp } from "./middlewares/csp.ts";
import { asset, Head } from "./runtime/mod.ts";
import type { PageProps } from "./types.ts";

// Islands: ordinary components that the build cache below declares.
function Counter(props: { count: Signal<number> | number; label?: string }) {
  return (
    <button type="button">
      {props.label ?? "count"} {String(props.count)}
    </button>
  );
}
function Box(props: { children?: ComponentChildren; aside?: VNode }) {
  return (
    <section>
      {props.aside}
      {props.children}
    </section>
  );
}
function Echo(props: { value: unknown }) {
  return <span>{typeof props.value}</span>;
}

const ISLANDS = new Map<unknown, IslandInfo>([
  [Counter, {
    name: "Counter",
    exportName: "default",
    file: "/_fresh/js/b1/Counter-ABC.js",
    imports: ["/_fresh/js/b1/chunk-preact.js"],
  }],
  [Box, {
    name: "Box",
    exportName: "Box",
    file: "/_fresh/js/b1/Box-DEF.js",
    imports: ["/_fresh/js/b1/chunk-preact.js", "/_fresh/js/b1/chunk-x.js"],
  }],
  [Echo, {
    name: "Echo",
    exportName: "Echo",
    file: "/_fresh/js/b1/Box-DEF.js",
    imports: [],
  }],
]);

function buildCache(): BuildCache {
  return {
    buildId: "b1",
    mode: "production",
    clientEntry: "/_fresh/js/b1/boot.js",
    clientEntryImports: ["/_fresh/js/b1/chunk-preact.js"],
    islands: ISLANDS,
    fsRoutes: [],
    hasStaticFile: () => false,
    readStaticFile: () => Promise.resolve(null),
  };
}

function AppWrapper({ Component }: PageProps) {
  return (
    <html>
      <head>
        <title>Default title</title>
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}

/** Renders `vnode` through a full app (wrapper, build cache, optional csp). */
async function render(
  vnode: () => VNode,
  options: { csp?: boolean; wrapper?: boolean } = {},
): Promise<Response> {
  const app = new App();
  setBuildCache(app, buildCache());
  if (options.csp) app.use(csp({ useNonce: true }));
  if (options.wrapper !== false) app.appWrapper(AppWrapper);
  app.get("/", (ctx) => ctx.render(vnode()));
  return await app.handler()(new Request("http://localhost/"));
}

/** The inline boot script of a page. */
function bootScript(html: string): string {
  const m = html.match(/<script type="module"[^>]*>([^]*?)<\/script>/);
  ok(m, "boot script present");
  return m[1];
}

/** The serialized props the boot script hands to `boot()`. */
function wireProps(html: string): unknown[] {
  const m = bootScript(html).match(/boot\(\{[^}]*\},("(?:[^"\\]|\\.)*")\);$/);
  ok(m, "boot() call present");
  return JSON.parse(JSON.parse(m[1]));
}

Deno.test("render: a page without islands has no <script> and no preload header", async () => {
  const res = await render(() => <p>static</p>);
  const html = await res.text();
  ok(!html.includes("<script"), html);
  strictEqual(res.headers.get("link"), null);
  match(html, /^<!DOCTYPE html><html>/);
});

Deno.test("render: an island is wrapped in frsh:island comment markers with its index and key", async () => {
  const html = await (await render(() => (
    <main>
      <Counter count={1} />
      <Counter count={2} key="second" />
    </main>
  ))).text();
  match(
    html,
    /<main><!--frsh:island:Counter:0:--><button type="button">count 1<\/button><!--\/frsh:island--><!--frsh:island:Counter:1:second--><button type="button">count 2<\/button><!--\/frsh:island--><\/main>/,
  );
});

Deno.test("render: island keys are encoded so they cannot close the comment", async () => {
  const html = await (await render(() => <Counter count={1} key="--><b>" />))
    .text();
  ok(!html.includes("--><b>"));
  match(html, /<!--frsh:island:Counter:0:--%3E%3Cb%3E-->/);
});

Deno.test("render: the boot script imports the entry and each island file once", async () => {
  const html = await (await render(() => (
    <div>
      <Counter count={1} />
      <Box>x</Box>
      <Echo value={1} />
    </div>
  ))).text();
  const script = bootScript(html);
  ok(script.startsWith('import{boot}from"/_fresh/js/b1/boot.js";'), script);
  strictEqual(
    script.match(/from"\/_fresh\/js\/b1\/Box-DEF\.js"/g)?.length,
    1,
  );
  match(
    script,
    /import\{default as I0\}from"\/_fresh\/js\/b1\/Counter-ABC\.js";/,
  );
  match(
    script,
    /import\{Box as I1,Echo as I2\}from"\/_fresh\/js\/b1\/Box-DEF\.js";/,
  );
  match(script, /boot\(\{"Counter":I0,"Box":I1,"Echo":I2,\},/);
  // The script goes at the end of the body.
  match(html, /<\/script><\/body><\/html>$/);
});

Deno.test("render: props of all islands are serialized once, so one signal passed to two islands stays one", async () => {
  const shared = signal(41);
  const html = await (await render(() => (
    <div>
      <Counter count={shared} label="a" />
      <Counter count={shared} label="b" />
    </div>
  ))).text();
  const table = wireProps(html);
  strictEqual(
    table.filter((e) => Array.isArray(e) && e[0] === "Signal").length,
    1,
  );
  strictEqual(table.filter((e) => e === 41).length, 1);
  // The root is the list of island props, one entry per island instance.
  const root = table[0] as number[];
  strictEqual(root.length, 2);
  const a = table[root[0]] as Record<string, number>;
  const b = table[root[1]] as Record<string, number>;
  strictEqual(a.count, b.count);
  strictEqual(table[a.label], "a");
  strictEqual(table[b.label], "b");
});

Deno.test("render: JSX children and JSX props become slots, rendered on the server", async () => {
  const html = await (await render(() => (
    <Box aside={<i>side</i>}>
      <b>child</b>
    </Box>
  ))).text();
  match(
    html,
    /<!--frsh:island:Box:0:--><section><!--frsh:slot:0--><i>side<\/i><!--\/frsh:slot--><!--frsh:slot:1--><b>child<\/b><!--\/frsh:slot--><\/section><!--\/frsh:island-->/,
  );
  const table = wireProps(html);
  const props = table[(table[0] as number[])[0]] as Record<string, number>;
  deepStrictEqual(table[props.aside], ["Slot", 0]);
  deepStrictEqual(table[props.children], ["Slot", 1]);
});

Deno.test("render: an island inside an island is not wrapped, but an island inside a slot is", async () => {
  function Outer() {
    return (
      <div>
        <Counter count={1} />
      </div>
    );
  }
  const cache = buildCache();
  const islands = new Map(cache.islands);
  islands.set(Outer, {
    name: "Outer",
    exportName: "Outer",
    file: "/_fresh/js/b1/Outer.js",
    imports: [],
  });
  const app = new App();
  setBuildCache(app, { ...cache, islands });
  app.get("/", (ctx) =>
    ctx.render(
      <main>
        <Outer />
        <Box>
          <Counter count={2} />
        </Box>
      </main>,
    ));
  const html = await (await app.handler()(new Request("http://localhost/")))
    .text();
  match(
    html,
    /<!--frsh:island:Outer:0:--><div><button type="button">count 1<\/button><\/div><!--\/frsh:island-->/,
  );
  match(
    html,
    /<!--frsh:island:Box:1:--><section><!--frsh:slot:0--><!--frsh:island:Counter:2:--><button type="button">count 2<\/button><!--\/frsh:island--><!--\/frsh:slot--><\/section><!--\/frsh:island-->/,
  );
  strictEqual(html.match(/frsh:island:Counter/g)?.length, 1);
});

Deno.test("render: a </script> in a prop string cannot break out of the inline script", async () => {
  const evil = "</script><script>alert(1)</script><!--";
  const html = await (await render(() => <Counter count={1} label={evil} />))
    .text();
  const script = bootScript(html);
  ok(!/<\/script/i.test(script), script);
  ok(!script.includes("<!--"), script);
  // Exactly one script element: the payload did not open another one.
  strictEqual(html.match(/<script/g)?.length, 1);
  const table = wireProps(html);
  ok(table.includes(evil));
});

Deno.test("render: the Link header preloads the entry, its imports, the islands and their imports", async () => {
  const res = await render(() => (
    <div>
      <Counter count={1} />
      <Box>x</Box>
    </div>
  ));
  await res.body?.cancel();
  const [style, ...modules] = res.headers.get("link")!.split(", ");
  strictEqual(style, '</styles.css?__frsh_c=b1>; rel="preload"; as="style"');
  const urls = modules.map((part) => {
    const m = part.match(/^<([^>]+)>; rel="modulepreload"; as="script"$/);
    ok(m, part);
    return m[1];
  });
  deepStrictEqual(urls.sort(), [
    "/_fresh/js/b1/Box-DEF.js",
    "/_fresh/js/b1/Counter-ABC.js",
    "/_fresh/js/b1/boot.js",
    "/_fresh/js/b1/chunk-preact.js",
    "/_fresh/js/b1/chunk-x.js",
  ]);
});

Deno.test("render: the head's stylesheets are preloaded first in the Link header, nothing else", async () => {
  const res = await render(() => (
    <div>
      <Head>
        <link rel="icon" href="/favicon.svg" />
        <link href="/a b.css?x=1&y=2" rel="stylesheet" />
        <link rel="preload" href="/font.woff2" as="font" />
      </Head>
      <link rel="stylesheet" href="/in-body.css" />
      <Counter count={1} />
    </div>
  ));
  await res.body?.cancel();
  const parts = res.headers.get("link")!.split(", ");
  deepStrictEqual(parts.slice(0, 3), [
    '</styles.css?__frsh_c=b1>; rel="preload"; as="style"',
    '</a%20b.css?x=1&y=2>; rel="preload"; as="style"',
    '</_fresh/js/b1/boot.js>; rel="modulepreload"; as="script"',
  ]);
  ok(
    parts.slice(2).every((p) => p.includes('rel="modulepreload"')),
    parts.join("\n"),
  );
});

Deno.test("render: <Head> content lands in <head> and its <title> replaces the app's", async () => {
  const html = await (await render(() => (
    <div>
      <Head>
        <title>Page title</title>
        <meta name="description" content="d" />
      </Head>
      <p>body</p>
    </div>
  ))).text();
  const head = html.slice(html.indexOf("<head>"), html.indexOf("</head>"));
  match(head, /<title>Page title<\/title>/);
  match(head, /<meta name="description" content="d"\/?>/);
  ok(!html.includes("Default title"));
  strictEqual(html.match(/<title>/g)?.length, 1);
  match(html, /<body><div><p>body<\/p><\/div><\/body>/);
});

Deno.test("render: of two <Head> titles the last one wins", async () => {
  const html = await (await render(() => (
    <div>
      <Head>
        <title>First</title>
      </Head>
      <Head>
        <title>Second</title>
      </Head>
    </div>
  ))).text();
  strictEqual(html.match(/<title>/g)?.length, 1);
  match(html, /<title>Second<\/title>/);
});

Deno.test("render: a <Head> title leaves an inline <svg> title alone", async () => {
  const html = await (await render(() => (
    <div>
      <svg>
        <title>Icon</title>
      </svg>
      <Head>
        <title>Page</title>
      </Head>
    </div>
  ))).text();
  match(html, /<head>.*<title>Page<\/title>.*<\/head>/);
  match(html, /<svg><title>Icon<\/title><\/svg>/);
});

Deno.test("render: <Head> works without an app wrapper", async () => {
  const html = await (await render(
    () => (
      <div>
        <Head>
          <title>T</title>
        </Head>
      </div>
    ),
    { wrapper: false },
  )).text();
  match(html, /<head>.*<title>T<\/title><\/head>/);
});

Deno.test("render: a function passed to an island is a clear 500 error, logged", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  let res: Response;
  try {
    res = await render(() => <Echo value={() => 1} />);
  } finally {
    console.error = original;
  }
  strictEqual(res.status, 500);
  const body = await res.text();
  ok(!body.includes("Cannot serialize"), "no detail in the body");
  strictEqual(logged.length, 1);
  match(String(logged[0][1]), /Cannot serialize function at props\[0\]\.value/);
});

Deno.test("render: with csp({ useNonce }) every <script> carries the nonce of the header", async () => {
  const res = await render(() => (
    <div>
      <Head>
        <script src="/head.js" />
      </Head>
      <script src="/analytics.js" />
      <Counter count={1} />
    </div>
  ), { csp: true });
  const html = await res.text();
  const header = res.headers.get("content-security-policy")!;
  const nonce = header.match(/'nonce-([^']+)'/)?.[1];
  ok(nonce, header);
  const scripts = html.match(/<script[^>]*>/g)!;
  strictEqual(scripts.length, 3);
  for (const tag of scripts) {
    ok(tag.includes(` nonce="${nonce}"`), tag);
  }
});

Deno.test("render: the nonce differs per request", async () => {
  const nonces = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const res = await render(() => <Counter count={1} />, { csp: true });
    const html = await res.text();
    nonces.add(html.match(/nonce="([^"]+)"/)![1]);
  }
  strictEqual(nonces.size, 3);
});

Deno.test("render: without csp there is no nonce attribute", async () => {
  const html = await (await render(() => (
    <div>
      <script src="/a.js" />
      <Counter count={1} />
    </div>
  ))).text();
  ok(html.includes("<script"));
  ok(!html.includes("nonce"), html);
});

Deno.test("render: asset() adds the build id to a static file URL", async () => {
  const html =
    await (await render(() => <img src={asset("/logo.svg?v=2#frag")} />))
      .text();
  match(html, /href="\/styles\.css\?__frsh_c=b1"/);
  match(html, /src="\/logo\.svg\?v=2&amp;__frsh_c=b1#frag"/);
});

Deno.test("render: asset() leaves external and already-busted URLs alone", () => {
  // Outside a render (no build id yet or from an earlier render) the rules
  // for external URLs still hold.
  strictEqual(
    asset("https://static.example/x.js"),
    "https://static.example/x.js",
  );
  strictEqual(asset("//cdn.example/x.js"), "//cdn.example/x.js");
  strictEqual(asset("/a.css?__frsh_c=old"), "/a.css?__frsh_c=old");
});

Deno.test("render: asset() in an async page component sees the build id", async () => {
  const app = new App();
  setBuildCache(app, { ...buildCache(), buildId: "async-id" });
  app.route("/", {
    component: async () => {
      await Promise.resolve();
      return <img src={asset("/a.png")} />;
    },
  });
  const html = await (await app.handler()(new Request("http://localhost/")))
    .text();
  match(html, /src="\/a\.png\?__frsh_c=async-id"/);
});

Deno.test("render: an island rendered by a page without a build is plain HTML", async () => {
  const app = new App().get("/", (ctx) => ctx.render(<Counter count={3} />));
  const html = await (await app.handler()(new Request("http://localhost/")))
    .text();
  ok(!html.includes("frsh:island"));
  ok(!html.includes("<script"));
  match(html, /<button type="button">count 3<\/button>/);
});

Deno.test("render: the boot script and Link header follow the build the app serves", async () => {
  // A cache whose build changes under it, as the development cache's does.
  let build = { id: "b1", file: "/_fresh/js/b1/Counter-ABC.js" };
  const cache: BuildCache = {
    ...buildCache(),
    get buildId() {
      return build.id;
    },
    get islands() {
      return new Map<unknown, IslandInfo>([[Counter, {
        name: "Counter",
        exportName: "default",
        file: build.file,
        imports: [],
      }]]);
    },
  };
  const app = new App().get("/", (ctx) => ctx.render(<Counter count={1} />));
  setBuildCache(app, cache);
  const handler = app.handler();
  const page = async () => {
    const res = await handler(new Request("http://localhost/"));
    return { html: await res.text(), link: res.headers.get("link") ?? "" };
  };
  let { html, link } = await page();
  match(bootScript(html), /from"\/_fresh\/js\/b1\/Counter-ABC\.js"/);
  match(link, /<\/_fresh\/js\/b1\/Counter-ABC\.js>/);
  build = { id: "b2", file: "/_fresh/js/b2/Counter-XYZ.js" };
  ({ html, link } = await page());
  match(bootScript(html), /from"\/_fresh\/js\/b2\/Counter-XYZ\.js"/);
  match(link, /<\/_fresh\/js\/b2\/Counter-XYZ\.js>/);
  ok(!link.includes("b1/Counter"), link);
});
