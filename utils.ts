/**
 * The app's shared state type and its typed `define` helpers.
 *
 * @module
 */
import { createDefine } from "fresh";
import type { Session } from "./lib/auth/session.ts";
import type { User } from "./lib/db/users.ts";
import type { Services } from "./lib/services.ts";

/** Colour scheme the visitor chose; "system" follows the OS. */
export type Theme = "system" | "light" | "dark";

/** What middlewares put on `ctx.state` for handlers and pages. */
export interface State {
  theme: Theme;
  services: Services;
  /** The client's address (socket, or X-Forwarded-For from trusted proxies). */
  clientIp: string;
  /** The signed-in user and their session, or null. */
  user: User | null;
  session: Session | null;
}

/** Typed `define.handlers`, `define.page`, `define.middleware`. */
export const define = createDefine<State>();
