import { define } from "../../utils.ts";

/** Pages of this group need a signed-in user; others are sent to sign in first. */
export default define.middleware((ctx) => {
  if (ctx.state.user !== null) return ctx.next();
  const next = ctx.url.pathname + ctx.url.search;
  return ctx.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
});
