/**
 * A lab service on a real hub, driven as the Worker drives it: `send()`
 * applies a command and resolves with its reply. Servers and actors it
 * started are stopped afterwards, and the hub closed.
 */
import { Hub } from "../../src/lab/hub.ts";
import { LabService } from "../../src/lab/lab_service.ts";
import type { LabCommand, LabMessage } from "../../src/lab/protocol.ts";

export type Reply = Extract<LabMessage, { type: "reply" }>;
export type Send = (command: LabCommand) => Promise<Reply>;

export async function withService(
  body: (service: LabService, send: Send) => Promise<void>,
): Promise<void> {
  const hub = new Hub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  const send = async (command: LabCommand) => {
    await service.handle(command);
    return posted.filter((m): m is Reply => m.type === "reply").at(-1)!;
  };
  try {
    await body(service, send);
  } finally {
    await Promise.all([service.sockets.close(), service.mq.close()]);
    hub.close();
  }
}
