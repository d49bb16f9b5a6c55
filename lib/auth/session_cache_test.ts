import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { SessionRow } from "../db/sessions.ts";
import {
  cachedRow,
  decodeCachedSession,
  encodeCachedSession,
  sessionFields,
} from "./session_cache.ts";

const row: SessionRow = {
  id: "s1",
  secretHash: new Uint8Array(32).fill(0xab),
  userId: "u1",
  createdAt: 1,
  lastVerifiedAt: 2,
  expiresAt: 3,
  twoFactorVerified: true,
  secondFactorPending: false,
  authenticatedAt: 1,
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0",
};

Deno.test("cachedRow keeps every field and the hash as hex", () => {
  const cached = cachedRow(row);
  strictEqual(cached.secretHashHex, "ab".repeat(32));
  deepStrictEqual(sessionFields(cached), sessionFields(row));
});

Deno.test("sessionFields drops the secret in either form, and nothing else", () => {
  const fields = sessionFields(row);
  deepStrictEqual(Object.keys(fields).sort(), [
    "authenticatedAt",
    "createdAt",
    "expiresAt",
    "id",
    "ip",
    "lastVerifiedAt",
    "secondFactorPending",
    "twoFactorVerified",
    "userAgent",
    "userId",
  ]);
  deepStrictEqual(sessionFields(cachedRow(row)), fields);
});

Deno.test("a cached row reads back as written; another id is a miss", () => {
  const text = encodeCachedSession(cachedRow(row));
  deepStrictEqual(decodeCachedSession(text, "s1"), cachedRow(row));
  strictEqual(decodeCachedSession(text, "s2"), null);
  // The wire format keeps its `secretHash` name, so a deploy keeps its hits.
  strictEqual(JSON.parse(text).secretHash, "ab".repeat(32));
});
