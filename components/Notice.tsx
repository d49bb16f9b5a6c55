/**
 * A one-time confirmation of what an action did ("2 other sessions were
 * signed out"), announced politely when it appears. `warning` shows it as
 * something to act on (few recovery codes left).
 */
export function Notice(
  { message, class: extra = "", warning = false }: {
    message?: string | null;
    class?: string;
    warning?: boolean;
  },
) {
  if (!message) return null;
  const tone = warning
    ? "border-amber-700 bg-amber-50 text-amber-950 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-50"
    : "border-green-700 bg-green-50 text-green-900 dark:border-green-500 dark:bg-green-950 dark:text-green-100";
  return (
    <p
      role="status"
      data-testid="notice"
      class={`${extra} rounded-md border px-3 py-2 text-sm ${tone}`}
    >
      {message}
    </p>
  );
}
