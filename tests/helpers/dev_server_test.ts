import { notStrictEqual, strictEqual } from "node:assert/strict";
import { startDevServer } from "./dev_server.ts";
import { freePort } from "./ports.ts";

Deno.test("startDevServer: a port taken before the bind is given up for another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-dev-port-" });
  const taker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const taken = (taker.addr as Deno.NetAddr).port;
  const picked: number[] = [];
  let retries = 0;
  try {
    const dev = await startDevServer({
      env: { DATABASE_PATH: `${dir}/dev.db`, MAIL_OUTBOX_DIR: `${dir}/outbox` },
      pick: () => {
        const port = picked.length === 0 ? taken : freePort();
        picked.push(port);
        return port;
      },
      beforeRetry: () => {
        retries++;
        return Promise.resolve();
      },
    });
    try {
      strictEqual(picked.length, 2, "one retry");
      strictEqual(retries, 1, "undone once before it");
      notStrictEqual(dev.port, taken);
      strictEqual(dev.port, picked[1]);
      const res = await fetch(`http://127.0.0.1:${dev.port}/dev/mail`);
      strictEqual(res.status, 200);
      await res.body?.cancel();
    } finally {
      await dev.stop();
    }
  } finally {
    taker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
