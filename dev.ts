/**
 * Development server (`deno task dev`) and production build
 * (`deno task build`).
 *
 * @module
 */
import { Builder } from "fresh/dev";
import { tailwind } from "@fresh/plugin-tailwind";
import { loadConfig } from "./lib/config.ts";

const builder = new Builder();
tailwind(builder);

if (Deno.args.includes("build")) {
  await builder.build();
} else {
  await builder.listen(() => import("./main.ts"), devAddress());
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
