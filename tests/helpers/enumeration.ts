/**
 * Helpers of the enumeration tests (sign-up, forgot password): what an
 * answer says once the address it echoes and the date are taken out, and
 * the median of timings.
 *
 * @module
 */
import type { Answer } from "./auth.ts";

/**
 * The median of `xs`.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * The mean of the fastest third of `xs` (at least one value): what a
 * request costs when nothing else ran meanwhile. Load from other processes
 * only ever adds time, and on a busy machine it adds it to most tries, so
 * the median drifts with the load while the fastest tries keep to the
 * work itself; a mean over a third of the tries, rather than the single
 * fastest, is not decided by one lucky try.
 *
 * @example
 * ```ts
 * fastMean([3, 1, 2, 9, 8, 7]); // 1.5 (the mean of 1 and 2)
 * ```
 */
export function fastMean(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = Math.max(1, Math.floor(s.length / 3));
  return s.slice(0, n).reduce((a, b) => a + b, 0) / n;
}

/**
 * Status, headers (without `date`, sorted) and body of an answer, the
 * address it was about replaced by `<address>` and a page's CSP nonce by
 * `<nonce>` (fresh on every page by design): two answers that reveal
 * nothing about their address have equal shapes.
 *
 * @example
 * ```ts
 * import type { Answer } from "./auth.ts";
 * declare const a: Answer;
 * const { status, headers, body } = answerShape(a, "ada@example.com");
 * ```
 */
export function answerShape(a: Answer, email: string): {
  status: number;
  headers: string[];
  body: string;
} {
  const nonce = (text: string) =>
    text.replace(/nonce-[A-Za-z0-9+/=]+/g, "nonce-<nonce>")
      .replace(/nonce="[A-Za-z0-9+/=]+"/g, 'nonce="<nonce>"');
  const headers = [...a.headers].filter(([name]) => name !== "date");
  return {
    status: a.status,
    headers: headers.map(([n, v]) => nonce(`${n}: ${v}`)).sort(),
    body: nonce(a.text.replaceAll(email, "<address>")),
  };
}
