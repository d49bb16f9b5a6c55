import {
  deepStrictEqual,
  match,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  ConfigError,
  DEFAULT_MAIL_FROM,
  isMailbox,
  loadConfig,
  localOrigins,
  originPolicy,
} from "./config.ts";
import { newKeyText, parseKey } from "./security/encryption.ts";

Deno.test("loadConfig runs on no configuration at all", () => {
  const config = loadConfig({});
  strictEqual(config.hostname, "127.0.0.1");
  strictEqual(config.port, 8000);
  strictEqual(config.appUrl.href, "http://localhost:8000/");
});

Deno.test("loadConfig lists every invalid setting in one error", () => {
  try {
    loadConfig({
      PORT: "eighty",
      HOSTNAME: "bad host!",
      APP_URL: "ftp://x",
    });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deepStrictEqual(err.problems.map((p) => p.split(" ")[0]), [
      "HOSTNAME",
      "PORT",
      "APP_URL",
    ]);
    strictEqual(err.message.includes("3 problems"), true);
  }
});

Deno.test("loadConfig refuses an APP_URL with a path", () => {
  throws(() => loadConfig({ APP_URL: "https://example.com/app" }), ConfigError);
  strictEqual(
    loadConfig({ APP_URL: "https://example.com" }).appUrl.origin,
    "https://example.com",
  );
});

Deno.test("loadConfig keeps secrets out of its messages", () => {
  try {
    loadConfig({ REDIS_URL: "http://user:hunter2@redis.internal:6379" });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    strictEqual(err.message.includes("hunter2"), false);
    strictEqual(err.message.includes("REDIS_URL"), true);
  }
});

Deno.test("loadConfig reads session settings and refuses an idle timeout past the lifetime", () => {
  const c = loadConfig({
    SESSION_DURATION_DAYS: "7",
    INACTIVITY_TIMEOUT_DAYS: "2",
    SESSION_BIND_USER_AGENT: "true",
  });
  deepStrictEqual(c.session, {
    durationDays: 7,
    inactivityTimeoutDays: 2,
    bindUserAgent: true,
  });
  throws(
    () =>
      loadConfig({ SESSION_DURATION_DAYS: "3", INACTIVITY_TIMEOUT_DAYS: "10" }),
    ConfigError,
  );
  strictEqual(
    loadConfig({ APP_URL: "https://islet.example" }).secureCookies,
    true,
  );
  strictEqual(loadConfig({}).secureCookies, false);
  strictEqual(loadConfig({}).rateLimits, true);
});

Deno.test("origins: without APP_URL, every local address of the port and nothing else", () => {
  deepStrictEqual(loadConfig({}).origins, [
    "http://127.0.0.1:8000",
    "http://localhost:8000",
    "http://[::1]:8000",
  ]);
  deepStrictEqual(loadConfig({ PORT: "9123" }).origins, [
    "http://127.0.0.1:9123",
    "http://localhost:9123",
    "http://[::1]:9123",
  ]);
  // A wildcard listen address is what the server prints, so it is accepted too.
  deepStrictEqual(loadConfig({ HOSTNAME: "0.0.0.0" }).origins, [
    "http://0.0.0.0:8000",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
    "http://[::1]:8000",
  ]);
  deepStrictEqual(loadConfig({ HOSTNAME: "::" }).origins, [
    "http://[::]:8000",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
    "http://[::1]:8000",
  ]);
  // A concrete name, in the spelling browsers send (lower case).
  deepStrictEqual(loadConfig({ HOSTNAME: "Devbox.LAN", PORT: "80" }).origins, [
    "http://devbox.lan",
    "http://localhost",
    "http://127.0.0.1",
    "http://[::1]",
  ]);
  deepStrictEqual(loadConfig({ HOSTNAME: "localhost" }).origins, [
    "http://localhost:8000",
    "http://127.0.0.1:8000",
    "http://[::1]:8000",
  ]);
  // The APP_URL default keeps cookies plain-http and names localhost.
  const config = loadConfig({});
  strictEqual(config.secureCookies, false);
  strictEqual(config.appUrl.origin, "http://localhost:8000");
});

Deno.test("origins: with APP_URL, only its origin", () => {
  const config = loadConfig({ APP_URL: "https://app.example.com" });
  deepStrictEqual(config.origins, ["https://app.example.com"]);
  strictEqual(config.secureCookies, true);
  deepStrictEqual(
    loadConfig({ APP_URL: "http://localhost:3000", PORT: "3000" }).origins,
    ["http://localhost:3000"],
  );
  // Empty means unset, as for every setting.
  strictEqual(loadConfig({ APP_URL: " " }).origins.length, 3);
});

Deno.test("localOrigins: never an origin of another port or host", () => {
  for (const origin of localOrigins("127.0.0.1", 8000)) {
    const url = new URL(origin);
    strictEqual(url.port, "8000");
    strictEqual(url.protocol, "http:");
    strictEqual(url.origin, origin);
  }
});

Deno.test("originPolicy: APP_URL alone when set; local names on the request's own port when not", () => {
  const at = (href: string) => ({ url: new URL(href) });
  const local = originPolicy(loadConfig({}));
  strictEqual(
    local("http://127.0.0.1:8000", at("http://127.0.0.1:8000/x")),
    true,
  );
  strictEqual(
    local("http://localhost:8000", at("http://127.0.0.1:8000/x")),
    true,
  );
  // The dev server on the next free port: the page and the request agree.
  strictEqual(
    local("http://localhost:8001", at("http://localhost:8001/x")),
    true,
  );
  strictEqual(local("http://[::1]:8003", at("http://[::1]:8003/x")), true);
  // Another local port than the request's: another app, refused.
  strictEqual(
    local("http://localhost:9999", at("http://localhost:8001/x")),
    false,
  );
  strictEqual(
    local("http://localhost:8001", at("http://localhost:8002/x")),
    false,
  );
  // A name that only resolves here (DNS rebinding) or any remote site.
  strictEqual(
    local("http://evil.example:8001", at("http://evil.example:8001/x")),
    false,
  );
  strictEqual(
    local("https://evil.example", at("http://127.0.0.1:8000/x")),
    false,
  );
  strictEqual(
    local("https://localhost:8001", at("https://localhost:8001/x")),
    false,
  );
  strictEqual(local("null", at("http://127.0.0.1:8000/x")), false);

  const set = originPolicy(loadConfig({ APP_URL: "https://app.example.com" }));
  strictEqual(
    set("https://app.example.com", at("http://127.0.0.1:8000/x")),
    true,
  );
  strictEqual(
    set("http://127.0.0.1:8000", at("http://127.0.0.1:8000/x")),
    false,
  );
  strictEqual(
    set("http://localhost:8000", at("http://localhost:8000/x")),
    false,
  );
});

Deno.test("loadConfig: password hashing bounds default to cores − 1 and 32, and are validated", () => {
  const defaults = loadConfig({});
  strictEqual(
    defaults.passwordHashing.concurrency,
    Math.max(1, navigator.hardwareConcurrency - 1),
  );
  strictEqual(defaults.passwordHashing.maxQueued, 32);
  const set = loadConfig({
    PASSWORD_HASH_THREADS: "3",
    PASSWORD_HASH_QUEUE: "0",
  });
  deepStrictEqual(set.passwordHashing, { concurrency: 3, maxQueued: 0 });
  try {
    loadConfig({ PASSWORD_HASH_THREADS: "0", PASSWORD_HASH_QUEUE: "-1" });
    throw new Error("expected a ConfigError");
  } catch (err) {
    ok(err instanceof ConfigError);
    strictEqual(err.problems.length, 2);
    match(err.problems.join("\n"), /PASSWORD_HASH_THREADS/);
    match(err.problems.join("\n"), /PASSWORD_HASH_QUEUE/);
  }
});

Deno.test("mail settings: the outbox with no configuration, SMTP with SMTP_URL", () => {
  deepStrictEqual(loadConfig({}).mail, {
    smtpUrl: undefined,
    from: DEFAULT_MAIL_FROM,
    outboxDir: "data/outbox",
  });
  const config = loadConfig({
    SMTP_URL: "smtps://islet:pw@mail.example:465",
    MAIL_FROM: "Islet <hello@islet.example>",
    MAIL_OUTBOX_DIR: "/var/lib/islet/outbox",
  });
  deepStrictEqual(config.mail, {
    smtpUrl: "smtps://islet:pw@mail.example:465",
    from: "Islet <hello@islet.example>",
    outboxDir: "/var/lib/islet/outbox",
  });
  strictEqual(
    loadConfig({ SMTP_URL: "smtp://127.0.0.1:2525" }).mail.smtpUrl,
    "smtp://127.0.0.1:2525",
  );
});

Deno.test("mail settings: a bad SMTP_URL or MAIL_FROM is refused, the URL never echoed", () => {
  try {
    loadConfig({
      SMTP_URL: "https://user:hunter2@mail.example",
      MAIL_FROM: "Islet <no-reply@islet.example>\r\nBcc: eve@example.com",
    });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deepStrictEqual(err.problems.map((p) => p.split(" ")[0]), [
      "SMTP_URL",
      "MAIL_FROM",
    ]);
    strictEqual(err.message.includes("hunter2"), false);
  }
  throws(() => loadConfig({ SMTP_URL: "not a url" }), ConfigError);
});

Deno.test("MAIL_FROM is an address or a name and an address, nothing that could add a header", () => {
  for (
    const ok of [
      "no-reply@islet.example",
      "Islet <no-reply@islet.example>",
      "Islet Mail <no-reply@localhost>",
      DEFAULT_MAIL_FROM,
    ]
  ) {
    strictEqual(isMailbox(ok), true, ok);
  }
  for (
    const bad of [
      "Islet",
      "Islet <no-reply>",
      "a@b.example, c@d.example",
      "Islet <a@b.example>\nBcc: c@d.example",
      "Islet\r\n <a@b.example>",
      '"Islet" <a@b.example>',
      "<a@b.example> trailing",
    ]
  ) {
    strictEqual(isMailbox(bad), false, bad);
  }
});

Deno.test("encryption keys: ENCRYPTION_KEY and ENCRYPTION_KEY_PREVIOUS are 32 bytes of base64; unset is no key", () => {
  const none = loadConfig({});
  strictEqual(none.encryption.key, undefined);
  deepStrictEqual(none.encryption.previous, []);
  const a = newKeyText();
  const b = newKeyText();
  const c = newKeyText();
  const config = loadConfig({
    ENCRYPTION_KEY: a,
    ENCRYPTION_KEY_PREVIOUS: ` ${b} , ${
      c.replaceAll("+", "-").replaceAll("/", "_")
    }`,
  });
  deepStrictEqual(config.encryption.key, parseKey(a));
  deepStrictEqual(config.encryption.previous, [parseKey(b), parseKey(c)]);
});

Deno.test("encryption keys: a wrong length or a non-base64 key is named with what is wrong, never echoed, with the other problems", () => {
  const short = btoa("sixteen byte key");
  const notBase64 = "correct horse battery staple!";
  try {
    loadConfig({
      PORT: "eighty",
      ENCRYPTION_KEY: short,
      ENCRYPTION_KEY_PREVIOUS: `${newKeyText()},${notBase64}`,
    });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deepStrictEqual(err.problems.map((p) => p.split(" ")[0]), [
      "PORT",
      "ENCRYPTION_KEY",
      "ENCRYPTION_KEY_PREVIOUS",
    ]);
    match(err.problems[1], /32 random bytes in base64/);
    match(err.problems[1], /decodes to 16 bytes, not 32/);
    match(err.problems[2], /\(key 2 of 2\)/);
    match(err.problems[2], /is not base64/);
    ok(!err.message.includes(short), "the key is not printed");
    ok(!err.message.includes(notBase64), "the key is not printed");
  }
  throws(
    () => loadConfig({ ENCRYPTION_KEY_PREVIOUS: newKeyText() }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /ENCRYPTION_KEY_PREVIOUS is set but ENCRYPTION_KEY is not/.test(
        err.problems.join(),
      ),
  );
  throws(
    () => loadConfig({ ENCRYPTION_KEY: btoa("x".repeat(33)) }),
    /decodes to 33 bytes, not 32/,
  );
});

Deno.test("loadConfig: billing is off (null) without STRIPE_SECRET_KEY", () => {
  strictEqual(loadConfig({}).billing, null);
});

Deno.test("loadConfig: Stripe settings read together; several prices per plan, the first is sold", () => {
  const config = loadConfig({
    STRIPE_SECRET_KEY: "sk_test_abc",
    STRIPE_WEBHOOK_SECRET: "whsec_abc",
    STRIPE_PRICE_PRO: "price_pro_month, price_pro_year",
    STRIPE_PRICE_TEAM: "price_team",
    STRIPE_API_URL: "http://127.0.0.1:12111",
  });
  deepStrictEqual(config.billing?.prices, {
    pro: ["price_pro_month", "price_pro_year"],
    team: ["price_team"],
  });
  strictEqual(config.billing?.apiUrl?.origin, "http://127.0.0.1:12111");
  strictEqual(config.billing?.webhookSecret, "whsec_abc");
});

Deno.test("loadConfig: every Stripe problem at once, and never a secret", () => {
  try {
    loadConfig({
      STRIPE_SECRET_KEY: "pk_live_notsecretkey",
      STRIPE_WEBHOOK_SECRET: "wrong_hunter2",
      STRIPE_PRICE_PRO: "price_a",
      STRIPE_PRICE_TEAM: "price_a,bad id",
      STRIPE_API_URL: "http://mock:12111/v1",
    });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deepStrictEqual(err.problems.map((p) => p.split(" ")[0]), [
      "STRIPE_PRICE_TEAM",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "STRIPE_API_URL",
    ]);
    strictEqual(err.message.includes("hunter2"), false);
    strictEqual(err.message.includes("notsecretkey"), false);
  }
  const missing = (() => {
    try {
      loadConfig({ STRIPE_SECRET_KEY: "sk_test_abc" });
    } catch (err) {
      return (err as ConfigError).problems;
    }
    return [];
  })();
  strictEqual(missing.length, 2);
  match(missing[0], /STRIPE_WEBHOOK_SECRET is required/);
  match(missing[1], /STRIPE_PRICE_PRO or STRIPE_PRICE_TEAM is required/);
  throws(
    () =>
      loadConfig({
        STRIPE_SECRET_KEY: "sk_test_abc",
        STRIPE_WEBHOOK_SECRET: "whsec_abc",
        STRIPE_PRICE_PRO: "price_a",
        STRIPE_PRICE_TEAM: "price_a",
      }),
    /share price_a/,
  );
  throws(
    () => loadConfig({ STRIPE_PRICE_PRO: "price_a" }),
    /set without STRIPE_SECRET_KEY/,
  );
});
