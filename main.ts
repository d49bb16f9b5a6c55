/**
 * The Islet application, built once from the environment. Served by the
 * Builder in development (`deno task dev`) and by the generated
 * `_fresh/server.js` in production; tests build it in process from
 * `app.ts` instead.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { dummyVerify } from "./lib/auth/password.ts";
import { type Config, loadConfig } from "./lib/config.ts";
import { isDevServer } from "./lib/dev_server.ts";
import { mailStartupLine } from "./lib/email/mailer.ts";
import { createServices, type Services } from "./lib/services.ts";
import { PARALLEL_NEEDS_REDIS, watchPeerWorkers } from "./lib/workers.ts";

const { config, services } = await startOrExit();
if (config.redisUrl === undefined || config.redisUrl.trim() === "") {
  // See lib/workers.ts: several workers need Redis for their rate limits.
  watchPeerWorkers(() => {
    console.error(PARALLEL_NEEDS_REDIS);
    Deno.exit(1);
  });
}
// Sign-in with an unknown email verifies against a dummy hash made on first
// use; making it now keeps the first such sign-in as fast as any other.
await dummyVerify();
// Where mail goes, said once: the development server says it when it
// listens, with the address of /dev/mail.
if (!isDevServer()) console.log(mailStartupLine(config));
if (!config.rateLimits) {
  console.warn(
    "RATE_LIMITS=off: every rate limit is disabled. Use this for load tests only.",
  );
}

export const app = createApp(services);

/** How long responses under way get after the services closed on SIGTERM. */
const SHUTDOWN_GRACE_MS = 2_000;

// `deno serve` stops accepting connections on SIGTERM and exits once
// nothing is left running; a database pool keeps sockets open, so close the
// services (running statements finish first) to let it exit. A listener
// takes SIGTERM's default exit away, so the process also ends by itself a
// moment after closing, should anything else hold it open (`deno task dev`'s
// file watcher). Not SIGINT: Ctrl-C keeps its immediate exit.
try {
  Deno.addSignalListener("SIGTERM", () => {
    services.close().catch((err) =>
      console.error(
        "Closing on shutdown failed:",
        err instanceof Error ? err.message : err,
      )
    ).finally(() => {
      // Unref'd: a process that drains first exits without waiting for it.
      Deno.unrefTimer(setTimeout(() => Deno.exit(0), SHUTDOWN_GRACE_MS));
    });
  });
} catch {
  // Not available here (Windows has no SIGTERM): the process just ends.
}

/**
 * Reads the config and opens the database and cache; a problem there
 * (invalid settings, Redis unreachable, a failed migration) is one clear
 * message and exit code 1, not a stack trace.
 */
async function startOrExit(): Promise<{ config: Config; services: Services }> {
  try {
    const config = loadConfig();
    // The development server makes a key for two-factor when none is set.
    const services = await createServices(config, {
      development: isDevServer(),
    });
    return { config, services };
  } catch (err) {
    console.error(
      `Islet cannot start.\n${
        err instanceof Error ? err.message : String(err)
      }`,
    );
    Deno.exit(1);
  }
}
