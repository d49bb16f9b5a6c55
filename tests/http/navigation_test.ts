/**
 * Which navigation links the server marks as current (Fresh does it; the
 * app only decides how its links are written): the page's own links are
 * aria-current="page", links to an area the page is in (the home page,
 * Settings) are "true", and links to a section of the landing page are
 * never marked but still lead there.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { Client, uniqueEmail } from "../helpers/auth.ts";
import { getPage, withApp } from "../helpers/pages.ts";

interface Link {
  text: string;
  /** Where the link leads, resolved against the page. */
  to: string;
  current: string | null;
}

/** Every `<a>` inside the element opened by `start`, in document order. */
function links(html: string, page: string, start: RegExp): Link[] {
  const from = html.search(start);
  strictEqual(from === -1, false, `${start} in the page`);
  const rest = html.slice(from);
  const end = rest.search(/<\/(nav|header|footer)>/);
  const out: Link[] = [];
  for (
    const [, attrs, inner] of rest.slice(0, end).matchAll(
      /<a(\s[^>]*)>([^]*?)<\/a>/g,
    )
  ) {
    const href = attrs.match(/\shref="([^"]*)"/)?.[1] ?? "";
    const url = new URL(href.replaceAll("&amp;", "&"), `http://x${page}`);
    out.push({
      text: inner.replace(/<[^>]*>/g, "").trim(),
      to: url.pathname + url.hash,
      current: attrs.match(/\saria-current="([^"]*)"/)?.[1] ?? null,
    });
  }
  return out;
}

const MAIN_NAV = /<nav aria-label="Main" class="hidden/;

Deno.test("navigation: the server marks the current page and the areas it is in, never a landing-page section", async () => {
  await withApp(async (app) => {
    const visitor = new Client(app);

    const home = (await getPage(visitor, "/")).text;
    deepStrictEqual(links(home, "/", /<header/).slice(0, 1), [
      { text: "Islet", to: "/", current: "page" },
    ]);
    deepStrictEqual(links(home, "/", MAIN_NAV), [
      { text: "Features", to: "/#features", current: null },
      { text: "For developers", to: "/#developers", current: null },
      { text: "Status", to: "/status", current: null },
    ]);

    const status = (await getPage(visitor, "/status")).text;
    deepStrictEqual(links(status, "/status", /<header/).slice(0, 1), [
      { text: "Islet", to: "/", current: "true" },
    ]);
    deepStrictEqual(links(status, "/status", MAIN_NAV), [
      { text: "Features", to: "/#features", current: null },
      { text: "For developers", to: "/#developers", current: null },
      { text: "Status", to: "/status", current: "page" },
    ]);
    deepStrictEqual(links(status, "/status", /<footer/), [
      { text: "Service status", to: "/status", current: "page" },
    ]);

    const me = new Client(app);
    await me.register(uniqueEmail());
    const path = "/settings/sessions";
    const sessions = (await getPage(me, path)).text;
    deepStrictEqual(
      links(sessions, path, /<nav aria-label="Account" class="hidden/),
      [
        { text: "Dashboard", to: "/dashboard", current: null },
        { text: "Settings", to: "/settings", current: "true" },
      ],
    );
    deepStrictEqual(
      links(sessions, path, /<nav aria-label="Settings sections"/),
      [
        { text: "Account", to: "/settings", current: "true" },
        { text: "Security", to: "/settings/security", current: null },
        { text: "Sessions", to: "/settings/sessions", current: "page" },
        { text: "Activity", to: "/settings/activity", current: null },
        { text: "Preferences", to: "/settings/preferences", current: null },
        { text: "Billing", to: "/settings/billing", current: null },
        { text: "Your data", to: "/settings/data", current: null },
      ],
    );
    deepStrictEqual(links(sessions, path, MAIN_NAV).map((l) => l.current), [
      null,
      null,
      null,
    ]);
    deepStrictEqual(
      links(
        (await getPage(me, "/settings")).text,
        "/settings",
        /<nav aria-label="Settings sections"/,
      ).map((l) => l.current),
      ["page", null, null, null, null, null, null],
    );
  });
});
