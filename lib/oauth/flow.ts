/**
 * One sign-in flow's cookie and the checks its callback makes.
 *
 * A flow starts at `/oauth/<id>` with fresh secrets (state, PKCE verifier,
 * OpenID Connect nonce), kept in one short-lived cookie: `__Host-oauth`
 * over HTTPS (no sibling host can plant it), `oauth` on plain-HTTP
 * development; `HttpOnly; SameSite=Lax` (the provider's redirect back is a
 * top-level GET, which Lax lets through; a cross-site POST is not);
 * `Max-Age=600`. The callback compares what comes back with it, in a fixed
 * order ({@linkcode checkCallback}), then claims the state once in the
 * shared cache ({@linkcode claimState}), so a replayed callback is refused
 * even on another instance (both in `flow_callback.ts`, re-exported here).
 *
 * Decisions:
 * - The value is base64url(JSON), neither signed nor encrypted: it is the
 *   browser's own flow, and nothing in it is believed without a check. The
 *   state must come back from the provider, the verifier must match the
 *   challenge the provider holds, the nonce must be in the signed ID token;
 *   the web layer passes `next` through `safeNext` again and requires the
 *   signed-in user to be the flow's `userId` for a link.
 * - Reading is strict: anything but exactly the fields of a flow, each
 *   well-formed, reads as no flow (null), never as an exception.
 *
 * @module
 */
import {
  decodeBase64urlIgnorePadding,
  encodeBase64urlNoPadding,
} from "@oslojs/encoding";
import { readCookies } from "../http/cookie.ts";
import { FLOW_MAX_AGE_MS, type FlowSecrets } from "./provider.ts";

export {
  type CallbackCheck,
  checkCallback,
  claimState,
} from "./flow_callback.ts";

/** One flow, as its cookie carries it. */
export interface OAuthFlow extends FlowSecrets {
  /** The configured provider it was started for (`github`, `google`, a slug). */
  providerId: string;
  /** Where to go after signing in (a local path, checked again on return). */
  next: string;
  /** Sign in (or up), or connect the identity to the signed-in account. */
  intent: "sign_in" | "link";
  /** The signed-in user, for intent "link"; null for "sign_in". */
  userId: string | null;
  /** When the flow started (ms). */
  startedAt: number;
}

/** Cookie name over HTTPS. */
export const SECURE_FLOW_COOKIE = "__Host-oauth";
/** Cookie name on plain HTTP (development). */
export const INSECURE_FLOW_COOKIE = "oauth";

const MAX_AGE_S = FLOW_MAX_AGE_MS / 1000;
// 32 random bytes, base64url without padding.
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
const PROVIDER_ID_RE = /^[a-z][a-z0-9-]{0,30}$/;
const USER_ID_RE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// What `safeNext` gives: a URL's path, query and fragment as serialised,
// so printable ASCII with `"` and `\` percent-encoded or refused. Nothing
// here needs escaping in JSON, so the longest path still fits the cookie.
const PATH_CHARS_RE = /^[\x21\x23-\x5b\x5d-\x7e]*$/;
const MAX_NEXT = 2048;
// A well-formed flow is well under 3 KB; a longer cookie is not ours.
const MAX_COOKIE = 4096;
const KEYS = [
  "codeVerifier",
  "intent",
  "next",
  "nonce",
  "providerId",
  "startedAt",
  "state",
  "userId",
].join();

/** 32 bytes from the system's secure random generator, base64url. */
function randomSecret(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}

/** A local path, as `safeNext` makes them (a coarse shape check). */
function localPath(next: unknown): next is string {
  return typeof next === "string" && next.length <= MAX_NEXT &&
    next.startsWith("/") && !next.startsWith("//") && PATH_CHARS_RE.test(next);
}

/**
 * A new flow with fresh secrets: state and PKCE verifier always, a nonce
 * for OpenID Connect. `next` must already be a safe local path (from
 * `safeNext`).
 *
 * @example
 * ```ts
 * const flow = newFlow({ providerId: "github", next: "/dashboard", intent: "sign_in", userId: null, oidc: false });
 * flow.nonce; // null: GitHub is not OpenID Connect
 * ```
 */
export function newFlow(
  o: {
    providerId: string;
    next: string;
    intent: "sign_in" | "link";
    userId: string | null;
    oidc: boolean;
  },
  now: number = Date.now(),
): OAuthFlow {
  if (!PROVIDER_ID_RE.test(o.providerId)) {
    throw new TypeError(`not a provider id: ${JSON.stringify(o.providerId)}`);
  }
  if (!localPath(o.next)) {
    throw new TypeError("next must be a local path (pass it through safeNext)");
  }
  if ((o.intent === "link") !== (o.userId !== null)) {
    throw new TypeError("a link flow needs the signed-in user id, and only it");
  }
  return {
    providerId: o.providerId,
    next: o.next,
    intent: o.intent,
    userId: o.userId,
    startedAt: now,
    state: randomSecret(),
    codeVerifier: randomSecret(),
    nonce: o.oidc ? randomSecret() : null,
  };
}

/**
 * The flow cookie's name for this scheme.
 *
 * @example
 * ```ts
 * flowCookieName(true); // "__Host-oauth"
 * ```
 */
export function flowCookieName(secure: boolean): string {
  return secure ? SECURE_FLOW_COOKIE : INSECURE_FLOW_COOKIE;
}

function attributes(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/**
 * The `Set-Cookie` value that carries `flow` for 10 minutes.
 *
 * @example
 * ```ts
 * const flow = newFlow({ providerId: "google", next: "/", intent: "sign_in", userId: null, oidc: true });
 * const headers = new Headers({ "set-cookie": flowCookie(flow, true) });
 * ```
 */
export function flowCookie(flow: OAuthFlow, secure: boolean): string {
  const value = encodeBase64urlNoPadding(
    new TextEncoder().encode(JSON.stringify({
      providerId: flow.providerId,
      next: flow.next,
      intent: flow.intent,
      userId: flow.userId,
      startedAt: flow.startedAt,
      state: flow.state,
      codeVerifier: flow.codeVerifier,
      nonce: flow.nonce,
    })),
  );
  return `${flowCookieName(secure)}=${value}; ${attributes(secure)}; ` +
    `Max-Age=${MAX_AGE_S}`;
}

/**
 * The `Set-Cookie` value that removes the flow cookie (every callback
 * answer carries it, whatever the outcome).
 *
 * @example
 * ```ts
 * const headers = new Headers({ "set-cookie": clearFlowCookie(false) });
 * ```
 */
export function clearFlowCookie(secure: boolean): string {
  return `${flowCookieName(secure)}=; ${attributes(secure)}; Max-Age=0; ` +
    "Expires=Thu, 01 Jan 1970 00:00:00 GMT";
}

/**
 * The flow the request's cookie carries, or null when there is none or it
 * is malformed in any way. Only the name for this scheme is read; with
 * several, the first well-formed one wins.
 *
 * @example
 * ```ts
 * const req = new Request("https://example.com/oauth/github/callback", {
 *   headers: { cookie: "__Host-oauth=not-a-flow" },
 * });
 * readFlow(req, true); // null
 * ```
 */
export function readFlow(req: Request, secure: boolean): OAuthFlow | null {
  for (
    const value of readCookies(
      req.headers.get("cookie"),
      flowCookieName(secure),
    )
  ) {
    const flow = parseFlow(value);
    if (flow !== null) return flow;
  }
  return null;
}

/**
 * A cookie value as a flow, or null (the strict parse behind
 * {@linkcode readFlow}).
 *
 * @example
 * ```ts
 * parseFlow("e30"); // null: "{}" has none of a flow's fields
 * ```
 */
export function parseFlow(value: string): OAuthFlow | null {
  if (value.length > MAX_COOKIE || !/^[A-Za-z0-9_-]+$/.test(value)) {
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        decodeBase64urlIgnorePadding(value),
      ),
    );
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return null;
  }
  if (Object.keys(data).sort().join() !== KEYS) return null;
  const f = data as Record<string, unknown>;
  const ok = typeof f.providerId === "string" &&
    PROVIDER_ID_RE.test(f.providerId) &&
    localPath(f.next) &&
    (f.intent === "sign_in" ? f.userId === null : f.intent === "link" &&
      typeof f.userId === "string" && USER_ID_RE.test(f.userId)) &&
    typeof f.startedAt === "number" && Number.isSafeInteger(f.startedAt) &&
    f.startedAt >= 0 &&
    typeof f.state === "string" && SECRET_RE.test(f.state) &&
    typeof f.codeVerifier === "string" && SECRET_RE.test(f.codeVerifier) &&
    (f.nonce === null ||
      typeof f.nonce === "string" && SECRET_RE.test(f.nonce));
  return ok ? f as unknown as OAuthFlow : null;
}
