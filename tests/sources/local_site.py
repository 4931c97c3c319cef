"""A local HTTP server for link-check tests, started by the test: no outside network."""

import http.server
import threading
import time


class Site:
    """A tiny web site: pages by path, what it was asked, and a robots.txt."""

    def __init__(self):
        self.pages = {
            "/robots.txt": (200, {}, b"User-agent: *\nDisallow: /private/\n"),
            "/ok": (200, {}, b"<p>The lending report.</p>"),
            "/moved": (301, {"Location": "/ok"}, b""),
            "/hop": (302, {"Location": "/moved"}, b""),
            "/to-private": (302, {"Location": "/private/page"}, b""),
            "/private/page": (200, {}, b"secret"),
            "/changing": (200, {}, b"first wording"),
            "/gone": (410, {}, b"gone"),
        }
        self.requests = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                if self.path == "/slow":
                    time.sleep(2)
                status, headers, body = site.pages.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"
