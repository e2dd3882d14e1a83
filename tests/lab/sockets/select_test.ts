/**
 * `select` watches fds below FD_SETSIZE (1024) only: the poller refuses a
 * higher one with a clear message, and the multiplexed server on select
 * closes such a connection, says why in one line, and keeps serving the
 * others.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  throws as assertThrows,
} from "node:assert/strict";
import { EPOLLIN, FD_SETSIZE, libc } from "../../../src/lab/sockets/libc.ts";
import { SelectPoller } from "../../../src/lab/sockets/select_poller.ts";
import { SocketError } from "../../../src/lab/sockets/raw_socket.ts";
import { EV_CLOSE, EV_ERR } from "../../../src/lab/sockets/event_ring.ts";
import { connect, echo, until, withServer } from "./helpers.ts";

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

Deno.test("multiplexed (select): a connection past fd 1023 is refused in one line; others go on", () =>
  withServer("multiplexed", "select", async ({ server, notices }) => {
    const early = await connect(server.port);
    assertEquals(await echo(early, "hello early"), "hello early");
    // fill the fd table so the server's next accepted socket lands past FD_SETSIZE
    const fillers: Deno.FsFile[] = [];
    try {
      while (fillers.length < FD_SETSIZE + 8) fillers.push(Deno.openSync("/dev/null"));
      const late = await connect(server.port);
      await until(() => server.ring.total(EV_ERR) > 0, "the refusal");
      assertEquals(notices.length, 1);
      assertMatch(notices[0]!, /^select cannot watch fd \d{4,}: .*FD_SETSIZE \(1024\)/);
      // the refused connection is closed by the server...
      assertEquals(await late.read(new Uint8Array(8)).catch(() => null), null);
      late.close();
    } finally {
      for (const f of fillers) f.close();
    }
    // ...and the early one is still served
    assertEquals(await echo(early, "hello still"), "hello still");
    early.close();
    await until(() => server.ring.total(EV_CLOSE) === 2, "2 CLOSEs");
  }));
