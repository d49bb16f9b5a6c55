import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { createUser } from "../db/users.ts";
import { endOneSession, endOtherSessions } from "./end_sessions.ts";
import { createSession, validateSessionToken } from "./session.ts";
import { sessionTest } from "./session_testing.ts";

const META = { ip: "10.0.0.1", userAgent: "test" };

sessionTest(
  "endOtherSessions ends all but the current session, counts them, and audits",
  async ({ db, deps, userId }) => {
    const here = await createSession(deps, userId);
    const a = await createSession(deps, userId);
    const b = await createSession(deps, userId);
    const otherUser = await createUser(db, {
      email: "o@example.com",
      username: "o",
    });
    const theirs = await createSession(deps, otherUser.id);

    strictEqual(await endOtherSessions(deps, userId, here.session.id, META), 2);
    ok(await validateSessionToken(deps, here.token), "the current one stays");
    strictEqual(await validateSessionToken(deps, a.token), null);
    strictEqual(await validateSessionToken(deps, b.token), null);
    ok(await validateSessionToken(deps, theirs.token), "no one else's");
    strictEqual(await endOtherSessions(deps, userId, here.session.id, META), 0);
    deepStrictEqual(
      (await listAuditForUser(db, userId, 10)).map((e) => [e.event, e.details]),
      [["session.end_others", { ended: 0 }], ["session.end_others", {
        ended: 2,
      }]],
    );
  },
);

sessionTest(
  "endOneSession ends the user's own session only",
  async ({ db, deps, userId }) => {
    const mine = await createSession(deps, userId, { userAgent: "Firefox/1" });
    const otherUser = await createUser(db, {
      email: "o@example.com",
      username: "o",
    });
    const theirs = await createSession(deps, otherUser.id);

    strictEqual(
      await endOneSession(deps, userId, theirs.session.id, META),
      null,
    );
    ok(await validateSessionToken(deps, theirs.token));
    strictEqual(await endOneSession(deps, userId, "nope", META), null);

    const ended = await endOneSession(deps, userId, mine.session.id, META);
    strictEqual(ended?.userAgent, "Firefox/1");
    strictEqual(await validateSessionToken(deps, mine.token), null);
    strictEqual(await endOneSession(deps, userId, mine.session.id, META), null);
    deepStrictEqual(
      (await listAuditForUser(db, userId, 10)).map((e) => e.event),
      ["session.end"],
    );
  },
);
