/**
 * The bodies of the error pages: one frame, and the words for each status.
 * `routes/_404.tsx`, `routes/_500.tsx` and the app's error answer
 * (`error_answers.tsx`) all show these, so an error reads the same however
 * it was made.
 *
 * @module
 */
import { HttpError } from "fresh";
import { Head } from "fresh/runtime";
import { PublicError } from "../http/public_error.ts";

interface ErrorPageProps {
  status: number;
  /** With the product name, the document title. */
  title: string;
  /** The visible heading; the title when absent. */
  heading?: string;
  message: string;
}

/**
 * The body of the 404 and error pages: status, what happened, a way home.
 *
 * @example
 * ```tsx
 * const body = <ErrorPage status={410} title="Gone" message="This page was removed." />;
 * ```
 */
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

/**
 * The error page for a thrown value: "not found" for 404, "something went
 * wrong" from 500, "briefly unavailable" for 503, "could not be completed" for any other 4xx, which says
 * a `PublicError`'s own message when there is one.
 *
 * @example
 * ```tsx
 * import { HttpError } from "fresh";
 * const body = <StatusPage error={new HttpError(404)} />;
 * ```
 */
export function StatusPage({ error }: { error: unknown }) {
  const status = error instanceof HttpError ? error.status : 500;
  if (status === 404) {
    return (
      <ErrorPage
        status={404}
        title="Page not found"
        heading="This page does not exist"
        message="The address may be mistyped, or the page may have moved."
      />
    );
  }
  if (status === 503) {
    return (
      <ErrorPage
        status={503}
        title="Briefly unavailable"
        message={error instanceof PublicError
          ? error.message
          : "The service cannot answer right now. Please try again in a moment."}
      />
    );
  }
  return status >= 500
    ? (
      <ErrorPage
        status={status}
        title="Something went wrong"
        message="The error has been logged. Please try again in a moment."
      />
    )
    : (
      <ErrorPage
        status={status}
        title="This request could not be completed"
        message={error instanceof PublicError
          ? error.message
          : "Please check what you sent and try again."}
      />
    );
}

/**
 * The page a person sees when the origin check refuses their form: what
 * happened in plain words and a link back to the form.
 *
 * @example
 * ```tsx
 * const body = <OriginRefused back="/login" />;
 * ```
 */
export function OriginRefused({ back }: { back: string }) {
  return (
    <section class="mx-auto max-w-3xl px-4 py-24 text-center">
      <Head>
        <title>Form not accepted · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        403
      </p>
      <h1 class="mt-2 text-3xl font-bold">This form was not accepted</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">
        For your safety, Islet only accepts forms sent from its own pages, and
        this one seemed to come from somewhere else. This also happens when the
        page was opened at a different address than the one the site runs at.
        Nothing was changed.
      </p>
      <p class="mt-8">
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href={back}
        >
          Go back to the form and try again
        </a>
      </p>
    </section>
  );
}
