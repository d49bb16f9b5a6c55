/**
 * Browser side of the island props wire format written by
 * `lib/fresh/serialize.ts` (see that file for the full format description).
 *
 * This module ships to every page with islands, so it trades a few
 * friendly error messages for size, and it must not touch Deno APIs.
 *
 * @module
 */

import { computed, type Signal, signal } from "@preact/signals";

/** Options for {@linkcode parse}. */
export interface ParseOptions {
  /**
   * Produces the value for a `["Slot", id]` entry, i.e. for a JSX element
   * that the server replaced by the slot id its `onVNode` returned. Called
   * once per distinct id; the result is shared by every reference to it.
   */
  onSlot?: (id: number) => unknown;
}

// A JSON value as it comes out of JSON.parse for one table entry.
type Entry =
  | null
  | boolean
  | number
  | string
  | Entry[]
  | { [key: string]: unknown };

// Negative references stand for values JSON cannot express, indexed by the
// negated reference. -2 is an array hole: array filling skips it, so its
// slot here is never read as a value.
const CONSTANTS = [0, undefined, undefined, NaN, Infinity, -Infinity, -0];
const HOLE = -2;

/**
 * Revives a value serialized by `stringify()` from `fresh/serialize.ts`.
 *
 * Shared references and cycles come back with the same identity structure
 * they had on the server; signals come back as fresh `@preact/signals`
 * signals (read-only `computed()` ones for server-side computed signals).
 *
 * @example
 * ```ts
 * const props = parse('[{"count":1},["Signal",2],3]');
 * // props is { count: Signal(3) }
 * ```
 *
 * @example Reviving JSX slots
 * ```tsx
 * import { type ComponentChildren, Fragment } from "preact";
 * declare const text: string;
 * declare const slotContents: ComponentChildren[]; // rebuilt from the page's slot markup
 * const props = parse(text, { onSlot: (id) => <Fragment>{slotContents[id]}</Fragment> });
 * ```
 */
export function parse(text: string, options: ParseOptions = {}): unknown {
  const table = JSON.parse(text) as Entry[] | number;
  // A root that JSON cannot express is sent as a bare negative reference.
  if (!Array.isArray(table)) return CONSTANTS[-table];

  // Two flat passes instead of recursion: first create every value, with
  // containers still empty, then fill the containers. By then every
  // reference resolves to its final object, so shared references and cycles
  // need no bookkeeping, and no nesting depth can overflow the stack.
  const values = table.map((entry): unknown => {
    // Primitives are themselves; plain objects are filled in place below.
    if (entry === null || typeof entry !== "object" || !Array.isArray(entry)) {
      return entry;
    }
    const arg = entry[1] as string;
    switch (entry[0]) {
      case "BigInt":
        return BigInt(arg);
      case "Date":
        // "" encodes an invalid date and parses back to one.
        return new Date(arg);
      case "URL":
        return new URL(arg);
      case "RegExp":
        return new RegExp(arg, entry[2] as string);
      case "Uint8Array":
        return Uint8Array.from(atob(arg), (c) => c.charCodeAt(0));
      case "Slot":
        if (!options.onSlot) throw new Error(`No onSlot for slot ${arg}`);
        return options.onSlot(+arg);
      case "Set":
        return new Set();
      case "Map":
        return new Map();
      case "Null":
        return Object.create(null);
      case "Sparse":
        return new Array(+arg);
      case "Signal":
        return signal();
      case "Computed":
        // computed() is lazy: by the time anyone reads it, pass two has
        // replaced the reference in entry[1] with the value.
        return computed(() => entry[1]);
    }
    if (typeof entry[0] === "string") {
      throw new Error(`Unknown tag ${entry[0]}`);
    }
    // Plain array: pre-sized so that holes stay holes.
    return new Array(entry.length);
  });

  const get = (ref: Entry) =>
    (ref as number) < 0 ? CONSTANTS[-(ref as number)] : values[ref as number];
  // Calls set(rawKey, value) for the (key, reference) pairs from `from` on.
  const pairs = (
    entry: Entry[],
    from: number,
    set: (key: Entry, value: unknown) => void,
  ) => {
    for (let i = from; i < entry.length; i += 2) {
      set(entry[i], get(entry[i + 1]));
    }
  };

  table.forEach((entry, index) => {
    if (entry === null || typeof entry !== "object") return;
    if (!Array.isArray(entry)) {
      // JSON.parse makes "__proto__" an own data property, so assigning to
      // it here updates that property and never reaches the proto setter.
      for (const key of Object.keys(entry)) {
        entry[key] = get(entry[key] as Entry);
      }
      return;
    }
    const value = values[index];
    // Only containers need filling; the other tags are complete already.
    switch (entry[0]) {
      case "Set":
        for (let i = 1; i < entry.length; i++) {
          (value as Set<unknown>).add(get(entry[i]));
        }
        break;
      case "Map":
        pairs(
          entry,
          1,
          (key, item) => (value as Map<unknown, unknown>).set(get(key), item),
        );
        break;
      case "Null":
      case "Sparse":
        pairs(
          entry,
          entry[0] === "Null" ? 1 : 2,
          (key, item) =>
            (value as Record<string, unknown>)[key as string] = item,
        );
        break;
      case "Signal":
        (value as Signal<unknown>).value = get(entry[1]);
        break;
      case "Computed":
        entry[1] = get(entry[1]) as Entry;
        break;
      default:
        if (typeof entry[0] !== "string") {
          entry.forEach((ref, i) => {
            if (ref !== HOLE) (value as unknown[])[i] = get(ref);
          });
        }
    }
  });

  return values[0];
}
