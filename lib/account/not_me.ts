/**
 * "This wasn't me": the link in a security notice (a new device signed in,
 * the password or the email address changed) that ends every session of
 * the account, so whoever got in is out at once, and then sends the person
 * to choose a new password.
 *
 * The link cannot do that by itself being opened: mail scanners open
 * links, and a GET that ends sessions would sign the owner out whenever
 * one did. So the link opens a page whose button POSTs the token
 * (`routes/account/not-me.tsx`). The token is 32 random bytes
 * (base64url in the link), stored as its SHA-256, single use (the row is
 * deleted in the transaction that uses it, with every other token of the
 * account), valid for {@linkcode NOT_ME_TTL_MS}. A wrong, used or expired
 * token gets the same plain refusal. Ending the sessions is all it can do:
 * it reveals nothing and changes no credential, so a leaked link is worth
 * at most a sign-out to whoever holds it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Queryable } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import {
  deleteNoticeTokens,
  findNoticeToken,
  insertNoticeToken,
  takeNoticeToken,
} from "../db/security_notice_tokens.ts";
import { deleteUserSessions } from "../db/sessions.ts";
import { getUserById } from "../db/users.ts";
import { forgetSessions, type SessionDeps } from "../auth/session.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { RequestMeta } from "../auth/sign_up.ts";

/** How long a "this wasn't me" link works: a week, as people read mail late. */
export const NOT_ME_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const TOKEN_BYTES = 32;
// base64url of 32 bytes, no padding: 43 characters.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The one refusal for a wrong, used or expired link: they look alike on purpose. */
export const NOT_ME_INVALID =
  "This link does not work: it may have been used already or be more than 7 days old. If you are worried, reset your password, which also ends every session.";

function hashToken(token: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(token).digest());
}

/**
 * Makes a token for a notice about `event` and stores its hash through
 * `tx` (the transaction that sends the notice). Returns the token for the
 * link; it is not kept anywhere else.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const tx: Queryable;
 * const token = await issueNotMeToken(tx, "user-id", "auth.sign_in");
 * const link = `https://islet.example/account/not-me?token=${token}`;
 * ```
 */
export async function issueNotMeToken(
  tx: Queryable,
  userId: string,
  event: string,
  now: number = Date.now(),
): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  const token = btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  await insertNoticeToken(tx, hashToken(token), {
    userId,
    event,
    createdAt: now,
    expiresAt: now + NOT_ME_TTL_MS,
  });
  return token;
}

/** What the confirmation page may say about a link before it is used. */
export type NotMeCheck =
  | { ok: true; event: string; createdAt: number }
  | Failure<"invalid">;

/**
 * Whether a token would work, without using it (the confirmation page
 * shows the button only for a live link).
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * const check = await checkNotMeToken(db, "not-a-token"); // { ok: false, reason: "invalid", … }
 * ```
 */
export async function checkNotMeToken(
  db: Queryable,
  token: unknown,
  now: number = Date.now(),
): Promise<NotMeCheck> {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) {
    return failure("invalid", NOT_ME_INVALID);
  }
  const row = await findNoticeToken(db, hashToken(token));
  if (row === null || row.expiresAt <= now) {
    return failure("invalid", NOT_ME_INVALID);
  }
  return { ok: true, event: row.event, createdAt: row.createdAt };
}

/** Outcome of {@linkcode endEverySession}. */
export type NotMeResult =
  | { ok: true; userId: string; ended: number }
  | Failure<"invalid">;

/**
 * Uses a token: in one transaction, claims it (deleting it and every
 * other token of the account), ends every session of the account and
 * records it; then drops those sessions from every cache, so they are
 * refused everywhere at once.
 *
 * @example
 * ```ts
 * import type { SessionDeps } from "../auth/session.ts";
 * declare const deps: SessionDeps;
 * declare const token: string;
 * const result = await endEverySession(deps, token, { ip: "203.0.113.9", userAgent: null });
 * if (result.ok) console.log(`${result.ended} sessions ended`);
 * ```
 */
export async function endEverySession(
  deps: SessionDeps,
  token: unknown,
  meta: RequestMeta,
  now: number = Date.now(),
): Promise<NotMeResult> {
  if (typeof token !== "string" || !TOKEN_SHAPE.test(token)) {
    return failure("invalid", NOT_ME_INVALID);
  }
  const outcome = await deps.db.transaction(async (tx) => {
    const row = await takeNoticeToken(tx, hashToken(token));
    // An expired row is left deleted: it could never work again anyway.
    if (row === null || row.expiresAt <= now) return null;
    if ((await getUserById(tx, row.userId)) === null) return null;
    await deleteNoticeTokens(tx, row.userId);
    const ids = await deleteUserSessions(tx, row.userId);
    await audit(tx, {
      userId: row.userId,
      event: "session.end_all",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { ended: ids.length, notice: row.event },
    }, now);
    return { userId: row.userId, ids };
  });
  if (outcome === null) return failure("invalid", NOT_ME_INVALID);
  await forgetSessions(deps, outcome.ids);
  return { ok: true, userId: outcome.userId, ended: outcome.ids.length };
}
