/**
 * Reading a request body at the edge: JSON or an HTML form, bounded in
 * size, always to a flat record of strings. Anything else is a clear 4xx.
 *
 * @module
 */

import { PublicError } from "./public_error.ts";
import { type CappedText, readCappedText } from "./read_capped.ts";

/**
 * A 4xx the caller should answer with. Left to propagate, the app's error
 * answer says it (JSON under `/api/`); a page may catch it to re-render.
 */
export class BodyError extends PublicError {
  constructor(override readonly status: 400 | 413 | 415, message: string) {
    super(status, message);
    this.name = "BodyError";
  }
}

/** Default bound for small auth forms. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Reads a JSON object or `application/x-www-form-urlencoded` body into a
 * record of strings. Non-string JSON values become absent, so validators
 * only ever see strings.
 *
 * @example
 * ```ts
 * const req = new Request("http://localhost/api/auth/login", {
 *   method: "POST",
 *   headers: { "content-type": "application/x-www-form-urlencoded" },
 *   body: "email=a%40b.c&password=secret&remember=1",
 * });
 * const input = await readInput(req); // { email: "a@b.c", password: "secret", remember: "1" }
 * ```
 */
export async function readInput(
  req: Request,
  maxBytes = MAX_FORM_BYTES,
): Promise<Record<string, string>> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim()
    .toLowerCase();
  if (
    type !== "application/json" && type !== "application/x-www-form-urlencoded"
  ) {
    throw new BodyError(
      415,
      "Send application/json or application/x-www-form-urlencoded",
    );
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BodyError(413, "Request body too large");
  const text = await readBounded(req, maxBytes);

  if (type === "application/x-www-form-urlencoded") {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
    return out;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError(400, "Malformed JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BodyError(400, "Expected a JSON object");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

/**
 * Reads the body as text, exactly as sent (UTF-8), up to `maxBytes`:
 * for a body whose bytes are checked as they are (a signed webhook).
 * Too large → 413, not UTF-8 → 400 ({@linkcode BodyError}).
 *
 * @example
 * ```ts
 * const req = new Request("http://localhost/api/stripe/webhook", { method: "POST", body: '{"id":"evt_1"}' });
 * await readRawText(req, 1024); // '{"id":"evt_1"}'
 * ```
 */
export async function readRawText(
  req: Request,
  maxBytes: number,
): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BodyError(413, "Request body too large");
  return await readBounded(req, maxBytes);
}

async function readBounded(req: Request, maxBytes: number): Promise<string> {
  let read: CappedText;
  try {
    read = await readCappedText(req.body, maxBytes);
  } catch {
    throw new BodyError(400, "Could not read the request body");
  }
  if (read.ok) return read.text;
  throw read.reason === "too_large"
    ? new BodyError(413, "Request body too large")
    : new BodyError(400, "Request body is not valid UTF-8");
}

/**
 * Passes a {@linkcode BodyError} through as a value and rethrows anything
 * else (a real bug stays a 500 with a log line), so a handler can answer
 * bad input in its own way.
 *
 * @example
 * ```ts
 * import { page } from "fresh";
 * async function load(req: Request) {
 *   const input = await readInput(req).catch(asBodyError);
 *   if (input instanceof BodyError) {
 *     return page({ error: input.message }, { status: input.status });
 *   }
 *   return page({ error: null, email: input.email ?? "" });
 * }
 * ```
 */
export function asBodyError(err: unknown): BodyError {
  if (err instanceof BodyError) return err;
  throw err;
}
