/**
 * The app's shared state type and its typed `define` helpers.
 *
 * @module
 */
import { createDefine } from "fresh";

/** Colour scheme the visitor chose; "system" follows the OS. */
export type Theme = "system" | "light" | "dark";

/** What middlewares put on `ctx.state` for handlers and pages. */
export interface State {
  theme: Theme;
}

/** Typed `define.handlers`, `define.page`, `define.middleware`. */
export const define = createDefine<State>();
