import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { DEVICE_ID_LIMITS } from "./device.ts";
import {
  clearFlashCookie,
  decodeFlash,
  encodeFlash,
  type Flash,
  flashCookie,
  flashMessage,
  isWarningFlash,
  takeFlash,
} from "./flash.ts";

const withCookie = (cookie: string) =>
  new Request("http://localhost/", { headers: { cookie } });

Deno.test("flash messages say what happened, with counts", () => {
  strictEqual(
    flashMessage({ kind: "others_ended", count: 3 }),
    "3 other sessions were signed out.",
  );
  strictEqual(
    flashMessage({ kind: "others_ended", count: 1 }),
    "1 other session was signed out.",
  );
  strictEqual(
    flashMessage({ kind: "others_ended", count: 0 }),
    "There were no other sessions to sign out.",
  );
  // Firefox is the 4th browser, Linux the 7th system of device.ts.
  strictEqual(
    flashMessage({ kind: "session_ended", device: { browser: 4, system: 7 } }),
    "The session on Firefox on Linux was ended.",
  );
  strictEqual(flashMessage({ kind: "signed_out" }), "You have signed out.");
  strictEqual(
    flashMessage({ kind: "session_expired" }),
    "You were signed out (your session ended on another device or expired).",
  );
});

Deno.test("after connecting a provider: its name from the configured list, plain words when the index names none", () => {
  const names = ["GitHub", "Acme SSO"];
  strictEqual(
    flashMessage({ kind: "oauth_connected", provider: 0 }, names),
    "GitHub is connected. You can now sign in with it.",
  );
  strictEqual(
    flashMessage({ kind: "oauth_taken", provider: 1 }, names),
    "That Acme SSO account is already connected to another Islet account, so it was not connected to this one. Sign in to the other account and disconnect it there first.",
  );
  strictEqual(
    flashMessage({ kind: "oauth_already_linked", provider: 0 }, names),
    "Your account already has a GitHub account connected. To use a different one, disconnect the current one first.",
  );
  strictEqual(
    flashMessage({ kind: "oauth_connected", provider: 7 }, names),
    "The provider is connected. You can now sign in with it.",
  );
  ok(isWarningFlash({ kind: "oauth_taken", provider: 0 }));
  ok(!isWarningFlash({ kind: "oauth_connected", provider: 0 }));
  deepStrictEqual(decodeFlash("oauth_connected.1"), {
    kind: "oauth_connected",
    provider: 1,
  });
  strictEqual(decodeFlash("oauth_connected"), null);
  const taken = takeFlash(
    withCookie("flash=oauth_connected.1"),
    false,
    ["oauth_connected"],
    names,
  );
  strictEqual(
    taken.message,
    "Acme SSO is connected. You can now sign in with it.",
  );
});

Deno.test("after a recovery code: how many are left, a warning at 3 or fewer, and what to do at none", () => {
  strictEqual(
    flashMessage({ kind: "recovery_code_used", count: 9 }),
    "You signed in with a recovery code. It cannot be used again; 9 are left.",
  );
  strictEqual(
    flashMessage({ kind: "recovery_code_used", count: 3 }),
    "You signed in with a recovery code. Only 3 are left: make a new set in Settings, under Security, before you run out.",
  );
  strictEqual(
    flashMessage({ kind: "recovery_code_used", count: 1 }),
    "You signed in with a recovery code. Only 1 is left: make a new set in Settings, under Security, before you run out.",
  );
  strictEqual(
    flashMessage({ kind: "recovery_code_used", count: 0 }),
    "You signed in with a recovery code. It was your last one. Make a new set now in Settings, under Security: without codes, losing your authenticator app would lock you out.",
  );
  strictEqual(isWarningFlash({ kind: "recovery_code_used", count: 4 }), false);
  strictEqual(isWarningFlash({ kind: "recovery_code_used", count: 3 }), true);
  strictEqual(isWarningFlash({ kind: "recovery_code_used", count: 0 }), true);
  strictEqual(isWarningFlash({ kind: "others_ended", count: 0 }), false);
  deepStrictEqual(decodeFlash("recovery_code_used.2"), {
    kind: "recovery_code_used",
    count: 2,
  });
  strictEqual(decodeFlash("recovery_code_used"), null);
  strictEqual(
    flashMessage({ kind: "sign_in_timed_out" }),
    "Your sign-in timed out: the code must be entered within 10 minutes of the password. Sign in again.",
  );
});

Deno.test("the cookie is HttpOnly, SameSite=Lax, Path=/, a minute long; __Host- and Secure over HTTPS", () => {
  strictEqual(
    flashCookie({ kind: "others_ended", count: 2 }, false),
    "flash=others_ended.2; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
  );
  strictEqual(
    flashCookie({ kind: "signed_out" }, true),
    "__Host-flash=signed_out; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60",
  );
  strictEqual(
    clearFlashCookie(false),
    "flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
  );
});

Deno.test("takeFlash shows an accepted kind once and clears it; leaves other kinds; clears garbage", () => {
  const taken = takeFlash(withCookie("a=1; flash=others_ended.2"), false, [
    "others_ended",
  ]);
  strictEqual(taken.message, "2 other sessions were signed out.");
  strictEqual(taken.headers["set-cookie"], clearFlashCookie(false));
  strictEqual(taken.headers["cache-control"], "no-store");
  strictEqual(taken.warning, false);
  strictEqual(
    takeFlash(withCookie("flash=oauth_taken.0"), false, ["oauth_taken"], [
      "GitHub",
    ]).warning,
    true,
    "a refusal is shown as a warning",
  );

  // Another page's flash stays for that page.
  deepStrictEqual(
    takeFlash(withCookie("flash=signed_out"), false, ["others_ended"]),
    { message: null, warning: false, headers: {} },
  );
  // Garbage shows nothing, and is cleared.
  const junk = takeFlash(withCookie("flash=<b>hi</b>"), false, ["signed_out"]);
  strictEqual(junk.message, null);
  strictEqual(junk.headers["set-cookie"], clearFlashCookie(false));
  // No cookie: nothing to do.
  deepStrictEqual(
    takeFlash(new Request("http://localhost/"), false, ["signed_out"]),
    { message: null, warning: false, headers: {} },
  );
  // Over HTTPS only the __Host- cookie counts.
  strictEqual(
    takeFlash(withCookie("flash=signed_out"), true, ["signed_out"]).message,
    null,
  );
  strictEqual(
    takeFlash(withCookie("__Host-flash=signed_out"), true, ["signed_out"])
      .message,
    "You have signed out.",
  );
});

Deno.test("decodeFlash refuses near misses", () => {
  for (
    const bad of [
      "",
      "signed_out.1",
      "others_ended",
      "others_ended.01",
      "others_ended.-1",
      "others_ended.10000",
      "others_ended.2.3",
      "session_ended.1",
      "session_ended.99.0",
      `session_ended.0.${DEVICE_ID_LIMITS.system + 1}`,
      "toString",
      "__proto__",
      "constructor.1",
      "signed_out ",
      "Signed_out",
      "pwned",
      "hasOwnProperty",
    ]
  ) strictEqual(decodeFlash(bad), null, JSON.stringify(bad));
});

const flashes: fc.Arbitrary<Flash> = fc.oneof(
  fc.constantFrom<Flash>(
    { kind: "signed_out" },
    { kind: "session_expired" },
    { kind: "session_gone" },
    { kind: "email_verified" },
    { kind: "verification_sent" },
    { kind: "sign_in_timed_out" },
    { kind: "two_factor_disabled" },
  ),
  fc.integer({ min: 0, max: 9999 }).map((count): Flash => ({
    kind: "recovery_code_used",
    count,
  })),
  fc.integer({ min: 0, max: 9999 }).map((count): Flash => ({
    kind: "others_ended",
    count,
  })),
  fc.tuple(
    fc.constantFrom(
      "oauth_connected" as const,
      "oauth_taken" as const,
      "oauth_already_linked" as const,
    ),
    fc.integer({ min: 0, max: 9999 }),
  ).map(([kind, provider]): Flash => ({ kind, provider })),
  fc.integer({ min: 0, max: 9999 }).map((provider): Flash => ({
    kind: "oauth_disconnected",
    provider,
  })),
  fc.record({
    browser: fc.integer({ min: 0, max: DEVICE_ID_LIMITS.browser }),
    system: fc.integer({ min: 0, max: DEVICE_ID_LIMITS.system }),
  }).map((d): Flash => ({
    kind: "session_ended",
    device: { browser: d.browser, system: d.system },
  })),
);

Deno.test("property: every flash survives its cookie", () => {
  fc.assert(fc.property(flashes, (flash) => {
    deepStrictEqual(decodeFlash(encodeFlash(flash)), flash);
  }));
});

Deno.test("property: any cookie value decodes to null or to a flash that encodes back to exactly that value; its message is one of ours", () => {
  const values = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    flashes.map(encodeFlash).chain((v) =>
      fc.tuple(fc.constant(v), fc.string({ maxLength: 4 }), fc.nat(40)).map((
        [v, extra, at],
      ) => v.slice(0, at) + extra + v.slice(at))
    ),
  );
  fc.assert(
    fc.property(values, (value) => {
      const flash = decodeFlash(value);
      if (flash === null) return;
      strictEqual(encodeFlash(flash), value);
      const message = flashMessage(flash);
      ok(/^[A-Z0-9][A-Za-z0-9 ().,:;-]+\.$/.test(message), message);
      ok(!message.includes("undefined") && !message.includes("null"));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("an OAuth flash names its provider by its index in the configured list, never from the cookie", () => {
  const names = ["GitHub", "Acme SSO"];
  strictEqual(
    flashMessage(decodeFlash("oauth_disconnected.1")!, names),
    "Acme SSO is disconnected.",
  );
  // Past the list (a provider no longer configured): no name to give.
  for (const value of ["oauth_disconnected.2", "oauth_disconnected.9999"]) {
    strictEqual(
      flashMessage(decodeFlash(value)!, names),
      "The account is disconnected: it can no longer be used to sign in here.",
    );
  }
  const req = new Request("http://localhost/settings/connections", {
    headers: { cookie: "flash=oauth_disconnected.0" },
  });
  strictEqual(
    takeFlash(req, false, ["oauth_disconnected"], names).message,
    "GitHub is disconnected.",
  );
});
