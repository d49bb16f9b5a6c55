/**
 * A short human label for a user agent, for the session list. Only a hint:
 * user agents are easy to fake and are never used for security decisions.
 *
 * @module
 */

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrome\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iPod/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/**
 * "Chrome on Linux", "Safari on iOS", or "Unknown device".
 *
 * @example
 * ```ts
 * deviceLabel("Mozilla/5.0 (X11; Linux x86_64) ... Chrome/156.0 Safari/537.36"); // "Chrome on Linux"
 * ```
 */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  // A user's sessions repeat a handful of user agents on every dashboard
  // view; remember recent answers instead of running the regexes again.
  let label = labels.get(userAgent);
  if (label === undefined) {
    label = computeLabel(userAgent);
    // Bounded: user agents are attacker-chosen (up to 512 characters each
    // as stored). Forgetting everything at the bound is simpler than LRU
    // and as good for a cache this cheap to refill.
    if (labels.size >= MAX_LABELS) labels.clear();
    labels.set(userAgent, label);
  }
  return label;
}

const MAX_LABELS = 1000;
const labels = new Map<string, string>();

function computeLabel(userAgent: string): string {
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown device";
}
