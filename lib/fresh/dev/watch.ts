/**
 * File watching for the development server: one rebuild per burst of
 * changes, never two at once.
 *
 * @module
 */
import * as path from "node:path";

/** A running watcher. */
export interface Watcher {
  /** Stops watching; a rebuild in progress still finishes. */
  close(): void;
}

/**
 * Watches the folders of `dirs` that exist and calls `rebuild` 100 ms
 * after the last change of a burst. Changes during a rebuild trigger one
 * more rebuild after it. A failing rebuild is reported and the server keeps
 * the previous build. Paths below `ignore` (the build output) are skipped.
 *
 * @example
 * ```ts
 * const rebuild = async () => console.log("rebuilt");
 * const w = watchAndRebuild(["islands", "static"], ["_fresh"], rebuild);
 * // later
 * w.close();
 * ```
 */
export function watchAndRebuild(
  dirs: string[],
  ignore: string[],
  rebuild: () => Promise<void>,
): Watcher {
  const existing = dirs.filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  });
  if (existing.length === 0) return { close() {} };
  const fsWatcher = Deno.watchFs(existing, { recursive: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;

  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await rebuild();
    } catch (err) {
      console.error(
        `Rebuild failed; still serving the previous build.\n${
          err instanceof Error ? err.message : err
        }`,
      );
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      await run();
    }
  };

  (async () => {
    try {
      for await (const event of fsWatcher) {
        const relevant = event.paths.some((p) =>
          !ignore.some((i) => !path.relative(i, p).startsWith(".."))
        );
        if (!relevant || event.kind === "access") continue;
        clearTimeout(timer);
        timer = setTimeout(run, 100);
      }
    } catch (err) {
      // Closing the watcher ends the loop with BadResource on some systems.
      if (!(err instanceof Deno.errors.BadResource)) throw err;
    }
  })();

  return {
    close() {
      clearTimeout(timer);
      fsWatcher.close();
    },
  };
}
