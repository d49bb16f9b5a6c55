import assert from "node:assert/strict";
import { getSession } from "../db/sessions.ts";
import {
  completePendingSession,
  PENDING_COOKIE_MS,
  pendingCookieExpiry,
} from "./pending_session.ts";
import {
  createSession,
  SECOND_FACTOR_PENDING_MS,
  validateSessionToken,
} from "./session.ts";
import { DAY, MIN, sessionTest, T0, UA } from "./session_testing.ts";

sessionTest(
  "a pending session lives 10 minutes, then is refused and deleted",
  async ({ db, deps, clock, userId }) => {
    const { token, session } = await createSession(deps, userId, {
      userAgent: UA,
      secondFactorPending: true,
    });
    assert.equal(session.secondFactorPending, true);
    assert.equal(session.twoFactorVerified, false);
    assert.equal(session.expiresAt, T0 + SECOND_FACTOR_PENDING_MS);
    clock.now = T0 + 10 * MIN - 1;
    const found = await validateSessionToken(deps, token, { userAgent: UA });
    assert.equal(found?.session.secondFactorPending, true, "still pending");
    clock.now = T0 + 10 * MIN;
    assert.equal(await validateSessionToken(deps, token), null);
    assert.equal(await getSession(db, session.id), null, "deleted");
  },
);

sessionTest(
  "completing a pending session: a new id and secret, verified, full lifetime; the pending token is refused at once",
  async ({ db, deps, clock, userId }) => {
    const pending = await createSession(deps, userId, {
      ip: "203.0.113.1",
      userAgent: UA,
      secondFactorPending: true,
    });
    // Validated once, so it sits in the cache when it is replaced.
    assert.ok(await validateSessionToken(deps, pending.token));
    clock.now = T0 + 2 * MIN;
    const started = await completePendingSession(deps, pending.session, {
      ip: "203.0.113.2",
      userAgent: UA,
    });
    assert.ok(started);
    assert.notEqual(started.session.id, pending.session.id);
    assert.notEqual(
      started.token.split(".")[1],
      pending.token.split(".")[1],
    );
    assert.equal(started.session.twoFactorVerified, true);
    assert.equal(started.session.secondFactorPending, false);
    assert.equal(started.session.authenticatedAt, T0 + 2 * MIN);
    assert.equal(started.session.expiresAt, T0 + 2 * MIN + 30 * DAY);
    assert.equal(started.session.ip, "203.0.113.2");
    assert.equal(await validateSessionToken(deps, pending.token), null);
    assert.equal(await getSession(db, pending.session.id), null);
    const now = await validateSessionToken(deps, started.token);
    assert.equal(now?.session.id, started.session.id);
    assert.equal(now?.user.id, userId);

    // Used once: the same pending session completes nothing again.
    assert.equal(
      await completePendingSession(deps, pending.session, { userAgent: UA }),
      null,
    );
  },
);

sessionTest(
  "only a pending session can be completed; two completions racing give one session",
  async ({ db, deps, userId }) => {
    const full = await createSession(deps, userId, { userAgent: UA });
    assert.equal(
      await completePendingSession(deps, full.session, { userAgent: UA }),
      null,
    );
    assert.ok(await getSession(db, full.session.id), "left as it was");

    const pending = await createSession(deps, userId, {
      secondFactorPending: true,
    });
    const both = await Promise.all([
      completePendingSession(deps, pending.session, { userAgent: UA }),
      completePendingSession(deps, pending.session, { userAgent: UA }),
    ]);
    assert.equal(both.filter((s) => s !== null).length, 1);
    const { n } = (await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE user_id = ?",
      [userId],
    ))!;
    assert.equal(Number(n), 2, "the full session and one new one");
  },
);

Deno.test("a pending session's cookie outlives the session, so the code page can say it timed out", () => {
  assert.ok(PENDING_COOKIE_MS > SECOND_FACTOR_PENDING_MS);
  assert.equal(pendingCookieExpiry(T0), T0 + PENDING_COOKIE_MS);
});
