/**
 * A connection's output. Frames queued in one turn of the event loop are
 * written with one socket write (a burst of deliveries is one syscall, not
 * one per frame). While the socket's buffer is above a high-water mark the
 * outbox reports `blocked`, so queues stop delivering to the connection's
 * consumers until 'drain' (a slow client cannot make the broker buffer
 * without bound). A client that stops reading altogether is let go: when
 * bytes have been waiting and none has left for the write timeout, the
 * connection is told (it closes, and its deliveries go back to their queues),
 * as RabbitMQ does with its TCP send timeout.
 */
import { type ContentMethodName, type MessageFramesOptions, Writer } from "../amqp/mod.ts";
import { encodeMessageFrames, writeMessageFrames } from "../amqp/mod.ts";
import { coalesce, LARGE_CHUNK } from "./chunks.ts";
import type { ClientSocket } from "./tcp_socket.ts";
import type { BrokerTimers } from "./timers.ts";

/** How the outbox detects a client that stopped reading. */
export interface WriteTimeout {
  readonly timers: BrokerTimers;
  /** No byte written for this long while some wait: the peer is stalled (0: never). */
  readonly ms: number;
  onTimeout(): void;
}

/** Bytes buffered (ours plus the socket's) above which the connection stops taking deliveries. */
const HIGH_WATER = 1024 * 1024;
/** Queued bytes that are written at once instead of at the end of the turn. */
const FLUSH_AT = 64 * 1024;

export class Outbox {
  /** Chunks waiting, in order, before what `#run` holds. */
  #out: Uint8Array[] = [];
  /**
   * Small frames waiting after `#out`, in one buffer: a small delivery is
   * encoded straight into it (no buffer per message), and a flush writes
   * them with one copy.
   */
  #run = new Writer(16 * 1024);
  #outBytes = 0;
  #flushScheduled = false;
  #blocked = false;
  #closed = false;
  #watch: unknown;
  /** socket.bytesWritten when the write timeout was armed. */
  #mark = 0;

  /** `onWrite` is told of every socket write (heartbeats count it as traffic). */
  constructor(
    readonly socket: ClientSocket,
    readonly onWrite: () => void,
    readonly writeTimeout: WriteTimeout,
  ) {}

  /** Above the high-water mark: deliveries must wait for `drained()`. */
  get blocked(): boolean {
    return this.#blocked;
  }

  push(bytes: Uint8Array): void {
    if (this.#closed) return;
    if (bytes.length >= LARGE_CHUNK) {
      this.#sealRun();
      this.#out.push(bytes);
    } else this.#run.bytes(bytes);
    this.#queued(bytes.length);
  }

  /** A message's frames (a delivery): small ones are encoded straight into the pending output. */
  pushMessage<N extends ContentMethodName>(message: MessageFramesOptions<N>): void {
    if (this.#closed) return;
    if (message.body.length >= LARGE_CHUNK) return this.push(encodeMessageFrames(message));
    const before = this.#run.pos;
    try {
      writeMessageFrames(this.#run, message);
    } catch (e) {
      this.#run.pos = before; // nothing half-written goes out
      throw e;
    }
    this.#queued(this.#run.pos - before);
  }

  #sealRun(): void {
    if (this.#run.pos === 0) return;
    this.#out.push(this.#run.finish());
    this.#run.reset();
  }

  #queued(bytes: number): void {
    this.#outBytes += bytes;
    if (this.#outBytes + this.socket.writableLength > HIGH_WATER) this.#blocked = true;
    if (this.#outBytes >= FLUSH_AT) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes everything queued now: small frames joined into one chunk, big ones as they are. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    this.#sealRun();
    if (this.#out.length === 0) return;
    const chunks = this.#out.length === 1 ? this.#out : coalesce(this.#out);
    this.#out = [];
    this.#outBytes = 0;
    this.onWrite();
    let ok = true;
    for (const chunk of chunks) ok = this.socket.write(chunk) && ok;
    if (!ok || this.socket.writableLength > HIGH_WATER) this.#blocked = true;
    if (this.socket.writableLength > 0) this.#armWriteTimeout();
  }

  #armWriteTimeout(): void {
    const { timers, ms } = this.writeTimeout;
    if (this.#watch !== undefined || ms <= 0) return;
    this.#mark = this.socket.bytesWritten;
    this.#watch = timers.setTimeout(() => this.#checkWrites(), ms);
  }

  /** Progress since armed is fine (a slow reader); none at all is a stalled one. */
  #checkWrites(): void {
    this.#watch = undefined;
    if (this.#closed || this.socket.writableLength === 0) return;
    if (this.socket.bytesWritten === this.#mark) return this.writeTimeout.onTimeout();
    this.#armWriteTimeout();
  }

  /** The socket emitted 'drain'. True when this unblocks the outbox (consumers may go on). */
  drained(): boolean {
    if (!this.#blocked) return false;
    this.#blocked = false;
    return true;
  }

  /** The connection is closed: nothing more is written. */
  close(): void {
    this.#closed = true;
    this.#out = [];
    this.#run.reset();
    this.#outBytes = 0;
    if (this.#watch !== undefined) this.writeTimeout.timers.clearTimeout(this.#watch);
    this.#watch = undefined;
  }
}
