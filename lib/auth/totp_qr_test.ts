import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { encode } from "uqr";
import { QR_LABEL, totpQrSvg } from "./totp_qr.ts";
import { newTotpSecret, totpUri } from "./totp.ts";

const uri = totpUri(newTotpSecret(), {
  issuer: "Islet",
  account: `ada+"<x>"@example.com`,
});

Deno.test("the QR SVG has no style attribute, no script, no event handler and no link: the CSP allows it inline", () => {
  const svg = totpQrSvg(uri);
  ok(!/\sstyle\s*=/i.test(svg), "no style attribute");
  ok(!/<style/i.test(svg), "no style element");
  ok(!/<script/i.test(svg), "no script");
  ok(!/\son[a-z]+\s*=/i.test(svg), "no event handler");
  ok(!/href|javascript:|url\(/i.test(svg), "nothing loaded or linked");
  ok(
    !svg.includes(uri) && !svg.includes("otpauth"),
    "the secret is only in the drawing",
  );
  // Only these elements, each with only these attributes.
  const elements = [...svg.matchAll(/<([a-z]+)([^>]*)>/g)];
  deepStrictEqual(
    [...new Set(elements.map((m) => m[1]))].sort(),
    ["path", "rect", "svg", "title"],
  );
  for (const [, , attrs] of elements) {
    for (const [, name] of attrs.matchAll(/([a-zA-Z:-]+)="[^"]*"/g)) {
      ok(
        [
          "xmlns",
          "role",
          "aria-label",
          "shape-rendering",
          "viewBox",
          "fill",
          "width",
          "height",
          "d",
        ].includes(name),
        name,
      );
    }
  }
});

Deno.test("the QR SVG is an image with a name: role=img, aria-label and a title", () => {
  const svg = totpQrSvg(uri);
  match(svg, /^<svg [^>]*role="img"/);
  match(
    svg,
    new RegExp(`^<svg [^>]*aria-label="${QR_LABEL.replace(/[.]/g, "\\.")}"`),
  );
  match(
    svg,
    new RegExp(`^<svg [^>]*><title>${QR_LABEL.replace(/[.]/g, "\\.")}</title>`),
  );
  ok(svg.endsWith("</svg>"));
});

Deno.test("the QR SVG draws exactly the modules of the URI's QR code (error correction M, 4-module quiet zone)", () => {
  const svg = totpQrSvg(uri);
  const qr = encode(uri, { ecc: "M", border: 4 });
  const size = qr.size;
  match(svg, new RegExp(`viewBox="0 0 ${size} ${size}"`));
  const d = /<path fill="black" d="([^"]*)"/.exec(svg)![1];
  const drawn = new Set(
    [...d.matchAll(/M(\d+),(\d+)h1v1h-1z/g)].map((m) => `${m[2]},${m[1]}`),
  );
  strictEqual(d.replace(/M\d+,\d+h1v1h-1z/g, ""), "", "only unit squares");
  const expected = new Set<string>();
  qr.data.forEach((row, y) =>
    row.forEach((dark, x) => dark && expected.add(`${y},${x}`))
  );
  deepStrictEqual(drawn, expected);
  // The quiet zone is white.
  for (const key of drawn) {
    const [y, x] = key.split(",").map(Number);
    ok(y >= 4 && x >= 4 && y < size - 4 && x < size - 4, key);
  }
});
