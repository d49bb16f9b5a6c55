import { ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { loadConfig } from "./config.ts";
import type { Engine } from "./db/db.ts";
import { createPgDatabase, dropPgDatabase, ENGINES } from "./db/testing.ts";
import { createUser } from "./db/users.ts";
import { newKeyText } from "./security/encryption.ts";
import { createServices } from "./services.ts";

/**
 * Settings naming a new, empty (unmigrated) database of `engine`, and how
 * to remove it.
 */
async function emptyDatabase(
  engine: Engine,
): Promise<{ env: Record<string, string>; remove(): Promise<void> }> {
  if (engine === "postgres") {
    const url = await createPgDatabase(false);
    return { env: { DATABASE_URL: url }, remove: () => dropPgDatabase(url) };
  }
  const dir = await Deno.makeTempDir({ prefix: "islet-services-" });
  return {
    env: { DATABASE_PATH: `${dir}/nested/app.db` },
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

for (const engine of ENGINES) {
  Deno.test(`createServices migrates a new database, uses the in-process cache, purges expired sessions and closes cleanly [${engine}]`, async () => {
    const database = await emptyDatabase(engine);
    try {
      // A session that expired long ago, written before start-up.
      const first = await createServices(loadConfig(database.env));
      strictEqual(first.db.engine, engine);
      const user = await createUser(first.db, {
        email: "a@example.com",
        username: "a",
      });
      await first.db.run(
        "INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at, two_factor_verified) VALUES ('s1', ?, ?, 0, 0, 1, 0)",
        [new Uint8Array(32), user.id],
      );
      await first.close();

      const services = await createServices(loadConfig(database.env));
      strictEqual(services.cache.status(), "in-process");
      const left = await services.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM sessions",
      );
      strictEqual(left?.n, 0);
      await services.close();
    } finally {
      await database.remove();
    }
  });
}

Deno.test("services.secrets: a box with ENCRYPTION_KEY; none in production without it; the development server makes its key file", async () => {
  const database = await emptyDatabase("sqlite");
  const log = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    const production = await createServices(loadConfig(database.env));
    strictEqual(production.secrets, null);
    await production.close();
    const keyed = await createServices(
      loadConfig({ ...database.env, ENCRYPTION_KEY: newKeyText() }),
    );
    ok(keyed.secrets !== null);
    await keyed.close();
    strictEqual(lines.length, 0);
    const dev = await createServices(loadConfig(database.env), {
      development: true,
    });
    ok(dev.secrets !== null);
    await dev.close();
    const keyFile = `${dirname(database.env.DATABASE_PATH)}/encryption.key`;
    strictEqual((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    strictEqual(lines.length, 1);
    ok(lines[0].startsWith("Generated a development encryption key in"));
  } finally {
    console.log = log;
    await database.remove();
  }
});
