/**
 * The refusal a deletion hook throws when the account cannot be deleted
 * now (e.g. its subscription cannot be cancelled because Stripe is out of
 * reach): its message is said to the person, and nothing is deleted.
 *
 * @module
 */

/**
 * Thrown by a `BeforeDeleteHook` to refuse the deletion with `message`.
 *
 * @example
 * ```ts
 * throw new DeleteRefusedError("We could not cancel your subscription; nothing was deleted. Try again in a few minutes.");
 * ```
 */
export class DeleteRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeleteRefusedError";
  }
}
