import { page } from "fresh";
import { Head } from "fresh/runtime";
import { signUp } from "../../lib/auth/sign_up.ts";
import { asBodyError, BodyError, readInput } from "../../lib/http/body.ts";
import { beginSession, limitByIp, requestMeta } from "../../lib/web/auth.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import SignupForm from "../../islands/SignupForm.tsx";
import { define } from "../../utils.ts";

interface Data {
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    if (ctx.state.user !== null) return ctx.redirect("/dashboard", 303);
    return page({});
  },
  // The same form without JavaScript: errors re-render the page.
  async POST(ctx) {
    const refused = await limitByIp(ctx, "auth") ??
      await limitByIp(ctx, "registration");
    if (refused) {
      return page({
        error: "Too many sign-ups from your network; try again later",
      }, {
        status: 429,
        headers: { "retry-after": refused.headers.get("retry-after") ?? "60" },
      });
    }
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return page({ error: input.message }, { status: input.status });
    }
    const result = await signUp(ctx.state.services.db, input, requestMeta(ctx));
    if (!result.ok) {
      const busy = result.status === 503;
      return page({
        email: input.email,
        error: result.error,
        fieldErrors: busy ? undefined : result.details,
      }, {
        status: result.status,
        headers: busy
          ? { "retry-after": String(result.retryAfterSeconds) }
          : undefined,
      });
    }
    const cookie = await beginSession(ctx, result.user.id);
    return new Response(null, {
      status: 303,
      headers: { location: "/dashboard", "set-cookie": cookie },
    });
  },
});

export default define.page<typeof handler>(function Signup({ data }) {
  return (
    <AuthCard title="Create your account">
      <Head>
        <title>Create an account · Islet</title>
      </Head>
      <SignupForm
        email={data.email}
        error={data.error}
        fieldErrors={data.fieldErrors}
      />
      <p class="mt-6 text-sm">
        Already have an account?{" "}
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/login"
        >
          Sign in
        </a>
      </p>
    </AuthCard>
  );
});
