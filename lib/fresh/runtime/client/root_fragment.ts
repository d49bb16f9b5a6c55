/**
 * A stand-in parent node that lets Preact render into a range of siblings
 * instead of into a whole element. Islands share their parent element with
 * static server HTML (and with other islands), so handing Preact the real
 * parent would make it claim, and on errors delete, nodes that are not the
 * island's.
 *
 * @module
 */

/**
 * What {@linkcode createRootFragment} returns; assignable to Preact's
 * `ContainerNode`, so it can be passed to `hydrate()` and `render()`.
 */
export interface RootFragment {
  readonly nodeType: number;
  readonly parentNode: Node;
  readonly namespaceURI: string | null;
  readonly firstChild: Node | null;
  readonly childNodes: Node[];
  insertBefore(node: Node, ref: Node | null): Node;
  appendChild(node: Node): Node;
  removeChild(node: Node): Node;
  contains(node: Node | null): boolean;
}

/**
 * Creates a container covering the nodes strictly between `start` and `end`,
 * two siblings (the island's marker comments). Members are computed on
 * access, because the range changes as Preact inserts and removes nodes.
 *
 * Covers the members Preact 10 uses on a render parent: `firstChild` and
 * `childNodes` (hydration), `insertBefore`/`appendChild`/`removeChild`
 * (updates), `namespaceURI`, plus `nodeType`, `parentNode` and `contains`.
 *
 * @example
 * ```ts
 * import { type ComponentType, h, hydrate } from "preact";
 * declare const Counter: ComponentType<{ start: number }>;
 * // <!--frsh:island:Counter:0:--><div>…</div><!--/frsh:island-->
 * declare const startComment: Comment;
 * declare const endComment: Comment;
 * hydrate(h(Counter, { start: 3 }), createRootFragment(startComment, endComment));
 * ```
 */
export function createRootFragment(start: Node, end: Node): RootFragment {
  const parent = start.parentNode!;
  const nodes = () => {
    const out: Node[] = [];
    for (let n = start.nextSibling; n && n != end; n = n.nextSibling) {
      out.push(n);
    }
    return out;
  };
  // Preact steps from a node to its nextSibling and skips comments, so it
  // can hand us a reference node at or past `end`; inserting there would
  // leak the node out of the island's range. Clamp to the range.
  const insertBefore = (node: Node, ref: Node | null) =>
    parent.insertBefore(
      node,
      ref && end.compareDocumentPosition(ref) & 2 /* PRECEDING */ ? ref : end,
    );
  return {
    nodeType: 1,
    parentNode: parent,
    namespaceURI: (parent as Element).namespaceURI,
    get firstChild() {
      const n = start.nextSibling;
      return n == end ? null : n;
    },
    get childNodes() {
      return nodes();
    },
    insertBefore,
    appendChild: (node) => insertBefore(node, null),
    removeChild: (node) => parent.removeChild(node),
    contains: (node) => nodes().some((n) => n.contains(node)),
  };
}
