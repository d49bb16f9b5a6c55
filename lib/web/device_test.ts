import { strictEqual } from "node:assert/strict";
import { deviceLabel } from "./device.ts";

Deno.test("deviceLabel names common browsers and systems", () => {
  strictEqual(
    deviceLabel(
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
    ),
    "Chrome on Linux",
  );
  strictEqual(
    deviceLabel(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1",
    ),
    "Safari on iOS",
  );
  strictEqual(
    deviceLabel(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
    ),
    "Firefox on Windows",
  );
  strictEqual(deviceLabel(null), "Unknown device");
  strictEqual(deviceLabel("<script>"), "Unknown device");
});

Deno.test("deviceLabel answers the same from its memo, for many agents", () => {
  const ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Firefox/130.0";
  strictEqual(deviceLabel(ua), "Firefox on macOS");
  strictEqual(deviceLabel(ua), "Firefox on macOS");
  // More distinct agents than the memo keeps: answers stay correct.
  for (let i = 0; i < 2500; i++) {
    strictEqual(deviceLabel(`curl/8.${i}`), "curl");
  }
  strictEqual(deviceLabel(ua), "Firefox on macOS");
});
