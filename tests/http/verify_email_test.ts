/**
 * Email verification over HTTP, with the mail read from a real SMTP
 * server, on both engines: the link's page changes nothing until its
 * button posts (and sends no Referer); the post verifies once; expired,
 * reused, tampered and other accounts' tokens get a clear page and write
 * nothing; the banner shows until the address is confirmed; new links are
 * limited to 3 per 10 minutes per account; the token never reaches the
 * logs.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import { VERIFY_REFUSALS } from "../../lib/auth/verify_email.ts";
import {
  assertJsonError,
  type AuthApp,
  Client,
  uniqueEmail,
  withApp,
} from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

/** Runs `fn` per engine against an app that mails through a test SMTP server. */
function mailTest(
  name: string,
  fn: (app: AuthApp, smtp: TestSmtp) => Promise<void>,
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      const smtp = await startSmtp();
      try {
        await withApp((app) => fn(app, smtp), {
          engine,
          env: { SMTP_URL: smtp.url, MAIL_FROM: "islet@example.com" },
        });
      } finally {
        await smtp.stop();
      }
    });
  }
}

/** The newest verification link mailed to `email` after `after` of them. */
async function verifyLink(
  smtp: TestSmtp,
  email: string,
  after = 0,
): Promise<URL> {
  const mine = () =>
    smtp.messages().filter((m) =>
      m.to === email && m.subject === "Confirm your email address"
    );
  await smtp.waitFor(() => mine().length > after);
  return new URL(mine()[after].links[0]);
}

const escape = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll(
    "'",
    "&#x27;",
  );

/** The refusal as the page writes it (HTML-escaped). */
function shows(text: string, message: string): boolean {
  return text.includes(escape(message)) ||
    text.includes(message.replaceAll("'", "&#39;"));
}

async function verified(c: Client): Promise<boolean> {
  return (await c.get("/api/auth/me")).json.user.emailVerified;
}

mailTest(
  "verify: the link's page posts with a button; verified once; refusals write nothing; the banner goes",
  async (app, smtp) => {
    const email = uniqueEmail("ada");
    const ada = new Client(app);
    await ada.register(email);
    const link = await verifyLink(smtp, email);
    strictEqual(link.pathname, "/verify-email");
    const token = link.searchParams.get("token")!;
    const path = link.pathname + link.search;

    // Signed in and unverified: the banner, with its plain resend form.
    const dash = await getPage(ada, "/dashboard");
    match(dash.text, /data-testid="verify-banner"/);
    match(dash.text, /<form method="post" action="\/verify-email\/resend">/);
    match((await getPage(ada, "/settings")).text, /Not confirmed yet/);

    // Opening the link (a person, or a mail scanner) changes nothing.
    for (const opener of [ada, new Client(app)]) {
      const page = await getPage(opener, path);
      strictEqual(page.status, 200);
      strictEqual(page.headers.get("referrer-policy"), "no-referrer");
      strictEqual(page.headers.get("cache-control"), "no-store");
      match(page.text, /<meta name="referrer" content="no-referrer"/);
      match(page.text, /<form method="post" action="\/verify-email"/);
      ok(page.text.includes(`name="token" value="${token}"`));
      match(page.text, /Confirm my email address<\/button>/);
    }
    strictEqual(await verified(ada), false, "a GET verifies nothing");

    // Another signed-in account may not use it; tampered tokens do nothing.
    const bob = new Client(app);
    await bob.register(uniqueEmail("bob"));
    const flip = (c: string) => c === "A" ? "B" : "A";
    for (
      const [who, value, why] of [
        [bob, token, "other_account"],
        [ada, flip(token[0]) + token.slice(1), "unknown"],
        [ada, token.slice(0, -3), "unknown"],
        [ada, "", "unknown"],
      ] as const
    ) {
      const refused = await who.post("/verify-email", {
        form: { token: value },
        headers: HTML,
      });
      strictEqual(refused.status, 400, why);
      strictEqual(refused.headers.get("referrer-policy"), "no-referrer");
      ok(shows(refused.text, VERIFY_REFUSALS[why]), `${why}: ${refused.text}`);
      match(refused.text, /role="alert"/);
    }
    strictEqual(await verified(ada), false);
    strictEqual(await verified(bob), false);

    // The button's post, as the owner: 303 back to the page, which says so.
    const posted = await ada.post("/verify-email", {
      form: { token },
      headers: HTML,
    });
    strictEqual(posted.status, 303, posted.text);
    strictEqual(posted.headers.get("location"), "/verify-email");
    strictEqual(posted.headers.get("referrer-policy"), "no-referrer");
    strictEqual(posted.setCookie, null, "verifying signs nobody in or out");
    const flash = flashSet(posted)!.value;
    strictEqual(flash, "email_verified");
    const done = await getPage(ada, "/verify-email", flash);
    strictEqual(done.status, 200);
    match(done.text, /<h1[^>]*>Email confirmed<\/h1>/);
    ok(!done.text.includes("verify-banner"), "no banner once confirmed");
    strictEqual(await verified(ada), true);
    ok(!(await getPage(ada, "/dashboard")).text.includes("verify-banner"));
    match((await getPage(ada, "/settings")).text, /Confirmed/);

    // A second use, and the JSON endpoint with it: refused.
    const again = await ada.post("/verify-email", {
      form: { token },
      headers: HTML,
    });
    strictEqual(again.status, 400);
    ok(shows(again.text, VERIFY_REFUSALS.unknown));
    const json = await new Client(app).post("/api/auth/verify-email", {
      json: { token },
    });
    assertJsonError(json, 400);
    strictEqual(json.json.error, VERIFY_REFUSALS.unknown);

    // The token is in no log line.
    ok(!app.logs().includes(token), app.logs());
    const db = await app.openDb();
    try {
      const dump = JSON.stringify(await db.all("SELECT * FROM audit_log"));
      ok(!dump.includes(token), "nor in the audit log");
    } finally {
      await db.close();
    }
  },
);

mailTest(
  "verify: an expired link is refused with its own message; the JSON endpoint verifies a fresh one, signed out",
  async (app, smtp) => {
    const email = uniqueEmail("exp");
    const me = new Client(app);
    await me.register(email);
    const old = (await verifyLink(smtp, email)).searchParams.get("token")!;
    const db = await app.openDb();
    try {
      await db.run(
        "UPDATE email_verification_tokens SET expires_at = ?",
        [Date.now() - 1],
      );
    } finally {
      await db.close();
    }
    const expired = await new Client(app).post("/api/auth/verify-email", {
      json: { token: old },
    });
    assertJsonError(expired, 400);
    strictEqual(expired.json.error, VERIFY_REFUSALS.expired);
    strictEqual(await verified(me), false);

    const sent = await me.post("/api/auth/verify-email/resend");
    strictEqual(sent.status, 202, sent.text);
    strictEqual(
      sent.json.message,
      `We sent a new confirmation link to ${email}.`,
    );
    const fresh = (await verifyLink(smtp, email, 1)).searchParams.get("token")!;
    // Signed out (another device): the link works all the same.
    const ok200 = await new Client(app).post("/api/auth/verify-email", {
      json: { token: fresh },
    });
    strictEqual(ok200.status, 200, ok200.text);
    deepStrictEqual(ok200.json, { success: true, message: "Email confirmed" });
    strictEqual(await verified(me), true);
    const already = await me.post("/api/auth/verify-email/resend");
    strictEqual(already.status, 200);
    strictEqual(
      already.json.message,
      "Your email address is already confirmed.",
    );
  },
);

mailTest(
  "verify: a new link 3 times in 10 minutes per account, then 429 with Retry-After; signed out is sent to sign in",
  async (app, smtp) => {
    const email = uniqueEmail("res");
    const me = new Client(app);
    await me.register(email);
    for (let i = 0; i < 3; i++) {
      // A new address each time: the limit is the account's, not the network's.
      const from = new Client(app);
      from.cookie = me.cookie;
      const a = await from.post("/verify-email/resend", {
        form: {},
        headers: HTML,
      });
      strictEqual(a.status, 303, a.text);
      strictEqual(a.headers.get("location"), "/verify-email/resend");
      strictEqual(flashSet(a)?.value, "verification_sent");
    }
    const page = await getPage(me, "/verify-email/resend", "verification_sent");
    match(page.text, /We sent you a new confirmation link/);
    const limited = await me.post("/verify-email/resend", {
      form: {},
      headers: HTML,
    });
    strictEqual(limited.status, 429);
    match(limited.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    match(limited.text, /role="alert"/);
    const json = await me.post("/api/auth/verify-email/resend");
    assertJsonError(json, 429);
    ok(Number(json.headers.get("retry-after")) > 0);
    // 1 at sign-up + 3 asked for.
    await verifyLink(smtp, email, 3);
    strictEqual(
      smtp.messages().filter((m) => m.to === email).length,
      4,
    );

    // Another account has its own count.
    const other = new Client(app);
    await other.register(uniqueEmail("other"));
    strictEqual(
      (await other.post("/api/auth/verify-email/resend")).status,
      202,
    );

    // Signed out: JSON 401, the page goes to sign in.
    assertJsonError(
      await new Client(app).post("/api/auth/verify-email/resend"),
      401,
    );
    const anon = await new Client(app).post("/verify-email/resend", {
      form: {},
      headers: HTML,
    });
    strictEqual(anon.status, 303);
    match(anon.headers.get("location") ?? "", /^\/login\?next=/);
  },
);
