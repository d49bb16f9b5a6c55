/**
 * `Cache-Control: no-store` on every answer that sets or clears the
 * session cookie or answers a signed-in request, and only there: static
 * files keep their caching, signed in or not.
 *
 * @module
 */
import { ok, strictEqual } from "node:assert/strict";
import {
  type Answer,
  Client,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";

function noStore(name: string, a: Answer): void {
  strictEqual(
    a.headers.get("cache-control"),
    "no-store",
    `${name} (${a.status})`,
  );
}

Deno.test("no-store: session cookies and account data are never cached", async () => {
  const app = await startApp();
  try {
    const email = uniqueEmail("nostore");
    const alice = new Client(app);
    const html = { accept: "text/html" };
    const answers: [string, Answer][] = [];
    const take = (name: string, a: Answer) => {
      answers.push([name, a]);
      return a;
    };

    take(
      "register, then sign in, JSON (sets cookie)",
      await alice.register(email),
    );
    take("me JSON", await alice.get("/api/auth/me"));
    take("sessions JSON", await alice.get("/api/auth/sessions"));
    take("dashboard page", await alice.get("/dashboard", { headers: html }));
    take("home page, signed in", await alice.get("/", { headers: html }));
    take(
      "redirect from /login, signed in",
      await alice.get("/login", { headers: html }),
    );
    take("404 page, signed in", await alice.get("/no/such", { headers: html }));

    const bob = new Client(app);
    take("login JSON (sets cookie)", await bob.login(email));
    const formUser = new Client(app);
    const formSignUp = take(
      "sign-up form's check-your-inbox page (shows the address)",
      await formUser.post("/signup", {
        form: { email: uniqueEmail("nostore-form"), password: PASSWORD },
        headers: html,
      }),
    );
    strictEqual(formSignUp.status, 200);
    take(
      "sign-up JSON (shows the address)",
      await new Client(app).signUp(uniqueEmail("nostore-json")),
    );
    const formLogin = take(
      "sign-in form redirect (sets cookie)",
      await new Client(app).post("/login?next=%2Fdashboard", {
        form: { email, password: PASSWORD },
        headers: html,
      }),
    );
    strictEqual(formLogin.status, 303);
    const stale = take(
      "stale cookie cleared",
      await new Client(app).get("/", {
        cookie: `${app.cookieName}=AAAA.BBBB`,
        headers: html,
      }),
    );
    strictEqual(stale.setCookie, "", "the stale cookie is cleared");
    take(
      "sign-out (clears cookie)",
      await bob.post("/api/auth/logout", { headers: html }),
    );

    for (const [name, a] of answers) {
      ok(a.status < 500, `${name}: ${a.status}`);
      noStore(name, a);
    }

    // Not account data: anonymous pages and static files, with or without a
    // session cookie, keep their own caching.
    const anon = await new Client(app).get("/", { headers: html });
    strictEqual(anon.setCookie, null);
    ok(anon.headers.get("cache-control") !== "no-store", "anonymous page");
    for (const who of [new Client(app), alice]) {
      const icon = await who.get("/favicon.svg");
      strictEqual(icon.status, 200);
      ok(
        /max-age/.test(icon.headers.get("cache-control") ?? ""),
        `static file: ${icon.headers.get("cache-control")}`,
      );
    }
  } finally {
    await app.stop();
  }
});
