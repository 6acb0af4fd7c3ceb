#!/usr/bin/env python3
"""A non-Java provider of test.EchoService behind an inbound sidecar, standard library only.

Prints "LISTENING <port>" once it serves on 127.0.0.1. Routes:
  GET  /health                       200, or 503 after POST /control/health?up=0 (until ?up=1)
  POST /test.EchoService/echo        EchoRequest -> EchoReply(text, data = JSON of
                                     {"provider": NAME, "headers": the X-Outrigger-* and trace headers})
  POST /test.EchoService/fail        403 {"status": "PERMISSION_DENIED", "message": "denied: TEXT"}
  POST /test.EchoService/teapot      418 with a plain-text body
  GET  /control/stats                {"started": echo calls received, "calls": echo calls answered,
                                     "abandoned": echo calls whose caller closed the connection while
                                     they slept (they are not answered)}
  anything else                      404 {"status": "UNIMPLEMENTED", ...}
"""
import json
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from sidecar_caller import read_varint, varint  # noqa: E402

NAME = sys.argv[1] if len(sys.argv) > 1 else "python"
STATE = {"up": True, "started": 0, "calls": 0, "abandoned": 0}
LOCK = threading.Lock()


def decode_echo_request(buf):
    text, data, sleep_millis = "", b"", 0
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, i = read_varint(buf, i)
            value = bytes(buf[i:i + length])
            i += length
            if number == 1:
                text = value.decode("utf-8")
            elif number == 2:
                data = value
        elif wire == 0:
            value, i = read_varint(buf, i)
            if number == 3:
                sleep_millis = value
        else:
            raise ValueError("unexpected wire type %d" % wire)
    return text, data, sleep_millis


def encode_echo_reply(text, data):
    t = text.encode("utf-8")
    return b"\x0a" + varint(len(t)) + t + b"\x12" + varint(len(data)) + data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the sidecar reuses its connections

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def caller_left(self):
        """Whether the caller closed the connection (readable with nothing to read)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

    def sleep_unless_abandoned(self, millis):
        """Sleeps in slices; False as soon as the caller is gone."""
        end = time.monotonic() + millis / 1000.0
        while time.monotonic() < end:
            if self.caller_left():
                return False
            time.sleep(0.01)
        return True

    def do_GET(self):
        if self.path == "/control/stats":
            with LOCK:
                stats = {k: STATE[k] for k in ("started", "calls", "abandoned")}
            self.send(200, json.dumps(stats).encode())
            return
        if self.path == "/health":
            if STATE["up"]:
                self.send(200, b'{"status":"UP"}')
            else:
                self.send(503, b'{"status":"DOWN"}')
        else:
            self.send(404, b'{"status":"NOT_FOUND","message":"no such path"}')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/control/health"):
            STATE["up"] = self.path.endswith("up=1")
            self.send(200, b"{}")
            return
        if self.path == "/test.EchoService/echo":
            if self.headers.get("Content-Type") != "application/x-protobuf":
                self.send(415, b'{"status":"INVALID_ARGUMENT","message":"expected protobuf"}')
                return
            text, _, sleep_millis = decode_echo_request(body)
            with LOCK:
                STATE["started"] += 1
            if sleep_millis and not self.sleep_unless_abandoned(sleep_millis):
                with LOCK:
                    STATE["abandoned"] += 1
                self.close_connection = True
                return
            with LOCK:
                STATE["calls"] += 1
            seen = {k.lower(): v for k, v in self.headers.items()
                    if k.lower().startswith("x-outrigger-") or k.lower() in ("traceparent", "tracestate")}
            data = json.dumps({"provider": NAME, "headers": seen}).encode()
            self.send(200, encode_echo_reply(text, data), "application/x-protobuf")
        elif self.path == "/test.EchoService/fail":
            text, _, _ = decode_echo_request(body)
            self.send(403, json.dumps({"status": "PERMISSION_DENIED", "message": "denied: " + text}).encode())
        elif self.path == "/test.EchoService/teapot":
            self.send(418, b"I'm a teapot", "text/plain")
        else:
            self.send(404, json.dumps({"status": "UNIMPLEMENTED", "message": "no route " + self.path}).encode())


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("LISTENING %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
