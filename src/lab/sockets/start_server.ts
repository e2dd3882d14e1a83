/**
 * `startEchoServer()`: the one door to every model. Failures to start (port
 * in use, permission denied, FFI not allowed, not Linux) come back as a
 * `ServerStartError` whose message is the one line to show.
 */
import type { Hub } from "../hub.ts";
import { AsyncServer, denoListenErrorText } from "./async_server.ts";
import { BlockingServer } from "./blocking.ts";
import { ffiUnavailable, libc } from "./libc.ts";
import { MultiplexedServer } from "./multiplexed.ts";
import { NonblockingServer } from "./nonblocking.ts";
import {
  DEFAULT_BIND,
  DEFAULT_PORT,
  type EchoServer,
  type EchoServerOptions,
  ServerStartError,
} from "./server.ts";
import { errorMessage } from "../../util/error_message.ts";

const DEFAULT_RING = 4096;

/** Starts an echo server of `options.model`; the async model runs its tasks on `hub`. */
export async function startEchoServer(hub: Hub, options: EchoServerOptions): Promise<EchoServer> {
  const bind = options.bind ?? DEFAULT_BIND;
  const port = options.port ?? DEFAULT_PORT;
  const common = {
    bind,
    port,
    ringCapacity: options.ringCapacity ?? DEFAULT_RING,
    notice: options.onNotice ?? (() => {}),
  };
  if (options.model === "async") {
    try {
      return new AsyncServer(hub, common);
    } catch (error) {
      throw new ServerStartError(denoListenErrorText(bind, port, error));
    }
  }
  const why = ffiUnavailable();
  if (why !== null) throw new ServerStartError(`the ${options.model} model ${why}`);
  try {
    if (options.model === "blocking") return await BlockingServer.start(libc(), common);
    if (options.model === "nonblocking") return new NonblockingServer(libc(), common);
    return await MultiplexedServer.start(libc(), {
      ...common,
      poller: options.poller ?? "epoll",
    });
  } catch (error) {
    throw new ServerStartError(errorMessage(error));
  }
}
