import { strictEqual } from "node:assert/strict";
import { formatRelativeTime, formatUtcDateTime } from "./date_time.ts";

Deno.test("formatUtcDateTime writes medium date, short time, UTC", () => {
  strictEqual(
    formatUtcDateTime(Date.UTC(2025, 0, 5, 15, 4)),
    "Jan 5, 2025, 3:04 PM",
  );
  strictEqual(
    formatUtcDateTime(Date.UTC(2025, 11, 31, 0, 0)),
    "Dec 31, 2025, 12:00 AM",
  );
  strictEqual(
    formatUtcDateTime(Date.UTC(2026, 5, 15, 12, 59, 59)),
    "Jun 15, 2026, 12:59 PM",
  );
});

Deno.test("formatUtcDateTime matches Intl (en, medium/short, UTC)", () => {
  const intl = new Intl.DateTimeFormat("en", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  let t = Date.UTC(2000, 0, 1);
  for (let i = 0; i < 5000; i++) {
    t += 7_654_321_987 % (i * 104_729 + 1) + 60_000;
    // ICU may separate "PM" with U+202F; the hand-made form uses a space.
    strictEqual(
      formatUtcDateTime(t),
      intl.format(t).replace(/\s/g, " "),
    );
  }
});

Deno.test("formatRelativeTime says how long ago, in words, at each boundary", () => {
  const now = Date.UTC(2026, 5, 15, 12, 0);
  const cases: [number, string][] = [
    [0, "just now"],
    [-5_000, "just now"], // a clock slightly ahead
    [59_999, "just now"],
    [60_000, "1 minute ago"],
    [5 * 60_000 + 59_000, "5 minutes ago"],
    [59 * 60_000, "59 minutes ago"],
    [3_600_000, "1 hour ago"],
    [23 * 3_600_000 + 59 * 60_000, "23 hours ago"],
    [86_400_000, "1 day ago"],
    [30 * 86_400_000, "30 days ago"],
    [31 * 86_400_000, "May 15, 2026"],
  ];
  for (const [elapsed, text] of cases) {
    strictEqual(formatRelativeTime(now - elapsed, now), text, `${elapsed} ms`);
  }
});
