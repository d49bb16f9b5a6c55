/**
 * The GitHub stand-in's endpoints (`github_standin.ts` has the server and
 * what they do, in its module comment): each a function of the
 * stand-in's state and the request.
 *
 * @module
 */
import type { GitHubFailure, GitHubUser } from "./github_standin.ts";
import { authorizePage, errorPage } from "./github_standin_page.ts";

const CODE_TTL_MS = 10 * 60_000;
const DOCS = "https://docs.github.com/apps/managing-oauth-apps";

/** An issued code. */
export interface Grant {
  clientId: string;
  login: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  token: string | null;
}

/**
 * Random hex of `bytes` bytes (codes, secrets, tokens).
 *
 * @example
 * ```ts
 * hex(20).length; // 40
 * ```
 */
export function hex(bytes: number): string {
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

/**
 * A JSON answer, as the GitHub API gives one.
 *
 * @example
 * ```ts
 * json({ message: "Not Found" }, 404).status; // 404
 * ```
 */
export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** What the endpoints share: the app registration, people, codes, tokens. */
export interface StandinState {
  clientId: string;
  clientSecret: string;
  webUrl: string;
  users: Map<string, GitHubUser>;
  redirectUris: Set<string>;
  grants: Map<string, Grant>;
  tokens: Map<string, { login: string; scope: string }>;
  failures: GitHubFailure[];
  hanging: Set<() => void>;
}

/**
 * Takes the first pending failure of `kinds`, if any.
 *
 * @example
 * ```ts
 * declare const st: StandinState;
 * if (takeFailure(st, "user_5xx")) console.log("fail this one");
 * ```
 */
export function takeFailure(
  st: StandinState,
  ...kinds: GitHubFailure[]
): GitHubFailure | null {
  const i = st.failures.findIndex((f) => kinds.includes(f));
  return i === -1 ? null : st.failures.splice(i, 1)[0];
}

/** The authorization request's checks; a page when it is refused. */
function checkAuthorize(st: StandinState, p: URLSearchParams): Response | null {
  if (p.get("client_id") !== st.clientId) {
    return html(errorPage("No application has this client_id."), 404);
  }
  const redirect = p.get("redirect_uri");
  if (redirect === null || !st.redirectUris.has(redirect)) {
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
}

/**
 * `GET` and `POST /login/oauth/authorize`: the page, then the redirect back.
 *
 * @example
 * ```ts
 * declare const st: StandinState;
 * declare const req: Request;
 * const res = await authorize(st, req);
 * ```
 */
export async function authorize(
  st: StandinState,
  req: Request,
): Promise<Response> {
  const params = req.method === "POST"
    ? new URLSearchParams(await req.text())
    : new URL(req.url).searchParams;
  const refused = checkAuthorize(st, params);
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
    return html(authorizePage(keep, [...st.users.keys()]));
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
    if (!st.users.has(login)) {
      return html(errorPage(`No user ${login} here.`), 422);
    }
    const code = hex(10);
    st.grants.set(code, {
      clientId: st.clientId,
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
}

/**
 * `POST /login/oauth/access_token`, errors as GitHub answers them.
 *
 * @example
 * ```ts
 * declare const st: StandinState;
 * declare const req: Request;
 * const res = await accessToken(st, req);
 * ```
 */
export async function accessToken(
  st: StandinState,
  req: Request,
): Promise<Response> {
  const failure = takeFailure(st, "token_5xx", "token_hang", "token_error");
  if (failure === "token_5xx") {
    return html(errorPage("Bad gateway"), 502);
  }
  if (failure === "token_hang") {
    // Until stop(), or a minute (longer than any client waits): not
    // req.signal, whose abort Deno reports as legacy behaviour.
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        st.hanging.delete(release);
        resolve();
      };
      const timer = setTimeout(release, 60_000);
      st.hanging.add(release);
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
  if (id !== st.clientId || secret !== st.clientSecret) {
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
  const grant = st.grants.get(code);
  if (failure === "token_error" || grant === undefined) return badCode();
  if (grant.used) {
    if (grant.token !== null) st.tokens.delete(grant.token);
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
  st.tokens.set(token, { login: grant.login, scope: grant.scope });
  return answer({
    access_token: token,
    token_type: "bearer",
    scope: grant.scope,
  });
}

/**
 * `GET /api/v3/user` and `/api/v3/user/emails` (`path` without `/api/v3`).
 *
 * @example
 * ```ts
 * declare const st: StandinState;
 * declare const req: Request;
 * const res = await api(st, req, "/user");
 * ```
 */
export function api(st: StandinState, req: Request, path: string): Response {
  if (!req.headers.get("user-agent")) {
    return json({
      message:
        "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
    }, 403);
  }
  const auth = /^(?:Bearer|token) (.+)$/i.exec(
    req.headers.get("authorization") ?? "",
  );
  const session = auth ? st.tokens.get(auth[1]) : undefined;
  const user = session ? st.users.get(session.login) : undefined;
  if (session === undefined || user === undefined) {
    return json({ message: "Bad credentials", status: "401" }, 401);
  }
  if (path === "/user") {
    if (takeFailure(st, "user_5xx")) return html(errorPage("Bad gateway"), 502);
    return json({
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      avatar_url: `${st.webUrl}/avatars/u/${user.id}`,
      html_url: `${st.webUrl}/${user.login}`,
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
  if (takeFailure(st, "emails_5xx")) return html(errorPage("Bad gateway"), 502);
  return json(user.emails.map((e) => ({
    ...e,
    visibility: e.primary ? "private" : null,
  })));
}
