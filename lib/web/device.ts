/**
 * A short human label for a user agent, for the session list. Only a hint:
 * user agents are easy to fake and are never used for security decisions.
 *
 * A label is built from two small numbers (which browser, which system),
 * so it can travel in a flash cookie as numbers and be checked against
 * these lists, never as text a client chose.
 *
 * @module
 */

// Order matters: Edge, Opera and Samsung Internet also say "Chrome", and
// nearly everything says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/OPR\/(\d+)|Opera/, "Opera"],
  [/SamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/Firefox\/(\d+)|FxiOS\/(\d+)/, "Firefox"],
  [/Chrome\/(\d+)|Chromium\/(\d+)|CriOS\/(\d+)/, "Chrome"],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\/|Safari\//, "Safari"],
  [/curl\/(\d+)/, "curl"],
];
// iPad before Macintosh: iPadOS Safari may claim either, but an "iPad"
// token is decisive. iPhone and iPad are told apart: a user with both
// should see two different labels.
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPod/, "iPhone"],
  [/iPad/, "iPad"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** Which browser and system a user agent names: 1-based list positions, 0 unknown. */
export interface DeviceIds {
  browser: number;
  system: number;
}

/** The largest valid {@linkcode DeviceIds} values, for validating them. */
export const DEVICE_ID_LIMITS: DeviceIds = {
  browser: BROWSERS.length,
  system: SYSTEMS.length,
};

interface Parsed extends DeviceIds {
  /** Browser major version, or null when not found. */
  version: string | null;
}

/**
 * The browser and system a user agent names, as small numbers.
 *
 * @example
 * ```ts
 * const ids = deviceIds("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0");
 * deviceLabelOf(ids); // "Firefox on Linux"
 * ```
 */
export function deviceIds(userAgent: string | null): DeviceIds {
  const { browser, system } = parse(userAgent);
  return { browser, system };
}

/**
 * The label for {@linkcode DeviceIds}; null when a number is out of range
 * (the ids came from outside and are not ours).
 *
 * @example
 * ```ts
 * deviceLabelOf({ browser: 0, system: 0 }); // "Unknown device"
 * deviceLabelOf({ browser: 99, system: 0 }); // null
 * ```
 */
export function deviceLabelOf(ids: DeviceIds): string | null {
  const { browser: b, system: s } = ids;
  if (
    !Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 ||
    b > BROWSERS.length || s > SYSTEMS.length
  ) return null;
  const browser = b === 0 ? undefined : BROWSERS[b - 1][1];
  const system = s === 0 ? undefined : SYSTEMS[s - 1][1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown device";
}

/**
 * "Chrome on Linux", "Safari on iPhone", or "Unknown device".
 *
 * @example
 * ```ts
 * deviceLabel("Mozilla/5.0 (X11; Linux x86_64) ... Chrome/156.0 Safari/537.36"); // "Chrome on Linux"
 * ```
 */
export function deviceLabel(userAgent: string | null): string {
  return deviceLabelOf(parse(userAgent))!;
}

/**
 * Labels for a list of sessions' user agents that tell the devices apart:
 * where two differing user agents would get the same label, the browser's
 * version is added ("Chrome 140 on Linux", "Chrome 139 on Linux").
 *
 * @example
 * ```ts
 * distinctDeviceLabels([
 *   "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36",
 *   "Mozilla/5.0 (X11; Linux x86_64) Chrome/139.0 Safari/537.36",
 * ]); // ["Chrome 140 on Linux", "Chrome 139 on Linux"]
 * ```
 */
export function distinctDeviceLabels(userAgents: (string | null)[]): string[] {
  const parsed = userAgents.map(parse);
  const labels = parsed.map((p) => deviceLabelOf(p)!);
  // Which user agents share each label: only a shared label needs a version.
  const agents = new Map<string, Set<string | null>>();
  labels.forEach((label, i) => {
    const set = agents.get(label) ?? new Set();
    set.add(userAgents[i]);
    agents.set(label, set);
  });
  return labels.map((label, i) => {
    const { browser, system, version } = parsed[i];
    if (agents.get(label)!.size < 2 || version === null || browser === 0) {
      return label;
    }
    const name = `${BROWSERS[browser - 1][1]} ${version}`;
    return system === 0 ? name : `${name} on ${SYSTEMS[system - 1][1]}`;
  });
}

function parse(userAgent: string | null): Parsed {
  if (!userAgent) return UNKNOWN;
  // A user's sessions repeat a handful of user agents on every view;
  // remember recent answers instead of running the regexes again.
  let found = memo.get(userAgent);
  if (found === undefined) {
    found = compute(userAgent);
    // Bounded: user agents are attacker-chosen (up to 512 characters each
    // as stored). Forgetting everything at the bound is simpler than LRU
    // and as good for a cache this cheap to refill.
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(userAgent, found);
  }
  return found;
}

const UNKNOWN: Parsed = { browser: 0, system: 0, version: null };
const MAX_MEMO = 1000;
const memo = new Map<string, Parsed>();

function compute(userAgent: string): Parsed {
  let browser = 0;
  let version: string | null = null;
  for (let i = 0; i < BROWSERS.length; i++) {
    const match = BROWSERS[i][0].exec(userAgent);
    if (match) {
      browser = i + 1;
      version = match.slice(1).find((v) => v !== undefined) ?? null;
      break;
    }
  }
  const system = SYSTEMS.findIndex(([re]) => re.test(userAgent)) + 1;
  return { browser, system, version };
}
