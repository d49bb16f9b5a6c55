/**
 * Online backups of the SQLite database: `VACUUM INTO` writes a consistent
 * copy (one read transaction, so writers carry on meanwhile, WAL and all)
 * to a new file named after the time, readable by its owner only.
 * PostgreSQL has its own tool for this, `pg_dump`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** Owner-only, as the database itself: it holds password hashes and sessions. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * `islet-YYYYMMDDTHHMMSSZ.db` for `now` (UTC).
 *
 * @example
 * ```ts
 * backupName(new Date("2026-01-02T03:04:05Z")); // "islet-20260102T030405Z.db"
 * ```
 */
export function backupName(now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  return `islet-${stamp}.db`;
}

/**
 * Copies the SQLite database at `path` into a new timestamped file in
 * `dir` (made 0700 if missing) and returns the file's path. Synchronous:
 * the copy is one statement of `node:sqlite`. The copy is
 * checked (`PRAGMA quick_check`) before it is reported. Two backups in one
 * second get `-1`, `-2`… rather than overwriting one another.
 *
 * @example
 * ```ts
 * const file = backupSqlite("data/islet.db", "data/backups");
 * console.log(file); // data/backups/islet-20260102T030405Z.db
 * ```
 */
export function backupSqlite(
  path: string,
  dir: string,
  now: Date = new Date(),
): string {
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(`No SQLite database at ${path}`);
  }
  makeDir(dir);
  const file = reserve(dir, backupName(now));
  const source = new DatabaseSync(path);
  try {
    // Another writer holds the lock for a moment: wait, as the app does.
    source.exec("PRAGMA busy_timeout = 5000");
    source.prepare("VACUUM INTO ?").run(file);
  } catch (error) {
    Deno.removeSync(file);
    throw error;
  } finally {
    source.close();
  }
  const copy = new DatabaseSync(file, { readOnly: true });
  try {
    const check = copy.prepare("PRAGMA quick_check").get() as {
      quick_check: string;
    };
    if (check.quick_check !== "ok") {
      throw new Error(
        `The backup ${file} failed its check: ${check.quick_check}`,
      );
    }
  } finally {
    copy.close();
  }
  chmod(file, FILE_MODE);
  return file;
}

/**
 * Creates the backup file empty and owner-only before SQLite writes it
 * (VACUUM INTO accepts an empty file), so it is never readable by others,
 * and never an existing file.
 */
function reserve(dir: string, name: string): string {
  for (let n = 0;; n++) {
    const file = `${dir}/${n === 0 ? name : name.replace(/\.db$/, `-${n}.db`)}`;
    try {
      Deno.openSync(file, { createNew: true, write: true, mode: FILE_MODE })
        .close();
      chmod(file, FILE_MODE);
      return file;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}

function makeDir(dir: string): void {
  try {
    Deno.statSync(dir);
    return; // an existing folder is left as it is
  } catch {
    // missing: made below
  }
  Deno.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmod(dir, DIR_MODE);
}

function chmod(path: string, mode: number): void {
  // Windows has no such modes.
  if (Deno.build.os !== "windows") Deno.chmodSync(path, mode);
}
