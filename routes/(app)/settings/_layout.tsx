import { define } from "../../../utils.ts";

/** The sections of the account area, in order. */
const SECTIONS = [
  { href: "/settings", label: "Account" },
  { href: "/settings/security", label: "Security" },
  // Shown only when a sign-in provider is configured (see below).
  { href: "/settings/connections", label: "Connected accounts" },
  { href: "/settings/sessions", label: "Sessions" },
  { href: "/settings/activity", label: "Activity" },
  { href: "/settings/preferences", label: "Preferences" },
  { href: "/settings/billing", label: "Billing" },
  { href: "/settings/data", label: "Your data" },
];

// Fresh marks these links: the open section aria-current="page", and the
// Account tab aria-current="true" on the other sections, because
// /settings is also the root of the area they are in (as the header's
// Settings link is). That is true, so it is kept; only the open section is
// highlighted, which is why the styles key on "page" alone.
const TAB =
  "-mb-px block border-b-2 border-transparent px-3 py-2.5 text-sm font-medium text-slate-700 md:mb-0 md:rounded-md md:border-b-0 dark:text-slate-300 " +
  "not-aria-[current=page]:hover:text-slate-950 md:not-aria-[current=page]:hover:bg-slate-100 dark:not-aria-[current=page]:hover:text-white md:dark:not-aria-[current=page]:hover:bg-slate-900 " +
  "aria-[current=page]:border-indigo-700 aria-[current=page]:text-indigo-800 md:aria-[current=page]:bg-indigo-50 dark:aria-[current=page]:border-indigo-300 dark:aria-[current=page]:text-indigo-200 md:dark:aria-[current=page]:bg-indigo-950";

/**
 * The account area: a heading, the section navigation (tabs that scroll
 * sideways on a phone, a sidebar from medium screens up), then the section.
 */
export default define.layout(function SettingsLayout({ Component, state }) {
  // Without a provider there is nothing to connect: the area stays as it
  // was (the page itself still answers, for links left from before).
  const sections = state.services.oauth.list.length > 0
    ? SECTIONS
    : SECTIONS.filter((s) => s.href !== "/settings/connections");
  return (
    <div class="mx-auto max-w-5xl px-4 py-8 sm:py-12">
      <h1 class="text-3xl font-bold">Settings</h1>
      <div class="mt-6 md:grid md:grid-cols-[11rem_minmax(0,1fr)] md:gap-10">
        <nav aria-label="Settings sections" class="-mx-4 md:mx-0">
          <ul class="flex gap-1 overflow-x-auto border-b border-slate-200 px-4 md:flex-col md:border-b-0 md:px-0 dark:border-slate-800">
            {sections.map((s) => (
              <li key={s.href} class="shrink-0">
                <a href={s.href} class={TAB}>{s.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="mt-8 md:mt-0">
          <Component />
        </div>
      </div>
    </div>
  );
});
