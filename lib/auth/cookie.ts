/**
 * The session cookie. Over HTTPS it is `__Host-session`: the prefix makes
 * browsers refuse it unless it is Secure, has `Path=/` and no Domain, so a
 * sibling subdomain or a plain-HTTP response cannot plant or overwrite it.
 * On plain-HTTP localhost development it is `session` (browsers reject
 * `__Host-` cookies without HTTPS). HttpOnly keeps it from scripts;
 * SameSite=Lax keeps it off cross-site POSTs while top-level links still
 * arrive signed in.
 *
 * @module
 */
import { readCookies } from "../http/cookie.ts";

/** Cookie name over HTTPS. */
export const SECURE_COOKIE_NAME = "__Host-session";
/** Cookie name on plain HTTP (development). */
export const INSECURE_COOKIE_NAME = "session";
// Real tokens are 77 characters; anything far longer is not ours.
const MAX_TOKEN_LENGTH = 256;
const TOKEN_CHARS = /^[A-Za-z0-9._-]+$/;

/**
 * The cookie name for this scheme.
 *
 * @example
 * ```ts
 * sessionCookieName(true); // "__Host-session"
 * ```
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_COOKIE_NAME : INSECURE_COOKIE_NAME;
}

function attributes(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/**
 * A `Set-Cookie` value carrying `token` until `expiresAt` (Unix ms, the
 * session's absolute deadline). Both `Max-Age` (preferred by browsers) and
 * `Expires` (for old clients) are set.
 *
 * @example
 * ```ts
 * import type { Session } from "./session.ts";
 * declare const token: string;
 * declare const session: Session;
 * declare const url: URL;
 * const headers = new Headers();
 * headers.append("set-cookie", sessionCookie(token, session.expiresAt, url.protocol === "https:"));
 * ```
 */
export function sessionCookie(
  token: string,
  expiresAt: number,
  secure: boolean,
  now: number = Date.now(),
): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return `${sessionCookieName(secure)}=${token}; ${attributes(secure)}; ` +
    `Max-Age=${maxAge}; Expires=${new Date(expiresAt).toUTCString()}`;
}

/**
 * A `Set-Cookie` value that removes the session cookie (sign-out, or a
 * token that no longer validates).
 *
 * @example
 * ```ts
 * declare const secure: boolean;
 * const headers = new Headers();
 * headers.append("set-cookie", deleteSessionCookie(secure));
 * ```
 */
export function deleteSessionCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; ${attributes(secure)}; Max-Age=0; ` +
    "Expires=Thu, 01 Jan 1970 00:00:00 GMT";
}

/**
 * The session token from the request's `Cookie` header, or null. Only the
 * cookie name for this scheme is read: over HTTPS a plain `session` cookie
 * (which anyone on a sibling host could set) is ignored. Garbage of any kind
 * gives null, never an exception; the token's own format is checked later
 * by the session engine.
 *
 * @example
 * ```ts
 * const req = new Request("https://example.com/", {
 *   headers: { cookie: "theme=dark; __Host-session=abc.def" },
 * });
 * const token = readSessionToken(req, true); // "abc.def"
 * ```
 */
export function readSessionToken(req: Request, secure: boolean): string | null {
  const values = readCookies(
    req.headers.get("cookie"),
    sessionCookieName(secure),
  );
  // First well-formed one wins: a duplicate may come from a stale path.
  return values.find((value) =>
    value.length <= MAX_TOKEN_LENGTH && TOKEN_CHARS.test(value)
  ) ?? null;
}
