import {
  deepStrictEqual,
  match,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { dbTest } from "../db/testing.ts";
import { countTwoFactorAccounts, setTwoFactor } from "../db/two_factor.ts";
import { createUser } from "../db/users.ts";
import { createSecretBox, newKeyText, parseKey } from "./encryption.ts";
import {
  DEV_KEY_FILE,
  developmentKey,
  MissingEncryptionKeyError,
  openSecrets,
} from "./secrets.ts";

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "islet-secrets-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("development key: made once (folder 0700, file 0600, nothing else left), then reused", async () => {
  await inTempDir(async (root) => {
    const dir = `${root}/data`;
    const first = await developmentKey(dir);
    strictEqual(first.created, true);
    strictEqual(first.file, `${dir}/${DEV_KEY_FILE}`);
    strictEqual(first.key.length, 32);
    strictEqual((await Deno.stat(first.file)).mode! & 0o777, 0o600);
    strictEqual((await Deno.stat(dir)).mode! & 0o777, 0o700);
    deepStrictEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      [DEV_KEY_FILE],
      "no temporary file left",
    );
    deepStrictEqual(
      parseKey(await Deno.readTextFile(first.file)),
      first.key,
    );
    const again = await developmentKey(dir);
    strictEqual(again.created, false);
    deepStrictEqual(again.key, first.key);
  });
});

Deno.test("development key: starts racing to make it all end with the one key written", async () => {
  await inTempDir(async (dir) => {
    const all = await Promise.all(
      Array.from({ length: 8 }, () => developmentKey(dir)),
    );
    strictEqual(all.filter((k) => k.created).length, 1);
    for (const k of all) deepStrictEqual(k.key, all[0].key);
    deepStrictEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      [DEV_KEY_FILE],
    );
  });
});

Deno.test("development key: a file without a valid key is an error, and is left as it was", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/${DEV_KEY_FILE}`;
    await Deno.writeTextFile(file, "half a key");
    await rejects(() => developmentKey(dir), /does not hold an encryption key/);
    strictEqual(await Deno.readTextFile(file), "half a key");
  });
});

dbTest(
  "openSecrets: ENCRYPTION_KEY is used as given, in either mode; a previous key opens stale",
  async (db) => {
    await inTempDir(async (dir) => {
      const old = newKeyText();
      const current = newKeyText();
      const config = loadConfig({
        DATABASE_PATH: `${dir}/islet.db`,
        ENCRYPTION_KEY: current,
        ENCRYPTION_KEY_PREVIOUS: old,
      });
      const sealedOld = await (await createSecretBox(parseKey(old)!)).seal(
        new Uint8Array([1, 2, 3]),
        "u",
      );
      for (const development of [false, true]) {
        const lines: string[] = [];
        const box = await openSecrets(config, db, {
          development,
          log: (l) => lines.push(l),
        });
        ok(box !== null);
        deepStrictEqual(await box.open(sealedOld, "u"), {
          plain: new Uint8Array([1, 2, 3]),
          stale: true,
        });
        const sealed = await box.seal(new Uint8Array([4]), "u");
        const byCurrent = await createSecretBox(parseKey(current)!);
        strictEqual((await byCurrent.open(sealed, "u"))?.stale, false);
        deepStrictEqual(lines, [], "nothing to say");
      }
      deepStrictEqual([...Deno.readDirSync(dir)], [], "no key file made");
    });
  },
);

dbTest(
  "openSecrets: development without ENCRYPTION_KEY makes the key file beside the database, says so, and reuses it",
  async (db) => {
    await inTempDir(async (dir) => {
      const config = loadConfig({ DATABASE_PATH: `${dir}/data/islet.db` });
      const lines: string[] = [];
      const log = (l: string) => lines.push(l);
      const box = await openSecrets(config, db, { development: true, log });
      ok(box !== null);
      const sealed = await box.seal(new Uint8Array([7]), "u");
      const again = await openSecrets(config, db, { development: true, log });
      deepStrictEqual(await again!.open(sealed, "u"), {
        plain: new Uint8Array([7]),
        stale: false,
      });
      strictEqual(lines.length, 2);
      match(
        lines[0],
        new RegExp(
          `^Generated a development encryption key in ${dir}/data/encryption\\.key \\(no ENCRYPTION_KEY set\\); production needs ENCRYPTION_KEY\\.$`,
        ),
      );
      match(lines[1], /^Using the development encryption key in /);
      ok(
        !lines.join().includes(
          await Deno.readTextFile(`${dir}/data/${DEV_KEY_FILE}`),
        ),
      );
    });
  },
);

dbTest(
  "openSecrets: production without a key is no box, and refuses once an account uses two-factor or holds a secret",
  async (db) => {
    await inTempDir(async (dir) => {
      const config = loadConfig({ DATABASE_PATH: `${dir}/islet.db` });
      const production = { development: false, log: () => {} };
      strictEqual(await openSecrets(config, db, production), null);
      const ada = await createUser(db, {
        email: "a@example.com",
        username: "a",
      });
      strictEqual(await openSecrets(config, db, production), null);
      // A setup begun but not confirmed: a secret is stored, two-factor off.
      await setTwoFactor(db, ada.id, {
        secretEncrypted: "v1.x.y.z",
        enabled: false,
      });
      strictEqual(await countTwoFactorAccounts(db), 1);
      const err = await openSecrets(config, db, production).catch((e) => e);
      ok(err instanceof MissingEncryptionKeyError, String(err));
      match(
        err.message,
        /^ENCRYPTION_KEY is not set, but 1 account uses two-factor sign-in: .*Set ENCRYPTION_KEY/,
      );
      const bob = await createUser(db, {
        email: "b@example.com",
        username: "b",
      });
      await setTwoFactor(db, bob.id, {
        secretEncrypted: "v1.x.y.z",
        enabled: true,
      });
      await rejects(
        () => openSecrets(config, db, production),
        /but 2 accounts use two-factor/,
      );
      // Turned off again everywhere: the app starts without a key.
      await setTwoFactor(db, ada.id, { secretEncrypted: null, enabled: false });
      await setTwoFactor(db, bob.id, { secretEncrypted: null, enabled: false });
      strictEqual(await openSecrets(config, db, production), null);
      deepStrictEqual([...Deno.readDirSync(dir)], [], "no key file made");
    });
  },
);
