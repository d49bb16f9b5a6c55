/**
 * What pages, components and islands may import on both sides:
 * `IS_BROWSER`, `Head`, `asset()` and `HttpError`.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import { getBuildId } from "./build_id.ts";

export { HttpError } from "../error.ts";

/** True when running in the browser (inside a hydrated island). */
export const IS_BROWSER: boolean = typeof document !== "undefined";

/**
 * Adds its children to the page's `<head>`, from anywhere in the tree.
 * A `<title>` given here replaces the app wrapper's title.
 *
 * @example
 * ```tsx
 * <Head><title>Pricing · Islet</title></Head>
 * ```
 */
export function Head(_props: { children?: ComponentChildren }): null {
  // The server renderer collects the children before this ever runs; in the
  // browser the head is already there.
  return null;
}

/**
 * Adds the build id to the URL of a static file so that it can be cached
 * for good and is refetched after each deploy.
 *
 * @example
 * ```tsx
 * <link rel="stylesheet" href={asset("/styles.css")} />
 * ```
 */
export function asset(path: string): string {
  const id = getBuildId();
  if (id === "" || !path.startsWith("/") || path.startsWith("//")) return path;
  if (id !== assetsOf) {
    assetsOf = id;
    assetUrls.clear();
  }
  let url = assetUrls.get(path);
  if (url === undefined) {
    url = assetUrl(path, id);
    // Apps use a handful of asset paths; bounded in case one makes many.
    if (assetUrls.size >= 1000) assetUrls.clear();
    assetUrls.set(path, url);
  }
  return url;
}

// asset() results of the current build id: pages ask for the same few
// paths on every render.
let assetsOf = "";
const assetUrls = new Map<string, string>();

function assetUrl(path: string, id: string): string {
  const hash = path.indexOf("#");
  const base = hash === -1 ? path : path.slice(0, hash);
  if (/[?&]__frsh_c=/.test(base)) return path;
  const sep = base.includes("?") ? "&" : "?";
  return base + sep + "__frsh_c=" + encodeURIComponent(id) +
    (hash === -1 ? "" : path.slice(hash));
}
