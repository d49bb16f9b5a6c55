import assert from "node:assert/strict";
import * as path from "node:path";
import {
  hasChromium,
  launchBrowser,
  openPage,
} from "../../../tests/helpers/browser.ts";
import { Builder } from "./builder.ts";
import { makeFixture } from "./testdata/fixture.ts";

Deno.test({
  name:
    "built islands hydrate in Chromium and share one Preact (hooks and signals work)",
  ignore: !hasChromium(),
  fn: async () => {
    // Chromium asks for /favicon.ico on its own; keep that from being a 404.
    const fx = await makeFixture({ "static/favicon.ico": "" });
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
      const counter = page.locator("button.text-lime-600");
      await counter.click();
      await counter.click();
      assert.match(await counter.textContent() ?? "", /^5 /);
      const other = page.locator("span");
      await other.click();
      assert.equal(await other.textContent(), "1");
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
