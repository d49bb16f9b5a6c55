/**
 * `startServer` when its port is taken between the pick and the bind
 * (`ports.ts`): the taker is made to hold the port first (the pick hands
 * out a port something already listens on), as a process of another test
 * run would between `freePort()` and the child's bind.
 */
import { notStrictEqual, strictEqual } from "node:assert/strict";
import { freePort } from "./ports.ts";
import { startServer } from "./server.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "islet-server-port-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("startServer: a port taken before the bind is given up for another, and the taker's answers are not taken for the app's", async () => {
  // Another server on the port, answering everything: the health check
  // alone would take it for the app.
  const taker = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("not the app"),
  );
  const taken = taker.addr.port;
  const picked: number[] = [];
  try {
    await withDir(async (dir) => {
      const server = await startServer({
        env: { DATABASE_PATH: `${dir}/test.db` },
        pick: () => {
          const port = picked.length === 0 ? taken : freePort();
          picked.push(port);
          return port;
        },
      });
      try {
        strictEqual(picked.length, 2, "one retry");
        notStrictEqual(server.port, taken);
        strictEqual(server.port, picked[1]);
        const res = await fetch(`${server.url}/api/health`);
        strictEqual(res.status, 200);
        notStrictEqual(await res.text(), "not the app");
      } finally {
        await server.stop();
      }
    });
  } finally {
    await taker.shutdown();
  }
});
