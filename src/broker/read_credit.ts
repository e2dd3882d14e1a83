/**
 * A connection's read credit: how many bytes it may still read from its
 * socket before the next memory sample. The memory alarm alone reacts only
 * when a sample (or the count of bytes queued) shows the limit crossed; one
 * fast publisher could read hundreds of megabytes in between. With credit,
 * what every connection together reads between two samples is bounded by the
 * room left under the limit (see memory_monitor.ts), and a connection out of
 * credit stops being read until the next grant, as RabbitMQ's credit flow
 * stops a busy reader.
 */
export class ReadCredit {
  #bytes: number;
  #spent = 0;

  /** `onRefill` runs when a grant ends a pause (the connection reads again). */
  constructor(initial: number, readonly onRefill: () => void) {
    this.#bytes = initial;
  }

  /** Bytes left (negative: read past the credit, the debt comes off the next grant). */
  get bytes(): number {
    return this.#bytes;
  }

  get exhausted(): boolean {
    return this.#bytes <= 0;
  }

  /** Read anything since the last grant (grants are shared among active readers). */
  get active(): boolean {
    return this.#spent > 0;
  }

  spend(bytes: number): void {
    this.#bytes -= bytes;
    this.#spent += bytes;
  }

  /**
   * A new interval's credit: `bytes` at most (an idle connection does not
   * save credit up), less any debt from the last one.
   */
  grant(bytes: number): void {
    const was = this.exhausted;
    this.#bytes = Math.min(this.#bytes + bytes, bytes);
    this.#spent = 0;
    if (was && !this.exhausted) this.onRefill();
  }
}
