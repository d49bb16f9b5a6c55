/**
 * What sign-up answers, new address or not: check your inbox, then sign
 * in. Rendered by the sign-up page (no JavaScript) and by the sign-up
 * island after its API call, with the message the server gave.
 */
export function CheckInbox({ message }: { message: string }) {
  return (
    <div class="space-y-4" data-testid="check-inbox">
      <p role="status" class="font-medium break-words">{message}</p>
      <p class="text-sm text-slate-700 dark:text-slate-300">
        Open the link in the email and press the button on the page it opens.
        The link works for 24 hours. Nothing there? Look in your spam folder.
      </p>
      <p class="text-sm text-slate-700 dark:text-slate-300">
        You can sign in with your password now; until your address is confirmed,
        Islet reminds you and can send a new link.
      </p>
      <a
        href="/login"
        class="inline-block rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
      >
        Sign in
      </a>
    </div>
  );
}
