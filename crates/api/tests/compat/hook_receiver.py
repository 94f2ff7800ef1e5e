"""A system-hook receiver for the hook tests: records every delivery it
gets as one JSON line in a file, after verifying its Standard Webhooks
signature with the reference library (`standardwebhooks`) when a secret is
given, and answers 204 (or, while a file named by --fail-while exists, 500).

    python hook_receiver.py --log FILE [--port N] [--secret whsec_...] [--fail-while FILE]

Prints the port it listens on, then serves until killed.
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

args = argparse.ArgumentParser()
args.add_argument("--log", required=True)
args.add_argument("--port", type=int, default=0)
args.add_argument("--secret")
args.add_argument("--fail-while")
options = args.parse_args()
verifier = Webhook(options.secret) if options.secret else None
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        verified = None
        if verifier is not None:
            try:
                verifier.verify(body, headers)
                verified = True
            except WebhookVerificationError as e:
                verified = str(e)
        failing = options.fail_while and os.path.exists(options.fail_while)
        record = {
            "path": self.path,
            "headers": headers,
            "body": json.loads(body),
            "verified": verified,
            "answered": 500 if failing else 204,
        }
        with lock, open(options.log, "a") as log:
            log.write(json.dumps(record) + "\n")
        self.send_response(500 if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", options.port), Receiver)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
