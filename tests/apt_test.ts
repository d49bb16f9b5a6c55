import assert from "node:assert/strict";
import { aptGetArgs, installPackages, lockHolder, lockNotices } from "./apt.ts";

/**
 * A stand-in for apt-get that behaves as apt 2.6 does when another process
 * holds its lock: `update` fails at once whatever DPkg::Lock::Timeout says;
 * every call is logged so the test can see what was run. The lock is a real
 * one (flock(1) on a temp file), never the system's dpkg lock.
 */
async function fakeApt(dir: string) {
  const lock = `${dir}/lock`;
  const calls = `${dir}/calls`;
  const bin = `${dir}/apt-get`;
  await Deno.writeTextFile(lock, "");
  await Deno.writeTextFile(calls, "");
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh
echo "$*" >> '${calls}'
if ! flock -n '${lock}' true; then
  echo "E: Could not get lock ${lock}. It is held by process 4242 (unattended-upgr)" >&2
  echo "E: Unable to lock directory ${dir}/" >&2
  exit 100
fi
echo "fake apt-get: $*"
`,
  );
  await Deno.chmod(bin, 0o755);
  return {
    bin,
    calls: async () =>
      (await Deno.readTextFile(calls)).split("\n").filter(Boolean),
    /** Holds the lock for `ms` from a separate process, like another apt. */
    async hold(ms: number) {
      const child = new Deno.Command("flock", {
        args: [lock, "sh", "-c", `echo held; sleep ${ms / 1000}`],
        stdout: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      await reader.read(); // "held": the lock is taken before we go on
      reader.releaseLock();
      return async () => {
        await child.stdout.cancel();
        await child.status;
      };
    },
  };
}

Deno.test("apt: every step asks apt to wait for the dpkg lock itself", () => {
  assert.deepEqual(aptGetArgs(["update"], 300_000), [
    "-o",
    "DPkg::Lock::Timeout=300",
    "update",
  ]);
  assert.deepEqual(aptGetArgs(["install", "-y"], 1_200), [
    "-o",
    "DPkg::Lock::Timeout=2",
    "install",
    "-y",
  ]);
  assert.deepEqual(aptGetArgs(["update"], -5), [
    "-o",
    "DPkg::Lock::Timeout=0",
    "update",
  ]);
});

Deno.test("apt: lockHolder reads apt's words", () => {
  assert.equal(
    lockHolder(
      "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 812 (unattended-upgr)",
    ),
    "process 812 (unattended-upgr)",
  );
  assert.equal(
    lockHolder(
      "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 9 (apt-get)...",
    ),
    "process 9 (apt-get)",
  );
  assert.equal(lockHolder("E: Unable to lock directory /x/"), undefined);
});

Deno.test("apt: notices are spaced out and say who holds the lock", () => {
  const lines: string[] = [];
  let t = 0;
  const n = lockNotices((l) => lines.push(l), 15_000, 300_000, () => t);
  n.seen("process 1 (apt)");
  t = 5_000;
  n.seen();
  t = 15_000;
  n.seen();
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^apt: process 1 \(apt\) holds the package lock; waited 0 s, giving up after 300 s/,
  );
  assert.match(
    lines[1],
    /process 1 \(apt\) holds the package lock; waited 15 s/,
  );
});

Deno.test("apt: waits while another process holds the lock, then installs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-apt-" });
  try {
    const apt = await fakeApt(dir);
    const release = await apt.hold(1_200);
    const log: string[] = [];
    const started = Date.now();
    await installPackages(["redis-server"], {
      aptGet: apt.bin,
      timeoutMs: 20_000,
      pollMs: 100,
      noticeMs: 60_000,
      log: (l) => log.push(l),
    });
    await release();
    assert.ok(
      Date.now() - started >= 1_000,
      "returned before the lock was free",
    );
    const calls = await apt.calls();
    const updates = calls.filter((c) => c.endsWith(" update"));
    assert.ok(updates.length >= 2, `update retried: ${calls.join(" | ")}`);
    assert.match(updates[0], /^-o DPkg::Lock::Timeout=(19|20) update$/);
    assert.match(
      calls.at(-1)!,
      /^-o DPkg::Lock::Timeout=\d+ install -y --no-install-recommends redis-server$/,
    );
    const waiting = log.filter((l) => l.includes("holds the package lock"));
    assert.equal(waiting.length, 1, log.join("\n"));
    assert.match(waiting[0], /process 4242 \(unattended-upgr\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apt: gives up at the deadline and says who holds the lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-apt-" });
  try {
    const apt = await fakeApt(dir);
    const release = await apt.hold(2_500);
    try {
      const started = Date.now();
      await assert.rejects(
        installPackages(["redis-server"], {
          aptGet: apt.bin,
          timeoutMs: 700,
          pollMs: 100,
          log: () => {},
        }),
        /process 4242 \(unattended-upgr\) still holds the package lock after 1 s/,
      );
      const took = Date.now() - started;
      assert.ok(took >= 700 && took < 3_000, `gave up after ${took} ms`);
      const calls = await apt.calls();
      assert.ok(calls.every((c) => c.endsWith(" update")), calls.join(" | "));
    } finally {
      await release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("apt: a failure that is not a lock fails at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-apt-" });
  try {
    const bin = `${dir}/apt-get`;
    await Deno.writeTextFile(
      bin,
      `#!/bin/sh\necho "E: Unable to locate package nope" >&2\nexit 100\n`,
    );
    await Deno.chmod(bin, 0o755);
    const started = Date.now();
    await assert.rejects(
      installPackages(["nope"], {
        aptGet: bin,
        timeoutMs: 20_000,
        log: () => {},
      }),
      /update exited with code 100/,
    );
    assert.ok(Date.now() - started < 2_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
