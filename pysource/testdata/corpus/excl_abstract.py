import abc


class A(abc.ABC):
    @abc.abstractmethod
    def f(self):
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def g(self):
        pass

    def __repr__(self):
        return "A()"

    def h(self):
        try:
            import foo
        except ImportError:
            foo = None
        return foo
