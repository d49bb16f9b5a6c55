/**
 * The built app over HTTP: sign-in does not tell accounts apart, and the
 * rate limits of design.md (auth endpoints per IP, failures per account,
 * registrations per IP) answer 429 with Retry-After.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import {
  type Answer,
  assertJsonError,
  Client,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function assertTooMany(a: Answer): number {
  assertJsonError(a, 429);
  const retry = a.headers.get("retry-after") ?? "";
  match(retry, /^\d+$/, `Retry-After is whole seconds, got "${retry}"`);
  ok(Number(retry) >= 1);
  return Number(retry);
}

Deno.test("limits: unknown email and wrong password get the same answer in about the same time", async () => {
  const app = await startApp();
  try {
    // Two accounts, so neither reaches its 5-failure limit.
    const accounts = [uniqueEmail("a"), uniqueEmail("b")];
    for (const email of accounts) await new Client(app).register(email);
    const attempt = async (email: string) => {
      const started = performance.now();
      const a = await new Client(app).post("/api/auth/login", {
        json: { email, password: "wrong password 123" },
      });
      return { a, ms: performance.now() - started };
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    let bodies: string[] = [];
    for (let i = 0; i < 8; i++) {
      const u = await attempt(uniqueEmail("nobody"));
      const w = await attempt(accounts[i % 2]);
      for (const { a } of [u, w]) {
        assertJsonError(a, 401);
        strictEqual(a.json.error, "Invalid email or password");
        strictEqual(a.setCookie, null);
      }
      bodies = [u.a.text, w.a.text];
      deepStrictEqual(bodies[0], bodies[1], "byte-identical bodies");
      unknown.push(u.ms);
      wrong.push(w.ms);
    }
    const ratio = median(unknown) / median(wrong);
    ok(
      ratio > 0.5 && ratio < 2,
      `median unknown ${median(unknown).toFixed(1)} ms vs wrong ${
        median(wrong).toFixed(1)
      } ms (ratio ${ratio.toFixed(2)})`,
    );
    // Both really verify a password (argon2id is not free).
    ok(median(wrong) > 5, `wrong password took ${median(wrong)} ms`);
  } finally {
    await app.stop();
  }
});

Deno.test("limits: the 12th auth request from one IP within 5 minutes is 429 with Retry-After", async () => {
  const app = await startApp();
  try {
    const email = uniqueEmail();
    await new Client(app).register(email);
    const attacker = new Client(app, { ip: "203.0.113.7" });
    const statuses: number[] = [];
    const answers: Answer[] = [];
    for (let i = 0; i < 14; i++) {
      // A different account each time: only the per-IP limit can fire.
      const a = await attacker.post("/api/auth/login", {
        json: { email: uniqueEmail(`guess${i}`), password: PASSWORD },
      });
      statuses.push(a.status);
      answers.push(a);
    }
    deepStrictEqual(statuses, [...Array(11).fill(401), 429, 429, 429]);
    for (const a of answers.slice(11)) {
      const seconds = assertTooMany(a);
      // A sliding-window counter: at most one more window to wait.
      ok(seconds <= 600, `about the 5-minute window, got ${seconds}`);
    }
    // The limit is per IP and covers every auth endpoint: even the right
    // password, sign-up and the HTML form are refused from that address...
    assertTooMany(
      await attacker.post("/api/auth/login", {
        json: { email, password: PASSWORD },
      }),
    );
    assertTooMany(
      await attacker.post("/api/auth/register", {
        json: { email: uniqueEmail(), password: PASSWORD },
      }),
    );
    const page = await attacker.post("/login", {
      form: { email, password: PASSWORD },
      headers: { accept: "text/html" },
    });
    strictEqual(page.status, 429);
    match(page.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    match(page.text, /role="alert"/);
    // ...while another address signs in normally.
    await new Client(app).login(email);
  } finally {
    await app.stop();
  }
});

Deno.test("limits: the 6th failed sign-in for one account within 15 minutes is 429, whatever the IP", async () => {
  const app = await startApp();
  try {
    const email = uniqueEmail();
    const other = uniqueEmail();
    await new Client(app).register(email);
    await new Client(app).register(other);
    // A fresh address every time: only the per-account limit can fire.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await new Client(app).post("/api/auth/login", {
        json: { email, password: `wrong password ${i}` },
      });
      statuses.push(a.status);
    }
    deepStrictEqual(statuses, [401, 401, 401, 401, 401]);
    const sixth = await new Client(app).post("/api/auth/login", {
      json: { email, password: "wrong password 6" },
    });
    const seconds = assertTooMany(sixth);
    ok(seconds <= 30 * 60, `about 15 minutes, got ${seconds}`);
    // Locked means locked: the right password waits too, in any letter case.
    assertTooMany(
      await new Client(app).post("/api/auth/login", {
        json: { email: ` ${email.toUpperCase()}`, password: PASSWORD },
      }),
    );
    // Other accounts are unaffected.
    await new Client(app).login(other);

    // A success clears an account's failures.
    for (let i = 0; i < 4; i++) {
      await new Client(app).post("/api/auth/login", {
        json: { email: other, password: "nope nope nope" },
      });
    }
    await new Client(app).login(other);
    for (let i = 0; i < 5; i++) {
      const a = await new Client(app).post("/api/auth/login", {
        json: { email: other, password: "nope nope nope" },
      });
      strictEqual(a.status, 401, `failure ${i + 1} after a success`);
    }
  } finally {
    await app.stop();
  }
});

Deno.test("limits: a 4th registration from one IP within the hour is 429", async () => {
  const app = await startApp();
  try {
    const client = new Client(app);
    for (let i = 0; i < 3; i++) {
      const fresh = new Client(app, { ip: client.ip });
      await fresh.register(uniqueEmail());
    }
    assertTooMany(
      await client.post("/api/auth/register", {
        json: { email: uniqueEmail(), password: PASSWORD },
      }),
    );
    await new Client(app).register(uniqueEmail());
  } finally {
    await app.stop();
  }
});
