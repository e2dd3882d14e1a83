"""The lesson's RabbitMQ programs, condensed, run with pika against one broker.

Usage: python3 lesson_pika.py AMQP_URL SUFFIX
Prints one "ok <scenario>" line per scenario; any mismatch raises (exit 1).
SUFFIX keeps names unique so runs against a shared RabbitMQ do not collide.
"""
import sys
import threading
import uuid

import pika

url, suffix = sys.argv[1], sys.argv[2]
params = pika.URLParameters(url)


def name(base):
    return f"{base}-{suffix}"


def drain(ch, queue):
    bodies = []
    while True:
        method, _props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            return bodies
        bodies.append(body.decode())


conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.confirm_delivery()  # publishes are confirmed, so reads after them are exact

# 1. hello: the default exchange routes by queue name.
hello = name("hello")
ch.queue_declare(queue=hello)
ch.basic_publish(exchange="", routing_key=hello, body="Hello World!")
assert drain(ch, hello) == ["Hello World!"]
ch.queue_delete(hello)
print("ok hello")

# 2. work queue: durable queue, persistent messages, prefetch 1 + ack = fair dispatch.
tasks = name("task_queue")
ch.queue_declare(queue=tasks, durable=True)
for i in range(4):
    ch.basic_publish(exchange="", routing_key=tasks, body=f"task {i}",
                     properties=pika.BasicProperties(delivery_mode=2))
declared = ch.queue_declare(queue=tasks, durable=True, passive=True)
assert declared.method.message_count == 4, declared.method.message_count
workers = [conn.channel(), conn.channel()]
seen = {0: [], 1: []}
for index, worker in enumerate(workers):
    worker.basic_qos(prefetch_count=1)

    def on_task(w, method, _props, body, index=index):
        seen[index].append(body.decode())
        w.basic_ack(delivery_tag=method.delivery_tag)

    worker.basic_consume(queue=tasks, on_message_callback=on_task)
while len(seen[0]) + len(seen[1]) < 4:
    conn.process_data_events(time_limit=0.2)
assert sorted(seen[0] + seen[1]) == [f"task {i}" for i in range(4)], seen
assert seen[0] and seen[1], f"both workers get work: {seen}"
for worker in workers:
    worker.close()
ch.queue_delete(tasks)
print("ok work-queue")

# 3. fanout: every bound queue gets every message.
logs = name("logs")
ch.exchange_declare(exchange=logs, exchange_type="fanout")
queues = [ch.queue_declare(queue="", exclusive=True).method.queue for _ in range(2)]
for q in queues:
    assert q.startswith("amq.gen-"), q
    ch.queue_bind(exchange=logs, queue=q)
ch.basic_publish(exchange=logs, routing_key="", body="info: hi")
assert [drain(ch, q) for q in queues] == [["info: hi"], ["info: hi"]]
ch.exchange_delete(logs)
print("ok fanout")

# 4. direct: routing by severity.
direct = name("direct_logs")
ch.exchange_declare(exchange=direct, exchange_type="direct")
errors = ch.queue_declare(queue="", exclusive=True).method.queue
ch.queue_bind(exchange=direct, queue=errors, routing_key="error")
for severity in ["info", "error", "warning"]:
    ch.basic_publish(exchange=direct, routing_key=severity, body=severity)
assert drain(ch, errors) == ["error"]
ch.exchange_delete(direct)
print("ok direct")

# 5. topic: * is exactly one word, # zero or more.
topic = name("topic_logs")
ch.exchange_declare(exchange=topic, exchange_type="topic")
kern = ch.queue_declare(queue="", exclusive=True).method.queue
critical = ch.queue_declare(queue="", exclusive=True).method.queue
ch.queue_bind(exchange=topic, queue=kern, routing_key="kern.*")
ch.queue_bind(exchange=topic, queue=critical, routing_key="#.critical")
for key in ["kern.critical", "kern.info.x", "app.critical", "critical", "user.info"]:
    ch.basic_publish(exchange=topic, routing_key=key, body=key)
assert drain(ch, kern) == ["kern.critical"]
assert drain(ch, critical) == ["kern.critical", "app.critical", "critical"]
ch.exchange_delete(topic)
print("ok topic")

# 6. RPC: reply_to + correlation_id, the server computes fib(n).
rpc_queue = name("rpc_queue")
ch.queue_declare(queue=rpc_queue)
ready = threading.Event()


def rpc_server():
    server = pika.BlockingConnection(params)
    sch = server.channel()

    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    def on_request(c, method, props, body):
        c.basic_publish(exchange="", routing_key=props.reply_to, body=str(fib(int(body))),
                        properties=pika.BasicProperties(correlation_id=props.correlation_id))
        c.basic_ack(delivery_tag=method.delivery_tag)
        c.stop_consuming()

    sch.basic_qos(prefetch_count=1)
    sch.basic_consume(queue=rpc_queue, on_message_callback=on_request)
    ready.set()
    sch.start_consuming()
    server.close()


thread = threading.Thread(target=rpc_server)
thread.start()
ready.wait(5)
callback = ch.queue_declare(queue="", exclusive=True).method.queue
corr = str(uuid.uuid4())
answer = {}


def on_response(_c, _method, props, body):
    if props.correlation_id == corr:
        answer["body"] = body.decode()


ch.basic_consume(queue=callback, on_message_callback=on_response, auto_ack=True)
ch.basic_publish(exchange="", routing_key=rpc_queue, body="20",
                 properties=pika.BasicProperties(reply_to=callback, correlation_id=corr))
while "body" not in answer:
    conn.process_data_events(time_limit=0.2)
thread.join(5)
assert answer["body"] == "6765", answer
ch.queue_delete(rpc_queue)
print("ok rpc")

conn.close()
