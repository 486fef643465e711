import os

print(os.getcwd())
if os.getcwd() != "/":
    print("wrong")  # not-run
