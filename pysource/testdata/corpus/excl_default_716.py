from typing import TYPE_CHECKING
import typing
if TYPE_CHECKING:
    import os
if typing.TYPE_CHECKING:
    import sys

class P:
    def method(self) -> int: ...
    def other(self,
              a: int) -> int:
        ...
    async def am(self): ...  # comment
    def body(self):
        ...

def stub(): ...
x = ...
