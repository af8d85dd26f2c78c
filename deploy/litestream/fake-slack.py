#!/usr/bin/env python3
"""A stand-in for Slack's Web API on loopback, for the restore drill only.

Every Web API call answers ok (chat.postMessage with a new ts, users.info
with an English-speaking user); response_url posts answer "ok". It writes
its port to the file named by its first argument.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counter = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global counter
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/hooks/"):
            body, ctype = b"ok", "text/plain"
        else:
            counter += 1
            body = json.dumps({"ok": True, "channel": "CDRILL", "ts": "1700000000.%06d" % counter,
                               "user": {"id": "U", "name": "drill", "real_name": "Drill", "locale": "en-US"}}).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
