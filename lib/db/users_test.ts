import assert from "node:assert/strict";
import { normalizeEmail } from "../auth/email_rule.ts";
import { audit, listAuditForUser } from "./audit.ts";
import type { Queryable } from "./db.ts";
import {
  getUserByOAuthAccount,
  linkOAuthAccount,
  OAuthAccountTakenError,
} from "./oauth_accounts.ts";
import { dbTest } from "./testing.ts";
import {
  claimTotpStep,
  getTotpSecretEncrypted,
  setTwoFactor,
} from "./two_factor.ts";
import {
  createUser,
  deleteUser,
  DuplicateUserError,
  getPasswordHash,
  getUserByEmail,
  getUserById,
  getUserByStripeCustomerId,
  getUserByUsername,
  markEmailVerified,
  updateBilling,
  updatePasswordHash,
} from "./users.ts";

async function count(db: Queryable, table: string): Promise<number> {
  return Number((await db.get(`SELECT count(*) AS n FROM ${table}`))?.n);
}

dbTest(
  "createUser stores a normalised user with defaults and preferences",
  async (db) => {
    const user = await createUser(db, {
      email: "  Ada@Example.COM ",
      username: "Ada",
      passwordHash: "$argon2id$x",
    }, 1000);
    assert.match(
      user.id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.deepEqual({ ...user, id: "" }, {
      id: "",
      email: "ada@example.com",
      emailVerifiedAt: null,
      username: "Ada",
      hasPassword: true,
      subscriptionTier: "free",
      stripeCustomerId: null,
      twoFactorEnabled: false,
      createdAt: 1000,
      updatedAt: 1000,
    });
    assert.equal(
      (await db.get("SELECT theme FROM preferences WHERE user_id = ?", [
        user.id,
      ]))?.theme,
      "system",
    );
    assert.equal(normalizeEmail(" A@B.C "), "a@b.c");
  },
);

dbTest(
  "lookups find users case-insensitively and return null when absent",
  async (db) => {
    const user = await createUser(db, {
      email: "ada@example.com",
      username: "Ada",
    });
    assert.equal((await getUserById(db, user.id))?.id, user.id);
    assert.equal((await getUserByEmail(db, "ADA@example.com"))?.id, user.id);
    assert.equal((await getUserByUsername(db, "aDA"))?.id, user.id);
    assert.equal(await getUserById(db, "nope"), null);
    assert.equal(await getUserByEmail(db, "other@example.com"), null);
    assert.equal(await getUserByUsername(db, "other"), null);
  },
);

dbTest(
  "duplicate e-mail or username throws DuplicateUserError naming the field",
  async (db) => {
    await createUser(db, { email: "ada@example.com", username: "ada" });
    await assert.rejects(
      createUser(db, { email: "ADA@example.com", username: "other" }),
      (e) => e instanceof DuplicateUserError && e.field === "email",
    );
    await assert.rejects(
      createUser(db, { email: "b@example.com", username: "ADA" }),
      (e) => e instanceof DuplicateUserError && e.field === "username",
    );
    assert.equal(await count(db, "users"), 1);
    assert.equal(await count(db, "preferences"), 1);
  },
);

dbTest("password hash, e-mail verification and billing updates", async (db) => {
  const user = await createUser(db, {
    email: "o@example.com",
    username: "o",
  }, 1);
  assert.equal(user.hasPassword, false);
  assert.equal(await getPasswordHash(db, user.id), null);
  await updatePasswordHash(db, user.id, "$argon2id$new", 2);
  assert.equal(await getPasswordHash(db, user.id), "$argon2id$new");
  assert.equal((await getUserById(db, user.id))?.hasPassword, true);
  assert.equal((await getUserById(db, user.id))?.updatedAt, 2);
  assert.equal(await getPasswordHash(db, "nope"), null);

  await markEmailVerified(db, user.id, 3);
  assert.equal((await getUserById(db, user.id))?.emailVerifiedAt, 3);

  await updateBilling(db, user.id, { stripeCustomerId: "cus_1" });
  assert.equal(
    (await getUserByStripeCustomerId(db, "cus_1"))?.subscriptionTier,
    "free",
  );
  await updateBilling(db, user.id, { subscriptionTier: "team" });
  const after = (await getUserById(db, user.id))!;
  assert.equal(after.subscriptionTier, "team");
  assert.equal(after.stripeCustomerId, "cus_1", "untouched field kept");
  await updateBilling(db, user.id, { stripeCustomerId: null });
  assert.equal((await getUserById(db, user.id))?.stripeCustomerId, null);
});

dbTest("OAuth accounts link once and find their user", async (db) => {
  const user = await createUser(db, {
    email: "g@example.com",
    username: "g",
    emailVerifiedAt: 5,
  });
  assert.equal(await getUserByOAuthAccount(db, "github", "42"), null);
  await linkOAuthAccount(db, user.id, "github", "42");
  assert.equal(
    (await getUserByOAuthAccount(db, "github", "42"))?.id,
    user.id,
  );
  assert.equal(await getUserByOAuthAccount(db, "google", "42"), null);
  await assert.rejects(
    linkOAuthAccount(db, user.id, "github", "42"),
    OAuthAccountTakenError,
  );
});

dbTest("two-factor state and the TOTP replay guard", async (db) => {
  const user = await createUser(db, {
    email: "t@example.com",
    username: "t",
  });
  await setTwoFactor(db, user.id, { secretEncrypted: "enc", enabled: true });
  assert.equal(await getTotpSecretEncrypted(db, user.id), "enc");
  assert.equal((await getUserById(db, user.id))?.twoFactorEnabled, true);
  assert.equal(await claimTotpStep(db, user.id, 100), true);
  assert.equal(
    await claimTotpStep(db, user.id, 100),
    false,
    "same step is a replay",
  );
  assert.equal(
    await claimTotpStep(db, user.id, 99),
    false,
    "earlier step is a replay",
  );
  assert.equal(await claimTotpStep(db, user.id, 101), true);
  await setTwoFactor(db, user.id, { secretEncrypted: null, enabled: false });
  assert.equal(await getTotpSecretEncrypted(db, user.id), null);
  assert.equal(
    await claimTotpStep(db, user.id, 1),
    true,
    "guard reset with the secret",
  );
});

dbTest(
  "audit records events and keeps them after the user is deleted",
  async (db) => {
    const user = await createUser(db, {
      email: "a@example.com",
      username: "a",
    });
    await audit(db, {
      userId: user.id,
      event: "auth.sign_in",
      ip: "127.0.0.1",
      userAgent: "x".repeat(5000),
      details: { method: "password" },
    }, 10);
    await audit(db, { userId: user.id, event: "auth.sign_out" }, 20);
    await audit(db, {
      userId: null,
      event: "auth.sign_in_failed",
      details: null,
    });
    const entries = await listAuditForUser(db, user.id);
    assert.deepEqual(entries.map((e) => e.event), [
      "auth.sign_out",
      "auth.sign_in",
    ]);
    assert.deepEqual(entries[1].details, { method: "password" });
    assert.equal(entries[1].userAgent?.length, 512);
    assert.equal(entries[0].ip, null);
    await deleteUser(db, user.id);
    assert.equal(await getUserById(db, user.id), null);
    assert.equal(await count(db, "audit_log"), 3);
  },
);
