import { useSignal } from "@preact/signals";

type Theme = "system" | "light" | "dark";
const THEMES: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/**
 * Chooses the colour scheme. The choice is stored in a cookie so the server
 * renders it on the next page load without a flash.
 */
export default function ThemeToggle({ initial }: { initial: Theme }) {
  const theme = useSignal<Theme>(initial);

  const choose = (value: Theme) => {
    theme.value = value;
    document.documentElement.dataset.theme = value;
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      `theme=${value}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  };

  return (
    <div
      role="group"
      aria-label="Colour theme"
      class="flex rounded-md border border-slate-300 text-xs dark:border-slate-700"
    >
      {THEMES.map(({ value, label }) => (
        <button
          key={value}
          type="button"
          aria-pressed={theme.value === value ? "true" : "false"}
          onClick={() => choose(value)}
          class="px-2 py-1 first:rounded-l-md last:rounded-r-md aria-pressed:bg-slate-800 aria-pressed:text-white dark:aria-pressed:bg-slate-200 dark:aria-pressed:text-slate-900"
        >
          {label}
        </button>
      ))}
    </div>
  );
}
