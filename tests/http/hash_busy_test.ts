/**
 * The built app over HTTP when password hashing is saturated: with one
 * hashing thread and no queue, simultaneous sign-ins beyond the first are
 * refused with 503 and Retry-After (JSON for the API, the sign-in page
 * with a plain message for the form), for known and unknown emails alike.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import {
  type Answer,
  assertJsonError,
  Client,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";

const BUSY = { PASSWORD_HASH_THREADS: "1", PASSWORD_HASH_QUEUE: "0" };

function assertRetryAfter(a: Answer): void {
  const retry = a.headers.get("retry-after") ?? "";
  match(retry, /^\d+$/, `Retry-After is whole seconds, got "${retry}"`);
  ok(Number(retry) >= 1);
}

/** Fires `n` requests at once and sorts the answers by status. */
async function burst(n: number, send: () => Promise<Answer>) {
  const answers = await Promise.all(Array.from({ length: n }, send));
  return {
    ok: answers.filter((a) => a.status === 200 || a.status === 303),
    busy: answers.filter((a) => a.status === 503),
    other: answers.filter((a) => ![200, 303, 503].includes(a.status)),
  };
}

Deno.test("busy: simultaneous API sign-ins past the bound get 503 + Retry-After", async () => {
  const app = await startApp({ env: BUSY });
  try {
    // Four at once: under the 5 attempts an account may have in flight.
    const email = uniqueEmail("storm");
    await new Client(app).register(email);
    const known = await burst(4, () =>
      new Client(app).post("/api/auth/login", {
        json: { email, password: PASSWORD },
      }));
    strictEqual(known.other.length, 0, known.other.map((a) => a.text).join());
    ok(known.ok.length >= 1, "the first sign-in is served");
    ok(known.busy.length >= 1, "the rest are refused, not queued");
    for (const a of known.busy) {
      assertJsonError(a, 503);
      assertRetryAfter(a);
      strictEqual(a.setCookie, null, "no session for a refused sign-in");
    }
    // Unknown emails wait in the same queue: busy too, so "busy" tells
    // nothing about which emails have accounts.
    const unknown = await burst(
      8,
      () =>
        new Client(app).post("/api/auth/login", {
          json: { email: uniqueEmail("nobody"), password: PASSWORD },
        }),
    );
    ok(unknown.busy.length >= 1, "unknown emails are refused alike");
    for (const a of unknown.busy) assertJsonError(a, 503);
    // Once the burst is over, sign-in works again.
    await new Client(app).login(email);
  } finally {
    await app.stop();
  }
});

Deno.test("busy: the sign-in and sign-up forms answer 503 with the page and a plain message", async () => {
  const app = await startApp({ env: BUSY });
  try {
    const email = uniqueEmail("form");
    await new Client(app).register(email);
    const answers = await burst(4, () =>
      new Client(app).post("/login", {
        form: { email, password: PASSWORD },
        headers: { accept: "text/html" },
      }));
    strictEqual(answers.other.length, 0);
    ok(answers.busy.length >= 1);
    for (const a of answers.busy) {
      assertRetryAfter(a);
      match(a.headers.get("content-type") ?? "", /text\/html/);
      match(a.text, /The server is busy checking other passwords/);
      match(a.text, /<form/, "the form is there to try again");
    }
    const signUps = await burst(4, () =>
      new Client(app).post("/signup", {
        form: { email: uniqueEmail("form-new"), password: PASSWORD },
        headers: { accept: "text/html" },
      }));
    strictEqual(signUps.other.length, 0);
    ok(signUps.busy.length >= 1);
    for (const a of signUps.busy) {
      assertRetryAfter(a);
      match(a.text, /The server is busy checking other passwords/);
    }
  } finally {
    await app.stop();
  }
});

Deno.test("busy: simultaneous sign-ups past the bound get 503 + Retry-After", async () => {
  const app = await startApp({ env: BUSY });
  try {
    const answers = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Client(app).post("/api/auth/register", {
            json: { email: uniqueEmail("new"), password: PASSWORD },
          }),
      ),
    );
    const busy = answers.filter((a) => a.status === 503);
    ok(answers.some((a) => a.status === 202));
    ok(busy.length >= 1);
    for (const a of busy) {
      assertJsonError(a, 503);
      assertRetryAfter(a);
    }
  } finally {
    await app.stop();
  }
});
