#!/usr/bin/env python
# comment
'''Module docstring
spanning lines.'''

x = 1


def f():
    '''Function docstring.'''
    return 1


def g():
    "one"
    "two"
    return 2


def h(): "inline doc"


class C:
    """Class doc."""
    a = 1


class D:
    ('paren'
     'doc')


def fd():
    f'not a doc'
    return 3


def bd():
    b'bytes'
    return 4


async def ad():
    '''async doc'''
    await x
