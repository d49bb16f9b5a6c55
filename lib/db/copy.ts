/**
 * Copies every table of one Islet database into another, either engine to
 * either: the move from SQLite to PostgreSQL (and back). Both must be at
 * the same schema version; the source is read in one snapshot, the target
 * is written in one transaction, parents before children, ids kept, and
 * the row count of every table is checked before the commit, so the
 * target ends up with all of it or none.
 *
 * @module
 */
import { type Db, dialect, type Queryable, type Row } from "./db.ts";

/** One table's outcome. */
export interface CopiedTable {
  table: string;
  /** Rows in the source snapshot. */
  source: number;
  /** Rows in the target after the copy, before the commit. */
  target: number;
}

/** Options of {@linkcode copyDatabase}. */
export interface CopyOptions {
  /** Delete the rows the target already has first (else a target with rows is refused). */
  replace?: boolean;
  /** Rows per INSERT. */
  batchSize?: number;
}

/** Refused or failed; the target is unchanged. */
export class CopyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CopyError";
  }
}

interface Table {
  name: string;
  columns: string[];
  /** The single-column primary key, for reading in order. */
  key: string;
  /** Tables it references. */
  parents: string[];
}

/**
 * Copies every table of `source` into `target` (both migrated to the same
 * version) and returns the row counts, in the order copied.
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite.ts";
 * import { openPostgres } from "./postgres.ts";
 * import { migrate } from "./migrate.ts";
 * const source = openSqlite("data/islet.db");
 * const target = await openPostgres("postgres://postgres@127.0.0.1:5432/islet");
 * await migrate(target);
 * for (const t of await copyDatabase(source, target)) {
 *   console.log(`${t.table}: ${t.source} → ${t.target}`);
 * }
 * ```
 */
export async function copyDatabase(
  source: Db,
  target: Db,
  options: CopyOptions = {},
): Promise<CopiedTable[]> {
  const batchSize = options.batchSize ?? 500;
  const [from, to] = [await versions(source), await versions(target)];
  if (from.join() !== to.join()) {
    throw new CopyError(
      `The databases are at different schema versions (source ${
        from.join(",") || "none"
      }, target ${
        to.join(",") || "none"
      }): run \`deno task migrate\` on both first`,
    );
  }
  return await snapshot(source, async (src) => {
    const tables = order(await describe(src));
    const targetTables = await describe(target);
    for (const table of tables) {
      const other = targetTables.find((t) => t.name === table.name);
      if (
        other === undefined || other.columns.join() !== table.columns.join()
      ) {
        throw new CopyError(
          `Table ${table.name} differs between source and target`,
        );
      }
    }
    return await target.transaction(async (dst) => {
      const filled: string[] = [];
      for (const table of tables) {
        if (await count(dst, table.name) > 0) filled.push(table.name);
      }
      if (filled.length > 0) {
        if (!options.replace) {
          throw new CopyError(
            `The target already has rows (${
              filled.join(", ")
            }): pass --replace to delete them first`,
          );
        }
        // Children first, so no foreign key is left dangling meanwhile.
        for (const table of [...tables].reverse()) {
          await dst.run(`DELETE FROM ${quote(table.name)}`);
        }
      }
      const copied: CopiedTable[] = [];
      for (const table of tables) {
        const rows = await copyTable(src, dst, table, batchSize);
        const [inSource, inTarget] = [
          await count(src, table.name),
          await count(dst, table.name),
        ];
        if (rows !== inSource || inTarget !== inSource) {
          throw new CopyError(
            `${table.name}: ${inSource} rows in the source, ${inTarget} in the target`,
          );
        }
        copied.push({ table: table.name, source: inSource, target: inTarget });
      }
      if (dst.engine === "postgres") await resetIdentities(dst, tables);
      return copied;
    });
  });
}

/** The schema versions recorded in `db`. */
async function versions(db: Queryable): Promise<number[]> {
  try {
    const rows = await db.all(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    return rows.map((r) => Number(r.version));
  } catch {
    return []; // never migrated
  }
}

/**
 * Runs `fn` on one consistent view of `db`: a transaction, which on
 * PostgreSQL is REPEATABLE READ (one snapshot for every statement) and on
 * SQLite holds the write lock (writers wait: stop the app first).
 */
function snapshot<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (tx.engine === "postgres") {
      await tx.exec(
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY",
      );
    }
    return await fn(tx);
  });
}

/** The app's tables (not the migrations' own), with columns, key and parents. */
async function describe(db: Queryable): Promise<Table[]> {
  const names = (await db.all<{ name: string }>(dialect(db, {
    sqlite:
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
    postgres:
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name",
  }))).map((r) => r.name);
  const tables: Table[] = [];
  for (const name of names) {
    let columns: string[];
    let keys: string[];
    let parents: string[];
    if (db.engine === "sqlite") {
      const info = await db.all<{ name: string; pk: number }>(
        `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`,
        [name],
      );
      columns = info.map((c) => c.name);
      keys = info.filter((c) => c.pk > 0).map((c) => c.name);
      parents = (await db.all<{ parent: string }>(
        `SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(?)`,
        [name],
      )).map((r) => r.parent);
    } else {
      columns = (await db.all<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
        [name],
      )).map((r) => r.name);
      keys = (await db.all<{ name: string }>(
        `SELECT a.attname AS name FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = ?::regclass AND i.indisprimary`,
        [quote(name)],
      )).map((r) => r.name);
      parents = (await db.all<{ parent: string }>(
        `SELECT DISTINCT confrelid::regclass::text AS parent FROM pg_constraint
          WHERE conrelid = ?::regclass AND contype = 'f'`,
        [quote(name)],
      )).map((r) => r.parent.replace(/^"|"$/g, ""));
    }
    if (keys.length !== 1) {
      throw new CopyError(`Table ${name} has no single-column primary key`);
    }
    tables.push({ name, columns: [...columns].sort(), key: keys[0], parents });
  }
  return tables;
}

/** Parents before children (a table referencing itself is fine). */
function order(tables: Table[]): Table[] {
  const done = new Set<string>();
  const out: Table[] = [];
  let rest = tables;
  while (rest.length > 0) {
    const ready = rest.filter((t) =>
      t.parents.every((p) => p === t.name || done.has(p))
    );
    if (ready.length === 0) {
      throw new CopyError(
        `Foreign keys form a cycle among ${rest.map((t) => t.name).join(", ")}`,
      );
    }
    for (const t of ready) {
      done.add(t.name);
      out.push(t);
    }
    rest = rest.filter((t) => !done.has(t.name));
  }
  return out;
}

/** Copies one table in key order, a batch at a time; returns the rows copied. */
async function copyTable(
  src: Queryable,
  dst: Queryable,
  table: Table,
  batchSize: number,
): Promise<number> {
  const columns = table.columns.map(quote).join(", ");
  const key = quote(table.key);
  const select = `SELECT ${columns} FROM ${quote(table.name)}`;
  const row = `(${table.columns.map(() => "?").join(", ")})`;
  let copied = 0;
  let after: unknown = undefined;
  while (true) {
    const rows: Row[] = after === undefined
      ? await src.all(`${select} ORDER BY ${key} LIMIT ?`, [batchSize])
      : await src.all(`${select} WHERE ${key} > ? ORDER BY ${key} LIMIT ?`, [
        after as string,
        batchSize,
      ]);
    if (rows.length === 0) return copied;
    await dst.run(
      `INSERT INTO ${quote(table.name)} (${columns}) VALUES ${
        rows.map(() => row).join(", ")
      }`,
      rows.flatMap((r) =>
        table.columns.map((c) => r[c] as string | number | Uint8Array | null)
      ),
    );
    copied += rows.length;
    after = rows[rows.length - 1][table.key];
  }
}

async function count(db: Queryable, table: string): Promise<number> {
  const row = await db.get<{ n: number }>(
    `SELECT count(*) AS n FROM ${quote(table)}`,
  );
  return Number(row?.n ?? 0);
}

/**
 * PostgreSQL identity columns keep their own counter, which explicit ids do
 * not move: without this, the next insert would collide with a copied row.
 */
async function resetIdentities(dst: Queryable, tables: Table[]): Promise<void> {
  for (const table of tables) {
    const identities = await dst.all<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'`,
      [table.name],
    );
    for (const { name } of identities) {
      await dst.get(
        `SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max(${
          quote(name)
        }), 0) + 1, false) AS next FROM ${quote(table.name)}`,
        [quote(table.name), name],
      );
    }
  }
}

/** A double-quoted identifier (the names come from the catalog). */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
