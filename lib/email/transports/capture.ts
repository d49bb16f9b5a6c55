/**
 * A transport that keeps messages in memory, for tests: what was
 * delivered, and a switch to make deliveries fail.
 *
 * @module
 */
import type { MailTransport, OutgoingEmail } from "../mail.ts";

/** A {@linkcode MailTransport} a test can read and break. */
export interface CaptureTransport extends MailTransport {
  /** Every message delivered, oldest first. */
  readonly delivered: OutgoingEmail[];
  /** While set, `deliver` rejects with this error. */
  failWith: Error | null;
}

/**
 * A transport that records instead of sending.
 *
 * @example
 * ```ts
 * const capture = captureTransport();
 * await capture.deliver({ from: "a@b.c", to: "d@e.f", subject: "s", text: "t", html: "<p>t</p>", kind: "test" });
 * capture.delivered.length; // 1
 * ```
 */
export function captureTransport(): CaptureTransport {
  const delivered: OutgoingEmail[] = [];
  const transport: CaptureTransport = {
    description: "capture (memory)",
    delivered,
    failWith: null,
    deliver(message) {
      if (transport.failWith !== null) {
        return Promise.reject(transport.failWith);
      }
      delivered.push({ ...message });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return transport;
}
