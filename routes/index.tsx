import { asset, Head } from "fresh/runtime";
import { define, isSignedIn } from "../utils.ts";

// Only what runs today (README, "Status"); the rest is listed as planned.
const FOR_PEOPLE = [
  {
    title: "Your password, stored safely",
    text:
      "It is kept only as an argon2id hash, never as you typed it, and the most common passwords are refused.",
  },
  {
    title: "Every device you are signed in on",
    text:
      "See each one with its address and when it was last used. Sign out of any of them, or of all the others, and it ends at once.",
  },
  {
    title: "Guessing is slowed down",
    text:
      "Repeated sign-in attempts are limited per network and per account, so a password cannot be tried over and over.",
  },
  {
    title: "Works the way you do",
    text:
      "Every page works without JavaScript, with a keyboard alone, on a small phone, in light or dark.",
  },
];

const FOR_DEVELOPERS = [
  "A Fresh 2 islands app in TypeScript on Deno 2: routes are files, and a page without an island sends no JavaScript.",
  "Runs with no configuration: an SQLite file and an in-process cache. Set REDIS_URL and several instances share rate limits and sign-outs.",
  "A strict Content-Security-Policy with a fresh nonce on every page, an origin check on every form, and security headers on every answer.",
  "Session tokens kept only as SHA-256 hashes and compared in constant time; rate limits per address and per account.",
];

const PLANNED = [
  "Two-factor authentication with an authenticator app and recovery codes",
  "Sign-in with GitHub, Google or another OpenID Connect provider",
  "Email verification and password reset",
  "Subscription billing with Stripe",
];

const COMMANDS = [
  "# build, then serve at http://127.0.0.1:8000",
  "npx -y deno@2.9.6 task serve",
  "# the whole test suite",
  "npx -y deno@2.9.6 task test",
];

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";
const CODE =
  "rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.9em] dark:bg-slate-800";

export default define.page(function Home({ state }) {
  const signedIn = isSignedIn(state);
  return (
    <>
      <Head>
        <title>Islet · sign-in and sessions for your web product</title>
      </Head>
      <section class="mx-auto grid max-w-5xl items-center gap-12 px-4 py-12 sm:py-20 lg:grid-cols-2">
        <div>
          <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
            Open source · self-hosted
          </p>
          <h1 class="mt-3 text-4xl font-extrabold tracking-tight sm:text-5xl">
            Sign-in and sessions you can see and trust.
          </h1>
          <p class="mt-6 text-lg text-slate-700 dark:text-slate-300">
            Islet is the account side of a web product: sign-up, sign-in, and a
            list of every device you are signed in on. If you use a product
            built on it, your account is looked after. If you build one, you
            start from a small foundation you can read in an afternoon.
          </p>
          <div class="mt-8 flex flex-wrap gap-4">
            <a
              href={signedIn ? "/dashboard" : "/signup"}
              class="rounded-md bg-indigo-700 px-5 py-2.5 font-medium text-white hover:bg-indigo-800"
            >
              {signedIn ? "Open your dashboard" : "Create an account"}
            </a>
            <a
              href="#developers"
              class="rounded-md border border-slate-400 px-5 py-2.5 font-medium hover:bg-slate-100 dark:border-slate-500 dark:hover:bg-slate-900"
            >
              Build on Islet
            </a>
          </div>
        </div>
        <img
          src={asset("/dashboard.svg")}
          width="400"
          height="440"
          alt="An Islet account's session list on a phone: Chrome on Linux, marked as this device and active now; Firefox on Windows, last used 2 hours ago; Safari on iPhone, 3 days ago. Each other device has an End session button, and one button signs out all other sessions."
          class="mx-auto h-auto w-full max-w-md rounded-xl shadow-lg"
        />
      </section>

      <section
        id="features"
        aria-labelledby="features-title"
        class="bg-slate-50 dark:bg-slate-900"
      >
        <div class="mx-auto max-w-5xl px-4 py-16">
          <h2 id="features-title" class="text-2xl font-bold">
            For people who use a product built on Islet
          </h2>
          <ul class="mt-8 grid gap-6 sm:grid-cols-2">
            {FOR_PEOPLE.map((f) => (
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
        id="developers"
        aria-labelledby="developers-title"
        class="mx-auto max-w-5xl px-4 py-16"
      >
        <h2 id="developers-title" class="text-2xl font-bold">
          For developers who build on it
        </h2>
        <div class="mt-8 grid gap-10 lg:grid-cols-2">
          <ul class="list-disc space-y-3 pl-6 text-slate-700 dark:text-slate-300">
            {FOR_DEVELOPERS.map((s) => <li key={s}>{s}</li>)}
          </ul>
          <div>
            <h3 class="font-semibold">Run it</h3>
            <p class="mt-2 text-slate-700 dark:text-slate-300">
              In a checkout of the source, with Node.js and npm installed:
            </p>
            <pre class="mt-3 whitespace-pre-wrap rounded-lg bg-slate-900 p-4 font-mono text-sm text-slate-100 dark:border dark:border-slate-700"><code>{COMMANDS.map((line) => (
              <span key={line} class={line.startsWith("#") ? "block text-slate-300" : "block"}>{line}</span>
            ))}</code></pre>
            <h3 class="mt-6 font-semibold">Source and documentation</h3>
            <p class="mt-2 text-slate-700 dark:text-slate-300">
              The documentation travels with the source: start with{" "}
              <code class={CODE}>README.md</code>{" "}
              at its root (configuration, adding a route, the JSON API), then
              {" "}
              <code class={CODE}>docs/</code>. The JSON health check is at{" "}
              <a class={LINK} href="/api/health">/api/health</a>.
            </p>
          </div>
        </div>
      </section>

      <section
        id="planned"
        aria-labelledby="planned-title"
        class="border-t border-slate-200 dark:border-slate-800"
      >
        <div class="mx-auto max-w-5xl px-4 py-16">
          <h2 id="planned-title" class="text-2xl font-bold">
            Not built yet
          </h2>
          <p class="mt-4 max-w-2xl text-slate-700 dark:text-slate-300">
            Islet is young. These are planned, and this page will say so when
            each one works:
          </p>
          <ul class="mt-4 list-disc space-y-2 pl-6 text-slate-700 dark:text-slate-300">
            {PLANNED.map((s) => <li key={s}>{s}</li>)}
          </ul>
        </div>
      </section>
    </>
  );
});
