/**
 * Date and time for the session list, formatted by hand: the same text as
 * `Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short",
 * timeZone: "UTC" })` ("Jan 5, 2025, 3:04 PM"), at about a tenth of its
 * cost, and independent of the runtime's ICU data (newer ICU puts a narrow
 * no-break space before "PM").
 *
 * @module
 */

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * "Jan 5, 2025, 3:04 PM" (UTC) for a Unix time in milliseconds.
 *
 * @example
 * ```ts
 * formatUtcDateTime(Date.UTC(2025, 0, 5, 15, 4)); // "Jan 5, 2025, 3:04 PM"
 * ```
 */
export function formatUtcDateTime(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const minutes = d.getUTCMinutes();
  return `${
    MONTHS[d.getUTCMonth()]
  } ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hours % 12 || 12}:${
    minutes < 10 ? "0" : ""
  }${minutes} ${hours < 12 ? "AM" : "PM"}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function ago(n: number, unit: string): string {
  return n === 1 ? `1 ${unit} ago` : `${n} ${unit}s ago`;
}

/**
 * How long ago `ms` was, in words: "just now", "5 minutes ago", "3 hours
 * ago", "2 days ago"; past 30 days, the UTC date. A time in the future
 * (clocks a little apart) reads "just now".
 *
 * @example
 * ```ts
 * const now = Date.UTC(2025, 0, 5, 15, 4);
 * formatRelativeTime(now - 5 * 60_000, now); // "5 minutes ago"
 * ```
 */
export function formatRelativeTime(ms: number, now: number): string {
  const elapsed = now - ms;
  if (elapsed < MINUTE) return "just now";
  if (elapsed < HOUR) return ago(Math.floor(elapsed / MINUTE), "minute");
  if (elapsed < DAY) return ago(Math.floor(elapsed / HOUR), "hour");
  if (elapsed < 31 * DAY) return ago(Math.floor(elapsed / DAY), "day");
  return formatUtcDate(ms);
}

/**
 * "Jan 5, 2025" (UTC) for a Unix time in milliseconds.
 *
 * @example
 * ```ts
 * formatUtcDate(Date.UTC(2025, 0, 5, 15, 4)); // "Jan 5, 2025"
 * ```
 */
export function formatUtcDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}
