import type { Signal } from "@preact/signals";
import type { JSX } from "preact";
import { themeCookie } from "../lib/theme.ts";
import type { Theme } from "../utils.ts";

const ICON = {
  class: "size-4 shrink-0",
  viewBox: "0 0 24 24",
  fill: "none",
  stroke: "currentColor",
  "stroke-width": 2,
  "stroke-linecap": "round",
  "stroke-linejoin": "round",
  "aria-hidden": "true",
} as const;

const THEMES: { value: Theme; label: string; icon: JSX.Element }[] = [
  {
    value: "system",
    label: "System",
    icon: (
      <svg {...ICON}>
        <rect x="3" y="4" width="18" height="12" rx="2" />
        <path d="M8 20h8M12 16v4" />
      </svg>
    ),
  },
  {
    value: "light",
    label: "Light",
    icon: (
      <svg {...ICON}>
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
      </svg>
    ),
  },
  {
    value: "dark",
    label: "Dark",
    icon: (
      <svg {...ICON}>
        <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5Z" />
      </svg>
    ),
  },
];

interface Props {
  /** Shared by every copy of the control on the page, so all stay in step. */
  theme: Signal<Theme>;
  /** Where the no-JavaScript form returns to: the current path and query. */
  next: string;
  /** Icons only (the header row) or icons with their names (the menu). */
  compact?: boolean;
  /** Signed in: the choice is also stored with the account. */
  store?: boolean;
}

/**
 * Chooses the colour scheme. Without JavaScript the buttons submit a form
 * to POST /theme, which sets the cookie and comes back; once hydrated, a
 * click switches at once and writes the same cookie, so the server renders
 * the choice on the next load without a flash. Signed in, the choice is
 * also stored with the account (POST /api/account/preferences), whose
 * pages render the stored theme.
 */
export default function ThemeToggle({ theme, next, compact, store }: Props) {
  const choose = (event: Event, value: Theme) => {
    event.preventDefault();
    theme.value = value;
    document.documentElement.dataset.theme = value;
    document.cookie = themeCookie(value, location.protocol === "https:");
    // Signed-in pages render the stored theme, so store it too. Should
    // this fail, the next page shows the stored one: nothing is lost.
    if (store) {
      fetch("/api/account/preferences", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ theme: value }),
      }).catch(() => {});
    }
  };

  return (
    <form method="post" action="/theme">
      <input type="hidden" name="next" value={next} />
      <div
        role="group"
        aria-label="Colour theme"
        class="flex w-fit rounded-md border border-slate-400 text-sm dark:border-slate-500"
      >
        {THEMES.map(({ value, label, icon }) => (
          <button
            key={value}
            type="submit"
            name="theme"
            value={value}
            aria-pressed={theme.value === value ? "true" : "false"}
            aria-label={compact ? label : undefined}
            title={compact ? `${label} theme` : undefined}
            onClick={(e) => choose(e, value)}
            class={`flex min-h-8 items-center gap-1.5 first:rounded-l-md last:rounded-r-md hover:bg-slate-100 aria-pressed:bg-slate-800 aria-pressed:text-white dark:hover:bg-slate-800 dark:aria-pressed:bg-slate-200 dark:aria-pressed:text-slate-900 ${
              compact ? "min-w-8 justify-center" : "px-3"
            }`}
          >
            {icon}
            {!compact && label}
          </button>
        ))}
      </div>
    </form>
  );
}
