"""aio-pika (asyncio, on aiormq) against one broker: the lesson's async side.

Usage: python3 aio_pika_client.py AMQP_URL SUFFIX
Prints one "ok <scenario>" line per scenario; any mismatch raises (exit 1).
SUFFIX keeps names unique so runs against a shared RabbitMQ do not collide.
"""
import asyncio
import sys
import uuid

import aio_pika

url, suffix = sys.argv[1], sys.argv[2]


def name(base):
    return f"{base}-{suffix}"


async def main():
    conn = await aio_pika.connect(url, timeout=10)
    async with conn:
        # on_return_raises: a returned mandatory publish fails its publish() call.
        ch = await conn.channel(publisher_confirms=True, on_return_raises=True)

        # 1. fanout: every bound queue gets a copy.
        logs = await ch.declare_exchange(name("logs"), aio_pika.ExchangeType.FANOUT,
                                         auto_delete=True)
        queues = [await ch.declare_queue(exclusive=True) for _ in range(2)]
        for q in queues:
            await q.bind(logs)
        await logs.publish(aio_pika.Message(b"hello all"), routing_key="")
        for q in queues:
            message = await q.get(timeout=5)
            assert message.body == b"hello all"
            await message.ack()
        print("ok fanout")

        # 2. fair dispatch: two consumers with prefetch 1 share the work.
        tasks = await ch.declare_queue(name("tasks"), durable=True, auto_delete=True)
        got = {0: [], 1: []}
        all_done = asyncio.Event()
        consumers = []
        for index in range(2):
            worker = await conn.channel()
            await worker.set_qos(prefetch_count=1)
            q = await worker.declare_queue(tasks.name, durable=True, auto_delete=True)

            async def on_task(message, index=index):
                async with message.process():
                    got[index].append(message.body.decode())
                    await asyncio.sleep(0.01)  # one slow step: the other worker takes the next
                    if len(got[0]) + len(got[1]) == 6:
                        all_done.set()

            consumers.append(await q.consume(on_task))
        for i in range(6):
            await ch.default_exchange.publish(
                aio_pika.Message(f"task {i}".encode(),
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=tasks.name)
        await asyncio.wait_for(all_done.wait(), 10)
        assert sorted(got[0] + got[1]) == [f"task {i}" for i in range(6)], got
        assert got[0] and got[1], got
        print("ok fair-dispatch")

        # 3. RPC: asyncio futures keyed by correlation_id, many calls at once.
        rpc = await ch.declare_queue(name("rpc"), exclusive=True)

        async def serve(message):
            async with message.process():
                n = int(message.body)
                await ch.default_exchange.publish(
                    aio_pika.Message(str(n * n).encode(),
                                     correlation_id=message.correlation_id),
                    routing_key=message.reply_to)

        await rpc.consume(serve)
        callback = await ch.declare_queue(exclusive=True)
        futures = {}

        async def on_reply(message):
            futures.pop(message.correlation_id).set_result(int(message.body))

        await callback.consume(on_reply, no_ack=True)

        async def call(n):
            corr = str(uuid.uuid4())
            futures[corr] = asyncio.get_running_loop().create_future()
            await ch.default_exchange.publish(
                aio_pika.Message(str(n).encode(), reply_to=callback.name,
                                 correlation_id=corr),
                routing_key=rpc.name)
            return await asyncio.wait_for(futures[corr], 10)

        assert await asyncio.gather(*(call(n) for n in range(10))) == [n * n for n in range(10)]
        print("ok rpc")

        # 4. an unroutable mandatory publish comes back as DeliveryError (basic.return).
        try:
            await ch.default_exchange.publish(aio_pika.Message(b"lost"),
                                              routing_key=name("nowhere"), mandatory=True)
            raise AssertionError("an unroutable mandatory publish was not returned")
        except aio_pika.exceptions.DeliveryError:
            pass
        print("ok mandatory")


asyncio.run(main())
