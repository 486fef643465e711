import functools


@functools.total_ordering
class A:
    @staticmethod
    def s():
        return 1

    @classmethod
    def c(cls):
        return 2

    @property
    def p(self):
        return 3


@functools.lru_cache(
    maxsize=None,
)
def cached(x):
    return x
