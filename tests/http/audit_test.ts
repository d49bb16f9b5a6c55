/**
 * The built app over HTTP: what sign-up (of a new address and of one that
 * has an account), sign-in, sign-out and ending a session leave in the
 * audit log, read from the database afterwards, on
 * either engine.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  assertJsonError,
  Client,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { ENGINES } from "../../lib/db/testing.ts";

for (const engine of ENGINES) {
  Deno.test(`auth: sign-up, sign-in, failed sign-in, sign-out and ending a session are in the audit log [${engine}]`, async () => {
    const app = await startApp({ engine });
    let userId: string;
    const alice = new Client(app, { userAgent: "AuditAgent/1" });
    try {
      const email = uniqueEmail();
      userId = (await alice.register(email)).json.user.id;
      // Someone signs up with the same address: the owner's account records it.
      await new Client(app, { userAgent: "Intruder/2" }).signUp(email);
      const failed = await alice.post("/api/auth/login", {
        json: { email, password: "not the password" },
      });
      assertJsonError(failed, 401);
      await new Client(app).post("/api/auth/login", {
        json: { email: uniqueEmail("nobody"), password: PASSWORD },
      });
      await alice.login(email);
      const other = new Client(app);
      await other.login(email);
      const ended = await alice.delete(`/api/auth/sessions/${other.sessionId}`);
      strictEqual(ended.status, 200, ended.text);
      strictEqual((await alice.post("/api/auth/logout")).status, 200);
    } finally {
      await app.close();
    }
    const db = await app.openDb();
    try {
      const rows = await db.all<{
        user_id: string | null;
        event: string;
        ip: string;
        user_agent: string;
        details: string | null;
      }>(
        "SELECT user_id, event, ip, user_agent, details FROM audit_log ORDER BY id",
      );
      const events = rows.map((r) => r.event);
      for (
        const e of [
          "auth.sign_up",
          "auth.verification_sent",
          "auth.sign_up_existing",
          "auth.sign_in",
          "auth.sign_in_failed",
          "auth.sign_out",
          "session.end",
        ]
      ) ok(events.includes(e), `${e} in ${events.join(", ")}`);
      const signUp = rows.find((r) => r.event === "auth.sign_up")!;
      strictEqual(signUp.user_id, userId);
      strictEqual(signUp.ip, alice.ip, "the client address via the proxy");
      strictEqual(signUp.user_agent, "AuditAgent/1");
      const failures = rows.filter((r) => r.event === "auth.sign_in_failed");
      deepStrictEqual(
        failures.map((r) => [r.user_id, JSON.parse(r.details!).reason]),
        [[userId, "wrong_password"], [null, "unknown_account"]],
      );
      const attempt = rows.find((r) => r.event === "auth.sign_up_existing")!;
      deepStrictEqual(
        [attempt.user_id, attempt.user_agent],
        [userId, "Intruder/2"],
      );
      deepStrictEqual(
        JSON.parse(
          rows.find((r) => r.event === "auth.verification_sent")!.details!,
        ),
        { reason: "sign_up" },
      );
      // register() signs in after signing up, then two more.
      strictEqual(rows.filter((r) => r.event === "auth.sign_in").length, 3);
      const ended = rows.find((r) => r.event === "session.end")!;
      strictEqual(ended.user_id, userId);
      ok(JSON.parse(ended.details!).sessionId, "names the ended session");
      // Nothing secret is logged.
      const dump = JSON.stringify(rows);
      ok(!dump.includes(PASSWORD) && !dump.includes("not the password"));
      ok(!/[a-z2-7]{52}/.test(dump), "no session secret");
    } finally {
      await db.close();
      await app.stop();
    }
  });
}
