import assert from "node:assert/strict";
import { audit, listAllAuditForUser, listAuditPage } from "./audit.ts";
import { ForeignKeyViolationError } from "./db.ts";
import { dbTest } from "./testing.ts";
import { createUser } from "./users.ts";

dbTest(
  "audit pages: newest first, keyset on (created_at, id), ties and later writes neither repeat nor skip",
  async (db) => {
    const user = await createUser(db, {
      email: "a@example.com",
      username: "a",
    });
    const other = await createUser(db, {
      email: "b@example.com",
      username: "b",
    });
    // Seven events at four times: three share one millisecond.
    const times = [1000, 2000, 2000, 2000, 3000, 4000, 5000];
    const ids: number[] = [];
    for (const t of times) {
      ids.push(await audit(db, { userId: user.id, event: "auth.sign_in" }, t));
      await audit(db, { userId: other.id, event: "auth.sign_in" }, t);
    }
    const expected = ids.map((id, i) => ({ id, t: times[i] }))
      .sort((x, y) => y.t - x.t || y.id - x.id).map((e) => e.id);

    const seen: number[] = [];
    let page = await listAuditPage(db, user.id, { limit: 3 });
    seen.push(...page.entries.map((e) => e.id));
    // An event written while paging is newer than every cursor: it belongs
    // to page one on the next visit, and does not shift the pages after.
    await audit(db, { userId: user.id, event: "auth.sign_out" }, 6000);
    while (page.next) {
      page = await listAuditPage(db, user.id, { limit: 3, before: page.next });
      seen.push(...page.entries.map((e) => e.id));
    }
    assert.deepEqual(seen, expected);
    assert.ok(page.entries.every((e) => e.userId === user.id));

    // Exactly a full last page says there is no next one.
    const all = await listAuditPage(db, user.id, { limit: 8 });
    assert.equal(all.entries.length, 8);
    assert.equal(all.next, null);
    assert.equal(all.entries[0].event, "auth.sign_out");
    const seven = await listAuditPage(db, user.id, { limit: 7 });
    assert.deepEqual(seven.next, { createdAt: 2000, id: ids[1] });
    const rest = await listAuditPage(db, user.id, {
      limit: 7,
      before: seven.next,
    });
    assert.deepEqual(rest.entries.map((e) => e.id), [ids[0]]);
    assert.equal(rest.next, null);
    assert.equal(
      (await listAllAuditForUser(db, user.id, 100)).length,
      8,
    );
    assert.equal((await listAllAuditForUser(db, user.id, 2)).length, 2);
  },
);

dbTest(
  "an event for an account deleted while the request ran is kept without a user, never a foreign-key failure",
  async (db) => {
    const user = await createUser(db, {
      email: "gone@example.com",
      username: "gone",
    });
    await db.run("DELETE FROM users WHERE id = ?", [user.id]);
    const id = await audit(db, { userId: user.id, event: "auth.sign_out" });
    const row = await db.get(
      "SELECT user_id, event FROM audit_log WHERE id = ?",
      [
        id,
      ],
    );
    assert.deepEqual({ ...row }, { user_id: null, event: "auth.sign_out" });
  },
);

dbTest(
  "a write that points at a deleted row fails as ForeignKeyViolationError on both engines",
  async (db) => {
    await assert.rejects(
      db.run(
        `INSERT INTO preferences (user_id, theme, language, updated_at)
         VALUES ('00000000-0000-4000-8000-000000000000', 'dark', 'en', 1)`,
      ),
      ForeignKeyViolationError,
    );
  },
);
