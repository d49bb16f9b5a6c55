import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { PendingDeletes } from "./redis_deletes.ts";

function target(canSend = true) {
  const t = {
    canSend,
    fail: false,
    sent: [] as string[][],
    send(keys: string[]): Promise<void> {
      if (t.fail) return Promise.reject(new Error("down"));
      t.sent.push(keys);
      return Promise.resolve();
    },
  };
  return t;
}

Deno.test("PendingDeletes: a key waits, hides from reads, and goes once sent", async () => {
  const t = target(false);
  const pending = new PendingDeletes({
    canSend: () => t.canSend,
    send: (k) => t.send(k),
  });
  pending.add(["a", "b"]);
  strictEqual(pending.has("a"), true);
  strictEqual(pending.size, 2);
  t.canSend = true;
  await pending.replay();
  deepStrictEqual(t.sent, [["a", "b"]]);
  strictEqual(pending.has("a"), false);
  strictEqual(pending.size, 0);
});

Deno.test("PendingDeletes: sends in batches of 500", async () => {
  const t = target(false);
  const pending = new PendingDeletes({
    canSend: () => t.canSend,
    send: (k) => t.send(k),
  });
  pending.add(Array.from({ length: 1_200 }, (_, i) => `k${i}`));
  t.canSend = true;
  await pending.replay();
  deepStrictEqual(t.sent.map((b) => b.length), [500, 500, 200]);
});

Deno.test("PendingDeletes: a failed send is retried a second later, not after stop()", async () => {
  const t = target();
  t.fail = true;
  const pending = new PendingDeletes({
    canSend: () => t.canSend,
    send: (k) => t.send(k),
  });
  pending.add(["a"]);
  await pending.replay();
  strictEqual(pending.has("a"), true);
  t.fail = false;
  await new Promise((r) => setTimeout(r, 1_100));
  deepStrictEqual(t.sent, [["a"]]);
  strictEqual(pending.size, 0);

  t.fail = true;
  pending.add(["b"]);
  await pending.replay();
  pending.stop();
  t.fail = false;
  await new Promise((r) => setTimeout(r, 1_100));
  deepStrictEqual(t.sent, [["a"]]);
  strictEqual(pending.has("b"), true);
});
