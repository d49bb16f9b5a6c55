import assert from "node:assert/strict";
import { audit } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import { decodeCursor, encodeCursor, securityActivity } from "./activity.ts";
import { describeEvent, GENERIC_SENTENCE } from "./activity_words.ts";

Deno.test("activity words: every known event has its sentence; an unknown one the generic sentence, never its name", () => {
  assert.equal(
    describeEvent({ event: "auth.sign_in", details: null }),
    "You signed in.",
  );
  // With two-factor on, the password alone does not sign in.
  assert.equal(
    describeEvent({
      event: "auth.sign_in",
      details: { secondFactor: "pending" },
    }),
    "Your password was entered, and the code from your authenticator app was asked for.",
  );
  assert.equal(
    describeEvent({ event: "session.end_others", details: { ended: 3 } }),
    "You signed out 3 other sessions.",
  );
  assert.equal(
    describeEvent({
      event: "session.end_others",
      details: { ended: "<b>9</b>" },
    }),
    "You signed out every other session (there were none).",
  );
  for (
    const name of ["billing.refund", "toString", "__proto__", "constructor"]
  ) {
    assert.equal(
      describeEvent({ event: name, details: null }),
      GENERIC_SENTENCE,
      name,
    );
  }
});

Deno.test("activity cursors: only our own shape is read", () => {
  assert.deepEqual(
    decodeCursor(encodeCursor({ createdAt: 1700000000000, id: 42 })),
    {
      createdAt: 1700000000000,
      id: 42,
    },
  );
  for (
    const bad of [
      "",
      "1",
      "1.0",
      "01.2",
      "-1.2",
      "1.2.3",
      "1e3.2",
      "1 .2",
      "9999999999999999.1",
    ]
  ) {
    assert.equal(decodeCursor(bad), null, bad);
  }
});

dbTest(
  "security activity: the user's own events, in words, device and address, paged; a forged cursor is invalid",
  async (db) => {
    const me = await createUser(db, {
      email: "me@example.com",
      username: "me",
    });
    const them = await createUser(db, {
      email: "them@example.com",
      username: "them",
    });
    const ua =
      "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
    for (let i = 0; i < 25; i++) {
      await audit(db, {
        userId: me.id,
        event: "auth.sign_in",
        ip: `10.0.0.${i}`,
        userAgent: ua,
      }, 1000 + i);
    }
    await audit(db, {
      userId: me.id,
      event: "auth.sign_in_failed",
      ip: "10.9.9.9",
      details: { reason: "wrong_password" },
    }, 5000);
    await audit(db, { userId: them.id, event: "auth.sign_in" }, 6000);
    const first = await securityActivity(db, me.id, { before: null });
    assert.ok(first.ok);
    assert.equal(first.items.length, 20);
    assert.equal(
      first.items[0].sentence,
      "Someone tried to sign in with a wrong password.",
    );
    assert.equal(first.items[0].warning, true);
    assert.equal(first.items[0].device, "Unknown device");
    assert.equal(first.items[1].device, "Firefox on Linux");
    assert.equal(first.items[1].ip, "10.0.0.24");
    assert.ok(first.next);
    const second = await securityActivity(db, me.id, { before: first.next });
    assert.ok(second.ok);
    assert.equal(second.items.length, 6);
    assert.equal(second.next, null);
    assert.equal(second.items.at(-1)!.ip, "10.0.0.0");
    const forged = await securityActivity(db, me.id, { before: "1 OR 1=1" });
    assert.equal(!forged.ok && forged.reason, "invalid");
  },
);

Deno.test("activity words: sign-in, sign-up, connect and disconnect through a provider name it", () => {
  const say = (event: string, details: Record<string, unknown> | null) =>
    describeEvent({ event, details });
  assert.equal(
    say("auth.sign_in", { provider: "GitHub" }),
    "You signed in with GitHub.",
  );
  assert.equal(
    say("auth.sign_in", { provider: "Acme SSO", secondFactor: "pending" }),
    "You signed in with Acme SSO, and the code from your authenticator app was asked for.",
  );
  assert.equal(
    say("auth.sign_up", { provider: "Google", providerId: "google" }),
    "You created your account by signing in with Google.",
  );
  assert.equal(say("auth.sign_up", null), "You created your account.");
  assert.equal(
    say("oauth.linked", {
      provider: "GitHub",
      label: "octocat",
      via: "settings",
    }),
    "You connected your GitHub account (octocat), to sign in with.",
  );
  assert.equal(
    say("oauth.linked", {
      provider: "Google",
      label: "ada@example.com",
      via: "email",
    }),
    "Your Google account (ada@example.com) was connected when you signed in with it: it gives the same verified email address as this account.",
  );
  assert.equal(
    say("oauth.unlinked", { provider: "GitHub", label: "octocat" }),
    "You disconnected your GitHub account (octocat): it can no longer be used to sign in.",
  );
  // Odd details (rows outlive versions) make no odd sentences.
  for (const provider of [42, "", " ", "x".repeat(81), null, ["GitHub"]]) {
    assert.equal(say("auth.sign_in", { provider }), "You signed in.");
    assert.equal(
      say("oauth.unlinked", { provider, label: 7 }),
      "You disconnected a sign-in provider account: it can no longer be used to sign in.",
    );
  }
});
