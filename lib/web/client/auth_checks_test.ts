import { deepStrictEqual, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import type { Db } from "../../db/db.ts";
import { signIn, type SignInLimiter } from "../../auth/sign_in.ts";
import { signUp } from "../../auth/sign_up.ts";
import { checkSignIn, checkSignUp, shownErrors } from "./auth_checks.ts";
import { failureStatus } from "../failure_answer.ts";

const META = { ip: "127.0.0.1", userAgent: null };
// The server is only asked about input the client refused; it must refuse
// it before reaching the database or the limiter.
const NO_DB = new Proxy({}, {
  get() {
    throw new Error("the server accepted what the client refused");
  },
}) as Db;
const NO_LIMITER: SignInLimiter = {
  blockedFor: () => {
    throw new Error("the server accepted what the client refused");
  },
  succeeded: () => Promise.resolve(),
};

const emails = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    "",
    " ",
    "ada@example.com",
    " Ada@Example.COM ",
    "a@b",
    "a@b.c",
    "a b@c.d",
    "\u00a0",
    "a@@b.cd",
  ),
  fc.emailAddress(),
);
const passwords = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", minLength: 6, maxLength: 10 }),
  fc.string({ minLength: 125, maxLength: 135 }),
  fc.constantFrom(
    "",
    "e\u0301e\u0301e\u0301e\u0301",
    "Tulip orbit 7391 quartz!",
  ),
);

Deno.test("property: what the sign-in island refuses, the server refuses with the same words", async () => {
  await fc.assert(
    fc.asyncProperty(emails, passwords, async (email, password) => {
      const client = checkSignIn({ email, password });
      if (Object.keys(client).length === 0) return;
      const server = await signIn(NO_DB, NO_LIMITER, { email, password }, META);
      if (server.ok || failureStatus(server) !== 400) {
        throw new Error("not a 400");
      }
      deepStrictEqual(server.details, client);
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: what the sign-up island refuses, the server refuses with the same words", async () => {
  await fc.assert(
    fc.asyncProperty(emails, passwords, async (email, password) => {
      const client = checkSignUp({ email, password });
      if (Object.keys(client).length === 0) return;
      const server = await signUp(
        { db: NO_DB, mailer: NO_DB as never, config: NO_DB as never },
        { email, password },
        META,
      );
      if (server.ok || failureStatus(server) !== 400) {
        throw new Error("not a 400");
      }
      for (const [field, message] of Object.entries(client)) {
        strictEqual(server.details?.[field], message, field);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("shownErrors shows one message per problem: fields win over the form summary", () => {
  deepStrictEqual(
    shownErrors("Please correct the highlighted fields", {
      email: "Enter your email address",
    }),
    { error: "", fields: { email: "Enter your email address" } },
  );
  deepStrictEqual(shownErrors("Invalid email or password", undefined), {
    error: "Invalid email or password",
    fields: {},
  });
  deepStrictEqual(shownErrors(undefined, { email: "" }), {
    error: "",
    fields: { email: "" },
  });
});
