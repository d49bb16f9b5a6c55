import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { getSession } from "../db/sessions.ts";
import { createUser } from "../db/users.ts";
import { createServices } from "../services.ts";
import { startRedis } from "../../tests/helpers/redis.ts";
import {
  createSession,
  markSessionAuthenticated,
  validateSessionToken,
} from "./session.ts";
import { MIN, sessionTest, T0 } from "./session_testing.ts";

sessionTest(
  "markSessionAuthenticated moves the proof forward, drops the cached copy, and refuses a pending or ended session",
  async ({ db, deps, userId, clock, cache }) => {
    const { token, session } = await createSession(deps, userId);
    assert.equal(session.authenticatedAt, T0);
    assert.ok(await validateSessionToken(deps, token));
    assert.ok(cache.map.has(`session:${session.id}`));

    clock.now = T0 + 30 * MIN;
    assert.equal(await markSessionAuthenticated(deps, session.id), true);
    assert.equal(
      (await getSession(db, session.id))?.authenticatedAt,
      clock.now,
    );
    assert.ok(!cache.map.has(`session:${session.id}`), "cached copy dropped");
    const seen = await validateSessionToken(deps, token);
    assert.equal(seen?.session.authenticatedAt, T0 + 30 * MIN);

    // Forward only: a late call with an older clock changes nothing.
    clock.now = T0 + 10 * MIN;
    assert.equal(await markSessionAuthenticated(deps, session.id), true);
    assert.equal(
      (await getSession(db, session.id))?.authenticatedAt,
      T0 + 30 * MIN,
    );

    const pending = await createSession(deps, userId, {
      secondFactorPending: true,
    });
    assert.equal(
      await markSessionAuthenticated(deps, pending.session.id),
      false,
    );
    assert.equal(await markSessionAuthenticated(deps, "gone"), false);
  },
);

Deno.test("a confirmed session is seen as recent at once on another instance that kept it in memory", async () => {
  const redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "islet-recent-" });
  const env = { DATABASE_PATH: `${dir}/shared.db`, REDIS_URL: redis.url };
  // Two machines: no worker channel between them, only Redis.
  const a = await createServices(loadConfig(env), { workerChannel: null });
  const b = await createServices(loadConfig(env), { workerChannel: null });
  try {
    const user = await createUser(a.db, {
      email: "recent@example.com",
      username: "recent",
    });
    const { token, session } = await createSession(a.sessions, user.id);
    await a.db.run("UPDATE sessions SET authenticated_at = ? WHERE id = ?", [
      session.authenticatedAt - 60 * MIN,
      session.id,
    ]);
    const old = session.authenticatedAt - 60 * MIN;
    assert.equal(
      (await validateSessionToken(b.sessions, token))?.session.authenticatedAt,
      old,
    );
    assert.ok(await validateSessionToken(b.sessions, token)); // from B's memory
    assert.equal(b.sessions.local?.size, 1);

    assert.ok(await markSessionAuthenticated(a.sessions, session.id));
    const fresh = (await getSession(a.db, session.id))!.authenticatedAt;
    assert.ok(fresh > old);
    // The message crosses Redis: allow it up to 100 ms, far below the
    // lifetime of a copy in memory (minutes).
    let got = 0;
    for (let i = 0; i < 100; i++) {
      got = (await validateSessionToken(b.sessions, token))!.session
        .authenticatedAt;
      if (got === fresh) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(got, fresh, "B still serves the old proof");
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
