import { ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { ALL_CHANGED, type ChangeFeed } from "./changes.ts";
import { ROW_TTL_MS, RowCache } from "./row_cache.ts";

/** A feed the test drives: epoch, pending, and notices. */
function fakeFeed() {
  const listeners = new Set<(key: string) => void>();
  const feed = {
    epochValue: 0 as number | null,
    pendingValue: false,
    epoch: () => feed.epochValue,
    pending: () => feed.pendingValue,
    subscribe(fn: (key: string) => void) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    sync: () => Promise.resolve(),
    notify(key: string) {
      for (const fn of listeners) fn(key);
    },
  };
  return feed satisfies ChangeFeed;
}

/** What `rows` serves for `key` without reading (null: it would read). */
async function kept(rows: RowCache, key: string): Promise<unknown> {
  return await rows.read(key, () => Promise.resolve(null));
}

Deno.test("row cache: kept until a notice, an epoch change, or the TTL; bypassed while unknown or pending", async () => {
  const feed = fakeFeed();
  let now = 0;
  const rows = RowCache.start(feed, { now: () => now });
  let reads = 0;
  const load = (v: string) => () => {
    reads++;
    return Promise.resolve({ v });
  };
  try {
    strictEqual((await rows.read("user:a", load("1"))).v, "1");
    strictEqual((await rows.read("user:a", load("2"))).v, "1", "kept");
    strictEqual(reads, 1);
    ok(Object.isFrozen(await kept(rows, "user:a")), "shared, so frozen");

    feed.notify("user:b"); // another key: kept
    strictEqual(((await kept(rows, "user:a")) as { v: string }).v, "1");
    feed.notify("user:a");
    strictEqual(await kept(rows, "user:a"), null, "dropped by its notice");

    await rows.read("user:a", load("3"));
    feed.notify(ALL_CHANGED);
    strictEqual(await kept(rows, "user:a"), null, "dropped by a truncate");

    // Not known to hear: read every time, keep nothing.
    await rows.read("user:a", load("4"));
    feed.epochValue = null;
    strictEqual((await rows.read("user:a", load("5"))).v, "5");
    strictEqual(rows.size, 0);
    await rows.read("user:a", load("6"));
    strictEqual(rows.size, 0, "nothing stored while the epoch is null");

    // Hearing again, under a new epoch: starts empty, keeps again.
    feed.epochValue = 1;
    strictEqual((await rows.read("user:a", load("7"))).v, "7");
    strictEqual(rows.size, 1);
    feed.epochValue = 2; // lost and back between two requests
    strictEqual(await kept(rows, "user:a"), null, "emptied by a new epoch");

    // A write of this worker not yet announced back: bypassed, not emptied.
    await rows.read("user:a", load("8"));
    feed.pendingValue = true;
    strictEqual((await rows.read("user:a", load("9"))).v, "9");
    feed.pendingValue = false;
    strictEqual(((await kept(rows, "user:a")) as { v: string }).v, "8");

    now += ROW_TTL_MS;
    strictEqual(await kept(rows, "user:a"), null, "expired");
  } finally {
    rows.close();
  }
});

Deno.test("row cache: a read that began before a notice is not stored after it", async () => {
  const feed = fakeFeed();
  const rows = RowCache.start(feed);
  try {
    const late = Promise.withResolvers<{ v: string }>();
    const reading = rows.read("user:a", () => late.promise);
    feed.notify("user:a"); // committed while the read was in flight
    late.resolve({ v: "old" });
    strictEqual((await reading).v, "old", "the caller gets what it read");
    strictEqual(await kept(rows, "user:a"), null, "but it is not kept");
  } finally {
    rows.close();
  }
});

Deno.test("row cache: any interleaving of reads, writes, late notices and epoch changes never serves a value older than a notice already heard", () => {
  type Op =
    | { kind: "read"; slot: number; key: number }
    | { kind: "finish"; slot: number }
    | { kind: "write"; key: number }
    | { kind: "deliver" }
    | { kind: "epoch"; value: number | null };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("read" as const),
      slot: fc.nat(2),
      key: fc.nat(2),
    }),
    fc.record({ kind: fc.constant("finish" as const), slot: fc.nat(2) }),
    fc.record({ kind: fc.constant("write" as const), key: fc.nat(2) }),
    fc.record({ kind: fc.constant("deliver" as const) }),
    fc.record({
      kind: fc.constant("epoch" as const),
      value: fc.option(fc.nat(2), { nil: null }),
    }),
  );
  return fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const feed = fakeFeed();
      const rows = RowCache.start(feed);
      // The database: each key's version, bumped by every write.
      const db = [0, 0, 0];
      // Notices committed and not yet delivered (the feed is asynchronous).
      let queue: number[] = [];
      // Per key, the version as of the last notice heard (or epoch change):
      // nothing older may be served after it.
      const floor = [0, 0, 0];
      const slots: ({
        finish: () => void;
        done: Promise<unknown>;
      } | undefined)[] = [];
      const settle = async () => {
        for (let i = 0; i < 5; i++) await Promise.resolve();
      };
      try {
        for (const o of ops) {
          if (o.kind === "read") {
            if (slots[o.slot]) continue;
            const key = o.key;
            // Worst case: what it returns is the version when it started.
            const version = db[key];
            const answer = Promise.withResolvers<{ version: number }>();
            const done = rows.read(`user:${key}`, () => answer.promise);
            slots[o.slot] = {
              finish: () => answer.resolve({ version }),
              done,
            };
          } else if (o.kind === "finish") {
            const s = slots[o.slot];
            if (!s) continue;
            slots[o.slot] = undefined;
            s.finish();
            await s.done;
            await settle();
          } else if (o.kind === "write") {
            db[o.key]++;
            queue.push(o.key);
          } else if (o.kind === "deliver") {
            const key = queue.shift();
            if (key === undefined) continue;
            // The notice of a write: everything up to now of that key.
            floor[key] = db[key];
            feed.notify(`user:${key}`);
          } else {
            if (o.value !== feed.epochValue) {
              // Notices may have been missed: nothing older than now.
              queue = [];
              for (let k = 0; k < 3; k++) floor[k] = db[k];
            }
            feed.epochValue = o.value;
          }
          for (let k = 0; k < 3; k++) {
            const served = (await kept(rows, `user:${k}`)) as
              | { version: number }
              | null;
            if (served !== null) {
              ok(
                served.version >= floor[k],
                `user:${k} served at version ${served.version} after a notice of ${
                  floor[k]
                }`,
              );
            }
          }
        }
      } finally {
        for (const s of slots) s?.finish();
        rows.close();
      }
    }),
    { numRuns: 400 },
  );
});
