import { strictEqual } from "node:assert/strict";
import { formatUtcDateTime } from "./date_time.ts";

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
