#!/usr/bin/env python3
"""Serves demo.UserService behind an Outrigger sidecar, with the Python standard library only.

    python3 rpc-examples/python/provider.py 8080 &
    java -jar rpc-sidecar/target/rpc-sidecar.jar --http 127.0.0.1:15011 --rpc 127.0.0.1:15002 \\
        --export demo.UserService=http://127.0.0.1:8080 &

The sidecar registers demo.UserService with its --rpc address while GET /health answers 2xx,
and forwards each call as POST /demo.UserService/{method} with the protobuf request bytes; the
200 body is the reply. Errors use the JSON shape {"status": "NOT_FOUND", "message": "..."}.
Call it from Java with the registry, or through a second sidecar:

    java -jar rpc-sidecar/target/rpc-sidecar.jar --static demo.UserService=127.0.0.1:15002 &
    python3 rpc-examples/python/caller.py 127.0.0.1:15001
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080


def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def string_field(number, text):
    data = text.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(data)) + data


def get_user(body):
    user_id, i = 0, 0  # GetUserRequest {int64 id = 1;}
    while i < len(body):
        key, i = read_varint(body, i)
        value, i = read_varint(body, i)
        if key == 0x08:
            user_id = value
    if not 1 <= user_id <= 1000:
        return 404, json.dumps({"status": "NOT_FOUND", "message": "no user with id %d" % user_id}).encode()
    user = (b"\x08" + varint(user_id) + string_field(2, "py-user-%d" % user_id)
            + string_field(3, "py-user-%d@example.com" % user_id) + string_field(4, "served-by-python"))
    return 200, user


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the sidecar reuses connections

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self.reply(200, b'{"status":"UP"}', "application/json")
        else:
            self.reply(404, b'{"status":"NOT_FOUND","message":"no such path"}', "application/json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/demo.UserService/getUser":
            status, reply = get_user(body)
            self.reply(status, reply, "application/x-protobuf" if status == 200 else "application/json")
        else:
            message = json.dumps({"status": "UNIMPLEMENTED", "message": "no method " + self.path}).encode()
            self.reply(404, message, "application/json")


if __name__ == "__main__":
    print("demo.UserService in python on 127.0.0.1:%d" % PORT, flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
