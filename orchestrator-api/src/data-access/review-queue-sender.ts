import { TransientError } from '@regflow/common';
import type { StompSession } from '@regflow/common/stomp';

/**
 * Persistent sends to the review queue, one at a time per STOMP connection, each still resolved only
 * on the broker's RECEIPT. With several sends outstanding, the broker writes the second RECEIPT while
 * the first is unacknowledged, and (unless its STOMP connector sets transport.tcpNoDelay=true) Nagle's
 * algorithm holds it until the client's delayed ACK, about 40 ms on Linux: every burst of concurrent
 * sends cost 40 ms. One at a time, the next SEND carries that ACK and each receipt comes back in about
 * a millisecond, which is also about how long the broker takes to store one persistent message from
 * a single connection anyway.
 */
export class ReviewQueueSender {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly stomp: StompSession) {}

  /** Settles within `timeoutMs` counted from this call, time spent waiting for its turn included. */
  send(destination: string, body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const sent = this.tail.then(() => {
      const left = deadline - Date.now();
      // When the broker is unreachable the sends ahead used up the time: fail now, not one timeout later each.
      if (left <= 0) throw new TransientError(`ActiveMQ did not confirm the message within ${timeoutMs} ms`);
      return this.stomp.send(destination, body, headers, left);
    });
    // The next send waits for this one to settle, whatever its outcome; the caller sees the outcome.
    this.tail = sent.catch(() => undefined);
    return sent;
  }
}
