/** Site footer. Fresh marks the status link on the status page itself. */
export function Footer() {
  return (
    <footer class="border-t border-slate-200 text-sm text-slate-600 dark:border-slate-800 dark:text-slate-300">
      <div class="mx-auto flex max-w-5xl flex-wrap justify-between gap-4 px-4 py-6">
        <p>Islet: self-hosted sign-in and sessions for web products.</p>
        <p>
          <a class="underline hover:no-underline" href="/status">
            Service status
          </a>
        </p>
      </div>
    </footer>
  );
}
