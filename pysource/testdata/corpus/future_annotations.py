from __future__ import annotations

x: int


class C:
    a: int
    b: int = 2
