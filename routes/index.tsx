import { Head } from "fresh/runtime";
import { define } from "../utils.ts";

const FEATURES = [
  {
    title: "Accounts and sign-in",
    text:
      "Email and password with argon2id, GitHub, Google and any OpenID Connect provider, with email verification and password reset.",
  },
  {
    title: "Two-factor authentication",
    text:
      "Time-based codes from any authenticator app, single-use recovery codes, and required on every sign-in method once enabled.",
  },
  {
    title: "Sessions you can see",
    text:
      "Every device listed with its IP and last use; end any one, or all others, and revocation takes effect at once everywhere.",
  },
  {
    title: "Stripe billing",
    text:
      "Checkout and the customer portal, signed webhooks processed once and in order, and features gated by plan on the server.",
  },
];

const SECURITY = [
  "A strict Content-Security-Policy with a fresh nonce on every page",
  "Origin-checked forms and endpoints against cross-site request forgery",
  "Rate limits per address and per account, shared through Redis",
  "Session tokens stored only as hashes and compared in constant time",
  "Secrets encrypted at rest; nothing secret in logs or URLs",
];

export default define.page(function Home() {
  return (
    <>
      <Head>
        <title>Islet · the foundation for your subscription product</title>
      </Head>
      <section class="mx-auto max-w-5xl px-4 py-16 sm:py-24">
        <h1 class="text-4xl font-extrabold tracking-tight sm:text-5xl">
          Ship your product, not another sign-in page.
        </h1>
        <p class="mt-6 max-w-2xl text-lg text-slate-700 dark:text-slate-300">
          Islet is a self-hosted foundation for subscription web products.
          Accounts, sign-in, two-factor, sessions and Stripe billing are done
          and secured, so you start with the part that is yours. It is small
          enough to read in an afternoon.
        </p>
        <div class="mt-8 flex flex-wrap gap-4">
          <a
            href="/signup"
            class="rounded-md bg-indigo-700 px-5 py-2.5 font-medium text-white hover:bg-indigo-800"
          >
            Create an account
          </a>
          <a
            href="#features"
            class="rounded-md border border-slate-300 px-5 py-2.5 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-900"
          >
            See what is included
          </a>
        </div>
      </section>

      <section
        id="features"
        aria-labelledby="features-title"
        class="bg-slate-50 dark:bg-slate-900"
      >
        <div class="mx-auto max-w-5xl px-4 py-16">
          <h2 id="features-title" class="text-2xl font-bold">
            What is included
          </h2>
          <ul class="mt-8 grid gap-6 sm:grid-cols-2">
            {FEATURES.map((f) => (
              <li
                key={f.title}
                class="rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-950"
              >
                <h3 class="font-semibold">{f.title}</h3>
                <p class="mt-2 text-slate-700 dark:text-slate-300">{f.text}</p>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <section
        id="security"
        aria-labelledby="security-title"
        class="mx-auto max-w-5xl px-4 py-16"
      >
        <h2 id="security-title" class="text-2xl font-bold">
          Secure by default
        </h2>
        <ul class="mt-6 list-disc space-y-2 pl-6 text-slate-700 dark:text-slate-300">
          {SECURITY.map((s) => <li key={s}>{s}</li>)}
        </ul>
      </section>
    </>
  );
});
