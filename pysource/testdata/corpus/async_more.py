async def agen():
    yield 1
    async with a as b, c as d:
        pass
    result = [x async for x in agen()]
    await (yield)


async def f():
    return await g()
    unreachable = 1
