/**
 * Requests to a provider, and what their failures mean. Every request has
 * a deadline (`PROVIDER_TIMEOUT_MS` unless a test passes a shorter one);
 * a network error, a timeout or a 5xx is `unreachable` (the provider is
 * down: try again later), an error the provider states is
 * `provider_error`, and anything else that is not what the protocol says
 * (not JSON, a redirect, a wrong shape) is `invalid_response`.
 *
 * Decisions:
 * - Redirects are not followed: a provider endpoint that moves is
 *   misconfigured, and following it could leave https.
 * - Bodies are capped (1 MB): a provider's JSON is a few KB.
 * - Messages name the endpoint and the status, never a URL's query, a
 *   token or a body: they go to logs.
 * - The token exchange is arctic's own `fetch`, which takes no signal:
 *   {@linkcode withDeadline} stops waiting for it at the deadline (the
 *   request itself ends when the provider closes it).
 *
 * @module
 */
import {
  ArcticFetchError,
  OAuth2RequestError,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import { OAuthError, PROVIDER_TIMEOUT_MS } from "./provider.ts";
import { readCappedText } from "../http/read_capped.ts";

/** How provider requests are made: injectable for tests. */
export interface ProviderHttpOptions {
  /** The deadline of one request, in ms. Default `PROVIDER_TIMEOUT_MS`. */
  timeoutMs?: number;
}

const MAX_BODY = 1 << 20;

/**
 * The deadline of `options`, checked.
 *
 * @example
 * ```ts
 * timeoutOf({}); // 10000
 * timeoutOf({ timeoutMs: 200 }); // 200
 * ```
 */
export function timeoutOf(options: ProviderHttpOptions): number {
  const ms = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  if (!Number.isInteger(ms) || ms < 1) {
    throw new RangeError(`timeoutMs must be a whole number ≥ 1 (got ${ms})`);
  }
  return ms;
}

/**
 * GETs `url` and returns its JSON body (any JSON value: the caller checks
 * its shape). Throws {@linkcode OAuthError} as the module comment says.
 *
 * @example
 * ```ts
 * const doc = await getJson(
 *   new URL("https://accounts.google.com/.well-known/openid-configuration"),
 *   { accept: "application/json" },
 *   "Google discovery",
 *   10_000,
 * );
 * ```
 */
export async function getJson(
  url: URL,
  headers: Record<string, string>,
  what: string,
  timeoutMs: number,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw networkError(err, what, timeoutMs);
  }
  let text: string;
  try {
    if (res.status >= 500) {
      throw new OAuthError("unreachable", `${what}: HTTP ${res.status}`);
    }
    if (res.status >= 400) {
      throw new OAuthError("provider_error", `${what}: HTTP ${res.status}`);
    }
    if (res.status !== 200) {
      throw new OAuthError("invalid_response", `${what}: HTTP ${res.status}`);
    }
    text = await readCapped(res, what);
  } catch (err) {
    await res.body?.cancel().catch(() => {});
    if (err instanceof OAuthError) throw err;
    throw networkError(err, what, timeoutMs);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError("invalid_response", `${what}: not JSON`);
  }
}

async function readCapped(res: Response, what: string): Promise<string> {
  const read = await readCappedText(res.body, MAX_BODY);
  if (read.ok) return read.text;
  throw new OAuthError(
    "invalid_response",
    read.reason === "too_large"
      ? `${what}: body over 1 MB`
      : `${what}: not UTF-8`,
  );
}

function networkError(err: unknown, what: string, timeoutMs: number) {
  if (err instanceof OAuthError) return err;
  const timedOut = err instanceof DOMException &&
    (err.name === "TimeoutError" || err.name === "AbortError");
  return new OAuthError(
    "unreachable",
    timedOut
      ? `${what}: no answer within ${timeoutMs} ms`
      : `${what}: ${err instanceof Error ? err.name : "network error"}`,
  );
}

/**
 * `promise`, or {@linkcode OAuthError} `unreachable` once `ms` have
 * passed (its later outcome is ignored).
 *
 * @example
 * ```ts
 * const slow = new Promise<string>((r) => setTimeout(() => r("late"), 50));
 * await withDeadline(slow, 10, "token endpoint").catch((e) => e.reason); // "unreachable"
 * ```
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new OAuthError("unreachable", `${what}: no answer within ${ms} ms`),
        ),
      ms,
    );
  });
  // Settles after the deadline must not surface as unhandled rejections.
  promise.catch(() => {});
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What an error from arctic's token exchange means.
 *
 * @example
 * ```ts
 * import { OAuth2RequestError } from "arctic";
 * tokenError(new OAuth2RequestError("invalid_grant", null, null, null), "Acme token endpoint").reason;
 * // "provider_error"
 * ```
 */
export function tokenError(err: unknown, what: string): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof OAuth2RequestError) {
    return new OAuthError("provider_error", `${what}: ${safeCode(err.code)}`);
  }
  if (err instanceof ArcticFetchError) {
    return new OAuthError("unreachable", `${what}: network error`);
  }
  if (
    err instanceof UnexpectedResponseError ||
    err instanceof UnexpectedErrorResponseBodyError
  ) {
    return new OAuthError(
      err.status >= 500
        ? "unreachable"
        : err.status === 200
        ? "invalid_response"
        : "provider_error",
      `${what}: HTTP ${err.status}, ${
        err instanceof UnexpectedResponseError ? "not JSON" : "no error code"
      }`,
    );
  }
  return new OAuthError(
    "invalid_response",
    `${what}: ${err instanceof Error ? err.message : "unexpected failure"}`,
  );
}

/**
 * A provider's error code, fit for a log line (or "unknown").
 *
 * @example
 * ```ts
 * safeCode("bad_verification_code"); // "bad_verification_code"
 * safeCode("<script>"); // "unknown"
 * ```
 */
export function safeCode(code: unknown): string {
  return typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code)
    ? code
    : "unknown";
}
