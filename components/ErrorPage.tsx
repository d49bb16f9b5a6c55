import { Head } from "fresh/runtime";

interface ErrorPageProps {
  status: number;
  /** With the product name, the document title. */
  title: string;
  /** The visible heading; the title when absent. */
  heading?: string;
  message: string;
}

/** The body of the 404 and error pages: status, what happened, a way home. */
export function ErrorPage({ status, title, heading, message }: ErrorPageProps) {
  return (
    <section class="mx-auto max-w-3xl px-4 py-24 text-center">
      <Head>
        <title>{title} · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        {status}
      </p>
      <h1 class="mt-2 text-3xl font-bold">{heading ?? title}</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">{message}</p>
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
}
