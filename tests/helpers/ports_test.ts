import {
  deepStrictEqual,
  match,
  rejects,
  strictEqual,
} from "node:assert/strict";
import {
  freePort,
  onFreePort,
  PORT_ATTEMPTS,
  PortInUseError,
  saysPortInUse,
} from "./ports.ts";

Deno.test("onFreePort: a taken port is given up for the next one", async () => {
  const picks = [41001, 41002, 41003];
  const tried: number[] = [];
  const got = await onFreePort((port) => {
    tried.push(port);
    if (port === 41001) throw new PortInUseError(port, "AddrInUse");
    return Promise.resolve(`on ${port}`);
  }, { pick: () => picks.shift()! });
  strictEqual(got, "on 41002");
  deepStrictEqual(tried, [41001, 41002]);
});

Deno.test("onFreePort: gives up after a bounded number of attempts, naming the ports", async () => {
  let n = 0;
  await rejects(
    onFreePort((port) => {
      n++;
      throw new PortInUseError(port, "Address already in use");
    }, { pick: () => 42000 + n }),
    (e: Error) => {
      match(e.message, new RegExp(`in ${PORT_ATTEMPTS} attempts`));
      match(e.message, /taken: 42000, 42001, 42002, 42003, 42004/);
      match(e.message, /Address already in use/);
      return true;
    },
  );
  strictEqual(n, PORT_ATTEMPTS);
});

Deno.test("onFreePort: any other failure is thrown at once", async () => {
  let n = 0;
  await rejects(
    onFreePort(() => {
      n++;
      throw new Error("bad config");
    }),
    /bad config/,
  );
  strictEqual(n, 1);
});

Deno.test("saysPortInUse: Deno's, redis-server's and PostgreSQL's words", () => {
  strictEqual(
    saysPortInUse(
      "error: Uncaught (in promise) AddrInUse: Address already in use (os error 98)",
    ),
    true,
  );
  strictEqual(
    saysPortInUse(
      "# Warning: Could not create server TCP listening socket 127.0.0.1:6380: bind: Address already in use",
    ),
    true,
  );
  strictEqual(
    saysPortInUse(
      'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
    ),
    true,
  );
  strictEqual(saysPortInUse("error: Module not found"), false);
});

Deno.test("freePort returns a port that can be bound", () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: freePort() });
  l.close();
});
