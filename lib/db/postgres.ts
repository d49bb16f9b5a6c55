// Placeholder until the PostgreSQL engine lands (helper branch pg-engine).
import type { Db } from "./db.ts";
export function openPostgres(
  _url: string,
  _options: { poolSize?: number; statementTimeoutMs?: number },
): Promise<Db> {
  return Promise.reject(new Error("PostgreSQL engine not merged yet"));
}
