import { strictEqual } from "node:assert/strict";
import { App } from "fresh";
import { noStoreForAccounts, touchesSession } from "./no_store.ts";

Deno.test("touchesSession: either session cookie name, set or cleared; nothing else", () => {
  const h = (...cookies: string[]) => {
    const headers = new Headers();
    for (const c of cookies) headers.append("set-cookie", c);
    return headers;
  };
  strictEqual(touchesSession(h("session=abc; Path=/")), true);
  strictEqual(touchesSession(h("__Host-session=; Max-Age=0")), true);
  strictEqual(touchesSession(h("theme=dark", "session=x")), true);
  strictEqual(touchesSession(h("theme=dark")), false);
  strictEqual(touchesSession(h("mysession=abc")), false);
  strictEqual(touchesSession(h()), false);
});

Deno.test("noStoreForAccounts: signed-in requests and session cookies, even on immutable redirects", async () => {
  const app = new App<{ auth?: { kind: string } }>()
    .use(noStoreForAccounts())
    .use((ctx) => {
      if (ctx.url.searchParams.has("user")) {
        ctx.state.auth = { kind: "signed_in" };
      }
      return ctx.next();
    })
    .get(
      "/plain",
      () => new Response("x", { headers: { "cache-control": "max-age=60" } }),
    )
    .get(
      "/cookie",
      () =>
        new Response("x", { headers: { "set-cookie": "session=a; Path=/" } }),
    )
    .get("/redirect", () => Response.redirect("http://localhost/x", 303));
  const handler = app.handler();
  const cc = async (path: string) => {
    const res = await handler(new Request(`http://localhost${path}`));
    await res.body?.cancel();
    return res.headers.get("cache-control");
  };
  strictEqual(await cc("/plain"), "max-age=60");
  strictEqual(await cc("/plain?user"), "no-store");
  strictEqual(await cc("/cookie"), "no-store");
  strictEqual(await cc("/redirect?user"), "no-store");
  strictEqual(await cc("/redirect"), null);
});
