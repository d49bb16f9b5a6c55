import { engineContract } from "./engine_contract.ts";
import { withTestPgDatabase } from "../../tests/helpers/postgres.ts";
import { openPostgres } from "./postgres.ts";
import { openSqlite } from "./sqlite.ts";

Deno.test("sqlite engine: the port's contract", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "islet-contract-" });
  try {
    await engineContract(t, {
      engine: "sqlite",
      open: () => Promise.resolve(openSqlite(`${dir}/contract.db`)),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("postgres engine: the port's contract", (t) =>
  withTestPgDatabase((url) =>
    engineContract(t, {
      engine: "postgres",
      open: () => openPostgres(url, { poolSize: 4 }),
    })
  ));
