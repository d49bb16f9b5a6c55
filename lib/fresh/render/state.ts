/**
 * Server render state and the Preact option hooks that read it: island
 * boundaries, slots, `<Head>`, script nonces and links to the current page.
 *
 * Rendering to a string is synchronous, so one module-level "current
 * render" is safe: it is set right before `renderToString` and cleared
 * right after, with no await in between.
 *
 * @module
 */
import { Fragment, h, isValidElement, options, type VNode } from "preact";
import type { IslandInfo } from "../build_cache.ts";
import { Head } from "../runtime/mod.ts";
import { markActiveLink } from "./active_links.ts";

/** Where the CSP nonce comes from: the context, which makes it on first use. */
export interface NonceSource {
  readonly nonce: string | undefined;
}

/** What one page render collects. */
export interface RenderState {
  islands: Map<unknown, IslandInfo>;
  /** Null when scripts need no nonce. */
  nonceSource: NonceSource | null;
  /** The request URL's path, which links are compared with. */
  pathname: string;
  /** Props of each top-level island instance, in document order. */
  islandProps: Record<string, unknown>[];
  /** Islands the page uses. */
  used: Set<IslandInfo>;
  /** Children of every `<Head>`. */
  head: unknown[];
  slotCount: number;
  /** > 0 while rendering inside an island (nested islands are not roots). */
  islandDepth: number;
  depthStack: number[];
}

/**
 * A fresh state for one page.
 *
 * @example
 * ```ts
 * import type { BuildCache } from "../build_cache.ts";
 * import type { Context } from "../context.ts";
 * declare const cache: BuildCache;
 * declare const ctx: Context<unknown>;
 * const state = newRenderState(
 *   cache.islands,
 *   ctx.nonceEnabled ? ctx : null,
 *   ctx.url.pathname,
 * );
 * ```
 */
export function newRenderState(
  islands: Map<unknown, IslandInfo>,
  nonceSource: NonceSource | null,
  pathname: string,
): RenderState {
  return {
    islands,
    nonceSource,
    pathname,
    islandProps: [],
    used: new Set(),
    head: [],
    slotCount: 0,
    islandDepth: 0,
    depthStack: [],
  };
}

let current: RenderState | null = null;

/**
 * Runs a synchronous render with `state` as the current render.
 *
 * @example
 * ```ts
 * import { renderToString } from "preact-render-to-string";
 * import type { VNode } from "preact";
 * declare const state: RenderState;
 * declare const vnode: VNode;
 * const html = withRenderState(state, () => renderToString(vnode));
 * ```
 */
export function withRenderState<T>(state: RenderState, fn: () => T): T {
  const prev = current;
  current = state;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** Marks vnodes the hooks created, so they are not wrapped again. */
const KIND = "__frshKind";
const ISLAND_BODY = 1;
const SLOT = 2;

type MarkedVNode = VNode & { [KIND]?: number };

/**
 * Stands for a JSX prop in the serialized island props; the serializer
 * turns it into a slot id.
 */
export function SlotRef(_props: { id: number }): null {
  return null;
}

function comment(text: string): VNode {
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

function isJsx(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isJsx);
  // @preact/signals makes a Signal pass isValidElement (so it can be
  // rendered as text); only plain-object vnodes are JSX to slot.
  return isValidElement(value) &&
    Object.getPrototypeOf(value) === Object.prototype;
}

interface IslandWrapperProps {
  info: IslandInfo;
  // deno-lint-ignore no-explicit-any
  component: any;
  props: Record<string, unknown>;
  vkey: unknown;
}

function IslandWrapper(
  { info, component, props, vkey }: IslandWrapperProps,
): VNode {
  const st = current!;
  const index = st.islandProps.length;
  const serverProps: Record<string, unknown> = {};
  const wireProps: Record<string, unknown> = {};
  for (const key in props) {
    const value = props[key];
    if (isJsx(value)) {
      // JSX is rendered here on the server and adopted by the browser as is.
      const id = st.slotCount++;
      const slot = h(Slot, { id }, value as VNode) as MarkedVNode;
      slot[KIND] = SLOT;
      serverProps[key] = slot;
      wireProps[key] = h(SlotRef, { id });
    } else {
      serverProps[key] = value;
      wireProps[key] = value;
    }
  }
  st.islandProps.push(wireProps);
  st.used.add(info);
  const body = h(component, serverProps) as MarkedVNode;
  body[KIND] = ISLAND_BODY;
  const key = vkey === undefined || vkey === null
    ? ""
    : encodeURIComponent(String(vkey));
  return h(
    Fragment,
    null,
    comment(`frsh:island:${info.name}:${index}:${key}`),
    body,
    comment("/frsh:island"),
  );
}

function Slot({ id, children }: { id: number; children?: unknown }): VNode {
  return h(
    Fragment,
    null,
    comment(`frsh:slot:${id}`),
    children as VNode,
    comment("/frsh:slot"),
  );
}

function Empty(): null {
  return null;
}

/**
 * The props each link vnode was made with. Marks go on a copy, and the
 * next render starts again from these: a vnode an app keeps (a module
 * constant) and renders on several pages is marked for each page afresh.
 */
const linkProps = new WeakMap<VNode, Record<string, unknown>>();

// deno-lint-ignore no-explicit-any
const opts = options as any;
const prevDiff = opts.__b;
const prevDiffed = opts.diffed;

opts.__b = (vnode: MarkedVNode) => {
  const st = current;
  if (st !== null) {
    const type = vnode.type;
    if (typeof type === "function") {
      const kind = vnode[KIND];
      if (kind === ISLAND_BODY) {
        st.islandDepth++;
      } else if (kind === SLOT) {
        // Slot content belongs to the page, not the island around it.
        st.depthStack.push(st.islandDepth);
        st.islandDepth = 0;
      } else if (type === Head) {
        st.head.push((vnode.props as { children?: unknown }).children);
        vnode.type = Empty;
      } else if (st.islandDepth === 0) {
        const info = st.islands.get(type);
        if (info !== undefined) {
          vnode.props = {
            info,
            component: type,
            props: vnode.props,
            vkey: vnode.key,
          } as unknown as typeof vnode.props;
          vnode.type = IslandWrapper as typeof vnode.type;
        }
      }
    } else if (type === "script" && st.nonceSource !== null) {
      const props = vnode.props as Record<string, unknown>;
      if (props.nonce === undefined) props.nonce = st.nonceSource.nonce;
    } else if (type === "a") {
      // Here rather than when the vnode is made (upstream's options.vnode):
      // this hook sees every link rendered, including those made before
      // the render began (async pages and layouts, ctx.render(<a …/>)).
      const own = linkProps.get(vnode) ??
        vnode.props as Record<string, unknown>;
      const marked = markActiveLink(own, st.pathname);
      if (marked !== own) linkProps.set(vnode, own);
      vnode.props = marked as typeof vnode.props;
    }
  }
  prevDiff?.(vnode);
};

opts.diffed = (vnode: MarkedVNode) => {
  const st = current;
  if (st !== null) {
    const kind = vnode[KIND];
    if (kind === ISLAND_BODY) st.islandDepth--;
    else if (kind === SLOT) st.islandDepth = st.depthStack.pop() ?? 0;
  }
  prevDiffed?.(vnode);
};
