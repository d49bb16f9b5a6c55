/**
 * Renders a page: the page inside its layouts inside the app wrapper, to a
 * complete HTML document with `<Head>` content, the island boot script and
 * modulepreload hints.
 *
 * @module
 */
import { Fragment, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { BuildCache, IslandInfo } from "../build_cache.ts";
import type { Context, RenderInit } from "../context.ts";
import { stringify, toScriptLiteral } from "../serialize.ts";
import { typedResponse } from "../response.ts";
import { setBuildId } from "../runtime/build_id.ts";
import type { AnyComponent, PageProps } from "../types.ts";
import {
  newRenderState,
  type RenderState,
  SlotRef,
  withRenderState,
} from "./state.ts";

const NO_ISLANDS = new Map<unknown, IslandInfo>();

/**
 * Renders `vnode` (or the route's component) inside the route's layouts
 * and app wrapper and answers with the HTML document.
 *
 * @example
 * ```tsx
 * import type { Context } from "../context.ts";
 * declare const ctx: Context<unknown>;
 * const res = await renderPage(ctx, <h1>Hello</h1>, { status: 200 });
 * ```
 */
export async function renderPage<State>(
  ctx: Context<State>,
  vnode: VNode | null,
  init: RenderInit | undefined,
): Promise<Response> {
  // Before any component runs: async pages and layouts call asset() too.
  setBuildId(ctx.buildCache?.buildId ?? "");
  const props = pageProps(ctx);
  let inner: VNode;
  if (vnode !== null) {
    inner = vnode;
  } else {
    const Page = ctx.Component;
    if (Page === undefined) {
      throw new Error(
        `ctx.render() needs a vnode: route ${ctx.route} has no component`,
      );
    }
    const out = await resolve(Page, props);
    if (out instanceof Response) return out;
    inner = out;
  }

  const { layouts, app } = ctx.renderScope;
  for (let i = layouts.length - 1; i >= 0; i--) {
    const child = inner;
    const out = await resolve(layouts[i], { ...props, Component: () => child });
    if (out instanceof Response) return out;
    inner = out;
  }
  if (app !== null) {
    const child = inner;
    const out = await resolve(app, { ...props, Component: () => child });
    if (out instanceof Response) return out;
    inner = out;
  }

  return toResponse(ctx, inner, init);
}

function pageProps<State>(ctx: Context<State>): PageProps<unknown, State> {
  return {
    Component: Fragment as PageProps["Component"],
    data: ctx.data,
    state: ctx.state,
    url: ctx.url,
    req: ctx.req,
    params: ctx.params,
    route: ctx.route,
    info: ctx.info,
    config: ctx.config,
    error: ctx.error,
    isPartial: false,
  };
}

/**
 * Async components are awaited here, before the synchronous string render;
 * sync ones stay components so hooks and context work as usual.
 */
async function resolve(
  // deno-lint-ignore no-explicit-any
  component: AnyComponent<any>,
  props: PageProps<unknown, unknown>,
): Promise<VNode | Response> {
  if (component.constructor.name === "AsyncFunction") {
    // deno-lint-ignore no-explicit-any
    const out = await (component as any)(props);
    if (out instanceof Response) return out;
    return h(Fragment, null, out);
  }
  // deno-lint-ignore no-explicit-any
  return h(component as any, props) as VNode;
}

function toResponse<State>(
  ctx: Context<State>,
  tree: VNode,
  init: RenderInit | undefined,
): Response {
  const cache = ctx.buildCache;
  const state = newRenderState(
    cache?.islands ?? NO_ISLANDS,
    ctx.nonceEnabled ? ctx : null,
    ctx.urlPathname,
  );
  setBuildId(cache?.buildId ?? "");
  let body = withRenderState(state, () => renderToString(tree));
  const headExtra = state.head.length === 0
    ? ""
    : withRenderState(state, () =>
      renderToString(h(Fragment, null, state.head as VNode[])));

  let tail = "";
  let link: string | null = null;
  if (state.used.size > 0 && cache !== null) {
    const islands = islandAssets(cache, state.used);
    tail = bootScript(islands, state);
    link = islands.link;
  }
  body = assemble(body, headExtra, tail);
  if (link !== null) link = stylesheetPreloads(body) + link;
  const res = typedResponse(
    body,
    "text/html; charset=utf-8",
    init?.status ?? 200,
    undefined,
    init?.headers,
  );
  if (link !== null) res.headers.append("link", link);
  return res;
}

/** What the boot script and Link header need for one set of islands. */
interface IslandAssets {
  /** `import{boot}from"...";import{...}from"...";` */
  imports: string;
  /** `"Name":I0,...`: the island table handed to boot(). */
  entries: string;
  /** The modulepreload Link header value. */
  link: string;
}

// Pages use few distinct island combinations, so their scripts and links
// are built once per build and combination. Bounded in case an app makes
// many (the order of first use counts).
const assetCaches = new WeakMap<BuildCache, Map<string, IslandAssets>>();
const ASSET_CACHE_LIMIT = 1000;

function islandAssets(cache: BuildCache, used: Set<IslandInfo>): IslandAssets {
  let byKey = assetCaches.get(cache);
  if (byKey === undefined) assetCaches.set(cache, byKey = new Map());
  // Island names are unique within a build; the build id tells builds of
  // one cache apart (the development cache keeps its identity across
  // rebuilds).
  let key = cache.buildId;
  for (const info of used) key += "\0" + info.name;
  let assets = byKey.get(key);
  if (assets === undefined) {
    if (byKey.size >= ASSET_CACHE_LIMIT) byKey.clear();
    assets = {
      ...bootImports(cache, used),
      link: preloadLinks(cache, used),
    };
    byKey.set(key, assets);
  }
  return assets;
}

function bootImports(
  cache: BuildCache,
  used: Set<IslandInfo>,
): { imports: string; entries: string } {
  const byFile = new Map<string, IslandInfo[]>();
  for (const info of used) {
    const list = byFile.get(info.file);
    if (list === undefined) byFile.set(info.file, [info]);
    else list.push(info);
  }
  let imports = `import{boot}from${JSON.stringify(cache.clientEntry)};`;
  let entries = "";
  let n = 0;
  for (const [file, infos] of byFile) {
    const names = infos.map((info) => {
      const local = `I${n++}`;
      entries += `${JSON.stringify(info.name)}:${local},`;
      const name = /^[A-Za-z_$][\w$]*$/.test(info.exportName)
        ? info.exportName
        : JSON.stringify(info.exportName);
      return `${name} as ${local}`;
    });
    imports += `import{${names.join(",")}}from${JSON.stringify(file)};`;
  }
  return { imports, entries };
}

function bootScript(islands: IslandAssets, state: RenderState): string {
  const props = stringify(state.islandProps, {
    onVNode: (vnode) => {
      if (vnode.type === SlotRef) {
        return (vnode.props as unknown as { id: number }).id;
      }
      throw new Error(
        "JSX can be passed to an island only as a top-level prop (or children)",
      );
    },
  });
  const value = state.nonceSource?.nonce;
  const nonce = value === undefined ? "" : ` nonce="${value}"`;
  return `<script type="module"${nonce}>${islands.imports}boot({${islands.entries}},${
    toScriptLiteral(props)
  });</script>`;
}

function preloadLinks(cache: BuildCache, used: Set<IslandInfo>): string {
  const urls = new Set<string>([
    cache.clientEntry,
    ...cache.clientEntryImports,
  ]);
  for (const info of used) {
    urls.add(info.file);
    for (const url of info.imports) urls.add(url);
  }
  // Upstream's form: each module URL-encoded, `as="script"`.
  return [...urls].map((url) =>
    `<${encodeURI(url)}>; rel="modulepreload"; as="script"`
  ).join(", ");
}

const STYLESHEET = /<link\b[^>]*>/gi;

/**
 * `rel=preload` Link header entries (each followed by ", ") for the
 * stylesheets the document's head links to. They go before the island
 * modules: the browser fetches what the Link header names as soon as the
 * headers arrive, and on HTTP/1.1 its six connections to the origin would
 * otherwise all be taken by modules while the render-blocking stylesheet,
 * found only when the head is parsed, waits for one.
 */
function stylesheetPreloads(html: string): string {
  const end = html.indexOf("</head>");
  if (end === -1) return "";
  let out = "";
  for (const [tag] of html.slice(0, end).matchAll(STYLESHEET)) {
    if (!/\srel=["']?stylesheet["'\s/>]/i.test(tag)) continue;
    const href = tag.match(/\shref=(?:"([^"]*)"|'([^']*)')/i);
    const url = href?.[1] ?? href?.[2];
    if (!url) continue;
    out += `<${encodeURI(unescapeHtml(url))}>; rel="preload"; as="style", `;
  }
  return out;
}

function unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|quot|#39|lt|gt);/g,
    (_, e) =>
      ({ amp: "&", quot: '"', "#39": "'", lt: "<", gt: ">" })[e as string]!,
  );
}

const DOCTYPE = "<!DOCTYPE html>";
const TITLE = /<title(?:\s[^>]*)?>[^]*?<\/title>/g;

/**
 * Puts head content and trailing scripts into the rendered document. The
 * result is made by concatenating slices of the rendered string, which V8
 * does without copying the document; it is flattened once, when the
 * response is written.
 */
function assemble(html: string, headExtra: string, tail: string): string {
  if (!html.startsWith("<html")) {
    // A page rendered without an app wrapper still becomes a document.
    html =
      `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>${html}</body></html>`;
  }
  let start = DOCTYPE;
  let rest = html;
  if (headExtra !== "") {
    const at = rest.indexOf("</head>");
    if (at !== -1) {
      let head = rest.slice(0, at);
      const titles = headExtra.match(TITLE);
      if (titles !== null) {
        // Only the document's own title: an inline <svg> may have one too.
        head = head.replace(TITLE, "");
        // Of several <Head> titles the last (innermost) one wins.
        let left = titles.length;
        headExtra = headExtra.replace(TITLE, (t) => --left === 0 ? t : "");
      }
      start += head + headExtra;
      rest = rest.slice(at);
    }
  }
  if (tail !== "") {
    const at = rest.lastIndexOf("</body>");
    rest = at === -1 ? rest + tail : rest.slice(0, at) + tail + rest.slice(at);
  }
  return start + rest;
}
