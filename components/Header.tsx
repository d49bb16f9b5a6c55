import { signal } from "@preact/signals";
import MenuCloser from "../islands/MenuCloser.tsx";
import ThemeToggle from "../islands/ThemeToggle.tsx";
import type { Theme } from "../utils.ts";
import { sectionHref } from "./section_href.ts";

interface HeaderProps {
  theme: Theme;
  signedIn: boolean;
  /** The current path: it chooses the primary action and how sections are linked. */
  path: string;
  /** The current path and query: where the no-JavaScript theme form returns. */
  next: string;
}

// Fresh marks the link to the current page (aria-current="page") and to
// its ancestors ("true"), so these links carry no marks of their own. The
// home link is "true" on every other page, as every page is under "/";
// that is kept (it is the first step of where the visitor is). Sections of
// the landing page are not the visitor's page nor above it, so they are
// written to stay unmarked (section_href.ts).
const NAV = [
  { href: "/#features", label: "Features" },
  { href: "/#developers", label: "For developers" },
  { href: "/status", label: "Status" },
];

const ACCOUNT = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/settings", label: "Settings" },
];

const MENU_ID = "site-menu";

const PRIMARY =
  "rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800";
const SECONDARY =
  "rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-500 dark:hover:bg-slate-900";
const ROW_LINK =
  "inline-block py-1 hover:underline aria-[current=page]:font-semibold aria-[current=page]:underline";
const MENU_LINK =
  "block rounded-md px-3 py-2.5 hover:bg-slate-100 aria-[current=page]:font-semibold aria-[current=page]:underline dark:hover:bg-slate-800";

/**
 * Site header: one row at every width. From `md` up the navigation sits in
 * the row; below it moves into a `<details>` menu, which opens and closes
 * without JavaScript (an island adds Escape and click-outside). There is
 * one primary action: "Sign in", except on the sign-in page itself.
 */
export function Header({ theme, signedIn, path, next }: HeaderProps) {
  // One signal for both theme controls (row and menu), so they agree.
  const chosen = signal(theme);
  // One list item per link, for the row and the phone menu alike.
  const links = (items: typeof NAV, linkClass: string) =>
    items.map(({ href, label }) => (
      <li key={href}>
        <a
          class={linkClass}
          href={href.includes("#") ? sectionHref(path, href) : href}
        >
          {label}
        </a>
      </li>
    ));
  const signOut = (buttonClass: string) => (
    <form method="post" action="/api/auth/logout">
      <button type="submit" class={buttonClass}>Sign out</button>
    </form>
  );
  // On /login the page is the sign-in form: the header offers the other way in.
  const action = signedIn
    ? null
    : path === "/login"
    ? <a href="/signup" class={SECONDARY}>Create account</a>
    : (
      <a href="/login" class={PRIMARY}>
        Sign in
      </a>
    );

  return (
    <header class="relative border-b border-slate-200 dark:border-slate-800">
      <div class="mx-auto flex h-14 max-w-5xl items-center gap-3 px-4 md:gap-6">
        <a
          href="/"
          class="text-lg font-bold tracking-tight text-indigo-700 dark:text-indigo-300"
        >
          Islet
        </a>
        <nav aria-label="Main" class="hidden flex-1 md:block">
          <ul class="flex items-center gap-x-5 text-sm">
            {links(NAV, ROW_LINK)}
          </ul>
        </nav>
        <div class="ml-auto flex items-center gap-3 md:ml-0">
          <div class="hidden md:block">
            <ThemeToggle
              theme={chosen}
              next={next}
              compact
              store={signedIn}
            />
          </div>
          {signedIn && (
            <nav aria-label="Account" class="hidden md:block">
              <ul class="flex items-center gap-x-5 text-sm">
                {links(ACCOUNT, ROW_LINK)}
                <li>{signOut(SECONDARY)}</li>
              </ul>
            </nav>
          )}
          {action}
          <details id={MENU_ID} class="group md:hidden">
            <summary class="flex min-h-9 cursor-pointer list-none items-center gap-1.5 rounded-md border border-slate-400 px-2.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-500 dark:hover:bg-slate-900 [&::-webkit-details-marker]:hidden">
              <svg
                class="size-5 group-open:hidden"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                aria-hidden="true"
              >
                <path d="M4 7h16M4 12h16M4 17h16" />
              </svg>
              <svg
                class="hidden size-5 group-open:block"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                aria-hidden="true"
              >
                <path d="M6 6l12 12M18 6L6 18" />
              </svg>
              Menu
            </summary>
            <div class="absolute inset-x-0 top-full z-40 border-b border-slate-200 bg-white px-4 pb-5 pt-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
              <nav aria-label="Main">
                <ul class="space-y-1">{links(NAV, MENU_LINK)}</ul>
              </nav>
              {signedIn && (
                <nav
                  aria-label="Account"
                  class="mt-3 border-t border-slate-200 pt-3 dark:border-slate-800"
                >
                  <ul class="space-y-1">
                    {links(ACCOUNT, MENU_LINK)}
                    <li>
                      {signOut(
                        `${MENU_LINK} w-full text-left`,
                      )}
                    </li>
                  </ul>
                </nav>
              )}
              <div class="mt-3 border-t border-slate-200 px-3 pt-4 dark:border-slate-800">
                <p class="mb-2 text-sm text-slate-600 dark:text-slate-300">
                  Theme
                </p>
                <ThemeToggle theme={chosen} next={next} store={signedIn} />
              </div>
            </div>
          </details>
          <MenuCloser menuId={MENU_ID} />
        </div>
      </div>
    </header>
  );
}
