def hello():
    return "hi"


def bye():
    return "bye"
