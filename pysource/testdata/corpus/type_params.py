type Alias = list[int]
type Generic[T] = dict[str, T]


class Box[T]:
    def get[U](self, x: U) -> T | U:
        return x


def ident[T](x: T) -> T:
    return x
