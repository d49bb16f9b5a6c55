/**
 * A GitHub Enterprise Server stand-in for the sign-in tests: a small
 * `Deno.serve` server on a free port implementing the OAuth app web flow
 * as GitHub documents it, and the two REST endpoints sign-in reads.
 *
 * - `GET /login/oauth/authorize` (`client_id`, `redirect_uri`, `scope`,
 *   `state`, `code_challenge`, `code_challenge_method=S256`): a page with
 *   "Continue as <login>" per user and "Cancel"; its form posts back to
 *   the same path, which redirects to `redirect_uri` with `code` and
 *   `state`, or `error=access_denied`, `error_description`, `error_uri`
 *   and `state`.
 * - `POST /login/oauth/access_token`: client credentials by HTTP Basic or
 *   form fields, the code (single use, 10 minutes, this client's),
 *   `redirect_uri` equal to the authorization's, the PKCE verifier. As
 *   GitHub does, errors are answered **200** with `error`,
 *   `error_description` and `error_uri` (JSON when `Accept:
 *   application/json`, else form-encoded): `incorrect_client_credentials`,
 *   `redirect_uri_mismatch`, `bad_verification_code` (an unknown, used,
 *   expired or other client's code, or a verifier that does not match).
 *   A used code also revokes the token it gave.
 * - `GET /api/v3/user` and `/api/v3/user/emails` (`Authorization: Bearer`
 *   or `token`; a `User-Agent` required, as GitHub requires it): 401
 *   `Bad credentials` otherwise; the emails need the `user:email` (or
 *   `user`) scope, else 404.
 *
 * Decisions: PKCE is required (GitHub makes it optional; an app that
 * forgets it should fail here, not in production), and redirect URIs
 * match exactly ({@linkcode GitHubStandin.addRedirectUri} registers one
 * after start). Its URLs use `localhost`, the apps under test 127.0.0.1:
 * two sites, as with the real GitHub. Failures are injected per request
 * with {@linkcode GitHubStandin.failNext}.
 *
 * @module
 */
import {
  accessToken,
  api,
  authorize,
  hex,
  json,
  type StandinState,
} from "./github_standin_handlers.ts";

export {
  driveGitHub,
  type DriveOptions,
  githubLoginInPage,
} from "./github_standin_drive.ts";

/** One address of a user, as `/user/emails` lists it. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/** A user of the stand-in. */
export interface GitHubUser {
  id: number;
  login: string;
  name?: string | null;
  emails: GitHubEmail[];
}

/**
 * What the next matching request does instead of its work:
 * `token_5xx` a 502 from the token endpoint, `token_hang` no answer at
 * all (until the client gives up or the stand-in stops), `token_error`
 * a `bad_verification_code` for a good code, `user_5xx` / `emails_5xx`
 * a 502 from `/user` / `/user/emails`.
 */
export type GitHubFailure =
  | "token_5xx"
  | "token_hang"
  | "token_error"
  | "user_5xx"
  | "emails_5xx";

/** A running stand-in. */
export interface GitHubStandin {
  /** `http://localhost:<port>`: GITHUB_URL. */
  webUrl: string;
  /** `http://localhost:<port>/api/v3`: GITHUB_API_URL. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces a user (by login). */
  setUser(user: GitHubUser): void;
  /** Registers another exact redirect URI. */
  addRedirectUri(uri: string): void;
  /** Makes the next matching request fail (each call, one request). */
  failNext(kind: GitHubFailure): void;
  /** The same as {@linkcode GitHubStandin.failNext} (the plan's name). */
  fail(kind: GitHubFailure): void;
  /** Every request it received, in order: `"POST /login/oauth/access_token"`. */
  requests(): string[];
  /** Ends hanging requests and stops the server. */
  stop(): Promise<void>;
}

/** What {@linkcode startGitHubStandin} takes. */
export interface GitHubStandinOptions {
  users: GitHubUser[];
  /** Default `Ov23liIsletTest`. */
  clientId?: string;
  /** Default a random one. */
  clientSecret?: string;
  /** Exact redirect URIs; more can be added later. */
  redirectUris?: string[];
}

/**
 * Starts the stand-in on a free port. Stop it in a `finally`.
 *
 * @example
 * ```ts
 * const github = await startGitHubStandin({
 *   users: [{ id: 1, login: "octocat", emails: [{ email: "octocat@example.com", primary: true, verified: true }] }],
 *   redirectUris: ["http://localhost:8000/oauth/github/callback"],
 * });
 * try {
 *   console.log(github.webUrl, github.apiUrl);
 * } finally {
 *   await github.stop();
 * }
 * ```
 */
export async function startGitHubStandin(
  opts: GitHubStandinOptions,
): Promise<GitHubStandin> {
  const st: StandinState = {
    clientId: opts.clientId ?? "Ov23liIsletTest",
    clientSecret: opts.clientSecret ?? hex(20),
    webUrl: "", // once listening
    users: new Map(opts.users.map((u) => [u.login, u])),
    redirectUris: new Set(opts.redirectUris ?? []),
    grants: new Map(),
    tokens: new Map(),
    failures: [],
    hanging: new Set(),
  };
  const log: string[] = [];

  const handle = async (req: Request): Promise<Response> => {
    const { pathname } = new URL(req.url);
    log.push(`${req.method} ${pathname}`);
    if (pathname === "/login/oauth/authorize") {
      if (req.method === "GET" || req.method === "POST") {
        return await authorize(st, req);
      }
    } else if (pathname === "/login/oauth/access_token") {
      if (req.method === "POST") return await accessToken(st, req);
    } else if (
      pathname === "/api/v3/user" || pathname === "/api/v3/user/emails"
    ) {
      if (req.method === "GET") return api(st, req, pathname.slice(7));
    } else {
      return json({ message: "Not Found" }, 404);
    }
    return json({ message: "Method Not Allowed" }, 405);
  };

  const ready = Promise.withResolvers<void>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => ready.resolve(),
  }, handle);
  await ready.promise;
  const webUrl = `http://localhost:${server.addr.port}`;
  st.webUrl = webUrl;

  let stopped: Promise<void> | undefined;
  return {
    webUrl,
    apiUrl: `${webUrl}/api/v3`,
    clientId: st.clientId,
    clientSecret: st.clientSecret,
    setUser(user) {
      st.users.set(user.login, user);
    },
    addRedirectUri(uri) {
      st.redirectUris.add(uri);
    },
    failNext(kind) {
      st.failures.push(kind);
    },
    fail(kind) {
      st.failures.push(kind);
    },
    requests: () => [...log],
    stop() {
      stopped ??= (async () => {
        for (const release of st.hanging) release();
        await server.shutdown();
      })();
      return stopped;
    },
  };
}
