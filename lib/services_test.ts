import { strictEqual } from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { createUser } from "./db/users.ts";
import { createServices } from "./services.ts";

Deno.test("createServices migrates a new database, uses the in-process cache, purges expired sessions and closes cleanly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-services-" });
  try {
    const path = `${dir}/nested/app.db`;
    // A session that expired long ago, written before start-up.
    const first = await createServices(loadConfig({ DATABASE_PATH: path }));
    const user = createUser(first.db, {
      email: "a@example.com",
      username: "a",
    });
    first.db.prepare(
      "INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at, two_factor_verified) VALUES ('s1', zeroblob(32), ?, 0, 0, 1, 0)",
    ).run(user.id);
    await first.close();

    const services = await createServices(loadConfig({ DATABASE_PATH: path }));
    strictEqual(services.cache.status(), "in-process");
    const left = services.db.prepare("SELECT COUNT(*) AS n FROM sessions")
      .get() as { n: number };
    strictEqual(left.n, 0);
    await services.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
