import lib


def test_a_one():
    assert lib.one(2) == "big"


def test_b_two():
    assert lib.two([1, 2]) == 3
