/**
 * The app's shared state type and its typed `define` helpers. The types
 * live in `lib/web/state.ts`; this root module re-exports them.
 *
 * @module
 */
import { createDefine } from "fresh";
import type { State } from "./lib/web/state.ts";

export type {
  AuthState,
  SecondFactorPending,
  SignedIn,
  SignedOut,
  State,
  Theme,
} from "./lib/web/state.ts";
export { isSignedIn, requireSignedIn } from "./lib/web/state.ts";

/** Typed `define.handlers`, `define.page`, `define.middleware`. */
export const define = createDefine<State>();
