/**
 * Development server (`deno task dev`) and production build
 * (`deno task build`).
 *
 * @module
 */
import { Builder } from "fresh/dev";
import { tailwind } from "@fresh/plugin-tailwind";
import { loadConfig } from "./lib/config.ts";
import { markDevServer } from "./lib/dev_server.ts";
import { mailStartupLine } from "./lib/email/mailer.ts";

const builder = new Builder();
tailwind(builder);

if (Deno.args.includes("build")) {
  await builder.build();
} else {
  markDevServer();
  await builder.listen(() => import("./main.ts"), {
    ...devAddress(),
    onListen(addr) {
      const host = addr.hostname.includes(":")
        ? `[${addr.hostname}]`
        : addr.hostname;
      const origin = `http://${host}:${addr.port}`;
      console.log(`Listening on ${origin}/`);
      // main.ts validated the config before the server could listen.
      console.log(mailStartupLine(loadConfig(), `${origin}/dev/mail`));
    },
  });
}

/** HOSTNAME and PORT from the app's settings; main.ts reports invalid ones. */
function devAddress(): { hostname?: string; port?: number } {
  try {
    const { hostname, port } = loadConfig();
    return { hostname, port };
  } catch {
    return {};
  }
}
