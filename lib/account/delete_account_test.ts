import assert from "node:assert/strict";
import { audit } from "../db/audit.ts";
import { getPreferences } from "../db/preferences.ts";
import { hashPassword } from "../auth/password.ts";
import { createSession, validateSessionToken } from "../auth/session.ts";
import { sessionTest } from "../auth/session_testing.ts";
import { getUserById, updatePasswordHash } from "../db/users.ts";
import { deleteAccount, type DeleteDeps } from "./delete_account.ts";
import type { BeforeDeleteHook } from "./delete_hooks.ts";
import { outboxNoticeDeps, queuedMail } from "./testing.ts";
import type { Fixture } from "../auth/session_testing.ts";

const PASSWORD = "Tulip orbit 7391 quartz!";
const META = {
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
};

async function setup(f: Fixture, hooks: BeforeDeleteHook[] = []) {
  await updatePasswordHash(f.db, f.userId, await hashPassword(PASSWORD));
  const user = (await getUserById(f.db, f.userId))!;
  const phone = await createSession(f.deps, f.userId, META);
  const laptop = await createSession(f.deps, f.userId, META);
  // Validated once, so both sit in the cache as a busy app's would.
  for (const s of [phone, laptop]) {
    assert.ok(await validateSessionToken(f.deps, s.token));
  }
  await audit(f.db, { userId: f.userId, event: "auth.sign_in", ...META });
  const deps: DeleteDeps = {
    ...outboxNoticeDeps(),
    sessions: f.deps,
    hooks,
  };
  return { user, tokens: [phone.token, laptop.token], deps };
}

async function count(f: Fixture, sql: string): Promise<number> {
  return Number((await f.db.get(sql, [f.userId]))?.n);
}

sessionTest(
  "deleting an account: rows gone, sessions refused at once, audit kept unlinked and anonymised, goodbye queued",
  async (f) => {
    const { user, tokens, deps } = await setup(f);
    const seen: string[] = [];
    deps.hooks = [{
      name: "probe",
      async run({ tx, user }) {
        // Inside the transaction: the rows are all still there.
        seen.push(
          String(
            (await tx.get("SELECT email FROM users WHERE id = ?", [user.id]))
              ?.email,
          ),
        );
      },
    }];
    const result = await deleteAccount(deps, user, META);
    assert.deepEqual(result, { ok: true, sessionsEnded: 2 });
    assert.deepEqual(seen, [user.email]);
    assert.equal(await getUserById(f.db, user.id), null);
    for (const t of tokens) {
      assert.equal(
        await validateSessionToken(f.deps, t),
        null,
        "refused",
      );
    }
    for (const table of ["sessions", "preferences", "security_notice_tokens"]) {
      assert.equal(
        await count(f, `SELECT count(*) AS n FROM ${table} WHERE user_id = ?`),
        0,
        table,
      );
    }
    assert.equal(
      (await getPreferences(f.db, user.id)).updatedAt,
      0,
      "defaults only",
    );
    const kept = await f.db.all(
      "SELECT user_id, event, ip, user_agent FROM audit_log ORDER BY id",
    );
    assert.deepEqual(kept.map((r) => r.event), [
      "auth.sign_in",
      "account.delete",
    ]);
    for (const r of kept) {
      assert.equal(r.user_id, null);
      assert.equal(r.ip, null);
      assert.equal(r.user_agent, null);
    }
    const mail = await queuedMail(f.db);
    assert.equal(mail.length, 1);
    assert.equal(mail[0].to, user.email);
    assert.equal(mail[0].kind, "security_account_deleted");
    assert.match(mail[0].text, /has been deleted/);
    assert.match(mail[0].text, /Firefox on Linux/);
    assert.match(mail[0].text, /203\.0\.113\.9/);
    assert.doesNotMatch(
      mail[0].text,
      /not-me/,
      "nothing left to secure: no link",
    );
  },
);

sessionTest(
  "deleting an account: a failing hook leaves everything in place, its own writes included",
  async (f) => {
    const { user, tokens, deps } = await setup(f);
    deps.hooks = [
      {
        name: "writes then passes",
        async run({ tx, user }) {
          await tx.run("UPDATE users SET username = 'changed' WHERE id = ?", [
            user.id,
          ]);
        },
      },
      {
        name: "billing: cancel subscription",
        run() {
          return Promise.reject(new Error("Stripe is down"));
        },
      },
    ];
    await assert.rejects(
      () => deleteAccount(deps, user, META),
      /Stripe is down/,
    );
    const still = await getUserById(f.db, user.id);
    assert.equal(
      still?.username,
      user.username,
      "the first hook's write rolled back",
    );
    for (const t of tokens) assert.ok(await validateSessionToken(f.deps, t));
    assert.equal(
      await count(f, "SELECT count(*) AS n FROM sessions WHERE user_id = ?"),
      2,
    );
    assert.equal(
      await count(
        f,
        "SELECT count(*) AS n FROM audit_log WHERE user_id = ? AND ip IS NOT NULL",
      ),
      1,
      "not anonymised",
    );
    assert.deepEqual(await queuedMail(f.db), [], "no goodbye");
  },
);

sessionTest(
  "deleting an account without a password works the same way",
  async (f) => {
    const user = (await getUserById(f.db, f.userId))!;
    assert.equal(user.hasPassword, false);
    const deps: DeleteDeps = {
      ...outboxNoticeDeps(),
      sessions: f.deps,
      hooks: [],
    };
    const ok = await deleteAccount(deps, user, META);
    assert.deepEqual(ok, { ok: true, sessionsEnded: 0 });
    assert.equal(await getUserById(f.db, user.id), null);
  },
);
