import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import {
  deleteExpiredSessions,
  deleteOtherSessions,
  deleteSession,
  deleteUserSessions,
  getSession,
  getSessionWithUser,
  insertSession,
  listSessionsForUser,
  sessionExists,
  type SessionRow,
  touchSession,
} from "./sessions.ts";
import { withTestDb } from "./testing.ts";
import { createUser, getUserById, updateBilling } from "./users.ts";

function row(db: Db, userId: string, id: string, at: number): SessionRow {
  const r: SessionRow = {
    id,
    secretHash: crypto.getRandomValues(new Uint8Array(32)),
    userId,
    createdAt: at,
    lastVerifiedAt: at,
    expiresAt: at + 1000,
    twoFactorVerified: false,
    ip: "10.0.0.1",
    userAgent: "UA",
  };
  insertSession(db, r);
  return r;
}

Deno.test("session rows round-trip, touch only moves forward, deletes report ids", async () => {
  await withTestDb((db) => {
    const u = createUser(db, { email: "s@example.com", username: "s" }).id;
    const v = createUser(db, { email: "v@example.com", username: "v" }).id;
    const a = row(db, u, "a", 100);
    row(db, u, "b", 200);
    row(db, u, "c", 300);
    row(db, v, "d", 100);
    assert.deepEqual(getSession(db, "a"), a);
    assert.equal(getSession(db, "zz"), null);
    assert.deepEqual(listSessionsForUser(db, u).map((r) => r.id), [
      "c",
      "b",
      "a",
    ]);

    assert.equal(touchSession(db, "a", { lastVerifiedAt: 500 }), true);
    assert.equal(touchSession(db, "a", { lastVerifiedAt: 400 }), true);
    assert.equal(getSession(db, "a")?.lastVerifiedAt, 500, "never moves back");
    assert.equal(
      touchSession(db, "a", { lastVerifiedAt: 500, expiresAt: 9000 }),
      true,
    );
    assert.equal(getSession(db, "a")?.expiresAt, 9000);
    assert.equal(touchSession(db, "zz", { lastVerifiedAt: 1 }), false);

    assert.deepEqual(deleteOtherSessions(db, u, "b").sort(), ["a", "c"]);
    assert.deepEqual(listSessionsForUser(db, u).map((r) => r.id), ["b"]);
    assert.equal(sessionExists(db, "d"), true);
    assert.equal(deleteSession(db, "d"), true);
    assert.equal(deleteSession(db, "d"), false);
    assert.equal(sessionExists(db, "d"), false);
    assert.deepEqual(deleteUserSessions(db, u), ["b"]);
    assert.deepEqual(deleteUserSessions(db, u), []);
  });
});

Deno.test("deleteExpiredSessions removes absolute- and idle-expired rows only", async () => {
  await withTestDb((db) => {
    const u = createUser(db, { email: "e@example.com", username: "e" }).id;
    row(db, u, "old", 0); // expires at 1000
    row(db, u, "idle", 1500); // last verified 1500
    row(db, u, "live", 1900);
    assert.equal(deleteExpiredSessions(db, 2000, 1600), 2);
    assert.deepEqual(listSessionsForUser(db, u).map((r) => r.id), ["live"]);
  });
});

Deno.test("getSessionWithUser reads the row and its current user in one query", async () => {
  await withTestDb((db) => {
    const u = createUser(db, { email: "j@example.com", username: "j" }).id;
    const r = row(db, u, "j1", 100);
    updateBilling(db, u, { subscriptionTier: "pro" }, 5);
    const found = getSessionWithUser(db, "j1");
    assert.deepEqual(found?.row, r);
    assert.deepEqual(found?.user, getUserById(db, u));
    assert.equal(found?.user.subscriptionTier, "pro");
    assert.equal(getSessionWithUser(db, "missing"), null);
  });
});
