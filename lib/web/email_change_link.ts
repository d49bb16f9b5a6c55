/**
 * The two pages an email-change link opens (`/confirm-email-change` from
 * the new address, `/undo-email-change` from the old one) behave the same
 * way and differ only in which link they take: GET shows the link's
 * addresses and a button (opening the link changes nothing), the button's
 * POST applies it. One handler pair, so the two cannot drift.
 *
 * @module
 */
import { type Context, page } from "fresh";
import { checkEmailChangeLink } from "../auth/change_email.ts";
import { asBodyError, BodyError } from "../http/body.ts";
import {
  accountDeps,
  confirmEmailChangeAction,
  TOKEN_PAGE_HEADERS,
  undoEmailChangeAction,
} from "./account_actions.ts";
import { failureHeaders, failureStatus } from "./failure_answer.ts";
import type { State } from "./state.ts";

/** What the page shows. */
export interface EmailChangeLinkData {
  token: string | null;
  oldEmail?: string;
  newEmail?: string;
  error?: string;
  /** The address the account has now, once done. */
  done?: string;
}

const ACTIONS = {
  confirm: confirmEmailChangeAction,
  undo: undoEmailChangeAction,
};

/**
 * GET and POST of the page for one kind of email-change link.
 *
 * @example
 * ```ts
 * const handler = emailChangeLinkHandlers("undo");
 * ```
 */
export function emailChangeLinkHandlers(purpose: "confirm" | "undo") {
  const act = ACTIONS[purpose];
  return {
    async GET(ctx: Context<State>) {
      const token = ctx.url.searchParams.get("token");
      const link = await checkEmailChangeLink(
        accountDeps(ctx.state.services),
        token,
        purpose,
      );
      if (!link.ok) {
        return page<EmailChangeLinkData>({ token: null, error: link.error }, {
          status: 400,
          headers: TOKEN_PAGE_HEADERS,
        });
      }
      return page<EmailChangeLinkData>(
        { token, oldEmail: link.oldEmail, newEmail: link.newEmail },
        { headers: TOKEN_PAGE_HEADERS },
      );
    },
    async POST(ctx: Context<State>) {
      const outcome = await act(ctx).catch(asBodyError);
      if (outcome instanceof BodyError) {
        return page<EmailChangeLinkData>(
          { token: null, error: outcome.message },
          { status: outcome.status, headers: TOKEN_PAGE_HEADERS },
        );
      }
      if (!outcome.ok) {
        return page<EmailChangeLinkData>(
          { token: null, error: outcome.error },
          {
            status: failureStatus(outcome),
            headers: { ...failureHeaders(outcome), ...TOKEN_PAGE_HEADERS },
          },
        );
      }
      return page<EmailChangeLinkData>(
        { token: null, done: outcome.user.email },
        { headers: TOKEN_PAGE_HEADERS },
      );
    },
  };
}
