/**
 * The in-process app answers as the served build does where the route
 * tests rely on it: the client address, redirects, paths that are not
 * URLs, and the log.
 */
import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { buildApp } from "./app.ts";

const printError = console.error;

Deno.test("in-process app: the client address is the connection's, as rate limits see it", async () => {
  // No trusted proxy: X-Forwarded-For is ignored and the peer address counts.
  const app = await buildApp({ env: { TRUSTED_PROXIES: "" } });
  try {
    const register = (remoteAddr: string, n: number) =>
      app.fetch("/api/auth/register", {
        method: "POST",
        remoteAddr,
        headers: {
          "content-type": "application/json",
          origin: "http://localhost:8000",
          "x-forwarded-for": `10.9.9.${n}`,
        },
        body: JSON.stringify({
          email: `peer-${n}-${crypto.randomUUID().slice(0, 8)}@example.com`,
          password: "Tulip orbit 7391 quartz!",
        }),
      });
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      const res = await register("192.0.2.1", n);
      await res.body?.cancel();
      statuses.push(res.status);
    }
    deepStrictEqual(statuses, [202, 202, 202, 429], "3 sign-ups an hour");
    const other = await register("192.0.2.2", 9);
    await other.body?.cancel();
    strictEqual(other.status, 202, "another address has its own count");
  } finally {
    await app.stop();
  }
});

Deno.test("in-process app: redirects are followed unless manual; '//x' is a path; errors are kept as the log", async () => {
  const app = await buildApp();
  try {
    const manual = await app.fetch("/dashboard", { redirect: "manual" });
    await manual.body?.cancel();
    strictEqual(manual.status, 303);
    const followed = await app.fetch("/dashboard");
    strictEqual(followed.status, 200);
    match(await followed.text(), /action="\/login\?next=%2Fdashboard"/);

    const slashes = await app.fetch("//evil.example/");
    await slashes.body?.cancel();
    strictEqual(slashes.status, 404, "a path on this app, not another host");

    console.error("a failed request");
    match(app.logs(), /a failed request/);
  } finally {
    await app.stop();
  }
  strictEqual(console.error, printError, "printing is the test's again");
});
