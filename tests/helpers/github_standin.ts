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
import { authorizePage, errorPage } from "./github_standin_page.ts";

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

const CODE_TTL_MS = 10 * 60_000;
const DOCS = "https://docs.github.com/apps/managing-oauth-apps";

interface Grant {
  clientId: string;
  login: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  token: string | null;
}

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(verifier),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function html(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
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
  const users = new Map(opts.users.map((u) => [u.login, u]));
  const clientId = opts.clientId ?? "Ov23liIsletTest";
  const clientSecret = opts.clientSecret ?? hex(20);
  const redirectUris = new Set(opts.redirectUris ?? []);
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, { login: string; scope: string }>();
  const failures: GitHubFailure[] = [];
  const hanging = new Set<() => void>();
  const log: string[] = [];

  const takeFailure = (...kinds: GitHubFailure[]): GitHubFailure | null => {
    const i = failures.findIndex((f) => kinds.includes(f));
    return i === -1 ? null : failures.splice(i, 1)[0];
  };

  /** The authorization request's checks; a page when it is refused. */
  const checkAuthorize = (p: URLSearchParams): Response | null => {
    if (p.get("client_id") !== clientId) {
      return html(errorPage("No application has this client_id."), 404);
    }
    const redirect = p.get("redirect_uri");
    if (redirect === null || !redirectUris.has(redirect)) {
      return html(
        errorPage(
          "The redirect_uri is not associated with this application.",
        ),
        400,
      );
    }
    if (
      !p.get("code_challenge") || p.get("code_challenge_method") !== "S256"
    ) {
      return html(
        errorPage(
          "A code_challenge with code_challenge_method S256 is required.",
        ),
        400,
      );
    }
    return null;
  };

  const authorize = async (req: Request): Promise<Response> => {
    const params = req.method === "POST"
      ? new URLSearchParams(await req.text())
      : new URL(req.url).searchParams;
    const refused = checkAuthorize(params);
    if (refused) return refused;
    const keep: Record<string, string> = {};
    for (
      const k of [
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
      ]
    ) {
      const v = params.get(k);
      if (v !== null) keep[k] = v;
    }
    if (req.method === "GET") {
      return html(authorizePage(keep, [...users.keys()]));
    }
    const back = new URL(keep.redirect_uri);
    if (params.get("cancel") !== null) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set(
        "error_description",
        "The user has denied your application access.",
      );
      back.searchParams.set(
        "error_uri",
        `${DOCS}/troubleshooting-authorization-request-errors/#access-denied`,
      );
    } else {
      const login = params.get("login") ?? "";
      if (!users.has(login)) {
        return html(errorPage(`No user ${login} here.`), 422);
      }
      const code = hex(10);
      grants.set(code, {
        clientId,
        login,
        redirectUri: keep.redirect_uri,
        challenge: keep.code_challenge,
        scope: (keep.scope ?? "").split(/[\s,]+/).filter(Boolean).join(","),
        expiresAt: Date.now() + CODE_TTL_MS,
        used: false,
        token: null,
      });
      back.searchParams.set("code", code);
    }
    if (keep.state !== undefined) back.searchParams.set("state", keep.state);
    return new Response(null, {
      status: 302,
      headers: { location: back.href },
    });
  };

  const accessToken = async (req: Request): Promise<Response> => {
    const failure = takeFailure("token_5xx", "token_hang", "token_error");
    if (failure === "token_5xx") {
      return html(errorPage("Bad gateway"), 502);
    }
    if (failure === "token_hang") {
      // Until stop(), or a minute (longer than any client waits): not
      // req.signal, whose abort Deno reports as legacy behaviour.
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          hanging.delete(release);
          resolve();
        };
        const timer = setTimeout(release, 60_000);
        hanging.add(release);
      });
      return html(errorPage("Gateway timeout"), 504);
    }
    const asJson = (req.headers.get("accept") ?? "").includes(
      "application/json",
    );
    const answer = (body: Record<string, string>) =>
      asJson ? json(body) : new Response(new URLSearchParams(body).toString(), {
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    const error = (error: string, description: string, anchor: string) =>
      answer({
        error,
        error_description: description,
        error_uri:
          `${DOCS}/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`,
      });
    const type = req.headers.get("content-type") ?? "";
    const text = await req.text();
    let body: URLSearchParams;
    try {
      body = type.includes("application/json")
        ? new URLSearchParams(JSON.parse(text))
        : new URLSearchParams(text);
    } catch {
      return json({ message: "Problems parsing JSON" }, 400);
    }
    let id = body.get("client_id");
    let secret = body.get("client_secret");
    const basic = /^Basic (.+)$/i.exec(req.headers.get("authorization") ?? "");
    if (basic) {
      const [u, ...rest] = atob(basic[1]).split(":");
      [id, secret] = [
        decodeURIComponent(u),
        decodeURIComponent(rest.join(":")),
      ];
    }
    if (id !== clientId || secret !== clientSecret) {
      return error(
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
        "incorrect-client-credentials",
      );
    }
    const badCode = () =>
      error(
        "bad_verification_code",
        "The code passed is incorrect or expired.",
        "bad-verification-code",
      );
    const code = body.get("code") ?? "";
    const grant = grants.get(code);
    if (failure === "token_error" || grant === undefined) return badCode();
    if (grant.used) {
      if (grant.token !== null) tokens.delete(grant.token);
      return badCode();
    }
    if (grant.expiresAt < Date.now() || grant.clientId !== id) {
      return badCode();
    }
    const redirect = body.get("redirect_uri");
    if (redirect !== null && redirect !== grant.redirectUri) {
      return error(
        "redirect_uri_mismatch",
        "The redirect_uri MUST match the registered callback URL for this application.",
        "redirect-uri-mismatch",
      );
    }
    const verifier = body.get("code_verifier") ?? "";
    if (verifier === "" || await s256(verifier) !== grant.challenge) {
      return badCode();
    }
    grant.used = true;
    const token = `gho_${hex(18)}`;
    grant.token = token;
    tokens.set(token, { login: grant.login, scope: grant.scope });
    return answer({
      access_token: token,
      token_type: "bearer",
      scope: grant.scope,
    });
  };

  const api = (req: Request, path: string): Response => {
    if (!req.headers.get("user-agent")) {
      return json({
        message:
          "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
      }, 403);
    }
    const auth = /^(?:Bearer|token) (.+)$/i.exec(
      req.headers.get("authorization") ?? "",
    );
    const session = auth ? tokens.get(auth[1]) : undefined;
    const user = session ? users.get(session.login) : undefined;
    if (session === undefined || user === undefined) {
      return json({ message: "Bad credentials", status: "401" }, 401);
    }
    if (path === "/user") {
      if (takeFailure("user_5xx")) return html(errorPage("Bad gateway"), 502);
      return json({
        login: user.login,
        id: user.id,
        node_id: `U_${user.id}`,
        avatar_url: `${webUrl}/avatars/u/${user.id}`,
        html_url: `${webUrl}/${user.login}`,
        type: "User",
        site_admin: false,
        name: user.name ?? null,
        email: null,
      });
    }
    const scopes = session.scope.split(",");
    if (!scopes.includes("user:email") && !scopes.includes("user")) {
      return json({ message: "Not Found", status: "404" }, 404);
    }
    if (takeFailure("emails_5xx")) return html(errorPage("Bad gateway"), 502);
    return json(user.emails.map((e) => ({
      ...e,
      visibility: e.primary ? "private" : null,
    })));
  };

  const handle = async (req: Request): Promise<Response> => {
    const { pathname } = new URL(req.url);
    log.push(`${req.method} ${pathname}`);
    if (pathname === "/login/oauth/authorize") {
      if (req.method === "GET" || req.method === "POST") {
        return await authorize(req);
      }
    } else if (pathname === "/login/oauth/access_token") {
      if (req.method === "POST") return await accessToken(req);
    } else if (
      pathname === "/api/v3/user" || pathname === "/api/v3/user/emails"
    ) {
      if (req.method === "GET") return api(req, pathname.slice(7));
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

  let stopped: Promise<void> | undefined;
  return {
    webUrl,
    apiUrl: `${webUrl}/api/v3`,
    clientId,
    clientSecret,
    setUser(user) {
      users.set(user.login, user);
    },
    addRedirectUri(uri) {
      redirectUris.add(uri);
    },
    failNext(kind) {
      failures.push(kind);
    },
    fail(kind) {
      failures.push(kind);
    },
    requests: () => [...log],
    stop() {
      stopped ??= (async () => {
        for (const release of hanging) release();
        await server.shutdown();
      })();
      return stopped;
    },
  };
}
