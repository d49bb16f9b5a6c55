import { Head } from "fresh/runtime";
import { HttpError } from "fresh";
import { define } from "../utils.ts";

export default define.page(function ServerError({ error }) {
  const status = error instanceof HttpError ? error.status : 500;
  const title = status >= 500
    ? "Something went wrong"
    : "This request could not be completed";
  return (
    <section class="mx-auto max-w-3xl px-4 py-24 text-center">
      <Head>
        <title>{title} · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        {status}
      </p>
      <h1 class="mt-2 text-3xl font-bold">{title}</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">
        {status >= 500
          ? "The error has been logged. Please try again in a moment."
          : "Please check what you sent and try again."}
      </p>
      <p class="mt-8">
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/"
        >
          Back to the home page
        </a>
      </p>
    </section>
  );
});
