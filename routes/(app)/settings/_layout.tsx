import { define } from "../../../utils.ts";

/** The sections of the account area, in order. */
const SECTIONS = [
  { href: "/settings", label: "Account" },
  { href: "/settings/security", label: "Security" },
  { href: "/settings/sessions", label: "Sessions" },
];

/**
 * The account area: a heading, the section navigation (tabs that scroll
 * sideways on a phone, a sidebar from medium screens up), then the section.
 */
export default define.layout(function SettingsLayout({ Component, url }) {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  return (
    <div class="mx-auto max-w-5xl px-4 py-8 sm:py-12">
      <h1 class="text-3xl font-bold">Settings</h1>
      <div class="mt-6 md:grid md:grid-cols-[11rem_minmax(0,1fr)] md:gap-10">
        <nav aria-label="Settings sections" class="-mx-4 md:mx-0">
          <ul class="flex gap-1 overflow-x-auto border-b border-slate-200 px-4 md:flex-col md:border-b-0 md:px-0 dark:border-slate-800">
            {SECTIONS.map((s) => {
              const current = s.href === path;
              return (
                <li key={s.href} class="shrink-0">
                  <a
                    href={s.href}
                    aria-current={current ? "page" : undefined}
                    class={`-mb-px block border-b-2 px-3 py-2.5 text-sm font-medium md:mb-0 md:rounded-md md:border-b-0 ${
                      current
                        ? "border-indigo-700 text-indigo-800 md:bg-indigo-50 dark:border-indigo-300 dark:text-indigo-200 md:dark:bg-indigo-950"
                        : "border-transparent text-slate-700 hover:text-slate-950 md:hover:bg-slate-100 dark:text-slate-300 dark:hover:text-white md:dark:hover:bg-slate-900"
                    }`}
                  >
                    {s.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="mt-8 md:mt-0">
          <Component />
        </div>
      </div>
    </div>
  );
});
