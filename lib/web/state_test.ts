import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { HttpError } from "fresh";
import type { Session } from "../auth/session.ts";
import type { User } from "../db/users.ts";
import {
  type AuthState,
  isSignedIn,
  requireSignedIn,
  SIGNED_OUT,
} from "./state.ts";

const user = { id: "u1", email: "ada@example.com" } as User;
const session = { id: "s1", userId: "u1" } as Session;

const is401 = (err: unknown) => err instanceof HttpError && err.status === 401;

Deno.test("requireSignedIn returns the user and session of a signed-in state", () => {
  const auth: AuthState = { kind: "signed_in", user, session };
  deepStrictEqual(requireSignedIn({ auth }), auth);
  strictEqual(isSignedIn({ auth }), true);
});

Deno.test("requireSignedIn refuses signed out, a pending second factor, and no state with 401", () => {
  const pending: AuthState = { kind: "second_factor_pending", user, session };
  for (const auth of [SIGNED_OUT, pending]) {
    throws(() => requireSignedIn({ auth }), is401, auth.kind);
    strictEqual(isSignedIn({ auth }), false, auth.kind);
  }
  // An error page rendered before the session middleware ran.
  throws(() => requireSignedIn({} as { auth: AuthState }), is401);
  strictEqual(isSignedIn({}), false);
});
