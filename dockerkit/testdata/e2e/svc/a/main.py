import os  # 1


def handle(req):  # 1
    return req.upper()  # 1


print(handle("ping"), flush=True)  # 1
if os.environ.get("NEVER"):  # 1
    handle("x")  # 0
os._exit(0)  # 1
