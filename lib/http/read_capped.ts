/**
 * Reading a whole body as UTF-8 text, stopping at a size cap: what a
 * request body at the edge (`body.ts`) and a provider's answer
 * (`lib/oauth/http.ts`) both need, each saying the refusal its own way.
 *
 * @module
 */

/** The text, or why there is none: over the cap (the stream is cancelled) or not UTF-8. */
export type CappedText =
  | { ok: true; text: string }
  | { ok: false; reason: "too_large" | "not_utf8" };

/**
 * Reads `body` to its end, at most `maxBytes`. An error of the stream
 * itself (a reset connection, a timeout) is thrown as it came.
 *
 * @example
 * ```ts
 * const read = await readCappedText(new Response("héllo").body, 1024);
 * if (read.ok) console.log(read.text); // "héllo"
 * else console.log(read.reason); // "too_large" or "not_utf8"
 * ```
 */
export async function readCappedText(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<CappedText> {
  if (body === null) return { ok: true, text: "" };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return {
      ok: true,
      text: new TextDecoder("utf-8", { fatal: true }).decode(all),
    };
  } catch {
    return { ok: false, reason: "not_utf8" };
  }
}
