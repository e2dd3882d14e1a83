/**
 * Expectations on a broker's answers: that a call fails with a given AMQP
 * reply code, that the server closes a channel or a connection with one, and
 * that a queue goes away. Each throws with what it saw instead.
 */
import { type Channel, channelClosed, type Client, type CodedError } from "./amqplib.ts";
import { waitFor, withTimeout } from "./timing.ts";

/**
 * Waits until `queue` is gone: a passive declare on a fresh channel gets 404
 * (each probe needs its own channel, since the 404 closes it).
 */
export async function waitForQueueDeleted(client: Client, queue: string, what: string) {
  await waitFor(async () => {
    const probe = await client.channel();
    return await probe.checkQueue(queue).then(() => false, (e) => e.code === 404);
  }, what);
}

/** Asserts that `promise` rejects with an amqplib error carrying `code`. */
export async function expectCode(promise: Promise<unknown>, code: number): Promise<CodedError> {
  let error: CodedError;
  try {
    await promise;
  } catch (e) {
    error = e as CodedError;
    // amqplib's basic.get rejects with the raw channel.close frame.
    const frame = e as { fields?: { replyCode?: number; replyText?: string } };
    if (error.code === undefined && frame.fields?.replyCode !== undefined) {
      error = Object.assign(new Error(frame.fields.replyText), { code: frame.fields.replyCode });
    }
    if (error.code !== code) {
      throw new Error(`expected reply code ${code}, got ${error.code}: ${error.message}`);
    }
    return error;
  }
  throw new Error(`expected a failure with reply code ${code}, but it succeeded`);
}

/** Asserts that a channel is closed by the server with `code`. */
export async function expectChannelClosed(ch: Channel, code: number): Promise<CodedError> {
  const error = await withTimeout(channelClosed(ch), 3000, `channel close ${code}`);
  if (error?.code !== code) {
    throw new Error(`expected channel close ${code}, got ${error?.code}: ${error?.message}`);
  }
  return error;
}

/** Asserts that a connection is closed by the server with `code`. */
export async function expectConnectionClosed(client: Client, code: number): Promise<CodedError> {
  const error = await withTimeout(client.closed, 3000, `connection close ${code}`);
  if (error?.code !== code) {
    throw new Error(`expected connection close ${code}, got ${error?.code}: ${error?.message}`);
  }
  return error;
}
