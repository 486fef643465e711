# A long-running HTTP service: nothing ever stops it.
import http.server  # run


class Handler(http.server.BaseHTTPRequestHandler):  # run
    def do_GET(self):
        if self.path == "/hello":  # run
            body = b"hello\n"  # run
        else:
            body = b"other\n"  # run
        self.send_response(200)  # run
        self.end_headers()  # run
        self.wfile.write(body)  # run

    def do_POST(self):
        self.send_response(405)  # never
        self.end_headers()  # never

    def log_message(self, *args):
        pass  # run


http.server.ThreadingHTTPServer(("", 8000), Handler).serve_forever()  # run
