import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import {
  OAUTH_PROBLEM_STATUS,
  oauthHeaders,
  oauthProblem,
  type OAuthProblemReason,
  oauthProblemWords,
  oauthStartPath,
} from "./oauth_failure.ts";
import { safeNext } from "./safe_next.ts";

const REASONS = Object.keys(OAUTH_PROBLEM_STATUS) as OAuthProblemReason[];
const GITHUB = { id: "github", name: "GitHub" };

Deno.test("the status rule: the person's or the flow's problem 4xx, a provider that failed 502, one that did not answer 504", () => {
  const fourXX = REASONS.filter((r) => OAUTH_PROBLEM_STATUS[r] < 500);
  deepStrictEqual(
    REASONS.filter((r) => OAUTH_PROBLEM_STATUS[r] >= 500).sort(),
    ["invalid_response", "provider_error", "unreachable"],
  );
  strictEqual(OAUTH_PROBLEM_STATUS.unreachable, 504);
  strictEqual(OAUTH_PROBLEM_STATUS.provider_error, 502);
  strictEqual(OAUTH_PROBLEM_STATUS.invalid_response, 502);
  for (const r of fourXX) ok(OAUTH_PROBLEM_STATUS[r] >= 400, r);
  strictEqual(OAUTH_PROBLEM_STATUS.denied, 400);
  strictEqual(OAUTH_PROBLEM_STATUS.email_taken, 409);
  strictEqual(OAUTH_PROBLEM_STATUS.no_email, 400);
  strictEqual(OAUTH_PROBLEM_STATUS.cross_site, 403);
  strictEqual(OAUTH_PROBLEM_STATUS.rate_limited, 429);
});

Deno.test("the pre-hijack refusal says which address and what to do, in the issue's words", () => {
  strictEqual(
    oauthProblemWords("email_taken", "GitHub", "ada@example.com").message,
    "An Islet account already uses ada@example.com. Sign in with your password, then connect GitHub in Settings → Connected accounts.",
  );
});

Deno.test("every reason has a heading and a sentence naming no internal value, and a sign-in offers a retry with the same next and the password page", () => {
  for (const reason of REASONS) {
    const p = oauthProblem(reason, {
      provider: GITHUB,
      intent: "sign_in",
      next: "/settings?tab=2",
    });
    strictEqual(p.status, OAUTH_PROBLEM_STATUS[reason]);
    ok(/^[A-Z]/.test(p.title) && p.message.endsWith("."), reason);
    for (const text of [p.title, p.message]) {
      ok(!/undefined|null|_/.test(text), `${reason}: ${text}`);
    }
    strictEqual(p.retry, "/oauth/github?next=%2Fsettings%3Ftab%3D2");
    strictEqual(p.other.href, "/login?next=%2Fsettings%3Ftab%3D2");
    strictEqual(p.other.label, "Sign in with your password");
  }
});

Deno.test("a connection's problem retries the connection and leads back to the connections page; an unknown provider offers no retry", () => {
  const link = oauthProblem("denied", {
    provider: GITHUB,
    intent: "link",
    next: "/settings/connections",
  });
  strictEqual(link.retry, "/oauth/github?intent=link");
  deepStrictEqual(link.other, {
    href: "/settings/connections",
    label: "Back to Connected accounts",
  });
  const unknown = oauthProblem("unknown_provider", {
    provider: null,
    intent: "sign_in",
    next: "/dashboard",
  });
  strictEqual(unknown.retry, null);
  strictEqual(unknown.status, 404);
});

Deno.test("property: start paths stay on this site and carry next exactly", () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
      fc.string({ maxLength: 60 }),
      (id, raw) => {
        const next = safeNext(raw);
        const path = oauthStartPath(id, "sign_in", next);
        strictEqual(safeNext(path), path);
        const url = new URL(path, "http://islet.invalid");
        strictEqual(url.pathname, `/oauth/${id}`);
        strictEqual(url.searchParams.get("next"), next);
      },
    ),
    // Found by a CI run: encodeURIComponent leaves `'`, a URL's query does not.
    { examples: [["a", "/'"]] },
  );
});

Deno.test("answers are never cached; a redirect carries its location and cookies, a rate limit its Retry-After", () => {
  const r = oauthHeaders({
    kind: "redirect",
    location: "/dashboard",
    cookies: ["oauth=; Max-Age=0", "session=abc"],
  });
  strictEqual(r.get("location"), "/dashboard");
  strictEqual(r.get("cache-control"), "no-store");
  deepStrictEqual(r.getSetCookie(), ["oauth=; Max-Age=0", "session=abc"]);
  const limited = oauthHeaders({
    kind: "problem",
    problem: oauthProblem("rate_limited", {
      provider: GITHUB,
      intent: "sign_in",
      next: "/dashboard",
      retryAfterSeconds: 42,
    }),
    cookies: [],
  });
  strictEqual(limited.get("retry-after"), "42");
  strictEqual(limited.get("location"), null);
});
