/**
 * The security activity of an account: its own audit events, newest
 * first, a page at a time, each as a sentence with the device, address and
 * time. The settings page and the JSON endpoint are adapters over
 * {@linkcode securityActivity}.
 *
 * Pages are keyed, not numbered: the cursor names the last event shown
 * (its time and id), so a page is one index range however far back, and
 * new events never shift the pages already seen. The cursor is checked
 * strictly; it only ever narrows a query already scoped to the signed-in
 * user, so a forged one shows nothing of anyone else's.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";
import { type AuditCursor, listAuditPage } from "../db/audit.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import { deviceLabel } from "../web/device.ts";
import { describeEvent, isWarning } from "./activity_words.ts";

/** Events per page. */
export const ACTIVITY_PAGE_SIZE = 20;

/** One event as the person sees it. */
export interface ActivityItem {
  id: number;
  /** The event's name, for scripts; people read `sentence`. */
  event: string;
  sentence: string;
  /** "Firefox on Linux", "Unknown device". */
  device: string;
  ip: string | null;
  at: number;
  warning: boolean;
}

/** Outcome of {@linkcode securityActivity}. */
export type ActivityResult =
  | { ok: true; items: ActivityItem[]; next: string | null }
  | Failure<"invalid">;

// Milliseconds, then the id: both plain decimal integers, no signs, no
// leading zeros, within what a JavaScript number holds exactly.
const CURSOR = /^(0|[1-9][0-9]{0,14})\.([1-9][0-9]{0,14})$/;

/**
 * The text of a cursor, for a `?before=` parameter.
 *
 * @example
 * ```ts
 * encodeCursor({ createdAt: 1700000000000, id: 42 }); // "1700000000000.42"
 * ```
 */
export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.createdAt}.${cursor.id}`;
}

/**
 * The cursor a `?before=` value names, or null when it is not exactly
 * one of ours.
 *
 * @example
 * ```ts
 * decodeCursor("1700000000000.42"); // { createdAt: 1700000000000, id: 42 }
 * decodeCursor("1 OR 1=1");         // null
 * ```
 */
export function decodeCursor(value: string): AuditCursor | null {
  const m = CURSOR.exec(value);
  return m === null ? null : { createdAt: Number(m[1]), id: Number(m[2]) };
}

/**
 * One page of the user's security activity, older than `before` (a
 * cursor from a previous page) when given.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * const page = await securityActivity(db, "user-id", { before: null });
 * if (page.ok) console.log(page.items[0]?.sentence, page.next);
 * ```
 */
export async function securityActivity(
  db: Queryable,
  userId: string,
  opts: { before: string | null; limit?: number },
): Promise<ActivityResult> {
  let before: AuditCursor | null = null;
  if (opts.before !== null) {
    before = decodeCursor(opts.before);
    if (before === null) {
      return failure(
        "invalid",
        "That page of your activity does not exist; start from the newest.",
      );
    }
  }
  const page = await listAuditPage(db, userId, {
    limit: opts.limit ?? ACTIVITY_PAGE_SIZE,
    before,
  });
  return {
    ok: true,
    items: page.entries.map((e) => ({
      id: e.id,
      event: e.event,
      sentence: describeEvent(e),
      device: deviceLabel(e.userAgent),
      ip: e.ip,
      at: e.createdAt,
      warning: isWarning(e.event),
    })),
    next: page.next === null ? null : encodeCursor(page.next),
  };
}
