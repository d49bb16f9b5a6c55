/**
 * One-time notices for whatever page comes next, not for one page: after
 * a sign-in with a recovery code, the page `?next=` names (any signed-in
 * page) says how many codes are left. The root middleware reads the flash
 * cookie (`lib/web/flash.ts`) into `ctx.state.banner`, `_app.tsx` shows
 * it, and the cookie is cleared only by an answer that showed it: a
 * redirect on the way leaves it for the page after.
 *
 * @module
 */
import { readCookie } from "../http/cookie.ts";
import {
  clearFlashCookie,
  decodeFlash,
  flashCookieName,
  type FlashKind,
  flashMessage,
  isWarningFlash,
} from "./flash.ts";

/** What `_app.tsx` shows above the page. */
export interface PageBanner {
  message: string;
  /** Shown as a warning (few recovery codes left), not a confirmation. */
  warning: boolean;
}

/** The flash kinds shown on any page rather than by one page. */
export const BANNER_KINDS: readonly FlashKind[] = ["recovery_code_used"];

/**
 * The banner the request's flash cookie names, or null (none, another
 * page's kind, or malformed: pages clear those themselves).
 *
 * @example
 * ```ts
 * const req = new Request("http://localhost/dashboard", {
 *   headers: { cookie: "flash=recovery_code_used.2" },
 * });
 * readBanner(req, false)?.warning; // true
 * ```
 */
export function readBanner(req: Request, secure: boolean): PageBanner | null {
  const raw = readCookie(req.headers.get("cookie"), flashCookieName(secure));
  const flash = raw === null ? null : decodeFlash(raw);
  if (flash === null || !BANNER_KINDS.includes(flash.kind)) return null;
  return { message: flashMessage(flash), warning: isWarningFlash(flash) };
}

/**
 * The page's answer, clearing the flash when the answer showed it (a
 * successful HTML page); a redirect or an error page leaves it for the
 * page after.
 *
 * @example
 * ```ts
 * const res = new Response("<p>…</p>", { headers: { "content-type": "text/html" } });
 * clearShownBanner(res, false).headers.getSetCookie(); // ["flash=; Path=/; …; Max-Age=0"]
 * ```
 */
export function clearShownBanner(res: Response, secure: boolean): Response {
  const html = (res.headers.get("content-type") ?? "").includes("text/html");
  if (res.status !== 200 || !html) return res;
  try {
    res.headers.append("set-cookie", clearFlashCookie(secure));
    res.headers.set("cache-control", "no-store");
  } catch {
    // Immutable headers (a Response.redirect): nothing was shown.
  }
  return res;
}
