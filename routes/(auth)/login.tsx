import { page } from "fresh";
import { Head } from "fresh/runtime";
import { signIn } from "../../lib/auth/sign_in.ts";
import { asBodyError, BodyError, readInput } from "../../lib/http/body.ts";
import {
  accountLimiter,
  beginSession,
  limitByIp,
  requestMeta,
  safeNext,
} from "../../lib/web/auth.ts";
import { takeFlash } from "../../lib/web/flash.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import { Notice } from "../../components/Notice.tsx";
import LoginForm from "../../islands/LoginForm.tsx";
import { define } from "../../utils.ts";

interface Data {
  next: string;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** A one-time notice: "You have signed out." */
  notice?: string | null;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    if (ctx.state.user !== null) return ctx.redirect(next, 303);
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "signed_out",
      "session_expired",
    ]);
    return page({ next, notice: flash.message }, { headers: flash.headers });
  },
  // The same form without JavaScript: errors re-render the page.
  async POST(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    const refused = await limitByIp(ctx, "auth");
    if (refused) {
      return page({
        next,
        error:
          "Too many attempts from your network; wait a few minutes and try again",
      }, {
        status: 429,
        headers: { "retry-after": refused.headers.get("retry-after") ?? "60" },
      });
    }
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return page({ next, error: input.message }, { status: input.status });
    }
    const { services } = ctx.state;
    const result = await signIn(
      services.db,
      accountLimiter(services),
      input,
      requestMeta(ctx),
    );
    if (!result.ok) {
      const fieldErrors = result.status === 400 ? result.details : undefined;
      const headers = "retryAfterSeconds" in result
        ? { "retry-after": String(result.retryAfterSeconds) }
        : undefined;
      return page({
        next,
        email: input.email,
        error: result.error,
        fieldErrors,
      }, { status: result.status, headers });
    }
    const cookie = await beginSession(ctx, result.user.id);
    return new Response(null, {
      status: 303,
      headers: { location: next, "set-cookie": cookie },
    });
  },
});

export default define.page<typeof handler>(function Login({ data }) {
  return (
    <AuthCard title="Sign in">
      <Head>
        <title>Sign in · Islet</title>
      </Head>
      <Notice message={data.notice} class="mb-6" />
      <LoginForm
        next={data.next}
        email={data.email}
        error={data.error}
        fieldErrors={data.fieldErrors}
      />
      <p class="mt-6 text-sm">
        New here?{" "}
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/signup"
        >
          Create an account
        </a>
      </p>
    </AuthCard>
  );
});
