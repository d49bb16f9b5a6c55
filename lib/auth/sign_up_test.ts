import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { dbTest } from "../db/testing.ts";
import { PASSWORD_CONTAINS_EMAIL_ERROR } from "./password_email.ts";
import { signUp } from "./sign_up.ts";
import { failureStatus } from "../web/failure_answer.ts";

const meta = { ip: "203.0.113.1", userAgent: "test" };

dbTest(
  "signUp refuses a password that contains the email, short local parts included",
  async (db) => {
    for (
      const [email, password] of [
        ["bob@example.com", "bob@example.com"],
        ["bob@example.com", "Bob@Example.com 2024"],
        ["alice@example.com", "alice-secret-2024"],
        ["ada.lovelace@example.org", "Ada Lovelace 1815"],
      ]
    ) {
      const result = await signUp(db, { email, password }, meta);
      strictEqual(result.ok, false, `${email} / ${password}`);
      if (!result.ok) {
        strictEqual(failureStatus(result), 400);
        deepStrictEqual(result.details, {
          password: PASSWORD_CONTAINS_EMAIL_ERROR,
        });
      }
    }
    const count = await db.get("SELECT count(*) AS n FROM users");
    strictEqual(count?.n, 0, "nothing was written");
    const fine = await signUp(
      db,
      { email: "bob@example.com", password: "Bobsled orbit 7391" },
      meta,
    );
    ok(fine.ok, "a password that merely starts like the name is fine");
  },
);
