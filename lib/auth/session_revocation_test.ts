import assert from "node:assert/strict";
import { deleteSession, getSession } from "../db/sessions.ts";
import { createUser, deleteUser, updateBilling } from "../db/users.ts";
import {
  createSession,
  invalidateOtherSessions,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  purgeExpiredSessions,
  validateSessionToken,
} from "./session.ts";
import { DAY, HOUR, sessionTest, T0, UA } from "./session_testing.ts";

sessionTest(
  "revocation is immediate even when the session was cached",
  async ({ deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, token));
    assert.ok(cache.map.has(`session:${session.id}`));
    await invalidateSession(deps, session.id);
    assert.ok(!cache.map.has(`session:${session.id}`));
    assert.equal(await validateSessionToken(deps, token), null);
  },
);

sessionTest(
  "a revocation racing a cache fill cannot resurrect the session",
  async ({ db, deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    // Another instance revokes between our database read and our cache write.
    cache.beforeSet = async () => {
      cache.beforeSet = undefined;
      await deleteSession(db, session.id);
      cache.map.delete(`session:${session.id}`);
    };
    assert.equal(await validateSessionToken(deps, token), null);
    assert.ok(!cache.map.has(`session:${session.id}`), "stale entry removed");
    assert.equal(await validateSessionToken(deps, token), null);
  },
);

sessionTest(
  "a cached session of a deleted user is refused",
  async ({ db, deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, token));
    await deleteUser(db, userId); // cascade removes the row; the cache entry remains
    assert.ok(cache.map.has(`session:${session.id}`));
    assert.equal(await validateSessionToken(deps, token), null);
    assert.ok(!cache.map.has(`session:${session.id}`));
  },
);

sessionTest(
  "a cached session deleted behind the cache's back is caught at renewal",
  async ({ db, deps, userId, clock, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, token));
    await deleteSession(db, session.id); // e.g. purge without cache access
    clock.now = T0 + HOUR;
    assert.equal(await validateSessionToken(deps, token), null);
    assert.ok(!cache.map.has(`session:${session.id}`));
  },
);

sessionTest(
  "invalidateOtherSessions keeps only the current session",
  async ({ db, deps, userId, cache }) => {
    const current = await createSession(deps, userId);
    const others = [
      await createSession(deps, userId),
      await createSession(deps, userId),
    ];
    const stranger =
      (await createUser(db, { email: "x@example.com", username: "x" })).id;
    const theirs = await createSession(deps, stranger);
    for (const s of [current, ...others, theirs]) {
      assert.ok(await validateSessionToken(deps, s.token));
    }
    assert.equal(
      await invalidateOtherSessions(deps, userId, current.session.id),
      2,
    );
    for (const s of others) {
      assert.ok(!cache.map.has(`session:${s.session.id}`));
      assert.equal(await validateSessionToken(deps, s.token), null);
    }
    assert.ok(await validateSessionToken(deps, current.token));
    assert.ok(
      await validateSessionToken(deps, theirs.token),
      "other users untouched",
    );
    assert.deepEqual((await listUserSessions(deps, userId)).map((s) => s.id), [
      current.session.id,
    ]);
  },
);

sessionTest(
  "invalidateUserSessions ends every session of the user and its cache keys",
  async ({ deps, userId, cache }) => {
    const all = [
      await createSession(deps, userId),
      await createSession(deps, userId),
    ];
    for (const s of all) assert.ok(await validateSessionToken(deps, s.token));
    assert.equal(await invalidateUserSessions(deps, userId), 2);
    assert.equal(cache.map.size, 0);
    for (const s of all) {
      assert.equal(await validateSessionToken(deps, s.token), null);
    }
    assert.equal(await invalidateUserSessions(deps, userId), 0);
  },
);

sessionTest(
  "user-agent binding: a different user agent ends the session",
  async ({ db, deps, userId }) => {
    const { token, session } = await createSession(deps, userId, {
      userAgent: UA,
    });
    assert.ok(await validateSessionToken(deps, token, { userAgent: UA }));
    assert.equal(
      await validateSessionToken(deps, token, { userAgent: "curl/8" }),
      null,
    );
    assert.equal(await getSession(db, session.id), null);
    assert.equal(
      await validateSessionToken(deps, token, { userAgent: UA }),
      null,
    );
    const noUa = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, noUa.token));
    assert.equal(
      await validateSessionToken(deps, noUa.token, { userAgent: UA }),
      null,
    );
  },
  { bindUserAgent: true },
);

sessionTest(
  "without binding, the user agent may change",
  async ({ deps, userId }) => {
    const { token } = await createSession(deps, userId, { userAgent: UA });
    assert.ok(await validateSessionToken(deps, token, { userAgent: "curl/8" }));
  },
);

sessionTest(
  "IP and user agent are stored bounded",
  async ({ deps, userId }) => {
    const { token, session } = await createSession(deps, userId, {
      ip: "1".repeat(500),
      userAgent: "u".repeat(20_000),
    });
    assert.equal(session.ip?.length, 64);
    assert.equal(session.userAgent?.length, 512);
    assert.ok(await validateSessionToken(deps, token));
  },
);

sessionTest(
  "garbage in the cache is ignored; the database answers",
  async ({ deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    for (
      const junk of ["not json", "null", "{}", JSON.stringify({ id: "other" })]
    ) {
      cache.map.set(`session:${session.id}`, junk);
      assert.ok(await validateSessionToken(deps, token), junk);
    }
  },
);

sessionTest(
  "a shortened SESSION_DURATION_DAYS applies to existing sessions",
  async ({ deps, userId, clock }) => {
    const { token } = await createSession(deps, userId);
    clock.now = T0 + 8 * DAY;
    const shorter = {
      ...deps,
      settings: { ...deps.settings, sessionDurationDays: 7 },
    };
    assert.equal(await validateSessionToken(shorter, token), null);
  },
);

sessionTest(
  "listUserSessions leaves out expired sessions and secrets",
  async ({ deps, userId, clock }) => {
    const old = await createSession(deps, userId);
    clock.now = T0 + 9 * DAY;
    const recent = await createSession(deps, userId);
    let list = await listUserSessions(deps, userId);
    assert.deepEqual(list.map((s) => s.id), [
      recent.session.id,
      old.session.id,
    ]);
    assert.ok(list.every((s) => !("secretHash" in s)));
    clock.now = T0 + 10 * DAY;
    list = await listUserSessions(deps, userId);
    assert.deepEqual(list.map((s) => s.id), [recent.session.id]);
    assert.equal(await purgeExpiredSessions(deps), 1);
    assert.ok(await validateSessionToken(deps, recent.token));
  },
);

sessionTest(
  "a failing cache falls back to the database",
  async ({ deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    cache.get = () => Promise.reject(new Error("cache down"));
    cache.set = () => Promise.reject(new Error("cache down"));
    assert.equal(
      (await validateSessionToken(deps, token))?.session.id,
      session.id,
    );
  },
);

sessionTest(
  "the cache holds the hash as hex; a tampered hash is refused",
  async ({ deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, token));
    const key = `session:${session.id}`;
    const entry = JSON.parse(cache.map.get(key)!);
    assert.match(entry.secretHash, /^[0-9a-f]{64}$/);
    const flipped = (entry.secretHash[0] === "0" ? "1" : "0") +
      entry.secretHash.slice(1);
    cache.map.set(key, JSON.stringify({ ...entry, secretHash: flipped }));
    assert.equal(await validateSessionToken(deps, token), null);
  },
);

sessionTest(
  "a user change is seen by the next request, even on a cache hit",
  async ({ db, deps, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.equal(
      (await validateSessionToken(deps, token))?.user.subscriptionTier,
      "free",
    );
    await updateBilling(db, userId, { subscriptionTier: "team" });
    assert.ok(cache.map.has(`session:${session.id}`));
    assert.equal(
      (await validateSessionToken(deps, token))?.user.subscriptionTier,
      "team",
    );
  },
);
