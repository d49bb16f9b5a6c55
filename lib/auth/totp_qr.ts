/**
 * The QR code of an `otpauth://` URI, drawn on the server as inline SVG
 * (npm `uqr`): no script, no image request, and nothing the page's CSP
 * refuses. uqr draws with presentation attributes (`fill`), never a
 * `style` attribute, which `style-src 'self'` would block; the one
 * attribute added here for sharp module edges is one of those too. The
 * root element is `role="img"` with a label and a `<title>`, so a screen
 * reader says what it is and that the key is also given as text.
 *
 * @module
 */
import { renderSVG } from "uqr";

/** What the code is, for screen readers. */
export const QR_LABEL =
  "QR code of your two-factor key, for your authenticator app to scan. The same key is shown as text.";

/**
 * The QR code of `uri` as an `<svg>` element (scales to its container:
 * it has a viewBox and no fixed size). Error correction M, a quiet zone
 * of 4 modules as the QR standard asks, black on white in either theme.
 *
 * @example
 * ```ts
 * const svg = totpQrSvg("otpauth://totp/Islet:ada%40example.com?secret=GEZDGNBV&issuer=Islet");
 * svg.startsWith("<svg "); // true
 * ```
 */
export function totpQrSvg(uri: string): string {
  const svg = renderSVG(uri, { ecc: "M", border: 4, pixelSize: 1 });
  const open = '<svg xmlns="http://www.w3.org/2000/svg" ';
  if (!svg.startsWith(open)) {
    throw new Error("uqr's SVG changed shape: check totpQrSvg");
  }
  return `${open}role="img" aria-label="${QR_LABEL}" shape-rendering="crispEdges" ${
    svg.slice(open.length).replace(/^([^>]*>)/, `$1<title>${QR_LABEL}</title>`)
  }`;
}
