import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hashPassword } from "../auth/password.ts";
import { createSession, validateSessionToken } from "../auth/session.ts";
import { sessionTest } from "../auth/session_testing.ts";
import { audit } from "../db/audit.ts";
import { linkOAuthAccount } from "../db/oauth_accounts.ts";
import { setTwoFactor } from "../db/two_factor.ts";
import { updatePasswordHash } from "../db/users.ts";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { exportAccount } from "./export.ts";
import { issueNotMeToken } from "./not_me.ts";

const META = {
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
};

/** Every way a byte string could appear in JSON text. */
function spellings(bytes: Uint8Array): string[] {
  const b64 = btoa(String.fromCharCode(...bytes));
  return [
    encodeHexLowerCase(bytes),
    encodeHexLowerCase(bytes).toUpperCase(),
    b64,
    b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
    JSON.stringify(Array.from(bytes)).slice(1, -1),
  ];
}

sessionTest(
  "export: everything stored about the account, and no hash or secret in any spelling",
  async (f) => {
    const passwordHash = await hashPassword("Tulip orbit 7391 quartz!");
    await updatePasswordHash(f.db, f.userId, passwordHash);
    const totpSecret = "v1.ENCRYPTED-TOTP-SECRET-abcdef0123456789";
    await setTwoFactor(f.db, f.userId, {
      secretEncrypted: totpSecret,
      enabled: true,
    });
    await linkOAuthAccount(f.db, f.userId, "github", "4242", {
      label: "octocat",
      now: Date.UTC(2030, 0, 2),
    });
    await f.db.run(
      "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
      [
        f.userId,
        "RECOVERY-CODE-HASH-0123456789abcdef",
        1,
      ],
    );
    const resetHash = crypto.getRandomValues(new Uint8Array(32));
    await f.db.run(
      "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
      [resetHash, f.userId, 1, 2],
    );
    const notMe = await issueNotMeToken(f.db, f.userId, "auth.sign_in");
    const { token, session } = await createSession(f.deps, f.userId, META);
    assert.ok(await validateSessionToken(f.deps, token));
    await audit(f.db, { userId: f.userId, event: "auth.sign_in", ...META });
    // An event this version does not know (written by a newer one).
    await f.db.run(
      "INSERT INTO audit_log (user_id, event, created_at) VALUES (?, 'some.future_event', ?)",
      [f.userId, Date.now()],
    );

    const built = await exportAccount(f.db, f.userId, META);
    assert.ok(built);
    assert.match(built.filename, /^islet-account-\d{4}-\d{2}-\d{2}\.json$/);
    const text = JSON.stringify(built.document);
    const doc = JSON.parse(text);
    assert.equal(doc.profile.email, "s@example.com");
    assert.equal(doc.profile.hasPassword, true);
    assert.equal(doc.preferences.theme, "system");
    assert.equal(doc.sessions.length, 1);
    assert.equal(doc.sessions[0].id, session.id);
    assert.equal(doc.sessions[0].device, "Firefox on Linux");
    assert.deepEqual(doc.linkedSignInMethods, [{
      provider: "github",
      providerUserId: "4242",
      label: "octocat",
      linkedAt: "2030-01-02T00:00:00.000Z",
    }]);
    assert.deepEqual(doc.twoFactor, {
      enabled: true,
      recoveryCodes: { total: 1, unused: 1 },
    });
    assert.deepEqual(
      doc.openEmailLinks.map((l: { kind: string }) => l.kind).sort(),
      [
        "password_reset",
        "security_notice",
      ],
    );
    // Newest first, the export itself included, in words; an unknown event
    // gets the generic sentence, never its name as the description.
    assert.deepEqual(
      doc.securityActivity.map((e: { event: string }) => e.event),
      [
        "account.export",
        "some.future_event",
        "auth.sign_in",
      ],
    );
    assert.equal(doc.securityActivity[2].description, "You signed in.");
    assert.doesNotMatch(doc.securityActivity[1].description, /future/);

    const secretHash = (await f.db.get("SELECT secret_hash FROM sessions"))!
      .secret_hash as Uint8Array;
    const forbidden = [
      passwordHash,
      passwordHash.split("$").at(-1)!,
      totpSecret,
      "RECOVERY-CODE-HASH-0123456789abcdef",
      token,
      token.split(".")[1],
      notMe,
      ...spellings(new Uint8Array(secretHash)),
      ...spellings(resetHash),
      ...spellings(new Uint8Array(createHash("sha256").update(notMe).digest())),
    ];
    for (const secret of forbidden) {
      assert.ok(
        !text.includes(secret),
        `the export holds a secret: ${secret.slice(0, 12)}…`,
      );
    }
    for (
      const key of [
        "password_hash",
        "passwordHash",
        "secretHash",
        "secret_hash",
        "totp",
        "tokenHash",
        "token_hash",
        "code_hash",
      ]
    ) {
      assert.ok(!text.includes(`"${key}`), key);
    }
  },
);
