/**
 * The "new device" notice: after a successful sign-in, the owner is
 * emailed when the device is one this account has not been used from.
 *
 * The rule, and why:
 * - A device is what `lib/web/device.ts` makes of the user agent: the
 *   browser and the system ("Firefox on Linux"), without the version. A
 *   browser updates every few weeks; mailing on each update would teach
 *   people to ignore the mail. Addresses are left out too: phones and
 *   laptops change address all day. So the notice catches another kind
 *   of browser or machine, which is what a stolen password used elsewhere
 *   looks like; an intruder who copies the user agent exactly is not
 *   caught, as with every service that works from the user agent.
 * - Seen before means: an earlier successful sign-in or the sign-up of
 *   this account, in the audit log, came from that device. Every session
 *   starts with one of those, and the log keeps them after sessions end,
 *   so it remembers more than the sessions table does. With two-factor on,
 *   a sign-in is successful when the code was accepted
 *   (`auth.second_factor_passed`); a password accepted alone
 *   (`auth.sign_in` marked `secondFactor: "pending"`) does not make its
 *   device the owner's, or someone holding only the password would teach
 *   the rule their device. The notice itself is sent after the code.
 * - An account with no earlier sign-in or sign-up on record gets no
 *   notice: there is nothing to compare with, and its first sign-in is
 *   the owner's own.
 *
 * @module
 */
import { type Db, dialect } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import type { User } from "../db/users.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { type NoticeDeps, securityNotice } from "../email/notices.ts";
import { deviceIds } from "../web/device.ts";

/**
 * The audit rows of a sign-up or a completed sign-in: a password sign-in
 * that did not wait for a code, or a second factor accepted.
 */
function completedSignIn(db: Db): string {
  const pending = dialect(db, {
    sqlite: `json_extract(details, '$.secondFactor')`,
    postgres: `details::jsonb ->> 'secondFactor'`,
  });
  return `(event IN ('auth.sign_up', 'auth.second_factor_passed')
    OR (event = 'auth.sign_in' AND coalesce(${pending}, '') <> 'pending'))`;
}

/** How many distinct earlier user agents are compared: plenty for one person. */
const MAX_KNOWN_AGENTS = 500;

function sameDevice(a: string | null, b: string | null): boolean {
  const x = deviceIds(a);
  const y = deviceIds(b);
  return x.browser === y.browser && x.system === y.system;
}

/**
 * Whether `userAgent` is a device this account has not signed in or
 * signed up from before the sign-in recorded as `signInId` (the audit row
 * of the sign-in being judged); false when there is no history at all.
 *
 * @example
 * ```ts
 * import { type Db, dialect } from "../db/db.ts";
 * declare const db: Db;
 * const fresh = await isNewDevice(db, "user-id", "Mozilla/5.0 … Firefox/140.0", 42);
 * ```
 */
export async function isNewDevice(
  db: Db,
  userId: string,
  userAgent: string | null,
  signInId: number,
): Promise<boolean> {
  const rows = await db.all(
    `SELECT user_agent FROM audit_log
     WHERE user_id = ? AND id < ? AND ${completedSignIn(db)}
     GROUP BY user_agent LIMIT ?`,
    [userId, signInId, MAX_KNOWN_AGENTS],
  );
  if (rows.length === 0) return false;
  const known = rows.map((r) =>
    r.user_agent === null ? null : String(r.user_agent)
  );
  return !known.some((ua) => sameDevice(ua, userAgent));
}

/**
 * After a successful sign-in (with two-factor on: after the code, once
 * `auth.second_factor_passed` is written): sends the new-device notice
 * when the rule above says so, and records that it did. Returns whether
 * it did.
 *
 * @example
 * ```ts
 * import { type Db, dialect } from "../db/db.ts";
 * import type { User } from "../db/users.ts";
 * import type { NoticeDeps } from "../email/notices.ts";
 * declare const db: Db;
 * declare const deps: NoticeDeps;
 * declare const user: User;
 * await noticeIfNewDevice(db, deps, user, { ip: "203.0.113.9", userAgent: "curl/8.0" });
 * ```
 */
export async function noticeIfNewDevice(
  db: Db,
  deps: NoticeDeps,
  user: User,
  meta: RequestMeta,
): Promise<boolean> {
  // The sign-in just written is this account's newest one.
  const latest = await db.get<{ id: number }>(
    `SELECT max(id) AS id FROM audit_log
     WHERE user_id = ? AND ${completedSignIn(db)}`,
    [user.id],
  );
  const signInId = latest?.id == null ? null : Number(latest.id);
  if (signInId === null) return false;
  if (!(await isNewDevice(db, user.id, meta.userAgent, signInId))) return false;
  const now = Date.now();
  await db.transaction(async (tx) => {
    await securityNotice(tx, deps, {
      kind: "new_device",
      user,
      meta,
      at: now,
    });
    await audit(tx, {
      userId: user.id,
      event: "security.new_device",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
  });
  return true;
}
