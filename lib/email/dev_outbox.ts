/**
 * Reading the development outbox folder back, for `/dev/mail` (which
 * exists only when the app runs in development). The parser is loaded on
 * first use, so a production server never loads it.
 *
 * @module
 */
import * as path from "node:path";
import type { ParsedEmail } from "./eml.ts";
import { OUTBOX_ID_RE } from "./transports/outbox.ts";

/** A message of the outbox, as /dev/mail shows it. */
export interface OutboxEntry extends ParsedEmail {
  /** The file name without `.eml`. */
  id: string;
}

/** At most this many messages are listed: a long-lived outbox stays quick to open. */
export const LIST_LIMIT = 100;

/**
 * The newest messages of the outbox folder `dir`, newest first (an absent
 * folder is an empty outbox).
 *
 * @example
 * ```ts
 * const newest = await listOutbox("data/outbox");
 * newest[0]?.subject;
 * ```
 */
export async function listOutbox(
  dir: string,
  limit = LIST_LIMIT,
): Promise<OutboxEntry[]> {
  const ids: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const id = entry.name.replace(/\.eml$/, "");
      if (entry.isFile && id !== entry.name && OUTBOX_ID_RE.test(id)) {
        ids.push(id);
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  // Ids start with the time, so the newest sort last.
  ids.sort().reverse();
  const entries = await Promise.all(
    ids.slice(0, limit).map((id) => readOutboxMessage(dir, id)),
  );
  return entries.filter((e): e is OutboxEntry => e !== undefined);
}

/**
 * One message of the outbox, or undefined when `id` is not one (anything
 * but a well-formed id is refused before touching the file system).
 *
 * @example
 * ```ts
 * const mail = await readOutboxMessage("data/outbox", "20300102T030405006Z-0123456789ab");
 * ```
 */
export async function readOutboxMessage(
  dir: string,
  id: string,
): Promise<OutboxEntry | undefined> {
  if (!OUTBOX_ID_RE.test(id)) return undefined;
  let raw: Uint8Array;
  try {
    raw = await Deno.readFile(path.join(dir, `${id}.eml`));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  const { parseEmail } = await import("./eml.ts");
  return { id, ...await parseEmail(raw) };
}
