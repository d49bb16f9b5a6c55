import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import type { ComponentChildren } from "preact";
import { App } from "./app.ts";
import { page } from "./context.ts";
import { HttpError } from "./error.ts";
import type { PageProps } from "./types.ts";

function req(path: string, init?: RequestInit): Request {
  return new Request(`http://localhost${path}`, init);
}

/** Runs `fn` with console.error captured; returns what was logged. */
async function quietErrors(fn: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return logged;
}

Deno.test("app: middlewares run in the order added, around the handler", async () => {
  const order: string[] = [];
  const handler = new App()
    .use(async (ctx) => {
      order.push("a:before");
      const res = await ctx.next();
      order.push("a:after");
      return res;
    })
    .use(async (ctx) => {
      order.push("b:before");
      const res = await ctx.next();
      order.push("b:after");
      return res;
    })
    .get("/", () => {
      order.push("handler");
      return new Response("ok");
    })
    .handler();
  strictEqual(await (await handler(req("/"))).text(), "ok");
  deepStrictEqual(order, [
    "a:before",
    "b:before",
    "handler",
    "b:after",
    "a:after",
  ]);
});

Deno.test("app: a middleware added after a route does not apply to it", async () => {
  const handler = new App()
    .use((ctx) => {
      ctx.state = { seen: ["first"] };
      return ctx.next();
    })
    .get("/early", (ctx) => ctx.json(ctx.state))
    .use((ctx) => {
      (ctx.state as { seen: string[] }).seen.push("second");
      return ctx.next();
    })
    .get("/late", (ctx) => ctx.json(ctx.state))
    .handler();
  deepStrictEqual(await (await handler(req("/early"))).json(), {
    seen: ["first"],
  });
  deepStrictEqual(await (await handler(req("/late"))).json(), {
    seen: ["first", "second"],
  });
});

Deno.test("app: use(path, mw) applies to that path and below only", async () => {
  const tag = (ctx: { next: () => Promise<Response> }) =>
    ctx.next().then((res) => {
      res.headers.set("x-admin", "1");
      return res;
    });
  const handler = new App()
    .use("/admin", tag)
    .get("/admin", () => new Response("a"))
    .get("/admin/users/:id", () => new Response("u"))
    .get("/administrator", () => new Response("x"))
    .get("/", () => new Response("home"))
    .handler();
  strictEqual((await handler(req("/admin"))).headers.get("x-admin"), "1");
  strictEqual(
    (await handler(req("/admin/users/3"))).headers.get("x-admin"),
    "1",
  );
  strictEqual(
    (await handler(req("/administrator"))).headers.get("x-admin"),
    null,
  );
  strictEqual((await handler(req("/"))).headers.get("x-admin"), null);
});

Deno.test("app: a middleware that returns without calling next short-circuits the chain", async () => {
  let reached = false;
  const handler = new App()
    .use(() => new Response("blocked", { status: 401 }))
    .get("/", () => {
      reached = true;
      return new Response("ok");
    })
    .handler();
  const res = await handler(req("/"));
  strictEqual(res.status, 401);
  strictEqual(await res.text(), "blocked");
  strictEqual(reached, false);
});

Deno.test("app: ctx.state set by a middleware reaches the handler and the page", async () => {
  const handler = new App<{ user: string }>()
    .use((ctx) => {
      ctx.state.user = "ada";
      return ctx.next();
    })
    .get("/api", (ctx) => ctx.json({ user: ctx.state.user }))
    .route("/page", {
      component: ({ state }: PageProps<unknown, { user: string }>) => (
        <p>hi {state.user}</p>
      ),
    })
    .handler();
  deepStrictEqual(await (await handler(req("/api"))).json(), { user: "ada" });
  match(await (await handler(req("/page"))).text(), /<p>hi ada<\/p>/);
});

Deno.test("app: a middleware can modify the response of ctx.next()", async () => {
  const handler = new App()
    .use(async (ctx) => {
      const res = await ctx.next();
      res.headers.set("x-powered-by", "islet");
      return new Response((await res.text()).toUpperCase(), res);
    })
    .get("/", (ctx) => ctx.text("hello"))
    .handler();
  const res = await handler(req("/"));
  strictEqual(res.headers.get("x-powered-by"), "islet");
  strictEqual(await res.text(), "HELLO");
});

Deno.test("app: several handlers of one route form a chain", async () => {
  const handler = new App()
    .get("/", (ctx) => {
      ctx.state = { n: 1 };
      return ctx.next();
    }, (ctx) => ctx.json(ctx.state))
    .get("/dead-end", (ctx) => ctx.next())
    .handler();
  deepStrictEqual(await (await handler(req("/"))).json(), { n: 1 });
  strictEqual((await handler(req("/dead-end"))).status, 404);
});

Deno.test("app: HEAD is answered by the GET handler, with headers and no body", async () => {
  const handler = new App()
    .get("/", (ctx) => ctx.text("hello", { headers: { "x-a": "1" } }))
    .handler();
  const res = await handler(req("/", { method: "HEAD" }));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("x-a"), "1");
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  strictEqual(res.body, null);
});

Deno.test("app: HEAD of a page route renders headers but sends no body", async () => {
  const handler = new App()
    .route("/", { component: () => <p>x</p> })
    .handler();
  const res = await handler(req("/", { method: "HEAD" }));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-type"), "text/html; charset=utf-8");
  strictEqual(res.body, null);
});

Deno.test("app: a path known for other methods answers 405 with Allow", async () => {
  const handler = new App()
    .get("/items/:id", () => new Response("get"))
    .delete("/items/:id", () => new Response("del"))
    .handler();
  const res = await handler(req("/items/1", { method: "POST" }));
  strictEqual(res.status, 405);
  strictEqual(res.headers.get("allow"), "DELETE, GET, HEAD, OPTIONS");
  strictEqual((await handler(req("/nope", { method: "POST" }))).status, 404);
});

Deno.test("app: OPTIONS answers 204 with Allow", async () => {
  const handler = new App()
    .get("/x", () => new Response("get"))
    .post("/x", () => new Response("post"))
    .route("/page", { component: () => <p>page</p> })
    .route("/form", {
      handler: { POST: () => new Response("posted") },
      component: () => <form />,
    })
    .handler();
  let res = await handler(req("/x", { method: "OPTIONS" }));
  strictEqual(res.status, 204);
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
  res = await handler(req("/page", { method: "OPTIONS" }));
  strictEqual(res.status, 204);
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS");
  res = await handler(req("/form", { method: "OPTIONS" }));
  strictEqual(res.status, 204);
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
  res = await handler(req("/form", { method: "PUT" }));
  strictEqual(res.status, 405);
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
});

Deno.test("app: repeated slashes in the request path collapse", async () => {
  const handler = new App()
    .get("/a/b", () => new Response("ab"))
    .handler();
  strictEqual(await (await handler(req("//a///b"))).text(), "ab");
});

Deno.test("app: a malformed percent-encoded path is a 404, not a crash", async () => {
  const handler = new App()
    .get("/:x", () => new Response("x"))
    .handler();
  strictEqual((await handler(req("/%ZZ"))).status, 404);
});

Deno.test("app: params are decoded and ctx.route is the matched pattern", async () => {
  const handler = new App()
    .get(
      "/users/:name",
      (ctx) => ctx.json({ params: ctx.params, route: ctx.route }),
    )
    .handler();
  deepStrictEqual(await (await handler(req("/users/J%C3%BCrgen"))).json(), {
    params: { name: "Jürgen" },
    route: "/users/:name",
  });
});

Deno.test("app: onError picks the nearest handler by path", async () => {
  const handler = new App()
    .onError("*", (ctx) => new Response(`root:${ctx.error}`, { status: 500 }))
    .onError("/admin", () => new Response("admin", { status: 500 }))
    .get("/admin/x", () => {
      throw new Error("boom");
    })
    .get("/x", () => {
      throw new Error("boom");
    })
    .handler();
  await quietErrors(async () => {
    strictEqual(await (await handler(req("/admin/x"))).text(), "admin");
    strictEqual(await (await handler(req("/x"))).text(), "root:Error: boom");
  });
});

Deno.test("app: onError(fn) without a path handles errors everywhere", async () => {
  const handler = new App()
    .onError((ctx) => new Response(`caught ${ctx.error}`, { status: 500 }))
    .get("/", () => {
      throw new Error("x");
    })
    .handler();
  await quietErrors(async () => {
    strictEqual(await (await handler(req("/"))).text(), "caught Error: x");
  });
});

Deno.test("app: an error below an unmatched path reaches the nearest error handler by path", async () => {
  const handler = new App()
    .onError("*", () => new Response("root", { status: 500 }))
    .onError("/admin", () => new Response("admin", { status: 500 }))
    .use("/admin", () => {
      throw new Error("boom");
    })
    .get("/admin/x", () => new Response("x"))
    .handler();
  await quietErrors(async () => {
    strictEqual(await (await handler(req("/admin/x"))).text(), "admin");
    strictEqual(await (await handler(req("/admin/nothing"))).text(), "admin");
  });
});

Deno.test("app: error handlers still pass through the middlewares around the route", async () => {
  const handler = new App()
    .use(async (ctx) => {
      const res = await ctx.next();
      res.headers.set("x-sec", "1");
      return res;
    })
    .onError("*", () => new Response("oops", { status: 500 }))
    .get("/", () => {
      throw new Error("x");
    })
    .handler();
  await quietErrors(async () => {
    const res = await handler(req("/"));
    strictEqual(res.status, 500);
    strictEqual(res.headers.get("x-sec"), "1");
  });
});

Deno.test("app: notFound answers unmatched paths and thrown HttpError(404)", async () => {
  const handler = new App()
    .notFound((ctx) => new Response(`nf ${ctx.url.pathname}`, { status: 404 }))
    .get("/gone", () => {
      throw new HttpError(404);
    })
    .handler();
  let res = await handler(req("/missing"));
  strictEqual(res.status, 404);
  strictEqual(await res.text(), "nf /missing");
  res = await handler(req("/gone"));
  strictEqual(res.status, 404);
  strictEqual(await res.text(), "nf /gone");
});

Deno.test("app: without notFound an unmatched path is a plain 404", async () => {
  const res = await new App().handler()(req("/missing"));
  strictEqual(res.status, 404);
  strictEqual(await res.text(), "Not Found");
});

Deno.test("app: an HttpError becomes its status", async () => {
  const handler = new App()
    .get("/:status", (ctx) => {
      throw new HttpError(Number(ctx.params.status));
    })
    .handler();
  for (const status of [400, 401, 403, 409, 422, 429, 503]) {
    const logged = await quietErrors(async () => {
      const res = await handler(req(`/${status}`));
      strictEqual(res.status, status);
      await res.body?.cancel();
    });
    // Client errors are not server faults and are not logged.
    strictEqual(logged.length, status >= 500 ? 1 : 0);
  }
});

Deno.test("app: an unknown error becomes 500 'Internal server error' with no stack in the body", async () => {
  const handler = new App()
    .get("/", () => {
      throw new Error("secret detail");
    })
    .handler();
  const logged = await quietErrors(async () => {
    const res = await handler(req("/"));
    strictEqual(res.status, 500);
    const body = await res.text();
    strictEqual(body, "Internal server error");
    ok(!body.includes("secret detail"));
    ok(!body.includes("at "));
  });
  strictEqual(logged.length, 1);
  ok(String(logged[0][1]).includes("secret detail"));
});

Deno.test("app: an error thrown by a middleware is handled too", async () => {
  const handler = new App()
    .use(() => {
      throw new Error("mw");
    })
    .get("/", () => new Response("ok"))
    .handler();
  await quietErrors(async () => {
    const res = await handler(req("/"));
    strictEqual(res.status, 500);
    strictEqual(await res.text(), "Internal server error");
  });
});

Deno.test("app: an error in the error handler falls back to a plain 500", async () => {
  const handler = new App()
    .onError("*", () => {
      throw new Error("handler broke too");
    })
    .get("/", () => {
      throw new Error("first");
    })
    .handler();
  const logged = await quietErrors(async () => {
    const res = await handler(req("/"));
    strictEqual(res.status, 500);
    strictEqual(await res.text(), "Internal server error");
  });
  strictEqual(logged.length, 2);
});

Deno.test("app: basePath serves routes below the prefix only", async () => {
  const app = new App({ basePath: "/app/" })
    .get("/", (ctx) => ctx.text(`root ${ctx.config.basePath}`))
    .get("/about", (ctx) => ctx.text(ctx.url.pathname));
  const handler = app.handler();
  strictEqual(await (await handler(req("/app"))).text(), "root /app");
  strictEqual(await (await handler(req("/app/"))).text(), "root /app");
  strictEqual(await (await handler(req("/app/about"))).text(), "/app/about");
  strictEqual((await handler(req("/about"))).status, 404);
  strictEqual((await handler(req("/application"))).status, 404);
});

function Layout(name: string) {
  return ({ Component }: PageProps) => (
    <div class={name}>
      <Component />
    </div>
  );
}

function AppWrapper({ Component }: PageProps) {
  return (
    <html>
      <head>
        <title>app</title>
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}

Deno.test("app: layouts nest outer to inner inside the app wrapper", async () => {
  const handler = new App()
    .appWrapper(AppWrapper)
    .layout("*", Layout("outer"))
    .layout("/blog", Layout("inner"))
    .route("/blog/post", { component: () => <p>post</p> })
    .route("/other", { component: () => <p>other</p> })
    .handler();
  let html = await (await handler(req("/blog/post"))).text();
  match(
    html,
    /^<!DOCTYPE html><html><head><title>app<\/title><\/head><body><div class="outer"><div class="inner"><p>post<\/p><\/div><\/div><\/body><\/html>$/,
  );
  html = await (await handler(req("/other"))).text();
  match(html, /<body><div class="outer"><p>other<\/p><\/div><\/body>/);
});

Deno.test("app: route config skipInheritedLayouts drops the layouts but keeps the app wrapper", async () => {
  const handler = new App()
    .appWrapper(AppWrapper)
    .layout("*", Layout("outer"))
    .route("/plain", {
      component: () => <p>plain</p>,
      config: { skipInheritedLayouts: true },
    })
    .handler();
  const html = await (await handler(req("/plain"))).text();
  match(html, /<body><p>plain<\/p><\/body>/);
});

Deno.test("app: layout config skipInheritedLayouts drops only the layouts above it", async () => {
  const handler = new App()
    .appWrapper(AppWrapper)
    .layout("*", Layout("outer"))
    .layout("/x", Layout("own"), { skipInheritedLayouts: true })
    .route("/x", { component: () => <p>x</p> })
    .handler();
  const html = await (await handler(req("/x"))).text();
  match(html, /<body><div class="own"><p>x<\/p><\/div><\/body>/);
});

Deno.test("app: skipAppWrapper in route config or layout config renders without the app wrapper", async () => {
  const handler = new App()
    .appWrapper(AppWrapper)
    .route("/bare", {
      component: () => <p>bare</p>,
      config: { skipAppWrapper: true },
    })
    .layout("/embed", Layout("embed"), { skipAppWrapper: true })
    .route("/embed/x", { component: () => <p>e</p> })
    .handler();
  let html = await (await handler(req("/bare"))).text();
  ok(!html.includes("<title>app</title>"));
  match(html, /<body><p>bare<\/p><\/body>/);
  html = await (await handler(req("/embed/x"))).text();
  ok(!html.includes("<title>app</title>"));
  match(html, /<body><div class="embed"><p>e<\/p><\/div><\/body>/);
});

Deno.test("app: a page without an app wrapper still becomes a full document", async () => {
  const handler = new App()
    .route("/", { component: () => <p>x</p> })
    .handler();
  const html = await (await handler(req("/"))).text();
  match(
    html,
    /^<!DOCTYPE html><html><head>.*<\/head><body><p>x<\/p><\/body><\/html>$/,
  );
});

Deno.test("app: an async page component is awaited and receives the page props", async () => {
  const handler = new App()
    .route("/u/:id", {
      component: async ({ params, url }: PageProps) => {
        await new Promise((r) => setTimeout(r, 1));
        return <p>{params.id} {url.pathname}</p>;
      },
    })
    .handler();
  match(await (await handler(req("/u/7"))).text(), /<p>7 \/u\/7<\/p>/);
});

Deno.test("app: an async page component or layout may return a Response", async () => {
  const handler = new App()
    .layout(
      "/l",
      async (): Promise<Response> =>
        await Promise.resolve(new Response("from layout", { status: 202 })),
    )
    .route("/p", {
      component: async () =>
        await Promise.resolve(new Response("from page", { status: 201 })),
    })
    .route("/l/x", { component: () => <p>x</p> })
    .handler();
  let res = await handler(req("/p"));
  strictEqual(res.status, 201);
  strictEqual(await res.text(), "from page");
  res = await handler(req("/l/x"));
  strictEqual(res.status, 202);
  strictEqual(await res.text(), "from layout");
});

Deno.test("app: page(data, { status, headers }) renders the component with props.data", async () => {
  const handler = new App()
    .route("/", {
      handler: {
        GET: () =>
          page({ name: "Fresh" }, {
            status: 201,
            headers: { "x-data": "yes" },
          }),
      },
      component: ({ data }: PageProps<{ name: string }>) => (
        <h1>Hello {data.name}</h1>
      ),
    })
    .handler();
  const res = await handler(req("/"));
  strictEqual(res.status, 201);
  strictEqual(res.headers.get("x-data"), "yes");
  strictEqual(res.headers.get("content-type"), "text/html; charset=utf-8");
  match(await res.text(), /<h1>Hello Fresh<\/h1>/);
});

Deno.test("app: a handler function for every method can return page()", async () => {
  const handler = new App()
    .route("/", {
      handler: (ctx) => page(ctx.req.method),
      component: ({ data }: PageProps<string>) => <p>{data}</p>,
    })
    .handler();
  match(
    await (await handler(req("/", { method: "POST" }))).text(),
    /<p>POST<\/p>/,
  );
});

Deno.test("app: a component with no GET handler is rendered for GET", async () => {
  const handler = new App()
    .route("/form", {
      handler: { POST: (ctx) => ctx.redirect("/form?done=1", 303) },
      component: ({ data }: PageProps) => <form>{String(data)}</form>,
    })
    .handler();
  let res = await handler(req("/form"));
  strictEqual(res.status, 200);
  match(await res.text(), /<form>undefined<\/form>/);
  res = await handler(req("/form", { method: "POST" }));
  strictEqual(res.status, 303);
  strictEqual(res.headers.get("location"), "/form?done=1");
});

Deno.test("app: a handler returning something else is a 500", async () => {
  const handler = new App()
    // deno-lint-ignore no-explicit-any
    .route("/", { handler: (() => "nope") as any })
    .handler();
  const logged = await quietErrors(async () => {
    strictEqual((await handler(req("/"))).status, 500);
  });
  match(String(logged[0][1]), /neither a Response nor page\(\)/);
});

Deno.test("app: ctx.render() renders a vnode inside the layouts and app wrapper", async () => {
  const handler = new App()
    .appWrapper(AppWrapper)
    .layout("*", Layout("l"))
    .get("/", (ctx) => ctx.render(<b>hi</b>, { status: 418 }))
    .handler();
  const res = await handler(req("/"));
  strictEqual(res.status, 418);
  match(await res.text(), /<body><div class="l"><b>hi<\/b><\/div><\/body>/);
});

Deno.test("app: ctx.redirect keeps protocol-relative and backslash locations on this site", async () => {
  const targets: Record<string, string> = {
    "//evil.com": "/evil.com",
    "///evil.com/x": "/evil.com/x",
    "/\\evil.com": "/evil.com",
    "\\/evil.com": "/evil.com",
    "\\\\evil.com": "/evil.com",
    "/\t/evil.com": "/evil.com",
    " //evil.com": "/evil.com",
    "/ok?next=//x": "/ok?next=//x",
    "https://example.com/": "https://example.com/",
    "relative/path": "relative/path",
  };
  const handler = new App()
    .get("/", (ctx) => ctx.redirect(ctx.url.searchParams.get("to")!))
    .handler();
  for (const [to, expected] of Object.entries(targets)) {
    const res = await handler(req(`/?to=${encodeURIComponent(to)}`));
    strictEqual(res.status, 302);
    const location = res.headers.get("location")!;
    strictEqual(location, expected, `redirect(${JSON.stringify(to)})`);
    strictEqual(
      new URL(location, "http://localhost/").host,
      to.startsWith("https:") ? "example.com" : "localhost",
    );
  }
});

Deno.test("app: ctx.redirect uses the given status", async () => {
  const handler = new App()
    .get("/", (ctx) => ctx.redirect("/there", 307))
    .handler();
  const res = await handler(req("/"));
  strictEqual(res.status, 307);
  strictEqual(res.headers.get("location"), "/there");
});

Deno.test("app: ctx.json, ctx.text and ctx.html set their content types", async () => {
  const handler = new App()
    .get("/json", (ctx) => ctx.json({ a: 1 }, { status: 201 }))
    .get("/text", (ctx) => ctx.text("t"))
    .get("/html", (ctx) => ctx.html("<p>h</p>"))
    .get(
      "/own",
      (ctx) =>
        ctx.json([], { headers: { "content-type": "application/ld+json" } }),
    )
    .handler();
  let res = await handler(req("/json"));
  strictEqual(res.status, 201);
  strictEqual(res.headers.get("content-type"), "application/json");
  deepStrictEqual(await res.json(), { a: 1 });
  res = await handler(req("/text"));
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  strictEqual(await res.text(), "t");
  res = await handler(req("/html"));
  strictEqual(res.headers.get("content-type"), "text/html; charset=utf-8");
  strictEqual(await res.text(), "<p>h</p>");
  res = await handler(req("/own"));
  strictEqual(res.headers.get("content-type"), "application/ld+json");
  await res.body?.cancel();
});

Deno.test("app: ctx.json, ctx.text and ctx.html take headers in any HeadersInit form", async () => {
  const handler = new App()
    .get("/record", (ctx) =>
      ctx.json({}, {
        status: 202,
        statusText: "Accepted for now",
        headers: { "cache-control": "no-store", "Content-Type": "text/x-a" },
      }))
    .get("/pairs", (ctx) =>
      ctx.text("t", {
        headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-n", "1"]],
      }))
    .get("/headers", (ctx) =>
      ctx.html("<p>h</p>", {
        status: 404,
        headers: new Headers({ "x-n": "2" }),
      }))
    .handler();
  let res = await handler(req("/record"));
  strictEqual(res.status, 202);
  strictEqual(res.statusText, "Accepted for now");
  strictEqual(res.headers.get("content-type"), "text/x-a");
  strictEqual(res.headers.get("cache-control"), "no-store");
  await res.body?.cancel();
  res = await handler(req("/pairs"));
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  deepStrictEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
  strictEqual(res.headers.get("x-n"), "1");
  await res.body?.cancel();
  res = await handler(req("/headers"));
  strictEqual(res.status, 404);
  strictEqual(res.headers.get("content-type"), "text/html; charset=utf-8");
  strictEqual(res.headers.get("x-n"), "2");
  strictEqual(await res.text(), "<p>h</p>");
});

Deno.test("app: unmatched paths run the middlewares whose scope covers them", async () => {
  const tag = (name: string) => (ctx: { next: () => Promise<Response> }) =>
    ctx.next().then((res) => {
      res.headers.set(name, "1");
      return res;
    });
  const global = new App().use(tag("x-all")).get("/", () => new Response(""))
    .handler();
  const res = await global(req("/nope"));
  strictEqual(res.status, 404);
  strictEqual(res.headers.get("x-all"), "1");

  const scoped = new App()
    .use(tag("x-all"))
    .use("/admin", tag("x-admin"))
    .get("/", () => new Response(""))
    .handler();
  const below = await scoped(req("/admin/nope"));
  strictEqual(below.headers.get("x-all"), "1");
  strictEqual(below.headers.get("x-admin"), "1");
  const outside = await scoped(req("/nope"));
  strictEqual(outside.headers.get("x-all"), "1");
  strictEqual(outside.headers.get("x-admin"), null);
});

Deno.test("app: ctx.info is handed through", async () => {
  const info = {
    remoteAddr: { transport: "tcp", hostname: "1.2.3.4", port: 1 },
    completed: Promise.resolve(),
  } as Deno.ServeHandlerInfo<Deno.NetAddr>;
  const handler = new App()
    .get(
      "/",
      (ctx) => ctx.text((ctx.info?.remoteAddr as Deno.NetAddr).hostname),
    )
    .handler();
  strictEqual(await (await handler(req("/"), info)).text(), "1.2.3.4");
});

Deno.test("app: listen() without a port serves on the first free port from 8000", async () => {
  const blockers: Deno.Listener[] = [];
  // Keep 8000 busy (when it is free) to prove the search moves on.
  try {
    blockers.push(Deno.listen({ hostname: "127.0.0.1", port: 8000 }));
  } catch {
    // Already taken by something else: just as good.
  }
  const ac = new AbortController();
  const addr = Promise.withResolvers<Deno.NetAddr>();
  const app = new App().get("/", (ctx) => ctx.text("served"));
  const done = app.listen({
    hostname: "127.0.0.1",
    signal: ac.signal,
    onListen: addr.resolve,
  });
  try {
    const { port } = await addr.promise;
    ok(port > 8000 && port < 8020, `port ${port}`);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    strictEqual(await res.text(), "served");
  } finally {
    ac.abort();
    await done;
    for (const l of blockers) l.close();
  }
});

Deno.test("app: children of a layout render through props.Component", async () => {
  function Shell(
    { Component, children }: PageProps & { children?: ComponentChildren },
  ) {
    return (
      <main>
        {children}
        <Component />
      </main>
    );
  }
  const handler = new App()
    .layout("*", Shell)
    .route("/", { component: () => <p>in</p> })
    .handler();
  match(await (await handler(req("/"))).text(), /<main><p>in<\/p><\/main>/);
});
