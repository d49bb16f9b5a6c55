import assert from "node:assert/strict";
import { getPreferences, setPreferences } from "./preferences.ts";
import { dbTest } from "./testing.ts";
import { createUser, deleteUser } from "./users.ts";

dbTest(
  "preferences: defaults, stored, replaced, gone with the user",
  async (db) => {
    const user = await createUser(db, {
      email: "p@example.com",
      username: "p",
    });
    const first = await getPreferences(db, user.id);
    assert.equal(first.theme, "system");
    assert.equal(first.language, "en");

    await setPreferences(db, user.id, { theme: "dark", language: "en" }, 42);
    assert.deepEqual(await getPreferences(db, user.id), {
      theme: "dark",
      language: "en",
      updatedAt: 42,
    });
    // A missing row is made, not an error.
    await db.run("DELETE FROM preferences WHERE user_id = ?", [user.id]);
    assert.equal((await getPreferences(db, user.id)).theme, "system");
    await setPreferences(db, user.id, { theme: "light", language: "en" }, 43);
    assert.equal((await getPreferences(db, user.id)).theme, "light");
    // The table's CHECK refuses an unknown theme whatever the caller checked.
    await assert.rejects(() =>
      setPreferences(db, user.id, {
        // deno-lint-ignore no-explicit-any
        theme: "neon" as any,
        language: "en",
      })
    );
    await deleteUser(db, user.id);
    assert.equal(
      (await db.get("SELECT count(*) AS n FROM preferences"))?.n,
      0,
    );
  },
);
