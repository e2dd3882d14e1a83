"""py-amqp (the transport under kombu and Celery) against one broker.

Usage: python3 py_amqp_client.py HOST:PORT SUFFIX
Prints one "ok <scenario>" line per scenario; any mismatch raises (exit 1).
SUFFIX keeps names unique so runs against a shared RabbitMQ do not collide.
"""
import sys
import uuid

import amqp

host, suffix = sys.argv[1], sys.argv[2]


def name(base):
    return f"{base}-{suffix}"


def text(message):
    # py-amqp decodes bodies to str unless told otherwise.
    body = message.body
    return body if isinstance(body, str) else body.decode()


def drain(ch, queue):
    bodies = []
    while True:
        message = ch.basic_get(queue, no_ack=True)
        if message is None:
            return bodies
        bodies.append(text(message))


with amqp.Connection(host, userid="guest", password="guest", virtual_host="/",
                     confirm_publish=True) as conn:
    ch = conn.channel()

    # 1. topic routing with confirmed publishes (confirm_publish waits for each ack).
    ex, q = name("logs"), name("kern")
    ch.exchange_declare(ex, "topic", auto_delete=False)
    ch.queue_declare(q, exclusive=True)
    ch.queue_bind(q, ex, routing_key="kern.*")
    for key in ["kern.critical", "cron.info", "kern.info"]:
        ch.basic_publish(amqp.Message(key), exchange=ex, routing_key=key)
    assert drain(ch, q) == ["kern.critical", "kern.info"]
    ch.exchange_delete(ex)
    print("ok topic")

    # 2. a consumer with prefetch 1 and manual acks, driven by drain_events.
    work = name("work")
    ch.queue_declare(work, durable=True, auto_delete=False)
    for i in range(3):
        ch.basic_publish(amqp.Message(f"job {i}", delivery_mode=2), routing_key=work)
    worker = conn.channel()
    worker.basic_qos(0, 1, False)
    done = []

    def on_job(message):
        done.append(text(message))
        message.channel.basic_ack(message.delivery_tag)

    tag = worker.basic_consume(work, callback=on_job)
    while len(done) < 3:
        conn.drain_events(timeout=5)
    assert done == ["job 0", "job 1", "job 2"], done
    worker.basic_cancel(tag)
    ch.queue_delete(work)
    print("ok worker")

    # 3. RPC: reply_to + correlation_id, the server on its own channel.
    rpc_queue = name("rpc")
    server = conn.channel()
    server.queue_declare(rpc_queue, exclusive=True)

    def on_request(message):
        n = int(message.body)
        reply = amqp.Message(str(n * n), correlation_id=message.correlation_id)
        server.basic_publish(reply, routing_key=message.reply_to)
        server.basic_ack(message.delivery_tag)

    server.basic_consume(rpc_queue, callback=on_request)
    callback_queue, _, _ = ch.queue_declare("", exclusive=True)
    replies = {}
    ch.basic_consume(callback_queue, no_ack=True,
                     callback=lambda m: replies.__setitem__(m.correlation_id, text(m)))
    corr = str(uuid.uuid4())
    ch.basic_publish(amqp.Message("7", reply_to=callback_queue, correlation_id=corr),
                     routing_key=rpc_queue)
    while corr not in replies:
        conn.drain_events(timeout=5)
    assert replies[corr] == "49", replies
    print("ok rpc")

    # 4. a transaction (on a connection without confirms: a channel is one or the other).
    with amqp.Connection(host, userid="guest", password="guest") as plain:
        txq = name("tx")
        tx = plain.channel()
        tx.queue_declare(txq, exclusive=True)
        tx.tx_select()
        tx.basic_publish(amqp.Message("dropped"), routing_key=txq)
        tx.tx_rollback()
        tx.basic_publish(amqp.Message("kept"), routing_key=txq)
        assert tx.queue_declare(txq, passive=True).message_count == 0
        tx.tx_commit()
        assert drain(tx, txq) == ["kept"]
    print("ok tx")

    # 5. a channel error surfaces as py-amqp's NotFound, and the connection lives on.
    try:
        conn.channel().queue_declare(name("missing"), passive=True)
        raise AssertionError("passive declare of a missing queue succeeded")
    except amqp.exceptions.NotFound:
        pass
    assert ch.queue_declare(callback_queue, passive=True).queue == callback_queue
    print("ok errors")
