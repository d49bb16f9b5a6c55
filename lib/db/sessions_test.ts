import assert from "node:assert/strict";
import type { Queryable } from "./db.ts";
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
import { dbTest } from "./testing.ts";
import { createUser, getUserById, updateBilling } from "./users.ts";

async function row(
  db: Queryable,
  userId: string,
  id: string,
  at: number,
): Promise<SessionRow> {
  const r: SessionRow = {
    id,
    secretHash: crypto.getRandomValues(new Uint8Array(32)),
    userId,
    createdAt: at,
    lastVerifiedAt: at,
    expiresAt: at + 1000,
    twoFactorVerified: false,
    secondFactorPending: false,
    authenticatedAt: at,
    ip: "10.0.0.1",
    userAgent: "UA",
  };
  await insertSession(db, r);
  return r;
}

async function ids(db: Queryable, userId: string): Promise<string[]> {
  return (await listSessionsForUser(db, userId)).map((r) => r.id);
}

dbTest(
  "session rows round-trip, touch only moves forward, deletes report ids",
  async (db) => {
    const u = (await createUser(db, { email: "s@example.com", username: "s" }))
      .id;
    const v = (await createUser(db, { email: "v@example.com", username: "v" }))
      .id;
    const a = await row(db, u, "a", 100);
    await row(db, u, "b", 200);
    await row(db, u, "c", 300);
    await row(db, v, "d", 100);
    assert.deepEqual(await getSession(db, "a"), a);
    assert.equal(await getSession(db, "zz"), null);
    assert.deepEqual(await ids(db, u), ["c", "b", "a"]);

    assert.equal(await touchSession(db, "a", { lastVerifiedAt: 500 }), true);
    assert.equal(await touchSession(db, "a", { lastVerifiedAt: 400 }), true);
    assert.equal(
      (await getSession(db, "a"))?.lastVerifiedAt,
      500,
      "never moves back",
    );
    assert.equal(
      await touchSession(db, "a", { lastVerifiedAt: 500, expiresAt: 9000 }),
      true,
    );
    assert.equal((await getSession(db, "a"))?.expiresAt, 9000);
    assert.equal(await touchSession(db, "zz", { lastVerifiedAt: 1 }), false);

    assert.deepEqual((await deleteOtherSessions(db, u, "b")).sort(), [
      "a",
      "c",
    ]);
    assert.deepEqual(await ids(db, u), ["b"]);
    assert.equal(await sessionExists(db, "d"), true);
    assert.equal(await deleteSession(db, "d"), true);
    assert.equal(await deleteSession(db, "d"), false);
    assert.equal(await sessionExists(db, "d"), false);
    assert.deepEqual(await deleteUserSessions(db, u), ["b"]);
    assert.deepEqual(await deleteUserSessions(db, u), []);
  },
);

dbTest(
  "deleteExpiredSessions removes absolute- and idle-expired rows only",
  async (db) => {
    const u = (await createUser(db, { email: "e@example.com", username: "e" }))
      .id;
    await row(db, u, "old", 0); // expires at 1000
    await row(db, u, "idle", 1500); // last verified 1500
    await row(db, u, "live", 1900);
    assert.equal(await deleteExpiredSessions(db, 2000, 1600), 2);
    assert.deepEqual(await ids(db, u), ["live"]);
  },
);

dbTest(
  "getSessionWithUser reads the row and its current user in one query",
  async (db) => {
    const u = (await createUser(db, { email: "j@example.com", username: "j" }))
      .id;
    const r = await row(db, u, "j1", 100);
    await updateBilling(db, u, { subscriptionTier: "pro" }, 5);
    const found = await getSessionWithUser(db, "j1");
    assert.deepEqual(found?.row, r);
    assert.deepEqual(found?.user, await getUserById(db, u));
    assert.equal(found?.user.subscriptionTier, "pro");
    assert.equal(await getSessionWithUser(db, "missing"), null);
  },
);
