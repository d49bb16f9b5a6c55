/**
 * A real OpenID Connect provider for the sign-in tests: npm
 * `oidc-provider` (the certified implementation), on a free local port,
 * with one confidential client, test users and its own development
 * login and consent pages, which the tests fill in (with fetch, or in
 * Chromium). Google and any generic issuer are played by it; the app
 * finds it by discovery, as it would the real ones.
 *
 * Decisions:
 * - The issuer is `http://localhost:<port>` while the apps under test run
 *   on 127.0.0.1: two sites, so the browser's return to the app is
 *   cross-site, as from a real provider, and the two cookie jars stay
 *   apart. (The app's config accepts plain http for loopback hosts only.)
 * - PKCE is required for every request, and only S256 exists in
 *   oidc-provider 9: an app that forgets it gets `invalid_request`.
 * - The user's claims go in the ID token by default, as Google does
 *   (`conformIdTokenClaims: false`); `idTokenClaims: false` keeps them to
 *   the userinfo endpoint only (the spec's default), to test the app's
 *   userinfo fallback.
 * - A user's login is the account id, so the ID token's `sub` is the login.
 * - Redirect URIs match exactly; {@linkcode OidcStandin.addRedirectUri}
 *   registers one after start (a served app's port is known only then).
 * - Its console warnings (development keys, in-memory adapter, dev
 *   interactions, "unsupported runtime") are dropped: they say what a
 *   test provider is by design. The rest of the console is untouched.
 * - Its pages import a Google web font; the import is removed so that a
 *   browser under test makes no request outside this machine.
 *
 * Failures for the app's tests (`oidc_provider_faults.ts`):
 * {@linkcode OidcStandin.failNext} (a 502 from discovery, the JWKS, the
 * token or userinfo endpoint, or a token endpoint that never answers),
 * {@linkcode OidcStandin.tamperNextIdToken} (a wrong `aud`, `iss`,
 * `nonce` or `exp`, re-signed with the provider's key; or unsigned).
 * A provider that is gone: `stop()` it between the start of a flow and
 * its callback. A wrong issuer at discovery: configure the app with
 * `http://127.0.0.1:<port>` for a provider whose issuer is
 * `http://localhost:<port>`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { ServerResponse } from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import {
  type Faults,
  faultsMiddleware,
  type IdTokenTamper,
  type OidcFailure,
} from "./oidc_provider_faults.ts";

export type { IdTokenTamper, OidcFailure };

export {
  driveOidc,
  type DriveOptions,
  oidcLoginInPage,
} from "./oidc_provider_drive.ts";

/** Claims a test user has; the keys absent stay absent from every token. */
export interface OidcUserClaims {
  email?: string;
  /** Sent as given: a test may set the string `"true"` some providers send. */
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
  nickname?: string;
}

/** A running provider. */
export interface OidcStandin {
  /** `http://localhost:<port>`: the `iss` of its tokens and discovery. */
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces a user (the login is the `sub`). */
  setUser(login: string, claims: OidcUserClaims): void;
  /** Registers another exact redirect URI for the client. */
  addRedirectUri(uri: string): void;
  /** Makes the next request to that endpoint fail (each call, one request). */
  failNext(kind: OidcFailure): void;
  /**
   * Spoils the next ID token it issues: other claims (re-signed with its
   * own key: a wrong `aud`, `iss`, `nonce`, an `exp` in the past) or
   * none of a signature (`unsigned`).
   */
  tamperNextIdToken(tamper: IdTokenTamper): void;
  /** Every request it answered, in order: `"POST /token"`. */
  requests(): string[];
  /** Closes the server and its connections. */
  stop(): Promise<void>;
}

/** What {@linkcode startOidcProvider} takes. */
export interface OidcStandinOptions {
  /** Users by login. */
  users: Record<string, OidcUserClaims>;
  /** Default `islet-test`. */
  clientId?: string;
  /** Default a random one. */
  clientSecret?: string;
  /** Exact redirect URIs; more can be added later. */
  redirectUris?: string[];
  /** Claims in the ID token (default, like Google), or only from userinfo. */
  idTokenClaims?: boolean;
}

// The provider's warnings start with this; nothing else is dropped.
const NOISE = /^oidc-provider (WARNING|NOTICE):/;

/** Runs `fn` with the provider's console noise dropped, the rest passed on. */
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const { warn, info } = console;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && NOISE.test(args[0])) return;
    warn.apply(console, args);
  };
  console.info = (...args: unknown[]) => {
    if (typeof args[0] === "string" && NOISE.test(args[0])) return;
    info.apply(console, args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

// deno-lint-ignore no-explicit-any -- oidc-provider ships no types
type ProviderClass = new (issuer: string, config: any) => any;
let providerClass: Promise<ProviderClass> | undefined;
// Imported on first use: it prints a warning when its module loads.
function loadProvider(): Promise<ProviderClass> {
  providerClass ??= quietly(() =>
    import("oidc-provider").then((m) => m.default as ProviderClass)
  );
  return providerClass;
}

function randomToken(bytes = 24): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replaceAll("+", "-")
    .replaceAll("/", "_").replaceAll("=", "");
}

/**
 * Starts a provider on a free port. Stop it in a `finally`.
 *
 * @example
 * ```ts
 * const idp = await startOidcProvider({
 *   users: { alice: { email: "alice@example.com", email_verified: true, name: "Alice" } },
 *   redirectUris: ["http://localhost:8000/oauth/google/callback"],
 * });
 * try {
 *   console.log(idp.issuer); // http://localhost:<port>
 * } finally {
 *   await idp.stop();
 * }
 * ```
 */
export async function startOidcProvider(
  opts: OidcStandinOptions,
): Promise<OidcStandin> {
  const Provider = await loadProvider();
  const users = new Map(Object.entries(opts.users));
  const clientId = opts.clientId ?? "islet-test";
  const clientSecret = opts.clientSecret ?? randomToken();
  const redirectUris = new Set(opts.redirectUris ?? []);
  const log: string[] = [];

  // The handler needs the provider, the provider the port.
  let handle = (_req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const issuer = `http://localhost:${port}`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig" };
  const faults: Faults = {
    failures: [],
    tampers: [],
    hanging: new Set(),
    signingKey: privateKey,
  };

  const provider = await quietly(() =>
    new Provider(issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        // A placeholder keeps the metadata valid; the real check is below.
        redirect_uris: ["http://localhost/unregistered"],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      }],
      clientAuthMethods: ["client_secret_basic", "client_secret_post"],
      allowOmittingSingleRegisteredRedirectUri: false,
      pkce: { required: () => true },
      conformIdTokenClaims: opts.idTokenClaims === false,
      claims: {
        openid: ["sub"],
        email: ["email", "email_verified"],
        profile: ["name", "preferred_username", "nickname"],
      },
      scopes: ["openid", "email", "profile"],
      features: { devInteractions: { enabled: true } },
      jwks: { keys: [jwk] },
      cookies: { keys: [randomToken()] },
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 3600,
        Session: 3600,
        Grant: 3600,
      },
      // deno-lint-ignore no-explicit-any -- oidc-provider's context
      findAccount(_ctx: any, id: string) {
        const claims = users.get(id);
        if (claims === undefined) return undefined;
        return {
          accountId: id,
          claims: () => {
            const out: Record<string, unknown> = { sub: id };
            for (const [k, v] of Object.entries(users.get(id) ?? claims)) {
              if (v !== undefined) out[k] = v;
            }
            return out;
          },
        };
      },
      // deno-lint-ignore no-explicit-any -- oidc-provider's context
      renderError(ctx: any, out: Record<string, string>) {
        ctx.type = "html";
        ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title>` +
          `</head>` +
          `<h1>Sign-in error</h1><p>${escapeHtml(out.error ?? "")}: ` +
          `${escapeHtml(out.error_description ?? "")}</p></html>`;
      },
    })
  );
  provider.Client.prototype.redirectUriAllowed = (uri: string) =>
    redirectUris.has(uri);
  // Its own pages import a web font from Google: not from this machine;
  // and an empty icon spares the browser a /favicon.ico 404, which the
  // app's browser tests would see as a console error.
  // deno-lint-ignore no-explicit-any -- Koa's context
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    log.push(`${ctx.method} ${ctx.path}`);
    await next();
    if (typeof ctx.body === "string" && ctx.type?.startsWith("text/html")) {
      ctx.body = ctx.body.replace(/@import url\(https:[^)]*\);/g, "")
        .replace("<head>", '<head><link rel="icon" href="data:,">');
    }
  });
  provider.use(faultsMiddleware(faults));
  handle = provider.callback();

  return {
    issuer,
    port,
    clientId,
    clientSecret,
    setUser(login, claims) {
      users.set(login, claims);
    },
    addRedirectUri(uri) {
      redirectUris.add(uri);
    },
    failNext(kind) {
      faults.failures.push(kind);
    },
    tamperNextIdToken(tamper) {
      faults.tampers.push(tamper);
    },
    requests: () => [...log],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const release of faults.hanging) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
