# -*- coding: latin-1 -*-
NAME = "café"


def f():
    return NAME  # café
