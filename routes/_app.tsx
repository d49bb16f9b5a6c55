import { asset } from "fresh/runtime";
import { Footer } from "../components/Footer.tsx";
import { Header } from "../components/Header.tsx";
import { Notice } from "../components/Notice.tsx";
import { PaymentBanner } from "../components/PaymentBanner.tsx";
import { VerifyBanner } from "../components/VerifyBanner.tsx";
import { define, isSignedIn } from "../utils.ts";

// The pages about confirming the address say it themselves.
const NO_BANNER = new Set(["/verify-email", "/verify-email/resend"]);

export default define.page(function App({ Component, state, url }) {
  const auth = state.auth;
  const unconfirmed = auth?.kind === "signed_in" &&
      auth.user.emailVerifiedAt === null && !NO_BANNER.has(url.pathname)
    ? auth.user.email
    : null;
  return (
    <html lang="en" data-theme={state.theme ?? "system"}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="description"
          content="Islet is a self-hosted, open-source foundation for web products: sign-up, sign-in and sessions you can see and end, with strict security headers and rate limits."
        />
        <meta name="color-scheme" content="light dark" />
        <title>Islet</title>
        <link rel="icon" href={asset("/favicon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body class="flex min-h-screen flex-col bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-indigo-700 focus:px-4 focus:py-2 focus:text-white"
        >
          Skip to content
        </a>
        <Header
          theme={state.theme ?? "system"}
          signedIn={isSignedIn(state)}
          path={url.pathname}
          next={url.pathname + url.search}
        />
        {unconfirmed !== null && <VerifyBanner email={unconfirmed} />}
        {state.paymentProblem && isSignedIn(state) && (
          <PaymentBanner problem={state.paymentProblem} />
        )}
        <main id="main" tabindex={-1} class="flex-1 focus:outline-none">
          {state.banner && (
            <div class="mx-auto max-w-5xl px-4 pt-6" data-testid="page-banner">
              <Notice
                message={state.banner.message}
                warning={state.banner.warning}
              />
            </div>
          )}
          <Component />
        </main>
        <Footer />
      </body>
    </html>
  );
});
