/**
 * The one template every message is made from: the plain-text part and
 * the HTML part come from the same input, so they never say different
 * things. The HTML part is built for mail clients and screen readers
 * alike: a language, a title, one column, a real heading, the action as a
 * link whose text says what it does (and its address written out below
 * for clients that hide links), inline styles (mail clients drop style
 * sheets), no images and no script.
 *
 * Links must be absolute (a mail has no base URL): build them with
 * {@linkcode appLink}, from APP_URL.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { EmailMessage } from "./mail.ts";

/** What a message says; see {@linkcode renderEmail}. */
export interface EmailInput {
  /** Recipient address. */
  to: string;
  /** What the message is, for logs (e.g. `"verify_email"`). */
  kind: string;
  subject: string;
  /** The first line of the body (the HTML heading). */
  heading: string;
  /** Paragraphs before the action, plain text. */
  paragraphs: string[];
  /** The one thing to do, as a link (absolute URL). */
  action?: { label: string; url: string };
  /** Paragraphs after the action (e.g. "If this was not you, …"). */
  after?: string[];
}

/** The name the messages sign with. */
const SIGNATURE = "Islet";

/**
 * Renders `input` as a message with a plain-text and an HTML part.
 * Throws if the action's URL is not an absolute http(s) URL: a relative
 * link in a mail goes nowhere, and that is a bug to catch in tests.
 *
 * @example
 * ```ts
 * const message = renderEmail({
 *   to: "ada@example.com",
 *   kind: "verify_email",
 *   subject: "Confirm your email address",
 *   heading: "Confirm your email address",
 *   paragraphs: ["Confirm that this address is yours to finish setting up your account."],
 *   action: { label: "Confirm my email address", url: "https://islet.example/verify-email?token=abc" },
 *   after: ["If you did not sign up, ignore this message."],
 * });
 * message.text.includes("https://islet.example/verify-email?token=abc"); // true
 * ```
 */
export function renderEmail(input: EmailInput): EmailMessage {
  if (input.action !== undefined) assertAbsolute(input.action.url);
  return {
    to: input.to,
    kind: input.kind,
    subject: input.subject,
    text: renderText(input),
    html: renderHtml(input),
  };
}

/**
 * An absolute URL of the app for a mail: `path` (starting with one `/`)
 * on APP_URL's origin, with `params` as the query.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const config = loadConfig({ APP_URL: "https://islet.example" });
 * appLink(config, "/verify-email", { token: "abc" });
 * // "https://islet.example/verify-email?token=abc"
 * ```
 */
export function appLink(
  config: Pick<Config, "appUrl">,
  path: string,
  params?: Record<string, string>,
): string {
  // "//host" would leave the app's origin; anything not starting with "/"
  // would be resolved against nothing meaningful.
  if (!path.startsWith("/") || path.startsWith("//")) {
    throw new Error(`appLink needs a path starting with one "/" (${path})`);
  }
  const url = new URL(path, config.appUrl.origin);
  for (const [name, value] of Object.entries(params ?? {})) {
    url.searchParams.set(name, value);
  }
  return url.href;
}

function assertAbsolute(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed?.protocol !== "https:" && parsed?.protocol !== "http:") {
    throw new Error("An email link must be an absolute http(s) URL");
  }
}

function renderText(input: EmailInput): string {
  const blocks = [input.heading, ...input.paragraphs];
  if (input.action !== undefined) {
    blocks.push(`${input.action.label}:\n${input.action.url}`);
  }
  blocks.push(...(input.after ?? []));
  // "-- " is the signature separator mail clients recognise.
  return `${blocks.join("\n\n")}\n\n-- \n${SIGNATURE}\n`;
}

const FONT =
  "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const TEXT_STYLE = `${FONT};font-size:16px;line-height:1.5;color:#1f2937`;

function renderHtml(input: EmailInput): string {
  const p = (text: string, style = "") =>
    `<p style="margin:0 0 16px;${style}">${escapeHtml(text)}</p>`;
  const parts = [
    `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#111827">${
      escapeHtml(input.heading)
    }</h1>`,
    ...input.paragraphs.map((t) => p(t)),
  ];
  if (input.action !== undefined) {
    const href = escapeHtml(input.action.url);
    parts.push(
      `<p style="margin:24px 0"><a href="${href}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:#1d4ed8;color:#ffffff;font-weight:600;text-decoration:none">${
        escapeHtml(input.action.label)
      }</a></p>`,
      // Some clients strip or block links: the address itself, written out.
      `<p style="margin:0 0 16px;font-size:14px;color:#4b5563">If the link does not work, copy this address into your browser:<br><a href="${href}" style="color:#1d4ed8;word-break:break-all">${href}</a></p>`,
    );
  }
  parts.push(...(input.after ?? []).map((t) => p(t)));
  parts.push(p(SIGNATURE, "margin-top:24px;color:#4b5563"));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(input.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#ffffff">
<div role="article" aria-label="${
    escapeHtml(input.subject)
  }" style="max-width:560px;margin:0 auto;padding:24px 16px;${TEXT_STYLE}">
${parts.join("\n")}
</div>
</body>
</html>
`;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
