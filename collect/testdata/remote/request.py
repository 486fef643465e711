import sys, time, urllib.request

url = sys.argv[1]
for _ in range(200):
    try:
        for path in ("/hello", "/other"):
            urllib.request.urlopen(url + path, timeout=5).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("service never answered")
