/**
 * What the OpenID Connect stand-in (`oidc_provider.ts`) can be made to do
 * wrong, for the app's failure tests, as Koa middleware in front of
 * oidc-provider: one request failing (a 502, or no answer), and the next
 * ID token changed (re-signed with the provider's own key, so only the
 * app's claim checks can catch it) or sent unsigned (`alg: none`).
 *
 * @module
 */
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from "jose";
import type { JWTPayload } from "jose";

/**
 * The next request to one endpoint fails: `*_5xx` answers 502,
 * `token_hang` does not answer (until the client gives up or the
 * provider stops).
 */
export type OidcFailure =
  | "discovery_5xx"
  | "jwks_5xx"
  | "token_5xx"
  | "token_hang"
  | "userinfo_5xx";

/** How the next ID token is spoiled. */
export interface IdTokenTamper {
  /** The claims it gets instead (given the real ones). */
  change?: (claims: JWTPayload) => JWTPayload;
  /** Sent with `alg: none` and no signature. */
  unsigned?: boolean;
}

/** The faults waiting, and the key to re-sign with. */
export interface Faults {
  failures: OidcFailure[];
  tampers: IdTokenTamper[];
  hanging: Set<() => void>;
  signingKey: CryptoKey;
}

const PATHS: Record<string, OidcFailure[]> = {
  "/.well-known/openid-configuration": ["discovery_5xx"],
  "/jwks": ["jwks_5xx"],
  "/token": ["token_5xx", "token_hang"],
  "/me": ["userinfo_5xx"],
};

// deno-lint-ignore no-explicit-any -- Koa's context (oidc-provider ships no types)
type Ctx = any;

/**
 * The middleware: fails the request when a failure for its path waits,
 * else lets the provider answer and spoils a token answer's ID token when
 * a tamper waits.
 *
 * @example
 * ```ts
 * declare const provider: { use(mw: unknown): void };
 * declare const faults: Faults;
 * provider.use(faultsMiddleware(faults));
 * ```
 */
export function faultsMiddleware(
  faults: Faults,
): (ctx: Ctx, next: () => Promise<void>) => Promise<void> {
  return async (ctx, next) => {
    const kinds = PATHS[ctx.path] ?? [];
    const i = faults.failures.findIndex((f) => kinds.includes(f));
    if (i !== -1) {
      const [failure] = faults.failures.splice(i, 1);
      if (failure === "token_hang") {
        // Until stop(), or a minute: longer than any client waits.
        await new Promise<void>((resolve) => {
          const release = () => {
            clearTimeout(timer);
            faults.hanging.delete(release);
            resolve();
          };
          const timer = setTimeout(release, 60_000);
          faults.hanging.add(release);
        });
      }
      ctx.status = failure === "token_hang" ? 504 : 502;
      ctx.type = "text/plain";
      ctx.body = "Bad gateway";
      return;
    }
    await next();
    const token = ctx.path === "/token" && ctx.status === 200
      ? ctx.body?.id_token
      : undefined;
    if (typeof token !== "string" || faults.tampers.length === 0) return;
    const tamper = faults.tampers.shift()!;
    const real = decodeJwt(token);
    const claims = tamper.change ? tamper.change({ ...real }) : real;
    ctx.body = {
      ...ctx.body,
      id_token: tamper.unsigned
        ? new UnsecuredJWT(claims).encode()
        : await new SignJWT(claims)
          .setProtectedHeader(decodeProtectedHeader(token) as { alg: string })
          .sign(faults.signingKey),
    };
  };
}
