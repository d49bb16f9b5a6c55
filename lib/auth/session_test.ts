import assert from "node:assert/strict";
import { getSession } from "../db/sessions.ts";
import { createSession, validateSessionToken } from "./session.ts";
import { hashSecret } from "./session_token.ts";
import {
  DAY,
  lastVerified,
  MIN,
  sessionTest,
  T0,
  UA,
} from "./session_testing.ts";

sessionTest(
  "createSession + validateSessionToken: valid token gives session and user",
  async ({ db, deps, userId }) => {
    const { token, session } = await createSession(deps, userId, {
      ip: "203.0.113.9",
      userAgent: UA,
      twoFactorVerified: true,
    });
    assert.match(token, /^[a-z2-7]{24}\.[a-z2-7]{52}$/);
    assert.deepEqual(session, {
      id: token.split(".")[0],
      userId,
      createdAt: T0,
      lastVerifiedAt: T0,
      expiresAt: T0 + 30 * DAY,
      idleExpiresAt: T0 + 10 * DAY,
      twoFactorVerified: true,
      secondFactorPending: false,
      authenticatedAt: T0,
      ip: "203.0.113.9",
      userAgent: UA,
    });
    const result = await validateSessionToken(deps, token, { userAgent: UA });
    assert.deepEqual(result?.session, session);
    assert.equal(result?.user.id, userId);
    assert.equal(result?.user.email, "s@example.com");
    // Only the hash of the secret is stored.
    const row = (await getSession(db, session.id))!;
    const secret = token.split(".")[1];
    assert.deepEqual(row.secretHash, hashSecret(secret));
    const dump = JSON.stringify(
      await db.all("SELECT * FROM sessions"),
      (_, v) => v instanceof Uint8Array ? Array.from(v) : v,
    );
    assert.ok(!dump.includes(secret));
  },
);

sessionTest(
  "a tampered secret or an unknown id is refused, from DB and from cache",
  async ({ deps, userId, cache }) => {
    const { token } = await createSession(deps, userId);
    const [id, secret] = token.split(".");
    const flipped = secret.slice(0, -2) + (secret.at(-2) === "a" ? "b" : "a") +
      secret.at(-1);
    assert.equal(
      await validateSessionToken(deps, `${id}.${flipped}`),
      null,
      "uncached",
    );
    assert.ok(await validateSessionToken(deps, token));
    assert.ok(cache.map.has(`session:${id}`));
    assert.equal(
      await validateSessionToken(deps, `${id}.${flipped}`),
      null,
      "cached",
    );
    const other = await createSession(deps, userId);
    assert.equal(
      await validateSessionToken(deps, `${id}.${other.token.split(".")[1]}`),
      null,
    );
    const unknownId = "a".repeat(24);
    assert.equal(
      await validateSessionToken(deps, `${unknownId}.${secret}`),
      null,
    );
    assert.ok(
      await validateSessionToken(deps, token),
      "the real session is unaffected",
    );
  },
);

sessionTest(
  "malformed tokens give null and never throw",
  async ({ deps, userId }) => {
    const { token } = await createSession(deps, userId);
    const [id, secret] = token.split(".");
    const bad: unknown[] = [
      "",
      ".",
      "a.b.c",
      `${token}.x`,
      `${id}.${secret}.`,
      `${id}${secret}`,
      token.toUpperCase(),
      ` ${token}`,
      `${token}\n`,
      `${id}.${secret.slice(1)}`,
      `${id}.${secret}a`,
      "x".repeat(10 * 1024),
      `${"a".repeat(10 * 1024)}.${"b".repeat(10 * 1024)}`,
      "😀".repeat(20) + "." + "é".repeat(52),
      `${id}.${secret.slice(0, -1)}é`,
      "\u0000".repeat(77),
      null,
      undefined,
      42,
      {},
    ];
    for (const t of bad) {
      assert.equal(
        await validateSessionToken(deps, t as string),
        null,
        JSON.stringify(t),
      );
    }
  },
);

sessionTest(
  "absolute expiry ends a session even while it is in use",
  async ({ db, deps, clock, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    for (let day = 9; day < 30; day += 9) {
      clock.now = T0 + day * DAY;
      assert.ok(await validateSessionToken(deps, token), `day ${day}`);
    }
    clock.now = T0 + 30 * DAY - 10_000;
    assert.ok(await validateSessionToken(deps, token));
    assert.equal(
      cache.ttls.get(`session:${session.id}`),
      10,
      "TTL never beyond the deadline",
    );
    clock.now = T0 + 30 * DAY - 1;
    assert.ok(await validateSessionToken(deps, token));
    clock.now = T0 + 30 * DAY;
    assert.equal(await validateSessionToken(deps, token), null);
    assert.equal(await getSession(db, session.id), null, "expired row deleted");
    assert.ok(!cache.map.has(`session:${session.id}`));
  },
);

sessionTest(
  "idle expiry: unused for the inactivity timeout ends the session",
  async ({ db, deps, clock, userId }) => {
    const a = await createSession(deps, userId);
    const b = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, a.token), "cached at T0");
    clock.now = T0 + 10 * DAY - 1;
    assert.ok(await validateSessionToken(deps, b.token));
    clock.now = T0 + 10 * DAY;
    // a's cache entry still exists in the fake (no TTL there): deadlines are checked anyway.
    assert.equal(await validateSessionToken(deps, a.token), null);
    assert.equal(await getSession(db, a.session.id), null);
    // b was verified 1 ms before its idle deadline, which slid it forward.
    assert.ok(await validateSessionToken(deps, b.token));
    clock.now = T0 + 20 * DAY - 2;
    assert.ok(await validateSessionToken(deps, b.token)); // renews again
    clock.now = T0 + 30 * DAY - 2 - 1;
    assert.ok(await validateSessionToken(deps, b.token));
    clock.now = T0 + 30 * DAY; // absolute deadline now wins
    assert.equal(await validateSessionToken(deps, b.token), null);
    const c = await createSession(deps, userId);
    clock.now += 10 * DAY;
    assert.equal(
      await validateSessionToken(deps, c.token),
      null,
      "never used again",
    );
  },
);

sessionTest(
  "sliding renewal writes last_verified_at at most once an hour",
  async ({ db, deps, clock, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    const key = `session:${session.id}`;
    for (const t of [1, 30, 59]) {
      clock.now = T0 + t * MIN;
      assert.ok(await validateSessionToken(deps, token));
      assert.equal(
        await lastVerified(db, session.id),
        T0,
        `no write at +${t} min`,
      );
    }
    assert.equal(cache.sets, 1, "cached once, on the first miss");
    clock.now = T0 + 61 * MIN;
    const renewed = await validateSessionToken(deps, token);
    assert.equal(await lastVerified(db, session.id), T0 + 61 * MIN);
    assert.equal(renewed?.session.idleExpiresAt, T0 + 61 * MIN + 10 * DAY);
    assert.equal(
      renewed?.session.expiresAt,
      T0 + 30 * DAY,
      "absolute deadline does not slide",
    );
    assert.equal(cache.sets, 2, "cache refreshed with the new time");
    for (const t of [62, 90, 120]) {
      clock.now = T0 + t * MIN;
      assert.ok(await validateSessionToken(deps, token));
      assert.equal(
        await lastVerified(db, session.id),
        T0 + 61 * MIN,
        `no write at +${t} min`,
      );
    }
    clock.now = T0 + 121 * MIN;
    assert.ok(await validateSessionToken(deps, token));
    assert.equal(await lastVerified(db, session.id), T0 + 121 * MIN);
    // Uncached path renews the same way.
    await cache.delete(key);
    clock.now = T0 + 122 * MIN;
    assert.ok(await validateSessionToken(deps, token));
    assert.equal(await lastVerified(db, session.id), T0 + 121 * MIN);
    assert.ok(cache.ttls.get(key)! <= 3600);
  },
);

sessionTest(
  "cache TTL is at most an hour and never past the idle deadline",
  async ({ deps, clock, userId, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.ok(await validateSessionToken(deps, token));
    assert.equal(cache.ttls.get(`session:${session.id}`), 3600);
    await cache.delete(`session:${session.id}`);
    clock.now = T0 + 59 * MIN; // no renewal yet; the idle deadline is T0 + 1 h
    assert.ok(await validateSessionToken(deps, token));
    assert.equal(cache.ttls.get(`session:${session.id}`), 60);
  },
  { inactivityTimeoutDays: 1 / 24 },
);
