/**
 * Browser entry of the island runtime: finds the islands the server marked
 * in the page and hydrates each one in place.
 *
 * The HTML contract (written by the server renderer):
 *
 * ```html
 * <!--frsh:island:NAME:PROPS_INDEX:KEY--> …island DOM… <!--/frsh:island-->
 * <!--frsh:slot:SLOT_ID--> …JSX prop rendered by the server… <!--/frsh:slot-->
 * ```
 *
 * How it is hydrated:
 *
 * - Every island marker that is not inside a known island's range is a
 *   root: one Preact tree, hydrated into a {@linkcode createRootFragment}
 *   spanning exactly the nodes between its two markers, in a task of its
 *   own (so a page's hydration is never one long task).
 * - A JSX prop arrives as a slot id. Its value is a Fragment whose children
 *   are vnodes rebuilt from the slot's server DOM, so hydration adopts the
 *   existing nodes instead of creating new ones. An island marked inside a
 *   slot becomes `h(Island, props)` in that Fragment: it is hydrated as part
 *   of the tree of the island that owns the slot (so it shares its context
 *   and re-renders), never as a second root over the same nodes.
 * - Props are revived once for the whole page, so a signal or object passed
 *   to several islands is one value in the browser too.
 * - Markers inside roots are removed before hydration. Preact would delete
 *   the comments it cannot match anyway, but only after moving the nodes
 *   around them; removing them first leaves every element where it is.
 *
 * @module
 */

import {
  type ComponentChildren,
  type ComponentType,
  Fragment,
  h,
  hydrate,
} from "preact";
import { type Marker, parseMarker } from "./markers.ts";
import { parse } from "./reviver.ts";
import { createRootFragment } from "./root_fragment.ts";

type Props = Record<string, unknown>;
type IslandMarker = Extract<Marker, { kind: "island" }>;

/**
 * Hydrates every island of the page.
 *
 * Called once by the inline module script the server appends to `<body>`.
 * It reads the markers and props at once and hydrates each root island in
 * a later task of its own. An unknown island name or an island that throws
 * while hydrating is logged with `console.error` and left as static server
 * HTML; the other islands still hydrate.
 *
 * @param islands Island components by the NAME used in the markers.
 * @param propsText The serialized props array (see `./reviver.ts`); element
 *   `i` holds the props of the islands whose PROPS_INDEX is `i`.
 * @returns A promise that resolves once every island has been hydrated (or
 *   has failed to); the page's script does not wait for it.
 *
 * @example
 * ```ts
 * // What a page's module script does (the real one imports these by URL:
 * // "/_fresh/js/<BUILD_ID>/boot-<HASH>.js" and ".../Counter-<HASH>.js").
 * import type { ComponentType } from "preact";
 * declare const I0: ComponentType<{ start: number }>;
 * await boot({ Counter: I0 }, '[[1],{"start":2},3]');
 * ```
 */
export function boot(
  // deno-lint-ignore no-explicit-any
  islands: Record<string, ComponentType<any>>,
  propsText: string,
): Promise<void> {
  const reported = new Set<string>();
  // Own properties only: a marker named "constructor" must not find Object.
  const component = (name: string) => {
    if (Object.hasOwn(islands, name)) return islands[name];
    if (!reported.has(name)) {
      reported.add(name);
      console.error(
        `Fresh: island "${name}" is not in the islands passed to boot(); ` +
          `it stays static server HTML.`,
      );
    }
  };

  // 1. One pass over all comments, pairing markers with a stack.
  const ends = new Map<Node, Node>();
  const islandAt = new Map<Node, IslandMarker>();
  const slotAt = new Map<number, Node>();
  const roots: Node[] = [];
  // Comments inside roots, removed before hydrating (see module docs).
  const drop: Node[] = [];
  const stack: [Node, Marker][] = [];
  // How many known islands enclose the current comment. An unknown island
  // does not count, so islands in its slots still hydrate as roots.
  let depth = 0;
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
  for (let c: Node | null; (c = walker.nextNode());) {
    const m = parseMarker((c as Comment).data);
    if (!m) continue;
    if (m.kind == "end") {
      const top = stack[stack.length - 1];
      if (top?.[1].kind != m.of) continue; // stray end marker
      stack.pop();
      ends.set(top[0], c);
      if (top[1].kind == "island" && component(top[1].name)) depth--;
      if (depth) drop.push(c);
    } else {
      if (depth) drop.push(c);
      stack.push([c, m]);
      if (m.kind == "slot") {
        // Only slots inside a known island are rebuilt as vnodes: an unknown
        // island never renders its slots, and the islands in them are roots.
        // A slot rendered twice shares one vnode; the first copy defines it.
        if (depth && !slotAt.has(m.id)) slotAt.set(m.id, c);
      } else {
        islandAt.set(c, m);
        if (component(m.name)) {
          if (!depth) roots.push(c);
          depth++;
        }
      }
    }
  }

  // 2. Revive all props. Slot contents can contain islands, whose props are
  // only known once parsing is done, so slots start as empty Fragments and
  // are filled in step 3.
  const fills: [number, ComponentChildren[]][] = [];
  const props = parse(propsText, {
    onSlot(id) {
      const children: ComponentChildren[] = [];
      fills.push([id, children]);
      return h(Fragment, null, children);
    },
  }) as Props[];

  // 3. Rebuild slot contents as vnodes.
  const hasMarker = new Set<Node>();
  for (const c of drop) {
    for (let p = c.parentNode; p && !hasMarker.has(p); p = p.parentNode) {
      hasMarker.add(p);
    }
  }
  const island = (c: Node, m: IslandMarker) => {
    const Island = component(m.name);
    // An unknown island inside a slot keeps its server DOM as static vnodes.
    return Island
      ? h(Island, { ...props[m.index], key: m.key || undefined })
      : h(Fragment, null, toVNodes(c.nextSibling, ends.get(c)));
  };
  const toVNodes = (
    first: Node | null,
    stop: Node | undefined,
  ): ComponentChildren[] => {
    const out: ComponentChildren[] = [];
    for (let n = first; n && n != stop; n = n.nextSibling) {
      if (n.nodeType == 3) out.push((n as Text).data);
      else if (n.nodeType == 1) out.push(element(n as Element));
      else {
        const m = islandAt.get(n);
        if (m) {
          // Its markers are in `drop` already (it is inside a known island).
          out.push(island(n, m));
          const end = ends.get(n);
          if (!end) break;
          n = end;
        } else {
          // Any comment at a level described with vnodes would be deleted by
          // Preact after shifting its neighbours; see module docs.
          drop.push(n);
        }
      }
    }
    return out;
  };
  const element = (el: Element) => {
    const p: Props = {};
    for (const a of el.attributes) p[a.name] = a.value;
    // A subtree without islands is adopted whole: hydration keeps its
    // children untouched, and a re-created copy gets the same HTML back.
    if (hasMarker.has(el)) {
      return h(el.localName, p, toVNodes(el.firstChild, undefined));
    }
    if (el.firstChild) p.dangerouslySetInnerHTML = { __html: el.innerHTML };
    return h(el.localName, p);
  };
  for (const [id, children] of fills) {
    const start = slotAt.get(id);
    if (start) children.push(...toVNodes(start.nextSibling, ends.get(start)));
  }

  // 4. Hydrate each root in a task of its own, in document order, as
  // upstream Fresh does. The module script that called boot() ends before
  // any island renders, so the browser can paint and take input between
  // islands, and no single task holds the main thread for the whole page
  // (Lighthouse counts each task over 50 ms against Total Blocking Time).
  for (const c of drop) (c as ChildNode).remove();
  return Promise.all(roots.map((c) =>
    task(() => {
      const end = ends.get(c);
      if (!end) return;
      const m = islandAt.get(c)!;
      const root = createRootFragment(c, end);
      const before = root.childNodes;
      try {
        hydrate(h(component(m.name)!, props[m.index]), root);
      } catch (e) {
        console.error(`Fresh: island "${m.name}" failed to hydrate:`, e);
        // Preact drops the unclaimed server DOM when a render throws; put it
        // back so the page still shows the server HTML.
        for (const n of before) root.appendChild(n);
      }
    })
  )).then(() => {});
}

/** The part of the Prioritized Task Scheduling API used here. */
interface Scheduler {
  postTask(callback: () => void): Promise<void>;
}

/**
 * Runs `fn` in a new task: `scheduler.postTask` where the browser has it
 * (its "user-visible" priority runs before timers and idle work), else a
 * zero-delay timer. Resolves once `fn` has run.
 */
function task(fn: () => void): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (scheduler?.postTask) return scheduler.postTask(fn);
  return new Promise((resolve) =>
    setTimeout(() => {
      fn();
      resolve();
    })
  );
}
