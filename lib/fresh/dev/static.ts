/**
 * The static side of a build: the files of `static/` after the registered
 * transforms (Tailwind), their content types and hashes, and precompressed
 * copies of text files for production.
 *
 * @module
 */
import * as path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Encoding } from "../build_cache_prod.ts";
import { BuildError } from "./esbuild.ts";
import { walkFiles } from "./scan.ts";

/** What a static file transform receives. */
export interface TransformArgs {
  /** Absolute path of the file in the static folder. */
  path: string;
  /** Its content, as UTF-8 text. */
  text: string;
  mode: "development" | "production";
}

/** A static file transform: return new content, or nothing to keep it. */
export type TransformFn = (
  args: TransformArgs,
) => { content: string } | void | Promise<{ content: string } | void>;

/** Which files a transform applies to. */
export interface TransformOptions {
  /** Shown in error messages. */
  pluginName: string;
  /** Tested against the file's absolute path. */
  filter: RegExp;
}

/** A registered transform. */
export interface StaticTransformer extends TransformOptions {
  fn: TransformFn;
}

/** A file ready to serve, built or copied from `static/`. */
export interface BuiltFile {
  /** URL path, decoded: `/styles.css`, `/_fresh/js/<id>/Counter-X.js`. */
  pathname: string;
  contents: Uint8Array;
  contentType: string;
  /** Content hash (hex), used as the weak ETag. */
  hash: string;
  /** Content-addressed: cacheable forever. */
  immutable: boolean;
  /** Precompressed copies, production only. */
  encoded: Partial<Record<Encoding, Uint8Array>>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".mp3": "audio/mpeg",
  ".zip": "application/zip",
};

/**
 * The `Content-Type` for a file name; text types carry `charset=utf-8`.
 *
 * @example
 * ```ts
 * contentType("styles.css"); // "text/css; charset=utf-8"
 * ```
 */
export function contentType(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Hex SHA-256 of some bytes, shortened to 24 characters (96 bits: plenty
 * to tell versions of a file apart).
 *
 * @example
 * ```ts
 * await hashBytes(new TextEncoder().encode("hi")); // "8f434346648f6b96df89dda9"
 * ```
 */
export async function hashBytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest, 0, 12),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Reads every file of the static folder, runs the matching transforms on
 * it (in registration order) and returns them as built files. A missing
 * folder gives none. A failing transform rejects with a
 * {@linkcode BuildError} naming the plugin and the file.
 *
 * @example
 * ```ts
 * const files = await collectStaticFiles("/app/static", [], "production");
 * files[0].pathname; // "/favicon.ico"
 * ```
 */
export async function collectStaticFiles(
  staticDir: string,
  transformers: StaticTransformer[],
  mode: "development" | "production",
): Promise<BuiltFile[]> {
  const out: BuiltFile[] = [];
  for await (const rel of walkFiles(staticDir)) {
    if (rel.endsWith(".DS_Store")) continue;
    const file = path.join(staticDir, ...rel.split("/"));
    let contents = await Deno.readFile(file);
    const matching = transformers.filter((t) => t.filter.test(file));
    if (matching.length > 0) {
      let text = new TextDecoder().decode(contents);
      for (const t of matching) {
        try {
          const res = await t.fn({ path: file, text, mode });
          if (res) text = res.content;
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          throw new BuildError(
            `[${t.pluginName}] ${path.relative(Deno.cwd(), file)}: ${msg}`,
          );
        }
      }
      contents = new TextEncoder().encode(text);
    }
    out.push({
      pathname: "/" + rel,
      contents,
      contentType: contentType(rel),
      hash: await hashBytes(contents),
      immutable: false,
      encoded: {},
    });
  }
  return out;
}

const COMPRESSIBLE =
  /^(?:text\/|application\/(?:json|manifest\+json|xml)|image\/svg\+xml)/;

/**
 * Adds brotli and gzip copies to text files worth compressing (at least
 * 512 bytes, and at least 10% smaller compressed), skipping a copy whose
 * name (`<file>.br`, `<file>.gz`) is itself a static file.
 *
 * @example
 * ```ts
 * declare const files: BuiltFile[];
 * precompress(files); // files[i].encoded.br, files[i].encoded.gzip
 * ```
 */
export function precompress(files: BuiltFile[]): void {
  const names = new Set(files.map((f) => f.pathname));
  for (const file of files) {
    if (file.contents.byteLength < 512) continue;
    if (!COMPRESSIBLE.test(file.contentType)) continue;
    const limit = file.contents.byteLength * 0.9;
    if (!names.has(file.pathname + ".br")) {
      const br = brotliCompressSync(file.contents, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: file.contents.byteLength,
        },
      });
      if (br.byteLength < limit) file.encoded.br = new Uint8Array(br);
    }
    if (!names.has(file.pathname + ".gz")) {
      const gz = gzipSync(file.contents, { level: 9 });
      if (gz.byteLength < limit) file.encoded.gzip = new Uint8Array(gz);
    }
  }
}
