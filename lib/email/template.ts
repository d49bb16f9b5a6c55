/**
 * STAND-IN until `email-core` is merged (its template.ts replaces this
 * file): the contract of issue 9's plan, `renderEmail` and `appLink`, with
 * a bare rendering.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { EmailMessage } from "./mail.ts";

/** What a message says. */
export interface EmailInput {
  to: string;
  kind: string;
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  after?: string[];
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/**
 * Renders `input` as a text and an HTML part.
 *
 * @example
 * ```ts
 * renderEmail({ to: "a@b.c", kind: "k", subject: "s", heading: "h", paragraphs: ["p"] });
 * ```
 */
export function renderEmail(input: EmailInput): EmailMessage {
  const lines = [input.heading, "", ...input.paragraphs];
  if (input.action) {
    lines.push("", `${input.action.label}: ${input.action.url}`);
  }
  lines.push(...(input.after ?? []));
  const html = `<!doctype html><html lang="en"><body><h1>${
    esc(input.heading)
  }</h1>${input.paragraphs.map((p) => `<p>${esc(p)}</p>`).join("")}${
    input.action
      ? `<p><a href="${esc(input.action.url)}">${
        esc(input.action.label)
      }</a></p>`
      : ""
  }${
    (input.after ?? []).map((p) => `<p>${esc(p)}</p>`).join("")
  }</body></html>`;
  return {
    to: input.to,
    kind: input.kind,
    subject: input.subject,
    text: lines.join("\n"),
    html,
  };
}

/**
 * An absolute URL of the app.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * appLink(loadConfig({ APP_URL: "https://islet.example" }), "/x", { a: "b" });
 * ```
 */
export function appLink(
  config: Pick<Config, "appUrl">,
  path: string,
  params?: Record<string, string>,
): string {
  const url = new URL(path, config.appUrl.origin);
  for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, v);
  return url.href;
}
