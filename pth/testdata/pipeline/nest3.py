def deep():
    print("nest3")


deep()
if __name__ != "__main__":
    deep()  # not-run
