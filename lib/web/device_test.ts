import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  DEVICE_ID_LIMITS,
  deviceIds,
  deviceLabel,
  deviceLabelOf,
  distinctDeviceLabels,
} from "./device.ts";

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
    "Safari on iPhone",
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

const IPAD =
  "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/140.0.0.0 Mobile/15E148 Safari/604.1";
const ANDROID_SAMSUNG =
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36";
const EDGE =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0";
const chrome = (v: number) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;

Deno.test("deviceLabel tells iPhone from iPad and sees past Chrome look-alikes", () => {
  strictEqual(deviceLabel(IPAD), "Chrome on iPad");
  strictEqual(deviceLabel(ANDROID_SAMSUNG), "Samsung Internet on Android");
  strictEqual(deviceLabel(EDGE), "Edge on Windows");
});

Deno.test("distinctDeviceLabels adds the version only where two devices would look the same", () => {
  deepStrictEqual(
    distinctDeviceLabels([chrome(140), chrome(139), EDGE, null, chrome(140)]),
    [
      "Chrome 140 on Linux",
      "Chrome 139 on Linux",
      "Edge on Windows",
      "Unknown device",
      "Chrome 140 on Linux",
    ],
  );
  // The same agent twice is the same device type: no version needed.
  deepStrictEqual(distinctDeviceLabels([chrome(140), chrome(140)]), [
    "Chrome on Linux",
    "Chrome on Linux",
  ]);
});

Deno.test("deviceIds round-trips through deviceLabelOf; out-of-range ids are refused", () => {
  for (const ua of [IPAD, ANDROID_SAMSUNG, EDGE, chrome(1), null, "x"]) {
    strictEqual(deviceLabelOf(deviceIds(ua)), deviceLabel(ua));
  }
  for (
    const bad of [
      { browser: -1, system: 0 },
      { browser: 0, system: DEVICE_ID_LIMITS.system + 1 },
      { browser: DEVICE_ID_LIMITS.browser + 1, system: 0 },
      { browser: 1.5, system: 0 },
      { browser: NaN, system: 0 },
    ]
  ) strictEqual(deviceLabelOf(bad), null);
});
