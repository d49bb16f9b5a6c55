/**
 * The data export: everything Islet stores about an account, as one JSON
 * document the person downloads. Hashes and secrets stay out (password
 * hash, session secret hashes, the TOTP secret, recovery-code and token
 * hashes): the export is a copy for the person, and a file on a laptop
 * should not be a way into the account. Each part is written out field by
 * field from queries that select named columns, so a secret column added
 * later does not leak into it by default.
 *
 * @module
 */
import type { Db } from "../db/db.ts";
import { audit, listAllAuditForUser } from "../db/audit.ts";
import {
  countRecoveryCodes,
  listLinkedAccounts,
  listOpenLinks,
  listSubscriptions,
} from "../db/account_data.ts";
import { getPreferences } from "../db/preferences.ts";
import { listSessionsForUser } from "../db/sessions.ts";
import { getUserById } from "../db/users.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { deviceLabel } from "../web/device.ts";
import { describeEvent } from "./activity_words.ts";

/** The most audit events one export carries (the newest ones). */
export const EXPORT_MAX_EVENTS = 10_000;

/** The export document's format name and version, for whoever reads it later. */
export const EXPORT_FORMAT = { name: "islet-account-export", version: 1 };

const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();

/** A built export: the document and the file name to offer. */
export interface AccountExport {
  document: Record<string, unknown>;
  filename: string;
}

/**
 * Builds the export of `userId`'s account (null when the account is gone)
 * and records that it was taken.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const built = await exportAccount(db, "user-id", meta);
 * if (built) new Response(JSON.stringify(built.document));
 * ```
 */
export async function exportAccount(
  db: Db,
  userId: string,
  meta: RequestMeta,
  now: number = Date.now(),
): Promise<AccountExport | null> {
  // Recorded first, so the export lists itself: it is part of what
  // happened to the account. One transaction, so every part is read from
  // the same moment.
  return await db.transaction(async (tx) => {
    const user = await getUserById(tx, userId);
    if (user === null) return null;
    await audit(tx, {
      userId,
      event: "account.export",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
    const [prefs, sessions, linked, subs, codes, links, events] = [
      await getPreferences(tx, userId),
      await listSessionsForUser(tx, userId),
      await listLinkedAccounts(tx, userId),
      await listSubscriptions(tx, userId),
      await countRecoveryCodes(tx, userId),
      await listOpenLinks(tx, userId),
      await listAllAuditForUser(tx, userId, EXPORT_MAX_EVENTS),
    ];
    const document = {
      format: EXPORT_FORMAT.name,
      version: EXPORT_FORMAT.version,
      exportedAt: iso(now),
      note:
        "Everything this service stores about your account. Password, session, two-factor and link secrets are never included.",
      profile: {
        id: user.id,
        email: user.email,
        emailVerifiedAt: iso(user.emailVerifiedAt),
        username: user.username,
        hasPassword: user.hasPassword,
        subscriptionTier: user.subscriptionTier,
        stripeCustomerId: user.stripeCustomerId,
        twoFactorEnabled: user.twoFactorEnabled,
        createdAt: iso(user.createdAt),
        updatedAt: iso(user.updatedAt),
      },
      preferences: {
        theme: prefs.theme,
        language: prefs.language,
        updatedAt: iso(prefs.updatedAt || null),
      },
      sessions: sessions.map((s) => ({
        id: s.id,
        device: deviceLabel(s.userAgent),
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: iso(s.createdAt),
        lastActiveAt: iso(s.lastVerifiedAt),
        expiresAt: iso(s.expiresAt),
        twoFactorVerified: s.twoFactorVerified,
        waitingForCode: s.secondFactorPending,
      })),
      linkedSignInMethods: linked.map((l) => ({
        provider: l.provider,
        providerUserId: l.providerUserId,
        label: l.label,
        linkedAt: iso(l.createdAt),
      })),
      twoFactor: {
        enabled: user.twoFactorEnabled,
        recoveryCodes: codes,
      },
      subscriptions: subs.map((s) => ({
        ...s,
        currentPeriodStart: iso(s.currentPeriodStart),
        currentPeriodEnd: iso(s.currentPeriodEnd),
        createdAt: iso(s.createdAt),
        updatedAt: iso(s.updatedAt),
      })),
      openEmailLinks: links.map((l) => ({
        kind: l.kind,
        email: l.email,
        createdAt: iso(l.createdAt),
        expiresAt: iso(l.expiresAt),
      })),
      securityActivity: events.map((e) => ({
        event: e.event,
        description: describeEvent(e),
        at: iso(e.createdAt),
        ip: e.ip,
        userAgent: e.userAgent,
        device: deviceLabel(e.userAgent),
        details: e.details,
      })),
    };
    const day = new Date(now).toISOString().slice(0, 10);
    return { document, filename: `islet-account-${day}.json` };
  });
}

/**
 * The download: JSON with `Content-Disposition: attachment`, never cached
 * or sniffed.
 *
 * @example
 * ```ts
 * declare const built: AccountExport;
 * const res = exportResponse(built);
 * res.headers.get("content-disposition"); // 'attachment; filename="islet-account-2025-05-03.json"'
 * ```
 */
export function exportResponse(built: AccountExport): Response {
  return new Response(JSON.stringify(built.document, null, 2) + "\n", {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${built.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
