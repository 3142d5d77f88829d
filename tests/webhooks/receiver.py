"""A webhook receiver for the tests, run as its own process:

    python -m tests.webhooks.receiver LOG_FILE      # prints "PORT <n>" once it listens

It listens on a free loopback port and appends each request it gets to LOG_FILE as a JSON
line {path, headers, body}. What it answers depends on the path: /seq/<a>,<b>,... answers the
n-th request to that path with the n-th item (the last one repeats), each an HTTP status or
`sleep` (wait 3 s, longer than the tests' delivery timeout, then answer 200); any other path
answers 200.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

LOG = sys.argv[1] if len(sys.argv) > 1 else "receiver.log"
_seen: dict[str, int] = {}
_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        with _lock:
            count = _seen.get(self.path, 0)
            _seen[self.path] = count + 1
            with open(LOG, "a", encoding="utf-8") as log:
                record = {"path": self.path, "headers": dict(self.headers), "body": body}
                log.write(json.dumps(record) + "\n")
        answer = "200"
        if self.path.startswith("/seq/"):
            steps = self.path.split("?", 1)[0][len("/seq/") :].split(",")
            answer = steps[min(count, len(steps) - 1)]
        if answer == "sleep":
            time.sleep(3)
            answer = "200"
        self.send_response(int(answer))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
