# Runs on the machine of the run: merged with what the containers pushed.
def local():
    return "local"  # run


local()  # run
