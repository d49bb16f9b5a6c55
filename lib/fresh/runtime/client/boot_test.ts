/**
 * End-to-end tests of the island runtime in real Chromium: boot.ts and the
 * islands in ./testdata/ are bundled with esbuild the way the builder does
 * (ESM, splitting), served with hand-written HTML that follows the server's
 * marker contract, and exercised through playwright-core.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); without it the
 * test fails (launchBrowser throws) instead of skipping.
 */

import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import {
  type Browser,
  islandsHydrated,
  launchBrowser,
  openPage,
  type Page,
} from "../../../../tests/helpers/browser.ts";

const HERE = new URL(".", import.meta.url).pathname;
const ROOT = new URL("../../../../", import.meta.url).pathname;
const ISLANDS = ["Counter", "Shared", "Wrapper", "List", "Boom"];

// ---------------------------------------------------------------------------
// Props text: a minimal writer for the reviver's table format, enough for
// the values these pages use (objects, arrays, primitives, signals, slots).

class Sig {
  constructor(readonly value: unknown) {}
}
class Slot {
  constructor(readonly id: number) {}
}

function encode(root: unknown): string {
  const table: unknown[] = [];
  const seen = new Map<unknown, number>();
  const add = (v: unknown): number => {
    if (v === undefined) return -1;
    const known = seen.get(v);
    if (known !== undefined) return known;
    const i = table.push(null) - 1;
    if (typeof v == "object" && v !== null) seen.set(v, i);
    if (v instanceof Sig) table[i] = ["Signal", add(v.value)];
    else if (v instanceof Slot) table[i] = ["Slot", v.id];
    else if (Array.isArray(v)) table[i] = v.map(add);
    else if (typeof v == "object" && v !== null) {
      table[i] = Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, add(x)]),
      );
    } else table[i] = v;
    return i;
  };
  add(root);
  return JSON.stringify(table);
}

// ---------------------------------------------------------------------------
// Pages, written the way the server renders them.

const counter = (n: number, id = "") =>
  `<div class="counter"${id && ` id="${id}"`}><span class="count">${n}</span>` +
  `<button type="button" class="inc">+</button></div>`;

function page(
  body: string,
  islands: string[],
  props: unknown[],
): string {
  const imports = islands.map((name, i) =>
    `import{default as I${i}}from"/js/${name}.js";`
  ).join("");
  // Each island is wrapped in a probe that logs, per render, the number of
  // the task it runs in (a task ends at the next microtask checkpoint).
  const map = islands.map((name, i) => `${JSON.stringify(name)}:P(I${i})`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>boot</title>` +
    // No favicon request, whose 404 would show up as a console error.
    `<link rel="icon" href="data:,">` +
    `</head><body><main id="main">${body}</main>` +
    // Runs before boot: remember every element and text node and the markup
    // without comments, to prove hydration adopted them, and record every
    // DOM mutation from here on (a moved node shows as removed + added).
    `<script>{const main=document.getElementById("main");` +
    `const w=document.createTreeWalker(main,5);const nodes=[];` +
    `for(let n;(n=w.nextNode());)nodes.push(n);window.__nodes=nodes;` +
    `window.__html=main.innerHTML.replace(/<!--[^]*?-->/g,"");` +
    `const log=window.__mutations=[];window.__observer=new MutationObserver(` +
    `(rs)=>log.push(...rs));window.__observer.observe(main,{subtree:true,` +
    `childList:true,attributes:true,characterData:true})}</script>` +
    `<script type="module">import{boot}from"/js/boot.js";${imports}` +
    `const R=window.__renders=[];let T=0,open=false;` +
    `const P=(C)=>(p)=>{if(!open){open=true;T++;queueMicrotask(()=>{open=false})}` +
    `R.push(T);return C(p)};` +
    `const done=boot({${map}},${JSON.stringify(encode(props))});` +
    `window.__rendersInBootCall=R.length;` +
    `done.then(()=>{window.__booted=true})</script></body></html>`;
}

const shared = new Sig(1);
const MAIN_PAGE = page(
  `<div id="top"><!--frsh:island:Counter:0:-->${
    counter(5)
  }<!--/frsh:island--></div>` +
    `<p id="shared"><!--frsh:island:Shared:1:a--><button type="button" class="shared">1</button><!--/frsh:island-->` +
    ` and <!--frsh:island:Shared:2:b--><button type="button" class="shared">1</button><!--/frsh:island--></p>` +
    `<div id="slots"><!--frsh:island:Wrapper:3:--><section class="wrapper"><h2 class="title">Slots: 0</h2><div class="body">` +
    `<!--frsh:slot:0--><p id="slot-p" data-x="1">Slot <b>content</b><!-- kept --></p>slot text` +
    `<!--frsh:island:Counter:4:-->${counter(10, "nested")}<!--/frsh:island-->` +
    // An island with slots, inside a slot.
    `<!--frsh:island:Wrapper:6:inner--><section class="wrapper"><h2 class="title">Inner: 0</h2><div class="body">` +
    `<!--frsh:slot:1--><i id="deep">deep</i><!--/frsh:slot--></div>` +
    `<footer><!--frsh:slot:2--><small id="foot">foot</small><!--/frsh:slot--></footer>` +
    `</section><!--/frsh:island-->` +
    `<!--/frsh:slot--></div></section><!--/frsh:island--></div>` +
    `<ul id="list"><li>before</li><!--frsh:island:List:5:--><li><button type="button" class="add">add</button></li>` +
    `<li class="item">x</li><li class="item">y</li><!--/frsh:island--><li>after</li></ul>`,
  ["Counter", "Shared", "Wrapper", "List"],
  [
    { start: 5 },
    { value: shared },
    { value: shared },
    { title: "Slots", children: new Slot(0) },
    { start: 10 },
    { items: ["x", "y"] },
    { title: "Inner", children: new Slot(1), footer: new Slot(2) },
  ],
);

const ERROR_PAGE = page(
  // An unknown root island: islands in its slots hydrate as roots.
  `<!--frsh:island:Missing:0:--><div class="missing"><!--frsh:slot:0-->` +
    `<!--frsh:island:Counter:1:-->${
      counter(1, "in-missing")
    }<!--/frsh:island-->` +
    `<!--/frsh:slot--></div><!--/frsh:island-->` +
    // An island that throws keeps its server HTML.
    `<!--frsh:island:Boom:2:--><p id="boom">server boom</p><!--/frsh:island-->` +
    // An unknown island inside a known island's slot stays static.
    `<!--frsh:island:Wrapper:3:--><section class="wrapper"><h2 class="title">W: 0</h2><div class="body">` +
    `<!--frsh:slot:1--><!--frsh:island:Gone:4:--><em id="gone">gone</em><!--/frsh:island-->` +
    `<!--frsh:island:Counter:5:-->${
      counter(7, "in-wrapper")
    }<!--/frsh:island--><!--/frsh:slot-->` +
    `</div></section><!--/frsh:island-->` +
    `<div id="last"><!--frsh:island:Counter:6:-->${
      counter(3, "after-boom")
    }<!--/frsh:island--></div>`,
  ["Counter", "Boom", "Wrapper"],
  [
    { children: new Slot(0) },
    { start: 1 },
    {},
    { title: "W", children: new Slot(1) },
    {},
    { start: 7 },
    { start: 3 },
  ],
);

// ---------------------------------------------------------------------------
// Bundling, serving and browsing.

async function bundle(): Promise<Map<string, Uint8Array>> {
  const entryPoints: Record<string, string> = { boot: HERE + "boot.ts" };
  for (const name of ISLANDS) {
    entryPoints[name] = `${HERE}testdata/${name}.tsx`;
  }
  const result = await esbuild.build({
    entryPoints,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    nodePaths: [ROOT + "node_modules"],
    absWorkingDir: ROOT,
    outdir: "/out",
    write: false,
    minify: true,
    logLevel: "silent",
  });
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) {
    files.set("/js/" + f.path.slice("/out/".length), f.contents);
  }
  return files;
}

function serve(files: Map<string, Uint8Array>): Deno.HttpServer<Deno.NetAddr> {
  const pages: Record<string, string> = {
    "/": MAIN_PAGE,
    "/errors": ERROR_PAGE,
  };
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      const js = files.get(path);
      if (js) {
        return new Response(js as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "text/javascript" },
        });
      }
      if (path in pages) {
        return new Response(pages[path], {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      return new Response("not found", { status: 404 });
    },
  );
}

/**
 * Opens a page and waits with the app tests' {@linkcode islandsHydrated},
 * checking it against boot()'s own promise.
 */
async function open(browser: Browser, url: string) {
  const { page, consoleErrors } = await openPage(browser, url);
  await islandsHydrated(page);
  assert.equal(
    await page.evaluate("window.__booted"),
    true,
    "islandsHydrated() returned before boot() had hydrated every island",
  );
  return { page, errors: consoleErrors };
}

const text = (page: Page, selector: string) =>
  page.locator(selector).textContent();

/**
 * Every pre-boot element and text node is still in the page, in order, and
 * none was added. With `sameHtml`, the markup (comments aside) is also
 * unchanged, which only holds until an island re-renders with new state.
 */
function nodesKept(page: Page, sameHtml = false): Promise<boolean> {
  return page.evaluate((sameHtml) => {
    const w = window as unknown as { __nodes: Node[]; __html: string };
    const main = document.getElementById("main")!;
    const walker = document.createTreeWalker(main, 5);
    const now: Node[] = [];
    for (let n; (n = walker.nextNode());) now.push(n);
    return now.length == w.__nodes.length &&
      now.every((n, i) => n === w.__nodes[i]) &&
      (!sameHtml ||
        main.innerHTML.replace(/<!--[^]*?-->/g, "") == w.__html);
  }, sameHtml);
}

/**
 * Mutations boot made to elements and text nodes, as readable strings, then
 * stops recording. Removing marker comments is the only change allowed.
 */
function bootMutations(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __mutations: MutationRecord[];
      __observer: MutationObserver;
    };
    const records = [...w.__mutations, ...w.__observer.takeRecords()];
    w.__observer.disconnect();
    const name = (n: Node) => n.nodeName;
    const out: string[] = [];
    for (const r of records) {
      if (r.type != "childList") {
        out.push(`${r.type} ${name(r.target)} ${r.attributeName ?? ""}`);
        continue;
      }
      for (const n of [...r.addedNodes].filter((n) => n.nodeType != 8)) {
        out.push(`added ${name(n)} to ${name(r.target)}`);
      }
      for (const n of [...r.removedNodes].filter((n) => n.nodeType != 8)) {
        out.push(`removed ${name(n)} from ${name(r.target)}`);
      }
    }
    return out;
  });
}

/** Children of `selector` as strings: comments as `<!--…-->`, else text. */
function childList(page: Page, selector: string): Promise<string[]> {
  return page.$eval(
    selector,
    (el) =>
      [...el.childNodes].map((n) =>
        n.nodeType == 8 ? `<!--${(n as Comment).data}-->` : n.textContent ?? ""
      ),
  );
}

// ---------------------------------------------------------------------------

Deno.test({
  name: "boot hydrates islands in Chromium",
  // playwright and esbuild keep child processes and sockets between steps;
  // both are shut down in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const files = await bundle();
    const server = serve(files);
    const base = `http://127.0.0.1:${server.addr.port}`;
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const { page, errors } = await open(browser, base + "/");

      await t.step("hydration adopts the server DOM unchanged", async () => {
        assert.ok(
          await nodesKept(page, true),
          "boot changed, re-created or added DOM nodes",
        );
        assert.deepEqual(await bootMutations(page), []);
        // Root markers stay; markers inside islands are gone.
        const comments = await page.evaluate(() => {
          const w = document.createTreeWalker(document.body, 128);
          const out: string[] = [];
          for (let n; (n = w.nextNode());) out.push((n as Comment).data);
          return out;
        });
        assert.deepEqual(comments, [
          "frsh:island:Counter:0:",
          "/frsh:island",
          "frsh:island:Shared:1:a",
          "/frsh:island",
          "frsh:island:Shared:2:b",
          "/frsh:island",
          "frsh:island:Wrapper:3:",
          " kept ",
          "/frsh:island",
          "frsh:island:List:5:",
          "/frsh:island",
        ]);
      });

      await t.step(
        "each root island hydrates in a task of its own, after boot() returns",
        async () => {
          assert.equal(
            await page.evaluate("window.__rendersInBootCall"),
            0,
            "an island rendered during the module script's task",
          );
          // Roots: Counter, Shared, Shared, Wrapper (with the Counter and
          // Wrapper of its slot, hydrated in its tree), List.
          assert.deepEqual(await page.evaluate("window.__renders"), [
            1,
            2,
            3,
            4,
            4,
            4,
            5,
          ]);
        },
      );

      await t.step("(a) a counter hydrates and reacts to clicks", async () => {
        await page.click("#top .inc");
        assert.deepEqual(await text(page, "#top .count"), "6");
        assert.ok(await nodesKept(page), "the click re-created DOM nodes");
      });

      await t.step("(b) two islands share one signal", async () => {
        const buttons = page.locator("#shared .shared");
        await buttons.nth(0).click();
        assert.deepEqual(await buttons.allTextContents(), ["2", "2"]);
        await buttons.nth(1).click();
        assert.deepEqual(await buttons.allTextContents(), ["3", "3"]);
      });

      await t.step(
        "(c) children slot keeps server DOM, nested island hydrates",
        async () => {
          assert.deepEqual(
            await page.$eval("#slot-p", (p) => p.outerHTML),
            '<p id="slot-p" data-x="1">Slot <b>content</b><!-- kept --></p>',
          );
          assert.deepEqual(
            await childList(page, "#slots > .wrapper > .body"),
            ["Slot content", "slot text", "10+", "Inner: 0deepfoot"],
          );
          await page.click("#nested .inc");
          assert.deepEqual(await text(page, "#nested .count"), "11");
          // Re-rendering the owner keeps the slot's nodes and the nested state.
          const outer = "#slots > .wrapper > .title";
          await page.click(outer);
          assert.deepEqual(await text(page, outer), "Slots: 1");
          assert.deepEqual(await text(page, "#nested .count"), "11");
          assert.ok(await nodesKept(page), "slot nodes were re-created");
          await page.click("#nested .inc");
          assert.deepEqual(await text(page, "#nested .count"), "12");
          // The island in the slot got its own props and slots, and reacts.
          const inner = "#slots .wrapper .wrapper > .title";
          await page.click(inner);
          assert.deepEqual(await text(page, inner), "Inner: 1");
          assert.deepEqual(await text(page, outer), "Slots: 1");
          assert.deepEqual(await text(page, "#deep"), "deep");
          assert.deepEqual(await text(page, "#foot"), "foot");
          assert.ok(await nodesKept(page), "nested slot nodes were re-created");
        },
      );

      await t.step("(d) an island of <li>s inside a <ul>", async () => {
        assert.deepEqual(await childList(page, "#list"), [
          "before",
          "<!--frsh:island:List:5:-->",
          "add",
          "x",
          "y",
          "<!--/frsh:island-->",
          "after",
        ]);
        await page.click("#list .add");
        await page.click("#list .add");
        // New items land inside the island's range, before its end marker.
        assert.deepEqual(await childList(page, "#list"), [
          "before",
          "<!--frsh:island:List:5:-->",
          "add",
          "x",
          "y",
          "n2",
          "n3",
          "n4",
          "n5",
          "<!--/frsh:island-->",
          "after",
        ]);
      });

      await t.step("(e) no console errors", () => {
        assert.deepEqual(errors, []);
      });
      await page.close();

      await t.step("errors are reported and isolated per island", async () => {
        const { page, errors } = await open(browser!, base + "/errors");
        // Islands after the failures still hydrate.
        for (const id of ["in-missing", "in-wrapper", "after-boom"]) {
          const before = Number(await text(page, `#${id} .count`));
          await page.click(`#${id} .inc`);
          assert.deepEqual(
            Number(await text(page, `#${id} .count`)),
            before + 1,
            `#${id} did not hydrate`,
          );
        }
        assert.deepEqual(await text(page, "#boom"), "server boom");
        await page.click(".wrapper .title");
        assert.deepEqual(await text(page, ".wrapper .title"), "W: 1");
        assert.deepEqual(await text(page, "#gone"), "gone");
        assert.deepEqual(errors.length, 3, errors.join("\n"));
        assert.ok(errors[0].includes('island "Missing" is not in the islands'));
        assert.ok(errors[1].includes('island "Gone" is not in the islands'));
        assert.ok(errors[2].includes('island "Boom" failed to hydrate'));
        assert.ok(errors[2].includes("boom"));
        await page.close();
      });
    } finally {
      await browser?.close();
      await server.shutdown();
      await esbuild.stop();
    }
  },
});

/** Minified + gzipped size of boot.ts bundled with `external` left out. */
async function gzipSize(external: string[]): Promise<number> {
  const result = await esbuild.build({
    entryPoints: [HERE + "boot.ts"],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external,
    nodePaths: [ROOT + "node_modules"],
    absWorkingDir: ROOT,
    write: false,
    minify: true,
    logLevel: "silent",
  });
  const gzip = new Blob([
    result.outputFiles[0].contents as Uint8Array<ArrayBuffer>,
  ])
    .stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(gzip).arrayBuffer()).byteLength;
}

Deno.test({
  name: "boot stays small",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    try {
      const alone = await gzipSize(["preact", "preact/*", "@preact/*"]);
      const total = await gzipSize([]);
      console.log(
        `boot.ts min+gz: ${alone} B alone, ${total} B with preact and signals`,
      );
      // Room for the islands themselves in the sign-in page's 20 KB budget.
      assert.ok(alone < 2_500, `boot.ts alone is ${alone} B gzipped`);
      assert.ok(total < 11_000, `boot.ts with deps is ${total} B gzipped`);
    } finally {
      await esbuild.stop();
    }
  },
});
