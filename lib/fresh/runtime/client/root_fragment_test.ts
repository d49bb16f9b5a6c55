import assert from "node:assert/strict";
import { createRootFragment } from "./root_fragment.ts";

/**
 * Just enough of the DOM Node API for a root fragment: a tree of named
 * nodes with sibling links and document-order comparison among siblings.
 */
class FakeNode {
  parentNode: FakeNode | null = null;
  readonly childNodes: FakeNode[] = [];
  readonly namespaceURI = "http://www.w3.org/1999/xhtml";
  constructor(readonly name: string, children: FakeNode[] = []) {
    for (const c of children) this.insertBefore(c, null);
  }
  get nextSibling(): FakeNode | null {
    const siblings = this.parentNode?.childNodes ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  insertBefore(node: FakeNode, ref: FakeNode | null): FakeNode {
    node.parentNode?.removeChild(node);
    const at = ref ? this.childNodes.indexOf(ref) : this.childNodes.length;
    if (at < 0) throw new Error(`${ref!.name} is not a child of ${this.name}`);
    this.childNodes.splice(at, 0, node);
    node.parentNode = this;
    return node;
  }
  removeChild(node: FakeNode): FakeNode {
    this.childNodes.splice(this.childNodes.indexOf(node), 1);
    node.parentNode = null;
    return node;
  }
  contains(node: FakeNode | null): boolean {
    for (let n = node; n; n = n.parentNode) if (n == this) return true;
    return false;
  }
  /** Siblings only: 2 = `other` precedes this node, 4 = it follows. */
  compareDocumentPosition(other: FakeNode): number {
    const siblings = this.parentNode!.childNodes;
    const diff = siblings.indexOf(other) - siblings.indexOf(this);
    return diff < 0 ? 2 : diff > 0 ? 4 : 0;
  }
}

// The fragment is typed against the DOM; the fakes stand in for it.
const asNode = (n: FakeNode) => n as unknown as Node;
const names = (nodes: ArrayLike<unknown>) =>
  Array.from(nodes, (n) => (n as FakeNode).name);

/** `<parent>before [start a b end] after</parent>` */
function setup(inRange = ["a", "b"]) {
  const start = new FakeNode("start");
  const end = new FakeNode("end");
  const parent = new FakeNode("parent", [
    new FakeNode("before"),
    start,
    ...inRange.map((name) => new FakeNode(name)),
    end,
    new FakeNode("after"),
  ]);
  const root = createRootFragment(asNode(start), asNode(end));
  const node = (name: string) =>
    asNode(parent.childNodes.find((n) => n.name == name)!);
  return { parent, root, node };
}

Deno.test("root fragment exposes only the nodes between its markers", () => {
  const { parent, root, node } = setup();
  assert.equal(root.nodeType, 1);
  assert.equal(root.parentNode, asNode(parent));
  assert.equal(root.namespaceURI, "http://www.w3.org/1999/xhtml");
  assert.equal(root.firstChild, node("a"));
  assert.deepEqual(names(root.childNodes), ["a", "b"]);
});

Deno.test("root fragment of an empty range has no children", () => {
  const { root } = setup([]);
  assert.equal(root.firstChild, null);
  assert.deepEqual(root.childNodes, []);
});

Deno.test("root fragment inserts stay inside the range", () => {
  const { parent, root, node } = setup();
  const add = (name: string, ref: string | null) =>
    root.insertBefore(
      asNode(new FakeNode(name)),
      ref ? node(ref) : null,
    );
  assert.deepEqual(names([add("x", "b")]), ["x"]);
  add("y", null); // append: before the end marker, not after "after"
  add("z", "end");
  add("w", "after"); // past the range (as Preact may pass): clamped
  root.appendChild(asNode(new FakeNode("v")));
  assert.deepEqual(names(parent.childNodes), [
    "before",
    "start",
    "a",
    "x",
    "b",
    "y",
    "z",
    "w",
    "v",
    "end",
    "after",
  ]);
  assert.deepEqual(names(root.childNodes), ["a", "x", "b", "y", "z", "w", "v"]);
});

Deno.test("root fragment removes and answers contains for its range", () => {
  const { parent, root, node } = setup();
  const inner = asNode(new FakeNode("inner"));
  node("a").insertBefore(inner, null);
  assert.ok(root.contains(inner));
  assert.ok(root.contains(node("b")));
  assert.ok(!root.contains(node("after")));
  assert.ok(!root.contains(node("start")));
  root.removeChild(node("a"));
  assert.deepEqual(names(parent.childNodes), [
    "before",
    "start",
    "b",
    "end",
    "after",
  ]);
});
