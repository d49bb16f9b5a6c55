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
 * ```ts
 * return renderPage(ctx, <h1>Hello</h1>, { status: 200 });
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
  const state = newRenderState(cache?.islands ?? NO_ISLANDS, ctx.nonce);
  setBuildId(cache?.buildId ?? "");
  let body = withRenderState(state, () => renderToString(tree));
  const headExtra = state.head.length === 0
    ? ""
    : withRenderState(state, () =>
      renderToString(h(Fragment, null, state.head as VNode[])));

  const headers = new Headers(init?.headers);
  if (!headers.has("content-type")) {
    headers.set("content-type", "text/html; charset=utf-8");
  }

  let tail = "";
  if (state.used.size > 0 && cache !== null) {
    tail = bootScript(cache, state);
    headers.append("link", preloadLinks(cache, state.used));
  }
  body = assemble(body, headExtra, tail);
  return new Response(body, { status: init?.status ?? 200, headers });
}

function bootScript(cache: BuildCache, state: RenderState): string {
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
  const byFile = new Map<string, IslandInfo[]>();
  for (const info of state.used) {
    const list = byFile.get(info.file);
    if (list === undefined) byFile.set(info.file, [info]);
    else list.push(info);
  }
  let imports = "";
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
  const nonce = state.nonce === undefined ? "" : ` nonce="${state.nonce}"`;
  return `<script type="module"${nonce}>import{boot}from${
    JSON.stringify(cache.clientEntry)
  };${imports}boot({${entries}},${toScriptLiteral(props)});</script>`;
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
  return [...urls].map((url) => `<${url}>; rel="modulepreload"`).join(", ");
}

const DOCTYPE = "<!DOCTYPE html>";
const TITLE = /<title(?:\s[^>]*)?>[^]*?<\/title>/g;

/** Puts head content and trailing scripts into the rendered document. */
function assemble(html: string, headExtra: string, tail: string): string {
  if (!html.startsWith("<html")) {
    // A page rendered without an app wrapper still becomes a document.
    html =
      `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>${html}</body></html>`;
  }
  if (headExtra !== "") {
    let at = html.indexOf("</head>");
    const titles = headExtra.match(TITLE);
    if (titles !== null && at !== -1) {
      // Only the document's own title: an inline <svg> may have one too.
      const head = html.slice(0, at).replace(TITLE, "");
      html = head + html.slice(at);
      at = head.length;
      // Of several <Head> titles the last (innermost) one wins.
      let left = titles.length;
      headExtra = headExtra.replace(TITLE, (t) => --left === 0 ? t : "");
    }
    html = at === -1 ? html : html.slice(0, at) + headExtra + html.slice(at);
  }
  if (tail !== "") {
    const at = html.lastIndexOf("</body>");
    html = at === -1 ? html + tail : html.slice(0, at) + tail + html.slice(at);
  }
  return DOCTYPE + html;
}
