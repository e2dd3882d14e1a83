/**
 * SO_RCVTIMEO/SO_SNDTIMEO: how long a blocking call on a socket waits before
 * it gives up with EAGAIN. The blocking model uses them so its Worker can
 * look at the stop flag between waits.
 */
import { type Libc, SO_RCVTIMEO, SO_SNDTIMEO, SOL_SOCKET } from "./libc.ts";

export function setTimeouts(c: Libc, fd: number, ms: number): void {
  // struct timeval: i64 seconds, i64 microseconds (little-endian)
  const tv = new Int32Array([Math.floor(ms / 1000), 0, (ms % 1000) * 1000, 0]);
  c.sym.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
  c.sym.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, 16);
}
