/**
 * Server side of the island props wire format; the browser side is
 * `runtime/client/reviver.ts`.
 *
 * ## Wire format
 *
 * The output is JSON. Normally it is an array, the *table*: every distinct
 * value gets one entry and `table[0]` is the root. Inside entries, other
 * values are referenced by their table index, which is what makes shared
 * references and cycles cheap and exact. Values JSON cannot express are
 * referenced by negative constants instead of table entries:
 *
 * | ref | value       |
 * | --- | ----------- |
 * | -1  | `undefined` |
 * | -2  | array hole  |
 * | -3  | `NaN`       |
 * | -4  | `Infinity`  |
 * | -5  | `-Infinity` |
 * | -6  | `-0`        |
 *
 * If the root itself is one of those, the whole output is that number
 * (e.g. `-1` for `undefined`). Apart from the root being first, the order of
 * entries is an implementation detail (currently breadth-first).
 *
 * Entries:
 *
 * - string, finite number, boolean, `null`: the JSON value itself
 *   (deduplicated, so repeated strings are sent once).
 * - plain object: `{"key": ref, ...}`.
 * - plain array: `[ref, ...]`, holes as `-2`.
 * - anything else is a tagged array whose first element is a string:
 *   - `["Null", key, ref, key, ref, ...]` object with a `null` prototype
 *   - `["Sparse", length, index, ref, index, ref, ...]` mostly-empty array
 *   - `["BigInt", "123"]`
 *   - `["Date", iso]` (`""` for an invalid date)
 *   - `["URL", href]`
 *   - `["RegExp", source, flags]`
 *   - `["Set", ref, ...]`
 *   - `["Map", keyRef, valueRef, ...]`
 *   - `["Uint8Array", base64]`
 *   - `["Signal", ref]` / `["Computed", ref]` a signal and its current value
 *   - `["Slot", id]` a JSX element, replaced by the id `onVNode` returned
 *
 * Example: `stringify({ a: [1, 1], s: signal("x") })` gives
 * `[{"a":1,"s":2},[3,3],["Signal",4],1,"x"]`.
 *
 * @module
 */

import { isValidElement, type VNode } from "preact";
import { computed, Signal } from "@preact/signals";

/** Options for {@linkcode stringify}. */
export interface StringifyOptions {
  /**
   * Called for every occurrence of a Preact element in the value. JSX is
   * never serialized itself: the returned number is written as a slot id,
   * and the browser turns it back into something renderable with
   * `parse(text, { onSlot })`. Returning the same id twice makes both places
   * share one revived slot value. Without this option an element throws.
   * Calls happen in breadth-first order of the value, not document order.
   */
  onVNode?: (vnode: VNode, path: string) => number;
  /**
   * Name of the root value in error messages and `onVNode` paths.
   * Defaults to `"props"`.
   */
  rootPath?: string;
}

// Must match CONSTANTS in runtime/client/reviver.ts.
const UNDEFINED = -1;
const HOLE = -2;
const NAN = -3;
const POSITIVE_INFINITY = -4;
const NEGATIVE_INFINITY = -5;
const NEGATIVE_ZERO = -6;

// Computed signals are Signal instances too, but they revive as read-only
// signals, so we need to tell them apart. signals-core does not export the
// Computed class, so borrow its prototype from a throwaway instance.
const COMPUTED_PROTO: object = Object.getPrototypeOf(computed(() => 0));

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const SUPPORTED =
  "island props must be serializable (primitives, plain objects, arrays, " +
  "Date, URL, RegExp, Set, Map, Uint8Array, signals and JSX)";

/**
 * Serializes island props (or any supported value) to a JSON text that
 * `parse()` from `runtime/client/reviver.ts` turns back into an equal value.
 *
 * Shared references and cycles are preserved: one signal passed to two
 * islands revives as one signal. Functions, symbols and class instances
 * throw an `Error` naming the offending path.
 *
 * @example
 * ```tsx
 * import type { VNode } from "preact";
 * import { signal } from "@preact/signals";
 * const slots: VNode[] = [];
 * const text = stringify([{ count: signal(1), children: <b>hi</b> }], {
 *   onVNode: (vnode) => slots.push(vnode) - 1,
 * });
 * // text: '[[1],{"count":2,"children":3},["Signal",4],["Slot",0],1]'
 * ```
 */
export function stringify(
  value: unknown,
  options: StringifyOptions = {},
): string {
  const { onVNode, rootPath = "props" } = options;
  const table: unknown[] = [];
  // Objects by identity and primitives by value, so both are sent once.
  const indices = new Map<unknown, number>();
  // Slot entries by id, so equal ids revive to one shared slot value.
  const slots = new Map<number, number>();

  // Objects whose table entry is reserved but not yet written.
  const queue: [object, object | null, Path, number][] = [];

  const push = (entry: unknown): number => table.push(entry) - 1;

  // Where the value is: its container's path and the step from there. The
  // path is only spelled out when an error or onVNode needs it.
  const add = (
    value: unknown,
    parent: Path,
    kind: StepKind,
    key: unknown,
    i: number,
  ): number => {
    switch (typeof value) {
      case "undefined":
        return UNDEFINED;
      case "number":
        if (value !== value) return NAN;
        if (value === Infinity) return POSITIVE_INFINITY;
        if (value === -Infinity) return NEGATIVE_INFINITY;
        // JSON would turn -0 into 0.
        if (Object.is(value, -0)) return NEGATIVE_ZERO;
        break;
      case "function":
        throw new Error(
          `Cannot serialize function at ${
            pathText(step(parent, kind, key, i))
          }: ${SUPPORTED}`,
        );
      case "symbol":
        throw new Error(
          `Cannot serialize symbol ${value.toString()} at ${
            pathText(step(parent, kind, key, i))
          }: ${SUPPORTED}`,
        );
    }

    let index = indices.get(value);
    if (index !== undefined) return index;

    if (typeof value !== "object" || value === null) {
      // string, finite number, boolean, null or bigint.
      index = push(
        typeof value === "bigint" ? ["BigInt", value.toString()] : value,
      );
      indices.set(value, index);
      return index;
    }

    const proto = Object.getPrototypeOf(value);
    const path = step(parent, kind, key, i);

    // Preact's check is "constructor === undefined", which a null-prototype
    // object also passes, so only consider ordinary objects.
    if (proto === Object.prototype && isValidElement(value)) {
      if (!onVNode) {
        throw new Error(
          `Cannot serialize JSX element at ${
            pathText(path)
          }: no onVNode handler given`,
        );
      }
      const text = pathText(path);
      const id = onVNode(value, text);
      if (!Number.isSafeInteger(id)) {
        throw new Error(
          `onVNode returned ${
            String(id)
          } for ${text}: slot ids must be integers`,
        );
      }
      // Not cached by vnode identity: every occurrence is its own slot,
      // and onVNode decides about sharing by returning the same id.
      index = slots.get(id);
      if (index === undefined) slots.set(id, index = push(["Slot", id]));
      return index;
    }

    // Only reserve the entry here; its contents are written when the queue
    // reaches it. References are plain indices, so the order in which
    // entries get filled does not matter, and this way a cycle finds the
    // index already taken and deep nesting never deepens the call stack.
    index = push(null);
    indices.set(value, index);
    queue.push([value, proto, path, index]);
    return index;
  };

  const encodeObject = (
    value: object,
    proto: object | null,
    path: Path,
  ): unknown => {
    if (proto === Object.prototype || proto === null) {
      const symbol = Object.getOwnPropertySymbols(value).find((s) =>
        Object.prototype.propertyIsEnumerable.call(value, s)
      );
      if (symbol) {
        throw new Error(
          `Cannot serialize symbol key ${symbol.toString()} at ${
            pathText(path)
          }: ${SUPPORTED}`,
        );
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (proto === null) {
        const entry: unknown[] = ["Null"];
        for (const key of keys) {
          entry.push(key, add(record[key], path, PROPERTY, key, 0));
        }
        return entry;
      }
      // A plain object literal, not a null-prototype one: V8 keeps those in
      // slow dictionary mode, which makes JSON.stringify several times
      // slower. Only a "__proto__" key needs defining rather than setting.
      const entry: Record<string, number> = {};
      for (const key of keys) {
        const ref = add(record[key], path, PROPERTY, key, 0);
        if (key === "__proto__") {
          Object.defineProperty(entry, key, {
            value: ref,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          entry[key] = ref;
        }
      }
      return entry;
    }

    if (proto === Array.prototype && Array.isArray(value)) {
      const { length } = value;
      const keys = Object.keys(value);
      // `new Array(1e9)` is legal; writing a hole marker for every slot
      // would not be, so mostly-empty arrays list their elements instead.
      if (length > 16 && keys.length < length / 2) {
        const entry: unknown[] = ["Sparse", length];
        for (const key of keys) {
          const i = Number(key);
          // Object.keys also lists non-index properties, which JSON and
          // the dense form ignore as well.
          if (String(i >>> 0) === key && i < length) {
            entry.push(i, add(value[i], path, INDEX, null, i));
          }
        }
        return entry;
      }
      const entry: number[] = [];
      for (let i = 0; i < length; i++) {
        entry.push(i in value ? add(value[i], path, INDEX, null, i) : HOLE);
      }
      return entry;
    }

    if (value instanceof Signal) {
      const tag = Object.prototype.isPrototypeOf.call(COMPUTED_PROTO, value)
        ? "Computed"
        : "Signal";
      // peek() so that serializing inside an effect or a component render
      // does not subscribe it to the signal.
      return [tag, add(value.peek(), path, VALUE, null, 0)];
    }

    // Exact prototype checks: a subclass would lose its own behaviour on
    // revival, which is better reported than silently dropped.
    switch (proto) {
      case Date.prototype: {
        const date = value as Date;
        return ["Date", isNaN(date.getTime()) ? "" : date.toISOString()];
      }
      case URL.prototype:
        return ["URL", (value as URL).href];
      case RegExp.prototype: {
        const regexp = value as RegExp;
        return ["RegExp", regexp.source, regexp.flags];
      }
      case Set.prototype: {
        const entry: unknown[] = ["Set"];
        let i = 0;
        for (const item of value as Set<unknown>) {
          entry.push(add(item, path, SET_ITEM, null, i++));
        }
        return entry;
      }
      case Map.prototype: {
        const entry: unknown[] = ["Map"];
        let i = 0;
        for (const [key, item] of value as Map<unknown, unknown>) {
          entry.push(
            add(key, path, MAP_KEY, null, i),
            add(item, path, MAP_VALUE, key, i),
          );
          i++;
        }
        return entry;
      }
      case Uint8Array.prototype:
        return ["Uint8Array", toBase64(value as Uint8Array)];
    }

    throw new Error(
      `Cannot serialize instance of ${className(proto)} at ${
        pathText(path)
      }: ${SUPPORTED}`,
    );
  };

  const root = add(value, rootPath, ROOT, null, 0);
  for (let i = 0; i < queue.length; i++) {
    const [object, proto, path, index] = queue[i];
    table[index] = encodeObject(object, proto, path);
  }
  // Only constants are negative; they have no table entry to point to.
  return root < 0 ? String(root) : JSON.stringify(table);
}

/** How a value is reached from its container. */
type StepKind = number;
const ROOT = 0;
/** `[i]` of an array. */
const INDEX = 1;
/** `.key` or `["key"]` of an object. */
const PROPERTY = 2;
/** `.value` of a signal. */
const VALUE = 3;
/** `.<item i>` of a Set. */
const SET_ITEM = 4;
/** `.<key i>` of a Map. */
const MAP_KEY = 5;
/** `.get(key)` of a Map. */
const MAP_VALUE = 6;

/** A path in error messages: the root's name, or a step from a container. */
type Path = string | PathStep;

interface PathStep {
  parent: Path;
  kind: StepKind;
  key: unknown;
  i: number;
}

function step(parent: Path, kind: StepKind, key: unknown, i: number): Path {
  return kind === ROOT ? parent : { parent, kind, key, i };
}

/** Spells out a path, e.g. `props[0].count.value`. */
function pathText(path: Path): string {
  if (typeof path === "string") return path;
  const base = pathText(path.parent);
  switch (path.kind) {
    case INDEX:
      return `${base}[${path.i}]`;
    case PROPERTY:
      return propertyPath(base, path.key as string);
    case VALUE:
      return `${base}.value`;
    case SET_ITEM:
      return `${base}.<item ${path.i}>`;
    case MAP_KEY:
      return `${base}.<key ${path.i}>`;
    default:
      return `${base}.get(${describeKey(path.key, path.i)})`;
  }
}

/**
 * Turns any string into a JavaScript string literal (quotes included) that
 * is safe to place inside an inline `<script>` element.
 *
 * JSON.stringify already produces a valid literal; on top of that `<` is
 * escaped, so neither `</script>` nor `<!--` (which switches the HTML parser
 * into a mode where `<script` nests) can appear, and U+2028 / U+2029 are
 * escaped for engines predating ES2019, where they end a string literal.
 *
 * @example
 * ```ts
 * const props = [{ title: "</script><script>alert(1)</script>" }];
 * const html = `<script>boot(${toScriptLiteral(stringify(props))})</script>`;
 * toScriptLiteral("</script>"); // '"\\u003c/script>"'
 * ```
 */
export function toScriptLiteral(text: string): string {
  return JSON.stringify(text).replace(
    /[<\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function propertyPath(path: string, key: string): string {
  return IDENTIFIER.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

// Readable Map paths like `props.byId.get("a")` for the common key types.
function describeKey(key: unknown, i: number): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "bigint") return `${key}n`;
  if (
    key === null || typeof key === "number" || typeof key === "boolean" ||
    key === undefined
  ) {
    return String(key);
  }
  return `<key ${i}>`;
}

function className(proto: object | null): string {
  // A hostile or odd prototype must not turn a helpful error into a crash.
  try {
    const name = (proto as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    if (typeof name === "string" && name) return `class ${name}`;
  } catch {
    // Fall through to the generic description.
  }
  return "a class";
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked because spreading a large array into fromCharCode would exceed
  // the engine's argument count limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
