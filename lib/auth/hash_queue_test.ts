import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { defaultConcurrency, QueueFullError, WorkQueue } from "./hash_queue.ts";

/** A task that runs until the test lets it finish. */
function gate<T>(value: T) {
  let open!: () => void;
  let fail!: (err: Error) => void;
  let started = false;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return {
    task: async () => {
      started = true;
      await done;
      return value;
    },
    get started() {
      return started;
    },
    open: () => open(),
    fail: (err: Error) => fail(err),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("defaultConcurrency leaves one core to the event loop", () => {
  strictEqual(defaultConcurrency(1), 1);
  strictEqual(defaultConcurrency(2), 1);
  strictEqual(defaultConcurrency(8), 7);
  strictEqual(defaultConcurrency(NaN), 1);
  strictEqual(defaultConcurrency(0), 1);
  ok(defaultConcurrency() >= 1);
});

Deno.test("WorkQueue refuses impossible bounds", () => {
  let thrown = 0;
  for (
    const opts of [
      { concurrency: 0, maxQueued: 1 },
      { concurrency: 1.5, maxQueued: 1 },
      { concurrency: 1, maxQueued: -1 },
    ]
  ) {
    try {
      new WorkQueue(opts);
    } catch (err) {
      ok(err instanceof RangeError);
      thrown++;
    }
  }
  strictEqual(thrown, 3);
});

Deno.test("WorkQueue never runs more than `concurrency` tasks at once", async () => {
  const queue = new WorkQueue({ concurrency: 2, maxQueued: 10 });
  let now = 0;
  let peak = 0;
  const tasks = Array.from({ length: 12 }, (_, i) =>
    queue.run(async () => {
      now++;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      now--;
      return i;
    }));
  deepStrictEqual(await Promise.all(tasks), [...Array(12).keys()]);
  strictEqual(peak, 2);
  strictEqual(queue.running, 0);
  strictEqual(queue.queued, 0);
});

Deno.test("WorkQueue starts waiting tasks in arrival order", async () => {
  const queue = new WorkQueue({ concurrency: 1, maxQueued: 10 });
  const order: number[] = [];
  const first = gate("first");
  const running = queue.run(first.task);
  const waiting = [1, 2, 3, 4, 5].map((i) =>
    queue.run(() => {
      order.push(i);
      return Promise.resolve(i);
    })
  );
  await tick();
  strictEqual(queue.queued, 5);
  strictEqual(order.length, 0);
  // A newcomer arriving while the slot is handed over must not overtake.
  first.open();
  const late = queue.run(() => {
    order.push(6);
    return Promise.resolve(6);
  });
  await Promise.all([running, ...waiting, late]);
  deepStrictEqual(order, [1, 2, 3, 4, 5, 6]);
});

Deno.test("WorkQueue refuses past the queue bound without running the task", async () => {
  const queue = new WorkQueue({ concurrency: 1, maxQueued: 2 });
  strictEqual(queue.refusal(), null);
  const first = gate(0);
  const a = queue.run(first.task);
  const b = queue.run(() => Promise.resolve(1));
  const c = queue.run(() => Promise.resolve(2));
  let ran = false;
  await rejects(
    queue.run(() => {
      ran = true;
      return Promise.resolve(3);
    }),
    (err: unknown) =>
      err instanceof QueueFullError && err.retryAfterSeconds >= 1,
  );
  strictEqual(ran, false);
  strictEqual(queue.queued, 2);
  ok(queue.refusal() instanceof QueueFullError);
  first.open();
  deepStrictEqual(await Promise.all([a, b, c]), [0, 1, 2]);
  // Room again once drained.
  strictEqual(queue.refusal(), null);
  strictEqual(await queue.run(() => Promise.resolve(4)), 4);
});

Deno.test("WorkQueue with maxQueued 0 refuses whenever every slot is busy", async () => {
  const queue = new WorkQueue({ concurrency: 1, maxQueued: 0 });
  const first = gate(0);
  const a = queue.run(first.task);
  await rejects(queue.run(() => Promise.resolve(1)), QueueFullError);
  first.open();
  strictEqual(await a, 0);
});

Deno.test("WorkQueue releases the slot when a task fails or throws", async () => {
  const queue = new WorkQueue({ concurrency: 1, maxQueued: 5 });
  const failing = gate(0);
  const a = queue.run(failing.task);
  const b = queue.run(() => {
    throw new Error("sync throw");
  });
  const c = queue.run(() => Promise.reject(new Error("async reject")));
  const d = queue.run(() => Promise.resolve("still served"));
  failing.fail(new Error("boom"));
  await rejects(a, /boom/);
  await rejects(b, /sync throw/);
  await rejects(c, /async reject/);
  strictEqual(await d, "still served");
  strictEqual(queue.running, 0);
  strictEqual(queue.queued, 0);
  // The full capacity is there again: 1 running + 5 queued, the 7th refused.
  const blocker = gate(0);
  const held = [queue.run(blocker.task)];
  for (let i = 0; i < 5; i++) held.push(queue.run(() => Promise.resolve(0)));
  await rejects(queue.run(() => Promise.resolve(0)), QueueFullError);
  blocker.open();
  await Promise.all(held);
});

Deno.test("WorkQueue's Retry-After grows with the work ahead", async () => {
  // Nothing timed yet, so each task ahead counts as the initial 50 ms.
  const queue = new WorkQueue({ concurrency: 1, maxQueued: 40 });
  const first = gate(0);
  const held = [queue.run(first.task)];
  for (let i = 0; i < 40; i++) held.push(queue.run(() => Promise.resolve(0)));
  const refused = await queue.run(() => Promise.resolve(0)).catch((e) => e);
  ok(refused instanceof QueueFullError);
  strictEqual(refused.retryAfterSeconds, 3); // 41 ahead × 50 ms, rounded up
  first.open();
  await Promise.all(held);

  const tiny = new WorkQueue({ concurrency: 1, maxQueued: 0 });
  const blocker = gate(0);
  const one = tiny.run(blocker.task);
  const early = await tiny.run(() => Promise.resolve(0)).catch((e) => e);
  strictEqual(early.retryAfterSeconds, 1); // never less than a second
  blocker.open();
  await one;
});
