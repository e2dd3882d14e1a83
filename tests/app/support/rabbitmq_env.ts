/**
 * A test that needs a real RabbitMQ with its management API: it runs when
 * RABBITMQ_URL and RABBITMQ_MGMT_URL are both set, and otherwise says in its
 * name why it is ignored.
 */
const amqpUrl = Deno.env.get("RABBITMQ_URL") || undefined;
const mgmtUrl = Deno.env.get("RABBITMQ_MGMT_URL") || undefined;

/** `Deno.test` options for such a test; `fn` gets both URLs. */
export function rabbitmqTest(
  name: string,
  fn: (urls: { amqpUrl: string; mgmtUrl: string }) => Promise<void>,
): Deno.TestDefinition {
  const ready = amqpUrl !== undefined && mgmtUrl !== undefined;
  return {
    name: `${name}${ready ? "" : " (ignored: RABBITMQ_URL and RABBITMQ_MGMT_URL not set)"}`,
    ignore: !ready,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => fn({ amqpUrl: amqpUrl!, mgmtUrl: mgmtUrl! }),
  };
}
