# A small JSON service: the process whose overhead is measured.
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handle(path):
    items = [{"id": i, "name": "item%d" % i, "tags": ["a", "b"]} for i in range(20)]
    if path.startswith("/sum"):
        return {"sum": sum(it["id"] for it in items)}
    return {"items": items}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        body = json.dumps(handle(self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Handler)
print("ready", flush=True)
srv.serve_forever()
