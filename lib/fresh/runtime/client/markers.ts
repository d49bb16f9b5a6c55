/**
 * Parsing of the comment markers the server writes around islands and
 * slots. Kept apart from `boot.ts` so it can be unit tested without a DOM.
 *
 * @module
 */

/** One parsed `frsh:` comment marker. */
export type Marker =
  | { kind: "island"; name: string; index: number; key: string }
  | { kind: "slot"; id: number }
  | { kind: "end"; of: "island" | "slot" };

// The key is last and taken verbatim, so a key may itself contain colons.
const ISLAND = /^frsh:island:(\w+):(\d+):([^]*)$/;
const SLOT = /^frsh:slot:(\d+)$/;
const END = /^\/frsh:(island|slot)$/;

/**
 * Reads the data of a comment node as an island/slot marker.
 *
 * Returns `null` for any other comment, so user comments pass through.
 *
 * @example
 * ```ts
 * parseMarker("frsh:island:Counter:0:"); // { kind: "island", name: "Counter", index: 0, key: "" }
 * parseMarker("frsh:slot:3"); // { kind: "slot", id: 3 }
 * parseMarker("/frsh:slot"); // { kind: "end", of: "slot" }
 * parseMarker(" a user comment "); // null
 * ```
 */
export function parseMarker(data: string): Marker | null {
  let m = ISLAND.exec(data);
  if (m) return { kind: "island", name: m[1], index: +m[2], key: m[3] };
  if ((m = SLOT.exec(data))) return { kind: "slot", id: +m[1] };
  if ((m = END.exec(data))) {
    return { kind: "end", of: m[1] as "island" | "slot" };
  }
  return null;
}
