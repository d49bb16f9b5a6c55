import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { dbTest } from "./testing.ts";
import { createUser, updatePasswordHash } from "./users.ts";
import {
  findOAuthLink,
  linkOAuthAccount,
  listOAuthAccounts,
  MAX_LABEL_LENGTH,
  OAuthAccountTakenError,
  unlinkOAuthAccount,
  type UnlinkOutcome,
} from "./oauth_accounts.ts";
import type { Db } from "./db.ts";

async function user(db: Db, name: string, password = false) {
  const u = await createUser(db, {
    email: `${name}@example.com`,
    username: name,
    passwordHash: password ? "$argon2id$v=19$m=19456,t=2,p=1$x$y" : null,
  });
  return u.id;
}

const count = async (db: Db, userId: string) =>
  Number(
    (await db.get(
      "SELECT count(*) AS n FROM oauth_accounts WHERE user_id = ?",
      [
        userId,
      ],
    ))?.n,
  );

dbTest(
  "links keep their label, list oldest first, and are found",
  async (db) => {
    const ada = await user(db, "ada");
    const first = await linkOAuthAccount(db, ada, "github", "583231", {
      label: "  octocat ",
      now: 1000,
    });
    deepStrictEqual(first, {
      id: first.id,
      provider: "github",
      providerUserId: "583231",
      label: "octocat",
      createdAt: 1000,
    });
    const second = await linkOAuthAccount(
      db,
      ada,
      "oidc",
      "https://id.example sub-1",
      { label: "   ", now: 2000 },
    );
    strictEqual(second.label, null, "a blank label is no label");
    const long = await linkOAuthAccount(db, ada, "google", "g-1", {
      label: "😀".repeat(MAX_LABEL_LENGTH + 5),
      now: 3000,
    });
    strictEqual(
      long.label,
      "😀".repeat(MAX_LABEL_LENGTH),
      "cut at whole characters",
    );

    const odd = await linkOAuthAccount(db, ada, "google", "g-2", {
      label: "ada\r\nBcc: x@evil.example\u202Emoc.elgoog\u0000",
      now: 4000,
    });
    strictEqual(
      odd.label,
      "ada Bcc: x@evil.example moc.elgoog",
      "no line breaks or direction overrides",
    );

    deepStrictEqual(await listOAuthAccounts(db, ada), [
      first,
      second,
      long,
      odd,
    ]);
    deepStrictEqual(await listOAuthAccounts(db, await user(db, "bob")), []);
    deepStrictEqual(await findOAuthLink(db, "github", "583231"), {
      id: first.id,
      userId: ada,
    });
    strictEqual(await findOAuthLink(db, "google", "583231"), null);
  },
);

dbTest(
  "an identity links once; the refusal leaves the caller's transaction usable",
  async (db) => {
    const ada = await user(db, "ada");
    const bob = await user(db, "bob");
    await linkOAuthAccount(db, ada, "github", "1");
    await rejects(
      linkOAuthAccount(db, bob, "github", "1"),
      OAuthAccountTakenError,
    );
    await db.transaction(async (tx) => {
      await rejects(
        linkOAuthAccount(tx, ada, "github", "1"),
        OAuthAccountTakenError,
      );
      // On PostgreSQL an unguarded failed statement would abort this transaction.
      await linkOAuthAccount(tx, bob, "github", "2");
    });
    strictEqual(await count(db, bob), 1);
  },
);

dbTest(
  "unlink: not the user's, gone, or not an id at all is not_found",
  async (db) => {
    const ada = await user(db, "ada", true);
    const bob = await user(db, "bob", true);
    const adas = await linkOAuthAccount(db, ada, "github", "1");
    for (
      const id of [
        "",
        "0",
        "-1",
        "abc",
        "1 OR 1=1",
        "99999999999999999999999",
        " 1",
        "1.0",
        "１",
      ]
    ) {
      deepStrictEqual(await unlinkOAuthAccount(db, ada, id), {
        ok: false,
        reason: "not_found",
      }, id);
    }
    deepStrictEqual(await unlinkOAuthAccount(db, bob, adas.id), {
      ok: false,
      reason: "not_found",
    });
    deepStrictEqual(
      await unlinkOAuthAccount(
        db,
        "00000000-0000-4000-8000-000000000000",
        adas.id,
      ),
      { ok: false, reason: "not_found" },
    );
    strictEqual(await count(db, ada), 1, "nothing removed");
    deepStrictEqual(await unlinkOAuthAccount(db, ada, adas.id), {
      ok: true,
      link: adas,
    });
    deepStrictEqual(await unlinkOAuthAccount(db, ada, adas.id), {
      ok: false,
      reason: "not_found",
    });
  },
);

dbTest(
  "unlink: the last way to sign in stays, a password or another link frees it",
  async (db) => {
    const ada = await user(db, "ada");
    const gh = await linkOAuthAccount(db, ada, "github", "1");
    const go = await linkOAuthAccount(db, ada, "google", "2");
    strictEqual((await unlinkOAuthAccount(db, ada, gh.id)).ok, true);
    deepStrictEqual(await unlinkOAuthAccount(db, ada, go.id), {
      ok: false,
      reason: "last_method",
    });
    strictEqual(await count(db, ada), 1);
    await updatePasswordHash(db, ada, "$argon2id$v=19$m=19456,t=2,p=1$x$y");
    strictEqual((await unlinkOAuthAccount(db, ada, go.id)).ok, true);
    strictEqual(await count(db, ada), 0);
  },
);

dbTest(
  "unlink: a second unlink waits for the first and then sees it (the last-method rule holds under a race)",
  async (db) => {
    const ada = await user(db, "ada");
    const one = await linkOAuthAccount(db, ada, "github", "1");
    const two = await linkOAuthAccount(db, ada, "google", "2");
    let entered!: () => void;
    const inside = new Promise<void>((r) => entered = r);
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    // A: removes link one and holds its transaction open.
    const a = db.transaction(async (tx) => {
      const r = await unlinkOAuthAccount(tx, ada, one.id);
      entered();
      await gate;
      return r;
    });
    await inside;
    // B: link two, while A has not committed. Without the lock it would
    // count two links in its snapshot and remove the other one too.
    let bDone = false;
    const b = unlinkOAuthAccount(db, ada, two.id).finally(() => bDone = true);
    await new Promise((r) => setTimeout(r, 300));
    const waited = !bDone;
    release();
    const [ra, rb] = await Promise.all([a, b]);
    ok(waited, "B waits for A");
    strictEqual(ra.ok, true);
    deepStrictEqual(rb, { ok: false, reason: "last_method" });
    deepStrictEqual(
      (await listOAuthAccounts(db, ada)).map((l) => l.id),
      [two.id],
    );
  },
);

dbTest(
  "unlink: many racing unlinks of one account's links leave exactly one",
  async (db) => {
    for (let round = 0; round < 5; round++) {
      const ada = await user(db, `ada${round}`);
      const links = [];
      for (let i = 0; i < 4; i++) {
        links.push(
          await linkOAuthAccount(
            db,
            ada,
            "oidc",
            `https://i.example ${round}-${i}`,
          ),
        );
      }
      const results: UnlinkOutcome[] = await Promise.all(
        links.map((l) => unlinkOAuthAccount(db, ada, l.id)),
      );
      strictEqual(
        results.filter((r) => r.ok).length,
        3,
        JSON.stringify(results),
      );
      ok(results.some((r) => !r.ok && r.reason === "last_method"));
      strictEqual(await count(db, ada), 1);
    }
  },
);
