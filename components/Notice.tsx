/**
 * A one-time confirmation of what an action did ("2 other sessions were
 * signed out"), announced politely when it appears.
 */
export function Notice(
  { message, class: extra = "" }: { message?: string | null; class?: string },
) {
  if (!message) return null;
  return (
    <p
      role="status"
      data-testid="notice"
      class={`${extra} rounded-md border border-green-700 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-500 dark:bg-green-950 dark:text-green-100`}
    >
      {message}
    </p>
  );
}
