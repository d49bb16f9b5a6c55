import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { App } from "./app.ts";
import { page } from "./context.ts";
import { createDefine } from "./define.ts";

interface State {
  user: string;
}
const define = createDefine<State>();

// Typed as upstream code writes them: the page's data comes from the handler.
const handler = define.handlers({
  GET(ctx) {
    return page({ greeting: `hi ${ctx.state.user}` });
  },
});
const Page = define.page<typeof handler>(({ data, state }) => (
  <p>
    {data.greeting} / {state.user}
  </p>
));
const AsyncPage = define.page(async ({ url }) => {
  await Promise.resolve();
  return <p>{url.pathname}</p>;
});
const Layout = define.layout(({ Component }) => (
  <div>
    <Component />
  </div>
));
const middleware = define.middleware((ctx) => {
  ctx.state.user = "ada";
  return ctx.next();
});
const middlewares = define.middleware([middleware]);

Deno.test("define: the helpers return their argument unchanged", () => {
  strictEqual(define.handlers(handler), handler);
  strictEqual(define.page(Page), Page);
  strictEqual(define.layout(Layout), Layout);
  strictEqual(define.middleware(middleware), middleware);
  deepStrictEqual(middlewares, [middleware]);
});

Deno.test("define: typed handlers, pages, layouts and middlewares run together", async () => {
  const app = new App<State>()
    .use(...middlewares)
    .layout("*", Layout)
    .route("/", { handler, component: Page })
    .route("/async", { component: AsyncPage });
  const run = app.handler();
  match(
    await (await run(new Request("http://localhost/"))).text(),
    /<div><p>hi ada \/ ada<\/p><\/div>/,
  );
  match(
    await (await run(new Request("http://localhost/async"))).text(),
    /<div><p>\/async<\/p><\/div>/,
  );
});
