import {
  deepStrictEqual,
  match,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("loadConfig runs on no configuration at all", () => {
  const config = loadConfig({});
  strictEqual(config.hostname, "127.0.0.1");
  strictEqual(config.port, 8000);
  strictEqual(config.appUrl.href, "http://localhost:8000/");
  strictEqual(config.mode, "production");
});

Deno.test("loadConfig lists every invalid setting in one error", () => {
  try {
    loadConfig({
      PORT: "eighty",
      HOSTNAME: "bad host!",
      APP_URL: "ftp://x",
      ISLET_ENV: "prod",
    });
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    deepStrictEqual(err.problems.map((p) => p.split(" ")[0]), [
      "HOSTNAME",
      "PORT",
      "ISLET_ENV",
      "APP_URL",
    ]);
    strictEqual(err.message.includes("4 problems"), true);
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
