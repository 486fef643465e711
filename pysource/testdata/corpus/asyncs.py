import asyncio


async def f():
    async with asyncio.Lock() as lock:
        await asyncio.sleep(0)
    async for x in aiter():
        yield x
    return


async def g():
    return [x async for x in aiter()]


@asyncio.coroutine
async def h():
    await f()
