/**
 * The built app over HTTP: a user's session list, ending one session,
 * ending all others, and never touching another user's sessions.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  appTest,
  assertJsonError,
  Client,
  uniqueEmail,
} from "../helpers/auth.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

appTest(
  "sessions: list, end one, end all others; another user's session is a 404",
  async (app) => {
    const email = uniqueEmail();
    const setup = new Client(app);
    await setup.register(email);
    strictEqual((await setup.post("/api/auth/logout")).status, 200);

    const laptop = new Client(app, { userAgent: FIREFOX });
    const phone = new Client(app, { userAgent: SAFARI });
    await laptop.login(email);
    await phone.login(email);

    const list = await laptop.get("/api/auth/sessions");
    strictEqual(list.status, 200, list.text);
    strictEqual(list.headers.get("cache-control"), "no-store");
    const sessions = list.json.sessions as Record<string, unknown>[];
    strictEqual(sessions.length, 2, list.text);
    const byId = new Map(sessions.map((s) => [s.id, s]));
    const mine = byId.get(laptop.sessionId)!;
    const theirs = byId.get(phone.sessionId)!;
    ok(mine && theirs, "both sessions, by the id in their tokens");
    strictEqual(mine.current, true);
    strictEqual(theirs.current, false);
    strictEqual(mine.userAgent, FIREFOX);
    strictEqual(theirs.userAgent, SAFARI);
    strictEqual(mine.ip, laptop.ip);
    strictEqual(theirs.ip, phone.ip);
    for (const s of sessions) {
      deepStrictEqual(Object.keys(s).sort(), [
        "createdAt",
        "current",
        "expiresAt",
        "id",
        "ip",
        "lastSeenAt",
        "twoFactorVerified",
        "userAgent",
        "waitingForCode",
      ]);
      strictEqual(
        s.twoFactorVerified,
        false,
        "no second factor on this account",
      );
      strictEqual(s.waitingForCode, false);
    }
    ok(!list.text.includes(laptop.token!.split(".")[1]), "no secret listed");
    // The phone sees the same two, itself as current.
    const fromPhone = await phone.get("/api/auth/sessions");
    deepStrictEqual(
      fromPhone.json.sessions.filter((s: { current: boolean }) => s.current)
        .map((s: { id: string }) => s.id),
      [phone.sessionId],
    );

    // Another user cannot end (or learn about) these sessions, nor we theirs.
    const mallory = new Client(app);
    await mallory.register(uniqueEmail("mallory"));
    assertJsonError(
      await mallory.delete(`/api/auth/sessions/${phone.sessionId}`),
      404,
    );
    strictEqual(await phone.meStatus(), 200);
    assertJsonError(
      await laptop.delete(`/api/auth/sessions/${mallory.sessionId}`),
      404,
    );
    strictEqual(await mallory.meStatus(), 200);
    for (const id of ["nope", "a".repeat(24), "%00", "x".repeat(2000)]) {
      assertJsonError(await laptop.delete(`/api/auth/sessions/${id}`), 404);
    }
    assertJsonError(
      await laptop.delete(`/api/auth/sessions/${phone.sessionId}`, {
        cookie: null,
      }),
      401,
    );
    assertJsonError(await new Client(app).get("/api/auth/sessions"), 401);
    assertJsonError(await new Client(app).delete("/api/auth/sessions"), 401);

    // The laptop ends the phone's session: its cookie is dead at once.
    const ended = await laptop.delete(
      `/api/auth/sessions/${phone.sessionId}`,
    );
    strictEqual(ended.status, 200, ended.text);
    deepStrictEqual(ended.json, { success: true, ended: phone.sessionId });
    strictEqual(ended.setCookie, null, "the laptop keeps its cookie");
    assertJsonError(await phone.get("/api/auth/me"), 401);
    strictEqual(await laptop.meStatus(), 200);
    strictEqual(
      (await laptop.get("/api/auth/sessions")).json.sessions.length,
      1,
    );
    assertJsonError(
      await laptop.delete(`/api/auth/sessions/${phone.sessionId}`),
      404,
    );

    // Two more sign-ins, then "sign out everywhere else".
    const tablet = new Client(app);
    const desktop = new Client(app);
    await tablet.login(email);
    await desktop.login(email);
    strictEqual(
      (await laptop.get("/api/auth/sessions")).json.sessions.length,
      3,
    );
    const others = await laptop.delete("/api/auth/sessions");
    strictEqual(others.status, 200, others.text);
    deepStrictEqual(others.json, { success: true, ended: 2 });
    assertJsonError(await tablet.get("/api/auth/me"), 401);
    assertJsonError(await desktop.get("/api/auth/me"), 401);
    strictEqual(await laptop.meStatus(), 200);
    strictEqual(await mallory.meStatus(), 200, "other users are untouched");
    deepStrictEqual(
      (await laptop.get("/api/auth/sessions")).json.sessions.map((
        s: { id: string },
      ) => s.id),
      [laptop.sessionId],
    );

    // Ending one's own session by id is a sign-out, and clears the cookie.
    const self = await laptop.delete(
      `/api/auth/sessions/${laptop.sessionId}`,
    );
    strictEqual(self.status, 200);
    strictEqual(self.setCookie, "");
    strictEqual(laptop.cookie, null);
  },
);
