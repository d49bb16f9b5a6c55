import assert from "node:assert/strict";
import { normalizeEmail } from "../auth/email_rule.ts";
import { audit, listAuditForUser } from "./audit.ts";
import { getUserByOAuthAccount, linkOAuthAccount } from "./oauth_accounts.ts";
import { withTestDb } from "./testing.ts";
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

Deno.test("createUser stores a normalised user with defaults and preferences", async () => {
  await withTestDb((db) => {
    const user = createUser(db, {
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
      db.prepare("SELECT theme FROM preferences WHERE user_id = ?").get(user.id)
        ?.theme,
      "system",
    );
    assert.equal(normalizeEmail(" A@B.C "), "a@b.c");
  });
});

Deno.test("lookups find users case-insensitively and return null when absent", async () => {
  await withTestDb((db) => {
    const user = createUser(db, { email: "ada@example.com", username: "Ada" });
    assert.equal(getUserById(db, user.id)?.id, user.id);
    assert.equal(getUserByEmail(db, "ADA@example.com")?.id, user.id);
    assert.equal(getUserByUsername(db, "aDA")?.id, user.id);
    assert.equal(getUserById(db, "nope"), null);
    assert.equal(getUserByEmail(db, "other@example.com"), null);
    assert.equal(getUserByUsername(db, "other"), null);
  });
});

Deno.test("duplicate e-mail or username throws DuplicateUserError naming the field", async () => {
  await withTestDb((db) => {
    createUser(db, { email: "ada@example.com", username: "ada" });
    assert.throws(
      () => createUser(db, { email: "ADA@example.com", username: "other" }),
      (e) => e instanceof DuplicateUserError && e.field === "email",
    );
    assert.throws(
      () => createUser(db, { email: "b@example.com", username: "ADA" }),
      (e) => e instanceof DuplicateUserError && e.field === "username",
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM users").get()?.n, 1);
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM preferences").get()?.n,
      1,
    );
  });
});

Deno.test("password hash, e-mail verification and billing updates", async () => {
  await withTestDb((db) => {
    const user = createUser(db, { email: "o@example.com", username: "o" }, 1);
    assert.equal(user.hasPassword, false);
    assert.equal(getPasswordHash(db, user.id), null);
    updatePasswordHash(db, user.id, "$argon2id$new", 2);
    assert.equal(getPasswordHash(db, user.id), "$argon2id$new");
    assert.equal(getUserById(db, user.id)?.hasPassword, true);
    assert.equal(getUserById(db, user.id)?.updatedAt, 2);
    assert.equal(getPasswordHash(db, "nope"), null);

    markEmailVerified(db, user.id, 3);
    assert.equal(getUserById(db, user.id)?.emailVerifiedAt, 3);

    updateBilling(db, user.id, { stripeCustomerId: "cus_1" });
    assert.equal(
      getUserByStripeCustomerId(db, "cus_1")?.subscriptionTier,
      "free",
    );
    updateBilling(db, user.id, { subscriptionTier: "team" });
    const after = getUserById(db, user.id)!;
    assert.equal(after.subscriptionTier, "team");
    assert.equal(after.stripeCustomerId, "cus_1", "untouched field kept");
    updateBilling(db, user.id, { stripeCustomerId: null });
    assert.equal(getUserById(db, user.id)?.stripeCustomerId, null);
  });
});

Deno.test("OAuth accounts link once and find their user", async () => {
  await withTestDb((db) => {
    const user = createUser(db, {
      email: "g@example.com",
      username: "g",
      emailVerifiedAt: 5,
    });
    assert.equal(getUserByOAuthAccount(db, "github", "42"), null);
    linkOAuthAccount(db, user.id, "github", "42");
    assert.equal(getUserByOAuthAccount(db, "github", "42")?.id, user.id);
    assert.equal(getUserByOAuthAccount(db, "google", "42"), null);
    assert.throws(
      () => linkOAuthAccount(db, user.id, "github", "42"),
      /UNIQUE/,
    );
  });
});

Deno.test("two-factor state and the TOTP replay guard", async () => {
  await withTestDb((db) => {
    const user = createUser(db, { email: "t@example.com", username: "t" });
    setTwoFactor(db, user.id, { secretEncrypted: "enc", enabled: true });
    assert.equal(getTotpSecretEncrypted(db, user.id), "enc");
    assert.equal(getUserById(db, user.id)?.twoFactorEnabled, true);
    assert.equal(claimTotpStep(db, user.id, 100), true);
    assert.equal(
      claimTotpStep(db, user.id, 100),
      false,
      "same step is a replay",
    );
    assert.equal(
      claimTotpStep(db, user.id, 99),
      false,
      "earlier step is a replay",
    );
    assert.equal(claimTotpStep(db, user.id, 101), true);
    setTwoFactor(db, user.id, { secretEncrypted: null, enabled: false });
    assert.equal(getTotpSecretEncrypted(db, user.id), null);
    assert.equal(
      claimTotpStep(db, user.id, 1),
      true,
      "guard reset with the secret",
    );
  });
});

Deno.test("audit records events and keeps them after the user is deleted", async () => {
  await withTestDb((db) => {
    const user = createUser(db, { email: "a@example.com", username: "a" });
    audit(db, {
      userId: user.id,
      event: "auth.sign_in",
      ip: "127.0.0.1",
      userAgent: "x".repeat(5000),
      details: { method: "password" },
    }, 10);
    audit(db, { userId: user.id, event: "auth.sign_out" }, 20);
    audit(db, { userId: null, event: "auth.sign_in_failed", details: null });
    const entries = listAuditForUser(db, user.id);
    assert.deepEqual(entries.map((e) => e.event), [
      "auth.sign_out",
      "auth.sign_in",
    ]);
    assert.deepEqual(entries[1].details, { method: "password" });
    assert.equal(entries[1].userAgent?.length, 512);
    assert.equal(entries[0].ip, null);
    deleteUser(db, user.id);
    assert.equal(getUserById(db, user.id), null);
    assert.equal(db.prepare("SELECT count(*) AS n FROM audit_log").get()?.n, 3);
  });
});
