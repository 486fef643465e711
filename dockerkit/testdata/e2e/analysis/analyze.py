import sys  # 1
from stats import mean  # 1


def classify(v):  # 1
    if v > 10:  # 1
        return "big"  # 0
    return "small"  # 1


print(classify(mean([1, 2, 3])))  # 1
if len(sys.argv) > 5:  # 1
    print("many")  # 0
