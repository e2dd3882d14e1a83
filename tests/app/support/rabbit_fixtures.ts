/**
 * Management API readings for the RabbitMQ panel's tests, as the API's JSON
 * (so they go through the same mapping as live readings).
 */
import { mapRabbit, type RabbitData } from "../../../src/app/mgmt_api.ts";

export function rabbitData(
  queues: { name: string; ready: number; unacked?: number; consumers?: number; inRate?: number }[] =
    [
      { name: "task_queue", ready: 3, unacked: 1, consumers: 2, inRate: 12.5 },
      { name: "hello", ready: 0 },
    ],
): RabbitData {
  const overview = {
    product_name: "RabbitMQ",
    product_version: "3.13.7",
    object_totals: { queues: queues.length, exchanges: 3, connections: 1, consumers: 2 },
    queue_totals: { messages_ready: 3, messages_unacknowledged: 1 },
    message_stats: { publish_details: { rate: 12.5 }, deliver_get_details: { rate: 10 } },
  };
  const exchanges = [
    { vhost: "/", name: "", type: "direct", durable: true },
    {
      vhost: "/",
      name: "topic_logs",
      type: "topic",
      durable: false,
      message_stats: { publish_in_details: { rate: 4 }, publish_out_details: { rate: 8 } },
    },
    { vhost: "/", name: "amq.fanout", type: "fanout", durable: true },
  ];
  const qs = queues.map((q) => ({
    vhost: "/",
    name: q.name,
    durable: q.name === "task_queue",
    exclusive: false,
    auto_delete: false,
    messages_ready: q.ready,
    messages_unacknowledged: q.unacked ?? 0,
    consumers: q.consumers ?? 0,
    message_stats: { publish_details: { rate: q.inRate ?? 0 }, deliver_get_details: { rate: 0 } },
  }));
  const consumers = [{
    consumer_tag: "amq.ctag-1",
    queue: { name: "task_queue", vhost: "/" },
    channel_details: { name: "127.0.0.1:5000 -> 127.0.0.1:5672 (1)" },
    ack_required: true,
    prefetch_count: 1,
  }];
  const bindings = [
    ...queues.map((q) => ({
      source: "",
      destination: q.name,
      destination_type: "queue",
      routing_key: q.name,
      arguments: {},
    })),
    {
      source: "topic_logs",
      destination: "task_queue",
      destination_type: "queue",
      routing_key: "*.orange.*",
      arguments: {},
    },
  ];
  const connections = [{
    name: "127.0.0.1:5000 -> 127.0.0.1:5672",
    user: "guest",
    channels: 1,
    state: "running",
    client_properties: { product: "amqplib" },
  }];
  const channels = [{
    name: "127.0.0.1:5000 -> 127.0.0.1:5672 (1)",
    connection_details: { name: "127.0.0.1:5000 -> 127.0.0.1:5672" },
    consumer_count: 1,
    prefetch_count: 1,
    messages_unacknowledged: 1,
    confirm: false,
  }];
  return mapRabbit(overview, exchanges, qs, consumers, bindings, connections, channels);
}
