# The request loop: keep-alive requests for SECONDS, then requests/s.
import http.client
import sys
import time

port, secs = int(sys.argv[1]), float(sys.argv[2])
for _ in range(300):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/items")
        conn.getresponse().read()
        break
    except OSError:
        time.sleep(0.05)
n = 0
total = 0
paths = ("/items", "/sum")
end = time.monotonic() + 1.0  # warm up
while time.monotonic() < end:
    conn.request("GET", paths[n % 2])
    conn.getresponse().read()
    n += 1
total, n, start = n, 0, time.monotonic()
end = start + secs
while time.monotonic() < end:
    conn.request("GET", paths[n % 2])
    conn.getresponse().read()
    n += 1
print("%.1f %d" % (n / (time.monotonic() - start), total + n))
