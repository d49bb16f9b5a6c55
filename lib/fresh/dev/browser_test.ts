import assert from "node:assert/strict";
import * as path from "node:path";
import {
  hasChromium,
  islandsHydrated,
  launchBrowser,
  openPage,
} from "../../../tests/helpers/browser.ts";
import { Builder } from "./builder.ts";
import { makeFixture } from "./testdata/fixture.ts";

Deno.test({
  name:
    "built islands hydrate in Chromium and share one Preact (hooks and signals work); server link marks survive",
  ignore: !hasChromium(),
  fn: async () => {
    // Chromium asks for /favicon.ico on its own; keep that from being a 404.
    const fx = await makeFixture({
      "static/favicon.ico": "",
      // A link rendered on the server (marked as the current page there)
      // and one the island adds in the browser (which nothing marks, as
      // upstream).
      "islands/Other.tsx": `import { useState } from "preact/hooks";
export default function Other() {
  const [n, setN] = useState(0);
  return (
    <>
      <span onClick={() => setN(n + 1)}>{n}</span>
      <a href="/">home {n}</a>
      {n > 0 && <a href="/">later</a>}
    </>
  );
}
`,
    });
    const apply = await new Builder({ root: fx.root }).build({
      snapshot: "memory",
    });
    const { app } = await import(path.join(fx.root, "main.ts"));
    apply(app);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      app.handler(),
    );
    const browser = await launchBrowser();
    try {
      const { page, consoleErrors } = await openPage(
        browser,
        `http://127.0.0.1:${server.addr.port}/`,
      );
      await islandsHydrated(page);
      const counter = page.locator("button.text-lime-600");
      await counter.click();
      await counter.click();
      assert.match(await counter.textContent() ?? "", /^5 /);
      const other = page.locator("span");
      await other.click();
      assert.equal(await other.textContent(), "1");
      // Re-rendered by the island, the server's marks stay.
      const home = page.getByRole("link", { name: "home 1" });
      assert.equal(await home.getAttribute("aria-current"), "page");
      const later = page.getByRole("link", { name: "later" });
      assert.equal(await later.getAttribute("aria-current"), null);
      const local = page.locator("button", { hasText: /^(on|off)$/ });
      await local.click();
      assert.equal(await local.textContent(), "on");
      assert.deepEqual(consoleErrors, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await fx.cleanup();
    }
  },
});
