import {
  deepStrictEqual,
  match,
  notStrictEqual,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { h, type VNode } from "preact";
import { computed, effect, Signal, signal } from "@preact/signals";
import {
  stringify,
  type StringifyOptions,
  toScriptLiteral,
} from "./serialize.ts";
import { parse, type ParseOptions } from "./runtime/client/reviver.ts";

// Goes through exactly what a page does: serialize, embed as a script string
// literal, evaluate that literal in the browser, revive.
function roundTrip(
  value: unknown,
  options?: StringifyOptions,
  parseOptions?: ParseOptions,
): unknown {
  const text = stringify(value, options);
  // The output must always be plain JSON.
  JSON.parse(text);
  const literal = toScriptLiteral(text);
  strictEqual(evalLiteral(literal), text);
  return parse(text, parseOptions);
}

// Indirect eval: evaluates in global scope, like an inline <script> would.
const evalLiteral = (literal: string): unknown => (0, eval)(literal);

Deno.test("primitives round-trip", () => {
  const values = [
    "",
    "hello",
    "emoji 😀 and accents éà",
    "lone \ud800 surrogate \udfff",
    "quotes \" ' ` and \\ backslashes",
    "\u0000\u0001\b\f\n\r\t\u007f",
    0,
    1,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    1e300,
    true,
    false,
    null,
    undefined,
  ];
  for (const value of values) {
    strictEqual(roundTrip(value), value);
    deepStrictEqual(roundTrip([value]), [value]);
    deepStrictEqual(roundTrip({ value }), { value });
  }
});

Deno.test("bigint round-trips", () => {
  for (const value of [0n, 1n, -42n, 2n ** 200n, -(2n ** 200n)]) {
    strictEqual(roundTrip(value), value);
    deepStrictEqual(roundTrip({ value }), { value });
  }
  // A bigint and the equal number stay distinct.
  deepStrictEqual(roundTrip([1n, 1]), [1n, 1]);
});

Deno.test("NaN, Infinity, -Infinity and -0 round-trip", () => {
  for (const value of [NaN, Infinity, -Infinity, -0]) {
    ok(Object.is(roundTrip(value), value), String(value));
    const [inArray] = roundTrip([value]) as [number];
    ok(Object.is(inArray, value), String(value));
    const { x } = roundTrip({ x: value }) as { x: number };
    ok(Object.is(x, value), String(value));
  }
  // +0 must not come back as -0.
  ok(Object.is(roundTrip(0), 0));
  const [a, b] = roundTrip([0, -0]) as number[];
  ok(Object.is(a, 0) && Object.is(b, -0));
});

Deno.test("root constants are encoded as a bare number", () => {
  strictEqual(stringify(undefined), "-1");
  strictEqual(stringify(NaN), "-3");
  strictEqual(stringify(Infinity), "-4");
  strictEqual(stringify(-Infinity), "-5");
  strictEqual(stringify(-0), "-6");
  strictEqual(parse("-1"), undefined);
});

Deno.test("arrays round-trip", () => {
  const value = [1, "two", [3, [4, []]], { five: 5 }, undefined, null];
  deepStrictEqual(roundTrip(value), value);
  deepStrictEqual(roundTrip([]), []);
});

Deno.test("sparse arrays keep their holes", () => {
  // deno-lint-ignore no-sparse-arrays
  const value = [1, , 3, , ,];
  strictEqual(value.length, 5);
  const revived = roundTrip(value) as unknown[];
  strictEqual(revived.length, 5);
  ok(0 in revived);
  ok(!(1 in revived), "hole at 1 must stay a hole");
  ok(2 in revived);
  ok(!(3 in revived) && !(4 in revived), "trailing holes must stay holes");
  strictEqual(revived[2], 3);

  // An explicit undefined is not a hole.
  const explicit = roundTrip([undefined, 1]) as unknown[];
  ok(0 in explicit);
  strictEqual(explicit[0], undefined);

  const empty = roundTrip(new Array(3)) as unknown[];
  strictEqual(empty.length, 3);
  ok(!(0 in empty) && !(1 in empty) && !(2 in empty));
});

Deno.test("mostly-empty arrays use the compact sparse form", () => {
  const value: unknown[] = new Array(1_000_000);
  value[5] = "a";
  value[999_999] = { b: 1 };
  const text = stringify(value);
  ok(text.length < 100, `expected a short encoding, got ${text.length} chars`);
  const revived = roundTrip(value) as unknown[];
  strictEqual(revived.length, 1_000_000);
  strictEqual(revived[5], "a");
  deepStrictEqual(revived[999_999], { b: 1 });
  ok(!(0 in revived) && !(6 in revived));
  strictEqual(Object.keys(revived).length, 2);
});

Deno.test("non-index array properties are ignored like JSON does", () => {
  const value = Object.assign([1, 2], { extra: "x" });
  deepStrictEqual(roundTrip(value), [1, 2]);
  const sparse = Object.assign(new Array(100), { extra: "x" });
  sparse[50] = 1;
  const revived = roundTrip(sparse) as unknown[];
  strictEqual(revived.length, 100);
  strictEqual(revived[50], 1);
  deepStrictEqual(Object.keys(revived), ["50"]);
});

Deno.test("plain objects round-trip", () => {
  const value = {
    a: 1,
    "needs quoting": { "data-x": "y", 0: "zero", "": "empty key" },
    nested: { deeper: { deepest: [true] } },
    empty: {},
  };
  deepStrictEqual(roundTrip(value), value);
  deepStrictEqual(roundTrip({}), {});
});

Deno.test("an own __proto__ key stays an own key and pollutes nothing", () => {
  const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const revived = roundTrip(value) as Record<string, unknown>;
  strictEqual(Object.getPrototypeOf(revived), Object.prototype);
  ok(Object.hasOwn(revived, "__proto__"));
  deepStrictEqual(
    Object.getOwnPropertyDescriptor(revived, "__proto__")?.value,
    {
      polluted: true,
    },
  );
  strictEqual(({} as Record<string, unknown>).polluted, undefined);
  strictEqual(revived.polluted, undefined);

  const nullProto = Object.assign(Object.create(null), value);
  const revivedNull = roundTrip(nullProto) as Record<string, unknown>;
  strictEqual(Object.getPrototypeOf(revivedNull), null);
  deepStrictEqual(revivedNull.__proto__, { polluted: true });
});

Deno.test("null-prototype objects keep their null prototype", () => {
  const value = Object.create(null);
  value.a = 1;
  value.b = { c: [2] };
  value["odd key"] = "x";
  const revived = roundTrip(value) as Record<string, unknown>;
  strictEqual(Object.getPrototypeOf(revived), null);
  deepStrictEqual({ ...revived }, { a: 1, b: { c: [2] }, "odd key": "x" });
  strictEqual(
    Object.getPrototypeOf(roundTrip(Object.create(null))),
    null,
  );
});

Deno.test("Date round-trips, including invalid dates", () => {
  const date = new Date("2024-02-29T12:34:56.789Z");
  const revived = roundTrip(date) as Date;
  ok(revived instanceof Date);
  strictEqual(revived.getTime(), date.getTime());
  notStrictEqual(revived, date);

  const invalid = roundTrip(new Date("not a date")) as Date;
  ok(invalid instanceof Date);
  ok(Number.isNaN(invalid.getTime()));

  const extreme = new Date(8.64e15);
  strictEqual((roundTrip(extreme) as Date).getTime(), 8.64e15);
  const ancient = new Date(-8.64e15);
  strictEqual((roundTrip(ancient) as Date).getTime(), -8.64e15);
});

Deno.test("URL round-trips", () => {
  const url = new URL("https://user:pw@example.com:8080/a/b?c=d&e=%20#hash");
  const revived = roundTrip(url) as URL;
  ok(revived instanceof URL);
  strictEqual(revived.href, url.href);
  strictEqual(revived.searchParams.get("e"), " ");
});

Deno.test("RegExp round-trips with source and flags", () => {
  for (
    const re of [/a+b/, /^[\s\S]*?<\/script>$/gimsuy, /(?<y>\d{4})/d, /x/v]
  ) {
    const revived = roundTrip(re) as RegExp;
    ok(revived instanceof RegExp);
    strictEqual(revived.source, re.source);
    strictEqual(revived.flags, re.flags);
  }
  ok((roundTrip(/ab+c/i) as RegExp).test("xABBCx"));
});

Deno.test("Set and Map round-trip, Map with any key types", () => {
  const set = new Set([1, "a", { b: 2 }, NaN, undefined]);
  deepStrictEqual(roundTrip(set), set);
  deepStrictEqual(roundTrip(new Set()), new Set());

  const objectKey = { id: 1 };
  const arrayKey = [1, 2];
  const map = new Map<unknown, unknown>([
    ["s", 1],
    [2, "two"],
    [objectKey, "object"],
    [arrayKey, "array"],
    [NaN, "nan"],
    [undefined, "undef"],
    [null, { nested: new Map([[1, 2]]) }],
    [10n, "big"],
  ]);
  const revived = roundTrip({ map, objectKey }) as {
    map: Map<unknown, unknown>;
    objectKey: object;
  };
  ok(revived.map instanceof Map);
  deepStrictEqual(revived.map, map);
  // Object keys keep their identity with the same object elsewhere.
  strictEqual(revived.map.get(revived.objectKey), "object");
  strictEqual(revived.map.get(NaN), "nan");
  // Insertion order is preserved.
  deepStrictEqual([...revived.map.values()], [...map.values()]);
});

Deno.test("Uint8Array round-trips", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  for (const bytes of [new Uint8Array(), all, new Uint8Array([0, 255, 1])]) {
    const revived = roundTrip(bytes) as Uint8Array;
    ok(revived instanceof Uint8Array);
    deepStrictEqual([...revived], [...bytes]);
  }
  // Larger than one fromCharCode chunk.
  const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
  deepStrictEqual(roundTrip(big), big);
  // Only the bytes of the view are sent, not its whole buffer.
  const view = all.subarray(10, 13);
  deepStrictEqual([...(roundTrip(view) as Uint8Array)], [10, 11, 12]);
});

Deno.test("signals revive as @preact/signals signals", () => {
  const count = signal(5);
  const revived = roundTrip({ count }) as { count: Signal<number> };
  ok(revived.count instanceof Signal);
  notStrictEqual(revived.count, count);
  strictEqual(revived.count.value, 5);
  revived.count.value = 6;
  strictEqual(revived.count.value, 6);
  strictEqual(count.value, 5);

  const complex = signal({ list: [1, 2], when: new Date(0) });
  const revivedComplex = roundTrip(complex) as typeof complex;
  ok(revivedComplex instanceof Signal);
  deepStrictEqual(revivedComplex.value, complex.value);

  strictEqual((roundTrip(signal(undefined)) as Signal).value, undefined);
  ok(Object.is((roundTrip(signal(-0)) as Signal).value, -0));
});

Deno.test("revived signals are reactive", () => {
  const revived = roundTrip(signal(1)) as Signal<number>;
  const seen: number[] = [];
  const dispose = effect(() => {
    seen.push(revived.value);
  });
  revived.value = 2;
  dispose();
  deepStrictEqual(seen, [1, 2]);
});

Deno.test("computed signals revive as read-only signals with their value", () => {
  const base = signal(2);
  const doubled = computed(() => base.value * 2);
  const text = stringify({ doubled });
  match(text, /"Computed"/);
  const revived = parse(text) as { doubled: Signal<number> };
  ok(revived.doubled instanceof Signal);
  strictEqual(revived.doubled.value, 4);
  throws(() => {
    (revived.doubled as Signal<number>).value = 5;
  }, TypeError);
  strictEqual(revived.doubled.peek(), 4);

  // A plain signal is not mistaken for a computed one.
  match(stringify(signal(1)), /"Signal"/);
  ok(!stringify(signal(1)).includes("Computed"));
});

Deno.test("stringify reads signals without subscribing to them", () => {
  const count = signal(1);
  let runs = 0;
  const dispose = effect(() => {
    runs++;
    stringify({ count });
  });
  count.value = 2;
  dispose();
  strictEqual(runs, 1);
});

Deno.test("shared references revive as the same object", () => {
  const shared = { x: 1 };
  const list = [1, 2];
  const revived = roundTrip({
    a: shared,
    b: shared,
    c: [shared, list, list],
  }) as {
    a: object;
    b: object;
    c: [object, unknown[], unknown[]];
  };
  strictEqual(revived.a, revived.b);
  strictEqual(revived.a, revived.c[0]);
  strictEqual(revived.c[1], revived.c[2]);
  deepStrictEqual(revived.a, { x: 1 });

  const date = new Date(0);
  const set = new Set([1]);
  const map = new Map([[1, 1]]);
  const bytes = new Uint8Array([1]);
  const re = /x/g;
  const url = new URL("https://example.com");
  const all = roundTrip([
    date,
    date,
    set,
    set,
    map,
    map,
    bytes,
    bytes,
    re,
    re,
    url,
    url,
  ]) as unknown[];
  for (let i = 0; i < all.length; i += 2) strictEqual(all[i], all[i + 1]);
});

Deno.test("one signal passed to two islands revives as one signal", () => {
  const count = signal(0);
  const islands = [{ count, label: "a" }, { count, label: "b" }];
  const [first, second] = roundTrip(islands) as [
    { count: Signal<number> },
    { count: Signal<number> },
  ];
  ok(first.count instanceof Signal);
  strictEqual(first.count, second.count);
  first.count.value = 10;
  strictEqual(second.count.value, 10);

  const doubled = computed(() => count.value * 2);
  const [c1, c2] = roundTrip([{ doubled }, { doubled }]) as [
    { doubled: Signal<number> },
    { doubled: Signal<number> },
  ];
  strictEqual(c1.doubled, c2.doubled);
});

Deno.test("repeated primitives are only sent once", () => {
  const long = "x".repeat(100);
  const text = stringify([long, long, { a: long }, long]);
  strictEqual(text.split(long).length - 1, 1);
});

Deno.test("circular references are preserved", () => {
  type Node = { name: string; self?: Node; children: Node[]; parent?: Node };
  const root: Node = { name: "root", children: [] };
  root.self = root;
  root.children.push({ name: "child", children: [], parent: root });
  const revived = roundTrip(root) as Node;
  strictEqual(revived.self, revived);
  strictEqual(revived.children[0].parent, revived);
  strictEqual(revived.children[0].name, "child");

  const array: unknown[] = [1];
  array.push(array);
  const revivedArray = roundTrip(array) as unknown[];
  strictEqual(revivedArray[1], revivedArray);

  const set = new Set<unknown>();
  set.add(set);
  const revivedSet = roundTrip(set) as Set<unknown>;
  ok(revivedSet.has(revivedSet));

  const map = new Map<unknown, unknown>();
  map.set(map, map);
  const revivedMap = roundTrip(map) as Map<unknown, unknown>;
  strictEqual(revivedMap.get(revivedMap), revivedMap);

  const nullProto = Object.create(null);
  nullProto.me = nullProto;
  const revivedNull = roundTrip(nullProto) as { me: unknown };
  strictEqual(revivedNull.me, revivedNull);

  const sparse: unknown[] = new Array(100);
  sparse[42] = sparse;
  const revivedSparse = roundTrip(sparse) as unknown[];
  strictEqual(revivedSparse[42], revivedSparse);
});

Deno.test("cycles through signals are preserved", () => {
  const box: { s?: Signal<unknown> } = {};
  const s = signal<unknown>(box);
  box.s = s;
  const revived = roundTrip(s) as Signal<{ s: Signal<unknown> }>;
  ok(revived instanceof Signal);
  strictEqual(revived.value.s, revived);

  const cbox: { c?: Signal<unknown> } = {};
  const c = computed(() => cbox);
  cbox.c = c;
  const revivedComputed = roundTrip({ c }) as {
    c: Signal<{ c: Signal<unknown> }>;
  };
  strictEqual(revivedComputed.c.value.c, revivedComputed.c);
});

Deno.test("VNodes become slots via onVNode and onSlot", () => {
  const child = h("b", null, "bold");
  const other = h("i", null, "italic");
  const props = [
    { children: child, title: "t" },
    { list: [1, 2, other], nested: { deep: signal(child) } },
  ];
  const calls: [VNode, string][] = [];
  const text = stringify(props, {
    onVNode: (vnode, path) => calls.push([vnode, path]) + 99,
  });
  // JSX itself is never serialized.
  ok(!text.includes("bold") && !text.includes("italic"));
  deepStrictEqual(calls.map(([, path]) => path), [
    "props[0].children",
    "props[1].list[2]",
    "props[1].nested.deep.value",
  ]);
  strictEqual(calls[0][0], child);
  strictEqual(calls[1][0], other);
  // Every occurrence is reported, even of the same vnode.
  strictEqual(calls[2][0], child);

  const slotCalls: number[] = [];
  const revived = parse(text, {
    onSlot: (id) => {
      slotCalls.push(id);
      return `slot:${id}`;
    },
  }) as [
    { children: unknown; title: string },
    { list: unknown[]; nested: { deep: Signal<unknown> } },
  ];
  deepStrictEqual(slotCalls, [100, 101, 102]);
  strictEqual(revived[0].children, "slot:100");
  strictEqual(revived[0].title, "t");
  deepStrictEqual(revived[1].list, [1, 2, "slot:101"]);
  strictEqual(revived[1].nested.deep.value, "slot:102");
});

Deno.test("a VNode at the root and fragments are slots too", () => {
  const ids: string[] = [];
  const text = stringify(h("div", null), {
    onVNode: (_vnode, path) => ids.push(path) - 1,
    rootPath: "children",
  });
  deepStrictEqual(ids, ["children"]);
  deepStrictEqual(parse(text, { onSlot: (id) => ({ slot: id }) }), { slot: 0 });
});

Deno.test("equal slot ids share one revived slot value", () => {
  const vnode = h("span", null);
  const text = stringify({ a: vnode, b: [vnode] }, { onVNode: () => 7 });
  let calls = 0;
  const revived = parse(text, {
    onSlot: (id) => {
      calls++;
      return { id };
    },
  }) as { a: unknown; b: unknown[] };
  strictEqual(calls, 1);
  strictEqual(revived.a, revived.b[0]);
});

Deno.test("VNodes without onVNode and bad slot ids throw", () => {
  throws(
    () => stringify({ icon: h("svg", null) }),
    { message: /Cannot serialize JSX element at props\.icon/ },
  );
  throws(
    () => stringify({ icon: h("svg", null) }, { onVNode: () => 1.5 }),
    { message: /onVNode returned 1\.5 for props\.icon/ },
  );
  throws(
    () => parse('[["Slot",0]]'),
    { message: /slot 0/ },
  );
});

Deno.test("a null-prototype object is not mistaken for a VNode", () => {
  // Preact's isValidElement only checks `constructor === undefined`.
  const value = Object.create(null);
  value.type = "div";
  const revived = roundTrip(value, {
    onVNode: () => {
      throw new Error("not a vnode");
    },
  }) as Record<string, unknown>;
  strictEqual(revived.type, "div");
});

Deno.test("functions throw with the path named", () => {
  throws(
    () => stringify([{ onClick: () => {} }]),
    {
      message:
        /^Cannot serialize function at props\[0\]\.onClick: island props must be serializable/,
    },
  );
  throws(
    () => stringify({ "data-cb": function named() {} }),
    { message: /function at props\["data-cb"\]/ },
  );
  throws(
    () => stringify({ a: { b: [1, { c: class {} }] } }),
    { message: /function at props\.a\.b\[1\]\.c/ },
  );
  throws(
    () => stringify({ m: new Map([["key", () => 1]]) }),
    { message: /function at props\.m\.get\("key"\)/ },
  );
  throws(
    () => stringify({ m: new Map([[{}, () => 1]]) }),
    { message: /function at props\.m\.get\(<key 0>\)/ },
  );
  throws(
    () => stringify({ s: new Set([1, () => 1]) }),
    { message: /function at props\.s\.<item 1>/ },
  );
  throws(
    () => stringify({ s: signal(() => 1) }),
    { message: /function at props\.s\.value/ },
  );
  throws(
    () => stringify(() => 1, { rootPath: "island" }),
    { message: /function at island:/ },
  );
});

Deno.test("symbols throw with the path named", () => {
  throws(
    () => stringify({ kind: Symbol("k") }),
    { message: /^Cannot serialize symbol Symbol\(k\) at props\.kind:/ },
  );
  throws(
    () => stringify({ [Symbol("key")]: 1 }),
    { message: /symbol key Symbol\(key\) at props:/ },
  );
  // Non-enumerable symbol keys are invisible, like for JSON.
  const hidden = {};
  Object.defineProperty(hidden, Symbol("hidden"), { value: 1 });
  deepStrictEqual(roundTrip(hidden), {});
});

Deno.test("class instances throw with the class and path named", () => {
  class Point {
    constructor(public x: number, public y: number) {}
  }
  throws(
    () => stringify({ where: new Point(1, 2) }),
    {
      message:
        /^Cannot serialize instance of class Point at props\.where: island props must be serializable/,
    },
  );
  class MyMap extends Map {}
  throws(() => stringify([new MyMap()]), {
    message: /instance of class MyMap at props\[0\]/,
  });
  class MyArray extends Array {}
  throws(() => stringify({ a: new MyArray() }), {
    message: /instance of class MyArray at props\.a/,
  });
  const unnamed = Object.create(Object.create(null));
  throws(() => stringify({ u: unnamed }), {
    message: /instance of a class at props\.u/,
  });
  for (
    const value of [
      new Error("x"),
      Promise.resolve(),
      new Int16Array(1),
      new ArrayBuffer(1),
      new WeakMap(),
      new String("boxed"),
    ]
  ) {
    throws(() => stringify({ value }), {
      message: /Cannot serialize instance of class \w+ at props\.value/,
    });
  }
});

Deno.test("the wire format matches the documented examples", () => {
  strictEqual(
    stringify({ a: [1, 1], s: signal("x") }),
    '[{"a":1,"s":2},[3,3],["Signal",4],1,"x"]',
  );
  const slots: VNode[] = [];
  strictEqual(
    stringify([{ count: signal(1), children: h("b", null, "hi") }], {
      onVNode: (vnode) => slots.push(vnode) - 1,
    }),
    '[[1],{"count":2,"children":3},["Signal",4],["Slot",0],1]',
  );
  // deno-lint-ignore no-sparse-arrays
  strictEqual(stringify([undefined, , NaN, -0]), "[[-1,-2,-3,-6]]");
  strictEqual(
    stringify([10n, new Date(0), new URL("https://a.b/"), /x/g]),
    '[[1,2,3,4],["BigInt","10"],["Date","1970-01-01T00:00:00.000Z"],' +
      '["URL","https://a.b/"],["RegExp","x","g"]]',
  );
  strictEqual(
    stringify([new Set([1]), new Map([["k", 2]]), new Uint8Array([1, 2])]),
    '[[1,2,3],["Set",4],["Map",5,6],["Uint8Array","AQI="],1,"k",2]',
  );
  strictEqual(
    stringify(Object.assign(Object.create(null), { a: 1 })),
    '[["Null","a",1],1]',
  );
  const sparse = new Array(20);
  sparse[3] = "x";
  strictEqual(stringify(sparse), '[["Sparse",20,3,1],"x"]');
  strictEqual(stringify(computed(() => 1)), '[["Computed",1],1]');
  // parse() accepts the documented form.
  deepStrictEqual(
    (parse('[{"count":1},["Signal",2],3]') as { count: Signal }).count.value,
    3,
  );
});

Deno.test("parse rejects unknown tags", () => {
  throws(() => parse('[["Nope"]]'), { message: /Unknown tag Nope/ });
});

Deno.test("deep nesting does not overflow the stack", () => {
  // Both sides are iterative, so depth is bounded by memory, not the stack.
  const depth = 100_000;
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = i % 2 ? { next: value } : [value];
  let revived = roundTrip(value);
  for (let i = depth - 1; i >= 0; i--) {
    revived = i % 2
      ? (revived as { next: unknown }).next
      : (revived as unknown[])[0];
  }
  strictEqual(revived, "leaf");
});

Deno.test("toScriptLiteral evaluates back to the same string", () => {
  const nasty = [
    "",
    "plain",
    "</script>",
    "</SCRIPT >",
    "<!--",
    "<script>alert(1)</script>",
    "-->",
    "\u2028\u2029",
    "\ud800",
    "\udc00",
    "a\ud800b\udfffc",
    "😀",
    "\"'`",
    "\\",
    "\\u003c",
    "\\\\<",
    "${x}",
    "\0\x01\x1f\x7f",
    "\r\n\t\b\f\v",
    "]]>",
    "\ufeff",
    Array.from({ length: 0x200 }, (_, i) => String.fromCharCode(i)).join(""),
  ];
  for (const text of nasty) {
    strictEqual(evalLiteral(toScriptLiteral(text)), text, JSON.stringify(text));
  }
  strictEqual(toScriptLiteral("</script>"), '"\\u003c/script>"');
});

Deno.test("toScriptLiteral output is safe inside an inline <script>", () => {
  const nasty = [
    "</script>",
    "</ScRiPt>",
    "<!--",
    "<!-- <script>",
    "<script",
    "\u2028",
    "\u2029",
    "x</script><script>alert(1)</script>",
  ];
  const check = (literal: string) => {
    ok(!literal.includes("<"), literal);
    ok(!/<\/script|<!--|<script/i.test(literal), literal);
    ok(!literal.includes("\u2028") && !literal.includes("\u2029"), literal);
    // No raw line terminators either: the literal is a single line.
    ok(!/[\n\r]/.test(literal), literal);
  };
  for (const text of nasty) check(toScriptLiteral(text));

  // Same through the real pipeline, with the strings inside props.
  const props = {
    title: nasty.join(" "),
    keys: Object.fromEntries(nasty.map((s, i) => [s, i])),
    map: new Map(nasty.map((s) => [s, s])),
    re: /<\/script>/i,
    url: new URL("https://example.com/?q=</script>"),
  };
  const literal = toScriptLiteral(stringify(props));
  check(literal);
  const revived = parse(evalLiteral(literal) as string) as typeof props;
  strictEqual(revived.title, props.title);
  deepStrictEqual(revived.keys, props.keys);
  deepStrictEqual(revived.map, props.map);
  strictEqual(revived.re.source, props.re.source);
  strictEqual(revived.url.href, props.url.href);
});
