/**
 * Building responses cheaply. Deno's `Response` has a fast path for a
 * string body whose init carries at most a content type; any other init
 * makes it validate the headers and build a native response up front,
 * which the first later `res.headers` access (every header-setting
 * middleware) throws away again. So responses start on the fast path and
 * take further headers through `res.headers`, which validates each header
 * only once.
 *
 * @module
 */

/**
 * A response with a string body, its content type (unless `headers`
 * carries one) and the given headers, like
 * `new Response(body, { status, headers })` with the content type added.
 *
 * @example
 * ```ts
 * typedResponse("{}", "application/json", 201, undefined, { "cache-control": "no-store" });
 * ```
 */
export function typedResponse(
  body: string | null,
  type: string,
  status: number | undefined,
  statusText: string | undefined,
  headers: HeadersInit | undefined,
): Response {
  const pairs = headers === undefined ? null : headerPairs(headers);
  // The caller's own content type, if any, replaces the default one.
  const own = pairs === null ? -1 : contentTypeIndex(pairs);
  const res = new Response(body, {
    status,
    statusText,
    headers: { "content-type": own === -1 ? type : pairs![own][1] },
  });
  if (pairs !== null && pairs.length > (own === -1 ? 0 : 1)) {
    const target = res.headers;
    for (let i = 0; i < pairs.length; i++) {
      if (i !== own) target.append(pairs[i][0], pairs[i][1]);
    }
  }
  return res;
}

/** The name/value pairs of any `HeadersInit`, in order. */
function headerPairs(init: HeadersInit): [string, string][] {
  if (Array.isArray(init)) {
    for (const pair of init) {
      if (pair.length !== 2) {
        throw new TypeError(
          `Invalid header: length must be 2, but is ${pair.length}`,
        );
      }
    }
    return init as [string, string][];
  }
  if (init instanceof Headers) return [...init];
  const out: [string, string][] = [];
  const record = init as Record<string, string>;
  for (const name in record) {
    if (Object.hasOwn(record, name)) out.push([name, record[name]]);
  }
  return out;
}

function contentTypeIndex(pairs: [string, string][]): number {
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i][0].toLowerCase() === "content-type") return i;
  }
  return -1;
}
