/**
 * Accessibility in real Chromium, against the built app.
 *
 * 1. axe-core (WCAG 2.1 A/AA and best practices) finds no violation on the
 *    public pages, the status page, a 404, the sign-in form showing its
 *    errors or a notice, the signed-in dashboard and settings (with and
 *    without a notice; activity, preferences, your data, deletion), the
 *    "this wasn't me" page, password reset (asking, the link's form, a
 *    dead link), the email change's confirm and undo pages (live, done and
 *    dead links), the password and email settings (with errors and after
 *    success), the confirm-access page (with a wrong password, and for a
 *    two-factor account its code and recovery-code forms), the two-factor
 *    code page (as it opens, with a wrong code, the recovery-code variant),
 *    the page after a recovery code, the session list with a sign-in
 *    waiting for its code, two-factor settings (off, setting up, a wrong
 *    code, just turned on with its recovery codes, on, new codes, turned
 *    off), Connected accounts (none, GitHub connected, a notice, the last
 *    way to sign in and its refusal) and confirm-access offering a
 *    provider to an account without a password, the billing page
 *    (address not confirmed, free, back from checkout, active, canceling,
 *    past due with its banner), the Pro page
 *    (upgrade, and on the Pro plan), and the header's phone menu open,
 *    each in the light and the dark theme.
 * 2. Signing in works from the keyboard alone: the skip link is the first
 *    Tab stop and moves focus to `<main>`, Tab reaches the email field, the
 *    password field and the submit button, Enter signs in; every focused
 *    control shows a focus indicator that stands out from the page
 *    (WCAG 2.4.7, and 3:1 against the background as 1.4.11 asks).
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { AxeResults, Result, RunOptions } from "axe-core";
import {
  type Browser,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import {
  type AuthApp,
  Client,
  nextIp,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { issueNotMeToken } from "../../lib/account/not_me.ts";
import {
  generateEmailToken,
  hashEmailToken,
} from "../../lib/auth/email_token.ts";
import { insertEmailChangeToken } from "../../lib/db/email_change_tokens.ts";
import { insertPasswordResetToken } from "../../lib/db/password_reset_tokens.ts";
import { pendingClient, twoFactorAccount } from "../helpers/two_factor.ts";
import { driveGitHub, driveOidc } from "../helpers/oauth.ts";
import { FlowClient } from "../http/oauth_sign_in_kit.ts";
import {
  codeFor,
  secretFromKeyText,
  storedSecret,
} from "../helpers/authenticator.ts";
import { billingAccount, type BillingKind } from "../helpers/billing.ts";
import { StripeStandin } from "../helpers/stripe_standin.ts";
import { startOAuthStandins } from "../helpers/oauth.ts";

/** axe-core's bundle, from the exact version pinned in deno.json. */
const AXE_SOURCE = await Deno.readTextFile(
  new URL("axe.min.js", import.meta.resolve("axe-core")),
);

const AXE_OPTIONS: RunOptions = {
  runOnly: {
    type: "tag",
    values: [
      "wcag2a",
      "wcag2aa",
      "wcag21a",
      "wcag21aa",
      "best-practice",
    ],
  },
  resultTypes: ["violations"],
};

const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 islet-a11y";
const FIREFOX_UA =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];

/** One line per failing element: what is wrong, where, and how to fix it. */
export function formatViolations(violations: Result[]): string {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => {
      const summary = (n.failureSummary ?? "").trim().replace(
        /\n\s*/g,
        "\n      ",
      );
      return `    - ${n.target.join(" ")}\n      ${summary}`;
    }).join("\n");
    return `  ${v.id} [${
      v.impact ?? "n/a"
    }]: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
  }).join("\n");
}

/** A context that lets axe's script in past the CSP, with the theme cookie set. */
async function auditPage(
  browser: Browser,
  base: string,
  theme: Theme,
  sessionCookie?: { name: string; value: string },
) {
  const context = await browser.newContext({
    bypassCSP: true,
    userAgent: BROWSER_UA,
    // The OS preference is the other one, so only the cookie can make the
    // page come out in the theme under test.
    colorScheme: theme === "dark" ? "light" : "dark",
    // An address of its own (the test is the app's trusted proxy): the
    // forms this audit submits would otherwise add up in one per-address
    // limit and be refused partway through.
    extraHTTPHeaders: { "x-forwarded-for": nextIp() },
  });
  const cookies: { name: string; value: string; url: string }[] = [
    { name: "theme", value: theme, url: base },
  ];
  if (sessionCookie) cookies.push({ ...sessionCookie, url: base });
  await context.addCookies(cookies);
  return { context, ...trackErrors(await context.newPage()) };
}

async function runAxe(page: Page): Promise<AxeResults> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return await page.evaluate(
    // deno-lint-ignore no-explicit-any
    (options) => (globalThis as any).axe.run(document, options),
    AXE_OPTIONS,
  ) as AxeResults;
}

interface Target {
  name: string;
  path: string;
  status: number;
  signedIn?: boolean;
  /**
   * A sensitive page: the session must have proved who is using it in the
   * last 10 minutes, which a long audit outlives.
   */
  recent?: boolean;
  /** A live token of this kind is made for each visit and appended to `path`. */
  link?: LinkKind;
  /**
   * As the account with two-factor on: `pending`, a sign-in of it waiting
   * for its code (a new one each visit); `signedIn`, signed in with a
   * code, while another sign-in waits for its code elsewhere.
   */
  twoFactor?: "pending" | "signedIn";
  /** Brings the page into the state to audit, after it loaded. */
  prepare?: (page: Page) => Promise<void>;
  /**
   * Signed in as an account made for each visit, with two-factor off or
   * on: for pages whose audit changes the account, or needs it changed.
   */
  own?: "off" | "on";
  /**
   * Signed in as an account of its own for Connected accounts (see
   * {@linkcode connectionsUser}): `connected`, a password and GitHub
   * connected; `last_method`, made through Acme SSO, no password.
   */
  connections?: ConnectionsKind;
  /**
   * Signed in as a confirmed account of its own in this billing state
   * (Stripe being the stand-in): free, or a Pro subscription that is
   * active, canceling or past due.
   */
  billing?: BillingKind;
}

/** The header as on a phone, with its disclosure menu open. */
async function openPhoneMenu(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.locator("header summary").click();
  await page.locator("#site-menu nav").first().waitFor();
}

const TARGETS: Target[] = [
  { name: "landing", path: "/", status: 200 },
  { name: "sign-in", path: "/login", status: 200 },
  {
    name: "sign-in with errors",
    path: "/login",
    status: 200,
    async prepare(page) {
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("#login-email-error").waitFor();
    },
  },
  { name: "sign-up", path: "/signup", status: 200 },
  // The sign-in pages above show the provider buttons (every provider is
  // configured here); the page a provider flow fails on:
  {
    name: "sign-in through a provider: no flow in this browser",
    path: "/oauth/github/callback",
    status: 400,
  },
  {
    name: "sign-in through a provider: said no at the provider",
    path: "/login",
    status: 200,
    async prepare(page) {
      await page.getByRole("link", { name: "Continue with GitHub" }).click();
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByTestId("oauth-problem").waitFor();
    },
  },
  {
    name: "sign-up with errors",
    path: "/signup",
    status: 200,
    async prepare(page) {
      await page.getByLabel("Email").fill("not an address");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.locator("#signup-password-error").waitFor();
    },
  },
  {
    name: "sign-up: check your inbox",
    path: "/signup",
    status: 200,
    async prepare(page) {
      await page.getByLabel("Email").fill(uniqueEmail("a11y-new"));
      await page.getByLabel("Password").fill("Tulip orbit 7391 quartz!");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("check-inbox").waitFor();
    },
  },
  {
    name: "verify email: the link's page",
    path: `/verify-email?token=${"A".repeat(43)}`,
    status: 200,
  },
  {
    name: "verify email: a link that does not work",
    path: `/verify-email?token=${"A".repeat(43)}`,
    status: 200,
    async prepare(page) {
      await page.getByRole("button", { name: "Confirm my email address" })
        .click();
      await page.getByRole("alert").waitFor();
    },
  },
  {
    name: "verify email: confirmed",
    path: "/verify-email",
    status: 200,
    prepare: withFlash("email_verified"),
  },
  {
    name: "verify email: send a new link",
    path: "/verify-email/resend",
    status: 200,
    signedIn: true,
  },
  {
    name: "verify email: a new link was sent",
    path: "/verify-email/resend",
    status: 200,
    signedIn: true,
    prepare: withFlash("verification_sent"),
  },
  { name: "404", path: "/no/such/page", status: 404 },
  { name: "status", path: "/status", status: 200 },
  {
    name: "landing, phone menu open",
    path: "/",
    status: 200,
    prepare: openPhoneMenu,
  },
  {
    name: "sign-in, phone menu open",
    path: "/login",
    status: 200,
    prepare: openPhoneMenu,
  },
  {
    name: "sign-in after signing out",
    path: "/login",
    status: 200,
    prepare: withFlash("signed_out"),
  },
  {
    name: "two-factor: the code page",
    path: "/login/two-factor",
    status: 200,
    twoFactor: "pending",
  },
  {
    name: "two-factor: the code page with a wrong code",
    path: "/login/two-factor",
    status: 200,
    twoFactor: "pending",
    async prepare(page) {
      await page.getByLabel("6-digit code").fill("000000");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.locator("#code-error").waitFor();
    },
  },
  {
    name: "two-factor: the recovery code page",
    path: "/login/two-factor?method=recovery",
    status: 200,
    twoFactor: "pending",
  },
  {
    name: "sign-in while a sign-in waits for its code",
    path: "/login",
    status: 200,
    twoFactor: "pending",
  },
  {
    name: "sign-in after the code timed out",
    path: "/login",
    status: 200,
    prepare: withFlash("sign_in_timed_out"),
  },
  {
    name: "dashboard after a recovery code, few left",
    path: "/dashboard",
    status: 200,
    twoFactor: "signedIn",
    prepare: withFlash("recovery_code_used.2"),
  },
  {
    name: "settings: sessions, two-factor verified and one waiting for a code",
    path: "/settings/sessions",
    status: 200,
    twoFactor: "signedIn",
  },
  { name: "dashboard", path: "/dashboard", status: 200, signedIn: true },
  // A Free account on a page its plan does not include: the upgrade message.
  { name: "pro page, upgrade", path: "/pro", status: 403, signedIn: true },
  {
    name: "pro page, on the Pro plan",
    path: "/pro",
    status: 200,
    signedIn: true,
    billing: "active",
  },
  {
    name: "settings: billing, address not confirmed",
    path: "/settings/billing",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: billing, free",
    path: "/settings/billing",
    status: 200,
    signedIn: true,
    billing: "free",
  },
  {
    name: "settings: billing, back from checkout",
    path: "/settings/billing?checkout=done",
    status: 200,
    signedIn: true,
    billing: "free",
  },
  {
    name: "settings: billing, active",
    path: "/settings/billing",
    status: 200,
    signedIn: true,
    billing: "active",
  },
  {
    name: "settings: billing, canceling",
    path: "/settings/billing",
    status: 200,
    signedIn: true,
    billing: "canceling",
  },
  {
    name: "settings: billing, past due (and the banner)",
    path: "/settings/billing",
    status: 200,
    signedIn: true,
    billing: "past_due",
  },
  {
    name: "dashboard, past due (the banner), phone menu open",
    path: "/dashboard",
    status: 200,
    signedIn: true,
    billing: "past_due",
    prepare: openPhoneMenu,
  },
  {
    name: "dashboard, phone menu open",
    path: "/dashboard",
    status: 200,
    signedIn: true,
    prepare: openPhoneMenu,
  },
  { name: "settings: account", path: "/settings", status: 200, signedIn: true },
  {
    name: "settings: security",
    path: "/settings/security",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: sessions",
    path: "/settings/sessions",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: sessions after signing out the others",
    path: "/settings/sessions",
    status: 200,
    signedIn: true,
    prepare: withFlash("others_ended.2"),
  },
  {
    name: "settings: activity",
    path: "/settings/activity",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: preferences",
    path: "/settings/preferences",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: preferences saved",
    path: "/settings/preferences",
    status: 200,
    signedIn: true,
    prepare: withFlash("preferences_saved"),
  },
  {
    name: "settings: your data",
    path: "/settings/data",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: delete account",
    path: "/settings/delete",
    status: 200,
    signedIn: true,
    recent: true,
  },
  {
    name: "confirm access",
    path: "/confirm-access?next=%2Fsettings%2Femail",
    status: 200,
    signedIn: true,
  },
  {
    name: "confirm access, two-factor",
    path: "/confirm-access?next=%2Fsettings%2Fpassword",
    status: 200,
    twoFactor: "signedIn",
  },
  {
    name: "confirm access, two-factor, a recovery code left out",
    path: "/confirm-access?next=%2Fsettings%2Fpassword&method=recovery",
    status: 200,
    twoFactor: "signedIn",
    async prepare(page) {
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Confirm" }).click();
      await page.locator("#recoveryCode-error").waitFor();
    },
  },
  {
    name: "confirm access, a wrong password",
    path: "/confirm-access?next=%2Fsettings%2Femail",
    status: 200,
    signedIn: true,
    async prepare(page) {
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Confirm" }).click();
      await page.locator("#password-error").waitFor();
    },
  },
  {
    name: "connected accounts: none connected",
    path: "/settings/connections",
    status: 200,
    signedIn: true,
    recent: true,
  },
  {
    name: "connected accounts: disconnected",
    path: "/settings/connections",
    status: 200,
    signedIn: true,
    recent: true,
    prepare: withFlash("oauth_disconnected.0"),
  },
  {
    name: "connected accounts: GitHub connected",
    path: "/settings/connections",
    status: 200,
    connections: "connected",
  },
  {
    name: "connected accounts: the last way to sign in",
    path: "/settings/connections",
    status: 200,
    connections: "last_method",
  },
  {
    name: "connected accounts: the last way to sign in, refused",
    path: "/settings/connections",
    status: 200,
    connections: "last_method",
    async prepare(page) {
      await page.getByRole("button", { name: /^Disconnect / }).click();
      await page.getByRole("alert").waitFor();
    },
  },
  {
    name: "confirm access, no password: continue with a provider",
    path: "/confirm-access?next=%2Fsettings%2Fconnections",
    status: 200,
    connections: "last_method",
  },
  {
    name: "this wasn't me: confirm",
    path: "/account/not-me?token=",
    status: 200,
  },
  {
    name: "this wasn't me: a used link",
    path: "/account/not-me?token=used",
    status: 400,
  },
  {
    name: "this wasn't me: done",
    path: "/account/not-me?done",
    status: 200,
    prepare: withFlash("not_me_done.2"),
  },
  {
    name: "forgot password",
    path: "/forgot-password",
    status: 200,
  },
  {
    name: "forgot password with errors",
    path: "/forgot-password",
    status: 200,
    async prepare(page) {
      await page.getByLabel("Email").fill("not an address");
      await page.getByRole("button", { name: "Send the link" }).click();
      await page.locator("#email-error").waitFor();
    },
  },
  {
    name: "forgot password: link sent",
    path: "/forgot-password",
    status: 200,
    async prepare(page) {
      await page.getByLabel("Email").fill(uniqueEmail("a11y-forgot"));
      await page.getByRole("button", { name: "Send the link" }).click();
      await page.getByTestId("reset-sent").waitFor();
    },
  },
  {
    name: "reset password: the link's form",
    path: "/reset-password?token=",
    status: 200,
    link: "reset",
  },
  {
    name: "reset password: a refused new password",
    path: "/reset-password?token=",
    status: 200,
    link: "reset",
    async prepare(page) {
      await page.getByLabel("New password").fill("short");
      await page.getByRole("button", { name: "Set the new password" }).click();
      await page.locator("#password-error").waitFor();
    },
  },
  {
    name: "reset password: a link that does not work",
    path: `/reset-password?token=${"A".repeat(43)}`,
    status: 400,
  },
  {
    name: "sign-in after a password reset",
    path: "/login",
    status: 200,
    prepare: withFlash("password_reset"),
  },
  {
    name: "confirm email change: the link's page",
    path: "/confirm-email-change?token=",
    status: 200,
    link: "confirm",
  },
  {
    name: "confirm email change: done",
    path: "/confirm-email-change?token=",
    status: 200,
    link: "confirm",
    async prepare(page) {
      await page.getByRole("button", { name: "Confirm this address" }).click();
      await page.getByTestId("email-change-done").waitFor();
    },
  },
  {
    name: "confirm email change: a link that does not work",
    path: `/confirm-email-change?token=${"A".repeat(43)}`,
    status: 400,
  },
  {
    name: "undo email change: the link's page",
    path: "/undo-email-change?token=",
    status: 200,
    link: "undo",
  },
  {
    name: "undo email change: done",
    path: "/undo-email-change?token=",
    status: 200,
    link: "undo",
    async prepare(page) {
      await page.getByRole("button", { name: "Put my old address back" })
        .click();
      await page.getByTestId("email-change-done").waitFor();
    },
  },
  {
    name: "undo email change: a link that does not work",
    path: "/undo-email-change?token=bad",
    status: 400,
  },
  {
    name: "settings: change password",
    path: "/settings/password",
    status: 200,
    signedIn: true,
    recent: true,
  },
  {
    name: "settings: change password with errors",
    path: "/settings/password",
    status: 200,
    signedIn: true,
    recent: true,
    async prepare(page) {
      await page.getByRole("button", { name: "Change password" }).click();
      await page.locator("#currentPassword-error").waitFor();
    },
  },
  {
    name: "settings: security after changing the password",
    path: "/settings/security",
    status: 200,
    signedIn: true,
    prepare: withFlash("password_changed.1"),
  },
  {
    name: "settings: change email",
    path: "/settings/email",
    status: 200,
    signedIn: true,
    recent: true,
  },
  {
    name: "settings: change email with errors",
    path: "/settings/email",
    status: 200,
    signedIn: true,
    recent: true,
    async prepare(page) {
      await page.getByLabel("New email address").fill("not an address");
      await page.getByRole("button", { name: "Send the confirmation link" })
        .click();
      await page.locator("#email-error").waitFor();
    },
  },
  {
    name: "settings: account after asking to change the email",
    path: "/settings",
    status: 200,
    signedIn: true,
    prepare: withFlash("email_change_sent"),
  },
  {
    name: "settings: two-factor, off",
    path: "/settings/two-factor",
    status: 200,
    signedIn: true,
  },
  {
    name: "settings: two-factor, setting up",
    path: "/settings/two-factor",
    status: 200,
    signedIn: true,
    async prepare(page) {
      await page.getByRole("button", { name: "Set up two-factor" }).click();
      await page.getByTestId("totp-key").waitFor();
    },
  },
  {
    name: "settings: two-factor, a wrong code",
    path: "/settings/two-factor",
    status: 200,
    signedIn: true,
    async prepare(page) {
      await page.getByRole("button", { name: "Set up two-factor" }).click();
      await page.getByLabel("6-digit code from the app").fill("12345");
      await page.getByRole("button", { name: "Turn on two-factor" }).click();
      await page.locator("#two-factor-code-error").waitFor();
    },
  },
  {
    name: "settings: two-factor, just turned on (recovery codes)",
    path: "/settings/two-factor",
    status: 200,
    own: "off",
    async prepare(page) {
      await page.getByRole("button", { name: "Set up two-factor" }).click();
      const key = await page.getByTestId("totp-key").textContent() ?? "";
      await page.getByLabel("6-digit code from the app").fill(
        codeFor(secretFromKeyText(key)),
      );
      await page.getByRole("button", { name: "Turn on two-factor" }).click();
      await page.getByTestId("recovery-codes").waitFor();
    },
  },
  {
    name: "settings: two-factor, on",
    path: "/settings/two-factor",
    status: 200,
    own: "on",
  },
  {
    name: "settings: two-factor, new recovery codes",
    path: "/settings/two-factor",
    status: 200,
    own: "on",
    async prepare(page) {
      await page.getByRole("button", { name: "Make new recovery codes" })
        .click();
      await page.getByTestId("recovery-codes").waitFor();
    },
  },
  {
    name: "settings: two-factor, turned off",
    path: "/settings/two-factor",
    status: 200,
    signedIn: true,
    prepare: withFlash("two_factor_disabled"),
  },
  {
    name: "sign-in after deleting the account",
    path: "/login",
    status: 200,
    prepare: withFlash("account_deleted"),
  },
];

type LinkKind = "reset" | "confirm" | "undo";

/**
 * A live link token of `kind` for an account of its own (a confirm or an
 * undo pressed by the audit changes that account, not the signed-in one):
 * stored as the app stores it, so each visit can use its own.
 */
async function liveToken(app: AuthApp, kind: LinkKind): Promise<string> {
  const email = uniqueEmail("a11y-link");
  const owner = new Client(app);
  await owner.register(email);
  const userId = (await owner.get("/api/auth/me")).json.user.id;
  const token = generateEmailToken();
  const hash = hashEmailToken(token);
  const now = Date.now();
  const db = await app.openDb();
  try {
    if (kind === "reset") {
      await insertPasswordResetToken(db, hash, {
        userId,
        createdAt: now,
        expiresAt: now + 3_600_000,
      });
    } else {
      // Confirm: from the account's address to a free one. Undo: back to
      // a free old address from the one the account has now.
      const other = uniqueEmail("a11y-other");
      await insertEmailChangeToken(db, hash, {
        userId,
        purpose: kind,
        oldEmail: kind === "confirm" ? email : other,
        newEmail: kind === "confirm" ? other : email,
        createdAt: now,
        expiresAt: now + 86_400_000,
      });
    }
  } finally {
    await db.close();
  }
  return token;
}

/** Reloads the page with a flash notice to show (as after an action). */
function withFlash(value: string): (page: Page) => Promise<void> {
  return async (page) => {
    await page.context().addCookies([
      { name: "flash", value, url: page.url() },
    ]);
    await page.reload();
    // The notice (a page may also hold an empty live region, for later).
    await page.getByRole("status").filter({ hasText: /\S/ }).waitFor();
  };
}

/** `name=value` as a browser cookie. */
function cookieOf(pair: string): { name: string; value: string } {
  const [name, value] = pair.split("=", 2);
  return { name, value };
}

/** A signed-in account as the audits use it. */
type SignedInUser = Awaited<ReturnType<typeof signedInUser>>;

/** A user with two sessions: this browser's, and one on another device. */
async function signedInUser(app: AuthApp) {
  const me = new Client(app, { userAgent: BROWSER_UA });
  const email = uniqueEmail("a11y");
  await me.register(email);
  await new Client(app, { userAgent: FIREFOX_UA }).login(email);
  const [name, value] = me.cookie!.split("=", 2);
  // A live "this wasn't me" token, as a security notice would carry.
  const userId = (await me.get("/api/auth/me")).json.user.id;
  const db = await app.openDb();
  let notMeToken: string;
  try {
    notMeToken = await issueNotMeToken(db, userId, "auth.sign_in");
  } finally {
    await db.close();
  }
  return {
    client: me,
    cookie: { name, value },
    notMeToken,
    /** When the session last proved who is using it (signed in, confirmed). */
    provedAt: Date.now(),
  };
}

/**
 * Confirms access again through the API when the last proof is more than
 * 5 minutes old, so a sensitive page opens itself rather than the
 * confirm-access page (audited on its own).
 */
async function keepRecent(user: Awaited<ReturnType<typeof signedInUser>>) {
  if (Date.now() - user.provedAt < 5 * 60_000) return;
  const proved = await user.client.post("/api/auth/confirm-access", {
    json: { password: PASSWORD },
  });
  strictEqual(proved.status, 200, proved.text);
  user.provedAt = Date.now();
}

/**
 * An account of its own for one visit (see `Target.own`), wearing
 * `theme`, with two-factor turned on through the API when asked: its
 * session cookie.
 */
async function ownUser(
  app: AuthApp,
  state: "off" | "on",
  theme: Theme,
): Promise<{ name: string; value: string }> {
  const me = new Client(app, { userAgent: BROWSER_UA });
  await me.register(uniqueEmail("a11y-own"));
  const stored = await me.post("/api/account/preferences", {
    json: { theme },
  });
  strictEqual(stored.status, 200, stored.text);
  if (state === "on") {
    const userId = (await me.get("/api/auth/me")).json.user.id;
    const setup = await me.post("/api/account/two-factor/setup");
    strictEqual(setup.status, 200, setup.text);
    const secret = await storedSecret(app, userId);
    const on = await me.post("/api/account/two-factor/enable", {
      json: { code: codeFor(secret) },
    });
    strictEqual(on.status, 200, on.text);
  }
  const [name, value] = me.cookie!.split("=", 2);
  return { name, value };
}

type ConnectionsKind = "connected" | "last_method";

const connectionsMade = new WeakMap<
  AuthApp,
  Map<ConnectionsKind, Promise<Client>>
>();

/**
 * The account of a Connected accounts target, wearing `theme`: its
 * session cookie. Made through the providers' real flows at its first
 * visit and kept for the next (a provider account connects to one Islet
 * account only): `connected` signs up with a password and connects
 * GitHub; `last_method` signs up through Acme SSO.
 */
async function connectionsUser(
  app: AuthApp,
  kind: ConnectionsKind,
  theme: Theme,
): Promise<{ name: string; value: string }> {
  let made = connectionsMade.get(app);
  if (made === undefined) connectionsMade.set(app, made = new Map());
  let client = made.get(kind);
  if (client === undefined) {
    client = (async () => {
      const c = new FlowClient(app, { userAgent: BROWSER_UA });
      if (kind === "connected") await c.register(uniqueEmail("a11y-conn"));
      const done = kind === "connected"
        ? await c.flowThrough(
          "/oauth/github?intent=link",
          driveGitHub,
          "alice",
          { headers: { "sec-fetch-site": "same-origin" } },
        )
        : await c.flowThrough("/oauth/acme", driveOidc, "alice");
      strictEqual(done.status, 303, done.text);
      return c;
    })();
    made.set(kind, client);
  }
  const c = await client;
  const stored = await c.post("/api/account/preferences", { json: { theme } });
  strictEqual(stored.status, 200, stored.text);
  const [name, value] = c.cookie!.split("=", 2);
  return { name, value };
}

/** The session a visit to `target` carries, if any (the theme stored with it). */
async function sessionFor(
  app: AuthApp,
  target: Target,
  theme: Theme,
  user: Awaited<ReturnType<typeof signedInUser>>,
): Promise<{ name: string; value: string } | undefined> {
  if (target.own) return await ownUser(app, target.own, theme);
  if (target.connections) {
    return await connectionsUser(app, target.connections, theme);
  }
  if (!target.signedIn) return undefined;
  // Signed-in pages wear the theme stored with the account.
  const stored = await user.client.post("/api/account/preferences", {
    json: { theme },
  });
  strictEqual(stored.status, 200, stored.text);
  return user.cookie;
}

/**
 * The signed-in account a target is audited as: the shared one, or one
 * made once per billing state (`target.billing`).
 */
function accounts(app: AuthApp, stripe: StripeStandin, user: SignedInUser) {
  const made = new Map<BillingKind, SignedInUser>();
  return async (target: Target): Promise<SignedInUser> => {
    if (target.billing === undefined) return user;
    let account = made.get(target.billing);
    if (account === undefined) {
      const { client } = await billingAccount(app, stripe, target.billing, {
        userAgent: BROWSER_UA,
      });
      const [name, value] = client.cookie!.split("=", 2);
      account = { ...user, client, cookie: { name, value } };
      made.set(target.billing, account);
    }
    return account;
  };
}

Deno.test("axe-core: no WCAG 2.1 A/AA or best-practice violation on any page, light and dark", async (t) => {
  // Two-factor works: the test process's ENCRYPTION_KEY (helpers/server.ts).
  const stripe = await StripeStandin.start();
  const oauth = await startOAuthStandins();
  const app = await startServedApp({
    env: { ...stripe.env(), ...oauth.env() },
  });
  oauth.registerApp(app.origin);
  // The app's origin (APP_URL's default): the origin check needs the
  // browser there.
  const base = app.origin;
  const browser = await launchBrowser();
  try {
    const account = accounts(app, stripe, await signedInUser(app));
    const guarded = await twoFactorAccount(app);
    const guardedClient = await guarded.signedIn({ userAgent: BROWSER_UA });
    const [guardedName, guardedValue] = guardedClient.cookie!.split("=", 2);
    for (const target of TARGETS) {
      for (const theme of THEMES) {
        await t.step(`${target.name} (${target.path}), ${theme}`, async () => {
          const user = await account(target);
          // Signed-in pages wear the theme stored with the account.
          if (
            !target.own && target.signedIn || target.twoFactor === "signedIn"
          ) {
            const client = target.signedIn ? user.client : guardedClient;
            const stored = await client.post("/api/account/preferences", {
              json: { theme },
            });
            strictEqual(stored.status, 200, stored.text);
          }
          if (target.recent) await keepRecent(user);
          // A sign-in waiting for its code: this browser's, or another's.
          const waiting = target.twoFactor
            ? await pendingClient(app, guarded, { userAgent: FIREFOX_UA })
            : null;
          const { context, page, consoleErrors } = await auditPage(
            browser,
            base,
            theme,
            target.own
              ? await ownUser(app, target.own, theme)
              : target.connections
              ? await connectionsUser(app, target.connections, theme)
              : target.signedIn
              ? user.cookie
              : target.twoFactor === "signedIn"
              ? { name: guardedName, value: guardedValue }
              : waiting
              ? cookieOf(waiting.cookie!)
              : undefined,
          );
          try {
            const path = target.path === "/account/not-me?token="
              ? target.path + user.notMeToken
              : target.link
              ? target.path + await liveToken(app, target.link)
              : target.path;
            const res = await page.goto(base + path);
            strictEqual(res?.status(), target.status);
            strictEqual(
              new URL(page.url()).pathname,
              target.path.split("?")[0],
            );
            await page.waitForLoadState("networkidle");
            strictEqual(await page.getAttribute("html", "data-theme"), theme);
            await target.prepare?.(page);
            const { violations } = await runAxe(page);
            ok(
              violations.length === 0,
              `${violations.length} axe violation(s) on ${target.path} ` +
                `(${theme}):\n${formatViolations(violations)}`,
            );
            deepStrictEqual(
              // A page answered with its own status (403: a plan gate) is logged
              // by Chromium as a failed load; that is not a script error.
              // 409: a refusal shown on its form's page (the last way to sign in).
              consoleErrors.filter((e) => !/status of 40[01349]/.test(e)),
              [],
            );
          } finally {
            await context.close();
          }
        });
      }
    }
  } finally {
    await browser.close();
    await app.stop();
    await stripe.close();
    await oauth.stop();
  }
});

/** Colour helpers installed in the page (see {@linkcode colourTools}). */
interface ColourTools {
  /** WCAG contrast ratio of two CSS colours (any syntax, e.g. oklch). */
  contrast(a: string, b: string): number;
  /** The opaque background colour behind an element (from its ancestors). */
  backdrop(el: Element): string;
}

/**
 * Runs in the page before its own scripts: colours are resolved to sRGB
 * through a canvas, so any CSS colour syntax works (Tailwind 4 uses oklch).
 */
function colourTools(): void {
  const ctx = document.createElement("canvas").getContext("2d", {
    willReadFrequently: true,
  })!;
  const rgba = (color: string): number[] => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    return [...ctx.getImageData(0, 0, 1, 1).data];
  };
  const luminance = (color: string): number => {
    const [r, g, b] = rgba(color).map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const tools: ColourTools = {
    contrast(a, b) {
      const [x, y] = [luminance(a), luminance(b)];
      const ratio = (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
      return Math.round(ratio * 100) / 100;
    },
    backdrop(el) {
      for (let n = el.parentElement; n; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor;
        if (rgba(bg)[3] === 255) return bg;
      }
      return "#fff";
    },
  };
  Object.assign(globalThis, { isletColours: tools });
}

/** What the focused element is and how its focus shows. */
interface Focused {
  tag: string;
  id: string;
  /** Text, or accessible label, to name the element in messages. */
  name: string;
  href: string | null;
  visible: boolean;
  /** The outline or box-shadow, "none" when there is neither. */
  indicator: string;
  /** Contrast of the indicator's colour against the background behind, or 0. */
  contrast: number;
}

/** Reads `document.activeElement` and its focus indicator. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const tools = (globalThis as unknown as { isletColours: ColourTools })
      .isletColours;
    const el = document.activeElement ?? document.body;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" &&
      parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== "none";
    const color = outline ? style.outlineColor : shadow
      ? style.boxShadow.match(
        /(?:rgba?|oklch|oklab|lab|lch|hsla?|color)\([^)]*\)|#[0-9a-f]+/i,
      )?.[0]
      : undefined;
    const rect = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim() ||
        el.outerHTML.slice(0, 80),
      href: el.getAttribute("href"),
      visible: rect.width > 1 && rect.height > 1 && rect.bottom > 0 &&
        rect.right > 0 && style.visibility !== "hidden",
      indicator: outline
        ? `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`
        : shadow
        ? `box-shadow ${style.boxShadow}`
        : "none",
      contrast: color ? tools.contrast(color, tools.backdrop(el)) : 0,
    };
  });
}

function assertFocusVisible(f: Focused, what: string): void {
  ok(f.visible, `${what} is on screen while focused`);
  ok(f.indicator !== "none", `${what} shows a focus indicator`);
  ok(
    f.contrast >= 3,
    `${what}'s focus indicator (${f.indicator}) contrasts ${f.contrast}:1 ` +
      "with the background, under 3:1",
  );
}

/** A context with the theme cookie (and session) set and the colour tools in. */
async function themedPage(
  browser: Browser,
  base: string,
  theme: Theme,
  sessionCookie?: { name: string; value: string },
) {
  const context = await browser.newContext({ userAgent: BROWSER_UA });
  const cookies: { name: string; value: string; url: string }[] = [
    { name: "theme", value: theme, url: base },
  ];
  if (sessionCookie) cookies.push({ ...sessionCookie, url: base });
  await context.addCookies(cookies);
  await context.addInitScript(colourTools);
  return { context, ...trackErrors(await context.newPage()) };
}

Deno.test("Chromium: sign in with the keyboard alone, skip link first, focus always visible, light and dark", async (t) => {
  const app = await startServedApp();
  const base = app.origin;
  const browser = await launchBrowser();
  try {
    for (const theme of THEMES) {
      await t.step(theme, async () => {
        const email = uniqueEmail("keys");
        await new Client(app).register(email);
        const { context, page, consoleErrors, cspViolations } =
          await themedPage(browser, base, theme);
        try {
          await page.goto(`${base}/login`);
          await page.waitForLoadState("networkidle");
          const { keyboard } = page;

          await keyboard.press("Tab");
          let f = await focused(page);
          strictEqual(f.tag, "a", "the first Tab stop is a link");
          strictEqual(f.href, "#main");
          strictEqual(f.name, "Skip to content");
          assertFocusVisible(f, "the skip link");

          await keyboard.press("Enter");
          // <main tabindex="-1">: following the link moves focus there.
          await page.waitForFunction(
            () => document.activeElement?.id === "main",
            undefined,
            { timeout: 5_000 },
          ).catch(async () => {
            const f = await focused(page);
            throw new Error(
              `the skip link left focus on ${f.tag}#${f.id}, not on #main`,
            );
          });
          strictEqual(new URL(page.url()).hash, "#main");

          await keyboard.press("Tab");
          f = await focused(page);
          strictEqual(f.id, "login-email", "Tab after the skip reaches Email");
          assertFocusVisible(f, "the email field");
          await keyboard.type(email);

          await keyboard.press("Tab");
          f = await focused(page);
          strictEqual(f.id, "login-password");
          assertFocusVisible(f, "the password field");
          await keyboard.type(PASSWORD);

          await keyboard.press("Tab");
          f = await focused(page);
          strictEqual(f.tag, "button");
          strictEqual(f.name, "Sign in");
          assertFocusVisible(f, "the submit button");

          await keyboard.press("Enter");
          await page.waitForURL(`${base}/dashboard`);
          strictEqual(
            await page.getByTestId("account-email").textContent(),
            email,
          );
          deepStrictEqual(consoleErrors, []);
          deepStrictEqual(cspViolations, []);
        } finally {
          await context.close();
        }
      });
    }
  } finally {
    await browser.close();
    await app.stop();
  }
});

Deno.test("Chromium: every Tab stop on every page shows a focus indicator, every text field a visible edge, light and dark", async (t) => {
  const stripe = await StripeStandin.start();
  const oauth = await startOAuthStandins();
  const app = await startServedApp({
    env: { ...stripe.env(), ...oauth.env() },
  });
  oauth.registerApp(app.origin);
  const base = app.origin;
  const browser = await launchBrowser();
  try {
    const account = accounts(app, stripe, await signedInUser(app));
    const pages = TARGETS.filter((p) => !p.prepare && !p.path.includes("?"));
    for (const target of pages) {
      for (const theme of THEMES) {
        await t.step(`${target.name} (${target.path}), ${theme}`, async () => {
          const user = await account(target);
          const { context, page } = await themedPage(
            browser,
            base,
            theme,
            await sessionFor(app, target, theme, user),
          );
          try {
            await page.goto(base + target.path);
            await page.waitForLoadState("networkidle");

            // A text field's border is all that shows where it is (1.4.11).
            const edges = await page.evaluate(() => {
              const tools =
                (globalThis as unknown as { isletColours: ColourTools })
                  .isletColours;
              return [...document.querySelectorAll("input")]
                .filter((i) => i.type !== "hidden")
                .map((i) => ({
                  id: i.id,
                  contrast: tools.contrast(
                    getComputedStyle(i).borderTopColor,
                    tools.backdrop(i),
                  ),
                }));
            });
            for (const { id, contrast } of edges) {
              ok(contrast >= 3, `#${id}'s border contrasts ${contrast}:1`);
            }

            const seen: string[] = [];
            for (let i = 0; i < 50; i++) {
              await page.keyboard.press("Tab");
              const f = await focused(page);
              if (f.tag === "body" || (i > 0 && f.href === "#main")) break;
              const what = `Tab stop ${i + 1} (${f.tag} "${f.name}")`;
              seen.push(f.name);
              assertFocusVisible(f, what);
            }
            ok(seen.length >= 8, `Tab went through ${seen.join(", ")}`);
          } finally {
            await context.close();
          }
        });
      }
    }
  } finally {
    await browser.close();
    await app.stop();
    await stripe.close();
    await oauth.stop();
  }
});
