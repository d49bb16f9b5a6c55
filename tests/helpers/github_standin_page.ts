/**
 * The GitHub stand-in's HTML: the authorize page (one button per user,
 * and Cancel) and its error page. Plain, accessible HTML: a `main`
 * landmark, a heading, real buttons in one form, readable at 320 px.
 *
 * @module
 */

/** The authorization request as the page carries it, in hidden fields. */
export type AuthorizeParams = Record<string, string>;

const STYLE = "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;" +
  "color:#1f2328;background:#fff}main{max-width:28rem;margin:0 auto}" +
  "button{display:block;width:100%;margin:.5rem 0;padding:.6rem;" +
  "font-size:1rem;border:1px solid #1f2328;border-radius:6px;" +
  "background:#f6f8fa;color:#1f2328;cursor:pointer}" +
  "button.primary{background:#1a7f37;color:#fff;border-color:#1a7f37}";

/**
 * Escapes text for HTML content and double-quoted attributes.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<link rel="icon" href="data:,">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>`;
}

/**
 * The authorize page: "Continue as <login>" for each user, "Cancel".
 *
 * @example
 * ```ts
 * const html = authorizePage({ client_id: "abc", state: "xyz" }, ["octocat"]);
 * html.includes("Continue as octocat"); // true
 * ```
 */
export function authorizePage(
  params: AuthorizeParams,
  logins: string[],
): string {
  const hidden = Object.entries(params).map(([k, v]) =>
    `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`
  ).join("");
  const buttons = logins.map((login) =>
    `<button class="primary" type="submit" name="login" value="${
      escapeHtml(login)
    }">Continue as ${escapeHtml(login)}</button>`
  ).join("");
  return layout(
    "Authorize application",
    `<h1>Authorize application</h1>` +
      `<p>An application asks to read your profile and email addresses` +
      ` (${escapeHtml(params.scope ?? "no scope")}).</p>` +
      `<form method="post" action="/login/oauth/authorize">${hidden}` +
      buttons +
      `<button type="submit" name="cancel" value="1">Cancel</button></form>`,
  );
}

/**
 * An error page (the stand-in refuses the request outright).
 *
 * @example
 * ```ts
 * errorPage("The redirect_uri is not registered.").includes("<h1>"); // true
 * ```
 */
export function errorPage(message: string): string {
  return layout(
    "Error",
    `<h1>Error</h1><p>${escapeHtml(message)}</p>`,
  );
}
