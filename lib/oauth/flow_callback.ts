/**
 * The callback's checks of a flow (`flow.ts` re-exports them): what came
 * back against the flow cookie, in a fixed order, then the state claimed
 * once in the shared cache, so a replayed callback is refused even on
 * another instance.
 *
 * @module
 */
import { hash } from "node:crypto";
import { constantTimeEqualHex } from "../auth/session_token.ts";
import type { Cache } from "../cache/cache.ts";
import type { OAuthFlow } from "./flow.ts";
import { FLOW_MAX_AGE_MS, type OAuthFailureReason } from "./provider.ts";

// Some clock skew between instances is tolerated; a flow from further in
// the future than this was not made by a sane clock.
const FUTURE_SKEW_MS = 60_000;
const MAX_AGE_S = FLOW_MAX_AGE_MS / 1000;

/** The outcome of {@linkcode checkCallback}. */
export type CallbackCheck =
  | { ok: true; flow: OAuthFlow; code: string }
  | { ok: false; reason: OAuthFailureReason; providerError?: string };

/** One query parameter that must appear exactly once. */
function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  return all.length === 1 ? all[0] : null;
}

/**
 * The callback's checks, in order: no flow → `flow_missing`; another
 * provider's flow or another state → `state_mismatch` (the states compared
 * in constant time); started more than 10 minutes ago → `flow_expired`;
 * the provider's `error` → `denied` (`access_denied`) or `provider_error`
 * (the error code, when it is a plain code, in `providerError`); no `code`
 * → `provider_error`. It does not claim the state: call
 * {@linkcode claimState} next.
 *
 * @example
 * ```ts
 * import { newFlow } from "./flow.ts";
 * const flow = newFlow({ providerId: "github", next: "/", intent: "sign_in", userId: null, oidc: false });
 * const params = new URLSearchParams({ code: "abc", state: flow.state });
 * checkCallback(flow, "github", params); // { ok: true, flow, code: "abc" }
 * checkCallback(null, "github", params); // { ok: false, reason: "flow_missing" }
 * ```
 */
export function checkCallback(
  flow: OAuthFlow | null,
  providerId: string,
  params: URLSearchParams,
  now: number = Date.now(),
): CallbackCheck {
  if (flow === null) return { ok: false, reason: "flow_missing" };
  const state = single(params, "state");
  // Both sides hashed: equal lengths, so the comparison's time says nothing
  // about how much of the state an attacker guessed.
  const sameState = state !== null &&
    constantTimeEqualHex(digest(state), digest(flow.state));
  if (flow.providerId !== providerId || !sameState) {
    return { ok: false, reason: "state_mismatch" };
  }
  if (
    now - flow.startedAt > FLOW_MAX_AGE_MS ||
    flow.startedAt - now > FUTURE_SKEW_MS
  ) {
    return { ok: false, reason: "flow_expired" };
  }
  const errors = params.getAll("error");
  if (errors.length > 0) {
    const error = errors[0];
    const providerError = /^[A-Za-z0-9_.-]{1,64}$/.test(error)
      ? error
      : undefined;
    return {
      ok: false,
      reason: error === "access_denied" ? "denied" : "provider_error",
      ...(providerError === undefined ? {} : { providerError }),
    };
  }
  const code = single(params, "code");
  if (code === null || code === "" || code.length > 2048) {
    return { ok: false, reason: "provider_error" };
  }
  return { ok: true, flow, code };
}

function digest(text: string): string {
  return hash("sha256", text, "hex");
}

/** How long a claimed state is remembered: as long as its flow could live. */
const CLAIM_TTL_S = MAX_AGE_S;

/**
 * Marks `state` used (set-if-absent in the shared cache for 10 minutes,
 * keyed by the state's SHA-256, so the cache never holds a live state):
 * true the first time, false when it was already used.
 *
 * @example
 * ```ts
 * import { createMemoryCache } from "../cache/memory.ts";
 * const cache = createMemoryCache();
 * await claimState(cache, "s".repeat(43)); // true
 * await claimState(cache, "s".repeat(43)); // false: a replay
 * ```
 */
export async function claimState(
  cache: Cache,
  state: string,
): Promise<boolean> {
  return await cache.setIfAbsent(
    `oauth:state:${digest(state)}`,
    "1",
    CLAIM_TTL_S,
  );
}
