/**
 * Stripe's request encoding, decoded: `application/x-www-form-urlencoded`
 * with bracketed keys (`metadata[user_id]=u1`,
 * `line_items[0][price]=price_1`, `expand[0]=data.customer`), as the SDK
 * sends bodies and query strings.
 *
 * @module
 */

/** A decoded value: text, or nested objects and lists. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/**
 * Decodes Stripe's bracketed form encoding into nested objects; numeric
 * keys make lists.
 *
 * @example
 * ```ts
 * decodeStripeForm("customer=cus_1&expand[0]=data.customer&metadata[user_id]=u1");
 * // { customer: "cus_1", expand: ["data.customer"], metadata: { user_id: "u1" } }
 * ```
 */
export function decodeStripeForm(text: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.match(/^([^[\]]+)((?:\[[^[\]]*\])*)$/);
    if (parts === null) continue;
    const path = [
      parts[1],
      ...[...parts[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]),
    ];
    // deno-lint-ignore no-explicit-any
    let node: any = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = path[i + 1];
      node[path[i]] ??= /^\d+$/.test(next) ? [] : {};
      node = node[path[i]];
    }
    node[path[path.length - 1]] = value;
  }
  return root;
}

/**
 * The `expand[]` list of a decoded request.
 *
 * @example
 * ```ts
 * expandList({ expand: ["data.customer"] }); // ["data.customer"]
 * expandList({}); // []
 * ```
 */
export function expandList(params: Record<string, FormValue>): string[] {
  const e = params.expand;
  if (Array.isArray(e)) {
    return e.filter((x): x is string => typeof x === "string");
  }
  if (e !== undefined && typeof e === "object") {
    return Object.values(e).filter((x): x is string => typeof x === "string");
  }
  return [];
}
