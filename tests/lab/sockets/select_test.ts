/**
 * `select` watches fds below FD_SETSIZE (1024) only: the poller refuses a
 * higher one with a clear message. (The server on select refusing such a
 * connection is in `isolated_test.ts`: it fills the fd table.)
 */
import { throws as assertThrows } from "node:assert/strict";
import { EPOLLIN, FD_SETSIZE, libc } from "../../../src/lab/sockets/libc.ts";
import { SelectPoller } from "../../../src/lab/sockets/select_poller.ts";
import { SocketError } from "../../../src/lab/sockets/raw_socket.ts";

Deno.test("SelectPoller refuses an fd at FD_SETSIZE with a message naming the limit", () => {
  const poller = new SelectPoller(libc());
  try {
    poller.add(FD_SETSIZE - 1, EPOLLIN); // the last one it can hold
    assertThrows(
      () => poller.add(FD_SETSIZE, EPOLLIN),
      (e: unknown) =>
        e instanceof SocketError &&
        /select cannot watch fd 1024: .*FD_SETSIZE \(1024\).*--poller epoll/.test(e.message),
    );
  } finally {
    poller.remove(FD_SETSIZE - 1);
    poller.close();
  }
});
