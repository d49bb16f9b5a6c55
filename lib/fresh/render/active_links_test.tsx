import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { ComponentChildren } from "preact";
import { App, setBuildCache } from "../app.ts";
import type { BuildCache, IslandInfo } from "../build_cache.ts";
import type { PageProps } from "../types.ts";
import { matchUrl } from "./active_links.ts";

/** An island: rendered on the server like any component, then hydrated. */
function Menu(props: { children?: ComponentChildren }) {
  return (
    <nav>
      <a href="/docs/install">Install</a>
      {props.children}
    </nav>
  );
}

function buildCache(): BuildCache {
  return {
    buildId: "b1",
    mode: "production",
    clientEntry: "/_fresh/js/b1/boot.js",
    clientEntryImports: [],
    islands: new Map<unknown, IslandInfo>([[Menu, {
      name: "Menu",
      exportName: "Menu",
      file: "/_fresh/js/b1/Menu.js",
      imports: [],
    }]]),
    fsRoutes: [],
    hasStaticFile: () => false,
    readStaticFile: () => Promise.resolve(null),
  };
}

/** What each `<a>` of a page carries: its href and its marks, in order. */
interface Marks {
  href: string | undefined;
  "aria-current"?: string;
  "data-current"?: string;
  "data-ancestor"?: string;
}

function marks(html: string): Marks[] {
  return [...html.matchAll(/<a(\s[^>]*)?>/g)].map(([, attrs = ""]) => {
    const found: Record<string, string> = {};
    for (const [, name, value] of attrs.matchAll(/([\w-]+)="([^"]*)"/g)) {
      found[name] = value;
    }
    const out: Marks = { href: found.href };
    for (const name of ["aria-current", "data-current", "data-ancestor"]) {
      if (name in found) out[name as keyof Marks] = found[name];
    }
    return out;
  });
}

const PAGE = { "aria-current": "page", "data-current": "true" } as const;
const ANCESTOR = { "aria-current": "true", "data-ancestor": "true" } as const;

/** The links' marks when `links` is the page at `path` (one route: every path). */
async function linksOn(
  path: string,
  links: () => ComponentChildren,
): Promise<Marks[]> {
  const app = new App().route("/*", {
    component: () => <main>{links()}</main>,
  });
  const res = await app.handler()(new Request(`http://localhost${path}`));
  strictEqual(res.status, 200);
  return marks(await res.text());
}

Deno.test("active links: the page's own link is aria-current=page, its ancestors' links aria-current=true", async () => {
  deepStrictEqual(
    await linksOn("/settings/sessions", () => (
      <>
        <a href="/settings/sessions">Sessions</a>
        <a href="/settings">Settings</a>
        <a href="/">Home</a>
        <a href="/settings/security">Security</a>
        <a href="/settings/sessions/old">Old sessions</a>
        <a href="/set">Set</a>
        <a href="/settings-help">Help</a>
      </>
    )),
    [
      { href: "/settings/sessions", ...PAGE },
      { href: "/settings", ...ANCESTOR },
      // "/" is an ancestor of every page.
      { href: "/", ...ANCESTOR },
      // A sibling, a descendant and paths that only share a prefix: none.
      { href: "/settings/security" },
      { href: "/settings/sessions/old" },
      { href: "/set" },
      { href: "/settings-help" },
    ],
  );
});

Deno.test("active links: on / the home link is the page", async () => {
  deepStrictEqual(
    await linksOn("/", () => (
      <>
        <a href="/">Home</a>
        <a href="/status">Status</a>
      </>
    )),
    [{ href: "/", ...PAGE }, { href: "/status" }],
  );
});

Deno.test("active links: the query, the hash and one trailing slash do not count, on the link or the page", async () => {
  const links = () => (
    <>
      <a href="/docs/">Docs</a>
      <a href="/docs?page=2">Docs, page 2</a>
      <a href="/docs#install">Docs, install</a>
      <a href="/#features">Features</a>
      <a href="/docs/?x#y">Docs again</a>
    </>
  );
  const expected = [
    { href: "/docs/", ...PAGE },
    { href: "/docs?page=2", ...PAGE },
    { href: "/docs#install", ...PAGE },
    // Its path is "/": an ancestor like any link to the home page.
    { href: "/#features", ...ANCESTOR },
    { href: "/docs/?x#y", ...PAGE },
  ];
  deepStrictEqual(await linksOn("/docs", links), expected);
  deepStrictEqual(await linksOn("/docs/", links), expected);
  deepStrictEqual(await linksOn("/docs?page=3", links), expected);
});

Deno.test("active links: only root-relative hrefs into this site are marked", async () => {
  deepStrictEqual(
    await linksOn("/docs/install", () => (
      <>
        <a href="install">relative</a>
        <a href="./install">dot-relative</a>
        <a href="#top">fragment</a>
        <a href="http://localhost/docs/install">absolute</a>
        <a href="//localhost/docs/install">protocol-relative</a>
        <a href="/\localhost/docs/install">backslash</a>
        <a href="//bad host/docs">unparsable</a>
        <a>no href</a>
        <a href="/docs/%69nstall">encoded</a>
        <a href="/docs/x/../install">dot segments</a>
      </>
    )),
    [
      { href: "install" },
      { href: "./install" },
      { href: "#top" },
      { href: "http://localhost/docs/install" },
      // Upstream reads these as the path /docs/install; they leave the site.
      { href: "//localhost/docs/install" },
      { href: "/\\localhost/docs/install" },
      { href: "//bad host/docs" },
      { href: undefined },
      // The URL parser's own normalisation, as upstream: "%69" stays
      // encoded, dot segments go.
      { href: "/docs/%69nstall" },
      { href: "/docs/x/../install", ...PAGE },
    ],
  );
});

Deno.test("active links: paths compare as the URL parser encodes them", async () => {
  deepStrictEqual(
    await linksOn("/caf%C3%A9/menu", () => (
      <>
        <a href="/café">Café</a>
        <a href="/café/menu">Menu</a>
      </>
    )),
    [{ href: "/café", ...ANCESTOR }, { href: "/café/menu", ...PAGE }],
  );
});

Deno.test("active links: a match replaces the element's own aria-current; no match leaves it", async () => {
  deepStrictEqual(
    await linksOn("/steps/2", () => (
      <>
        <a href="/steps/2" aria-current="false">Two</a>
        <a href="/steps" aria-current="step">Steps</a>
        <a href="/steps/3" aria-current="step">Three</a>
        <a href="/steps/1" data-current="yes">One</a>
      </>
    )),
    [
      { href: "/steps/2", ...PAGE },
      { href: "/steps", ...ANCESTOR },
      { href: "/steps/3", "aria-current": "step" },
      { href: "/steps/1", "data-current": "yes" },
    ],
  );
});

Deno.test("active links: links are marked wherever they render: app wrapper, layout, async page, island, slot, ctx.render", async () => {
  const app = new App();
  setBuildCache(app, buildCache());
  app.appWrapper(({ Component }: PageProps) => (
    <html>
      <body>
        <a href="/">wrapper</a>
        <Component />
      </body>
    </html>
  ));
  app.layout("/docs", ({ Component }: PageProps) => (
    <div>
      <a href="/docs">layout</a>
      <Component />
    </div>
  ));
  app.route("/docs/install", {
    component: async () => {
      await Promise.resolve();
      return (
        <Menu>
          <a href="/docs/install">slot</a>
        </Menu>
      );
    },
  });
  app.get("/docs/faq", (ctx) => ctx.render(<a href="/docs/faq">render</a>));
  const handler = app.handler();

  const page = await handler(new Request("http://localhost/docs/install"));
  deepStrictEqual(marks(await page.text()), [
    { href: "/", ...ANCESTOR },
    { href: "/docs", ...ANCESTOR },
    // The island's own link (rendered on the server), then its slot.
    { href: "/docs/install", ...PAGE },
    { href: "/docs/install", ...PAGE },
  ]);
  const rendered = await handler(new Request("http://localhost/docs/faq"));
  deepStrictEqual(marks(await rendered.text()), [
    { href: "/", ...ANCESTOR },
    { href: "/docs", ...ANCESTOR },
    { href: "/docs/faq", ...PAGE },
  ]);
});

Deno.test("active links: a link vnode kept between renders is marked for each page afresh", async () => {
  const kept = <a href="/a">A</a>;
  const app = new App().route("/*", { component: () => <main>{kept}</main> });
  const handler = app.handler();
  const on = async (path: string) =>
    marks(await (await handler(new Request(`http://localhost${path}`))).text());
  deepStrictEqual(await on("/a"), [{ href: "/a", ...PAGE }]);
  deepStrictEqual(await on("/b"), [{ href: "/a" }]);
  deepStrictEqual(await on("/a/b"), [{ href: "/a", ...ANCESTOR }]);
  deepStrictEqual(await on("/"), [{ href: "/a" }]);
});

Deno.test("active links: matchUrl compares paths only", () => {
  strictEqual(matchUrl("/a/b/", "/a/b?x#y"), "current");
  strictEqual(matchUrl("/a/b", "/a/"), "ancestor");
  strictEqual(matchUrl("/a/b", "/"), "ancestor");
  strictEqual(matchUrl("/", "/"), "current");
  strictEqual(matchUrl("/ab", "/a"), "none");
  strictEqual(matchUrl("/a", "/a/b"), "none");
  strictEqual(matchUrl("/a", "a"), "none");
  strictEqual(matchUrl("/a", "https://example.com/a"), "none");
  // Only one trailing slash is taken off, as upstream.
  strictEqual(matchUrl("/a", "/a//"), "none");
});
