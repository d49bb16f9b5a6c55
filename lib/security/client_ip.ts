/**
 * Who is the client? The socket peer, unless that peer is one of our own
 * reverse proxies (`TRUSTED_PROXIES`), in which case the address the
 * proxies recorded in `X-Forwarded-For`. Anything left of the first
 * untrusted hop was written by the client and is ignored: trusting it would
 * let anyone choose their rate-limit key.
 *
 * @module
 */

/**
 * A parsed address: IPv4 as a 32-bit, IPv6 as a 128-bit number.
 *
 * @example
 * ```ts
 * const loopback: Ip = { version: 4, value: 0x7f000001n }; // 127.0.0.1
 * ```
 */
export interface Ip {
  version: 4 | 6;
  value: bigint;
}

/**
 * An address range (a single address is a /32 or /128).
 *
 * @example
 * ```ts
 * const tenSlash8: IpRange = { version: 4, network: 0x0a000000n, prefix: 8 };
 * ```
 */
export interface IpRange {
  version: 4 | 6;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

/**
 * The parsed `TRUSTED_PROXIES` setting (see {@linkcode parseTrustedProxies}).
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const config = loadConfig();
 * const proxies: TrustedProxies = parseTrustedProxies(config.trustedProxies);
 * ```
 */
export interface TrustedProxies {
  readonly ranges: readonly IpRange[];
}

/** A dotted quad with no leading zeros and every part at most 255. */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Proxies between client and app are few; a longer chain is not ours. */
const MAX_HOPS = 32;

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    // Leading zeros are refused: some parsers read them as octal.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIpv6(text: string): bigint | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  const groups: number[] = [];
  // A trailing dotted quad stands for the last two groups.
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".", lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${
      (v4 & 0xffffn).toString(16)
    }`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string) => {
    if (h === "") return [];
    const out = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return null;
    groups.push(
      ...head,
      ...Array(8 - head.length - tail.length).fill(0),
      ...tail,
    );
  } else {
    if (head.length !== 8) return null;
    groups.push(...head);
  }
  return groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

/**
 * Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`)
 * becomes IPv4, so one client has one identity on a dual-stack socket.
 * Returns null for anything else (host names, ports, garbage).
 *
 * @example
 * ```ts
 * parseIp("::ffff:10.0.0.1"); // { version: 4, value: 167772161n }
 * parseIp("nope"); // null
 * ```
 */
export function parseIp(text: string): Ip | null {
  const s = text.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (!s.includes(":")) {
    const v4 = parseIpv4(s);
    return v4 === null ? null : { version: 4, value: v4 };
  }
  const v6 = parseIpv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

/**
 * The canonical text of an address (RFC 5952 for IPv6), so that one
 * address has one rate-limit key however it was written.
 *
 * @example
 * ```ts
 * formatIp(parseIp("2001:DB8:0:0:0:0:0:1")!); // "2001:db8::1"
 * ```
 */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(
      ".",
    );
  }
  const g = Array.from(
    { length: 8 },
    (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // The longest run of two or more zero groups becomes "::" (the first, on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best === -1) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

function inRange(ip: Ip, r: IpRange): boolean {
  if (ip.version !== r.version) return false;
  const bits = BigInt(ip.version === 4 ? 32 : 128);
  const shift = bits - BigInt(r.prefix);
  return ip.value >> shift === r.network >> shift;
}

/**
 * Parses `TRUSTED_PROXIES`: addresses and CIDR ranges, IPv4 or IPv6,
 * separated by commas or spaces. Empty means no proxy is trusted. Throws
 * with every bad entry named.
 *
 * @example
 * ```ts
 * const proxies = parseTrustedProxies("127.0.0.1, 10.0.0.0/8, ::1, fd00::/8");
 * parseTrustedProxies("10.0.0.0/33"); // throws
 * ```
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const ranges: IpRange[] = [];
  const bad: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter((e) => e !== "")) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    const ip = m ? parseIp(m[1]) : null;
    if (!m || !ip || m[1].includes("%")) {
      bad.push(`"${entry}" is not an IP address or CIDR range`);
      continue;
    }
    const max = ip.version === 4 ? 32 : 128;
    let prefix = m[2] === undefined ? max : Number(m[2]);
    // "::ffff:10.0.0.0/104" is written as IPv6 but parsed as IPv4.
    if (ip.version === 4 && m[1].includes(":") && m[2] !== undefined) {
      prefix -= 96;
    }
    if (prefix < 0 || prefix > max) {
      bad.push(`"${entry}" has a prefix length outside 0–${max}`);
      continue;
    }
    const shift = BigInt(max - prefix);
    ranges.push({
      version: ip.version,
      network: (ip.value >> shift) << shift,
      prefix,
    });
  }
  if (bad.length > 0) {
    throw new Error(
      `TRUSTED_PROXIES: ${
        bad.join("; ")
      } (expected e.g. "127.0.0.1,10.0.0.0/8,::1")`,
    );
  }
  return { ranges };
}

/**
 * Whether an address is one of the trusted proxies.
 *
 * @example
 * ```ts
 * isTrustedProxy("10.1.2.3", parseTrustedProxies("10.0.0.0/8")); // true
 * ```
 */
export function isTrustedProxy(
  address: string | Ip,
  proxies: TrustedProxies,
): boolean {
  const ip = typeof address === "string" ? parseIp(address) : address;
  return ip !== null && proxies.ranges.some((r) => inRange(ip, r));
}

/** One `X-Forwarded-For` entry; tolerates the port and brackets some proxies add. */
function parseForwarded(entry: string): Ip | null {
  const s = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) return parseIp(bracketed[1]);
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
  return parseIp(v4port ? v4port[1] : s);
}

/**
 * The client's address, in canonical form: the socket peer, or, when the
 * peer is a trusted proxy, the right-most `X-Forwarded-For` address that is
 * not itself a trusted proxy (malformed entries skipped). `"unknown"` when
 * there is no TCP peer (e.g. a request made in a test).
 *
 * @example
 * ```ts
 * Deno.serve((req, info) => {
 *   const ip = clientIp(req, info, parseTrustedProxies("127.0.0.1"));
 *   return new Response(ip);
 * });
 * ```
 */
export function clientIp(
  req: Request,
  info: Deno.ServeHandlerInfo | undefined,
  trustedProxies: TrustedProxies,
): string {
  const addr = info?.remoteAddr;
  if (
    addr && "hostname" in addr && trustedProxies.ranges.length === 0 &&
    CANONICAL_IPV4.test(addr.hostname)
  ) {
    // The usual case, without proxies: a dotted quad already in canonical
    // form is its own formatIp(parseIp()) result.
    return addr.hostname;
  }
  const peer = addr && "hostname" in addr ? parseIp(addr.hostname) : null;
  if (peer === null) return "unknown";
  if (!isTrustedProxy(peer, trustedProxies)) return formatIp(peer);
  const header = req.headers.get("x-forwarded-for");
  if (header === null) return formatIp(peer);
  const entries = header.split(",");
  // All trusted so far: the left-most trusted hop is the best we know.
  let best = peer;
  for (
    let i = entries.length - 1, hops = 0;
    i >= 0 && hops < MAX_HOPS;
    i--, hops++
  ) {
    const ip = parseForwarded(entries[i]);
    if (ip === null) continue;
    if (!isTrustedProxy(ip, trustedProxies)) return formatIp(ip);
    best = ip;
  }
  return formatIp(best);
}
