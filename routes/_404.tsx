import { Head } from "fresh/runtime";
import { define } from "../utils.ts";

export default define.page(function NotFound() {
  return (
    <section class="mx-auto max-w-3xl px-4 py-24 text-center">
      <Head>
        <title>Page not found · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        404
      </p>
      <h1 class="mt-2 text-3xl font-bold">This page does not exist</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">
        The address may be mistyped, or the page may have moved.
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
