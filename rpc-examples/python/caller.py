#!/usr/bin/env python3
"""Calls demo.UserService through the Outrigger sidecar, with the Python standard library only.

    java -cp rpc-examples/target/rpc-examples.jar io.outrigger.examples.DemoServer 7001 &
    java -jar rpc-sidecar/target/rpc-sidecar.jar --static demo.UserService=127.0.0.1:7001 &
    python3 rpc-examples/python/caller.py [SIDECAR_HOST:PORT]

It sends the request twice: as protobuf bytes (encoded by hand here, since the standard library
has no protobuf; a real app would use its generated classes) and as JSON.
"""
import json
import sys
import urllib.error
import urllib.request

SIDECAR = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:15001"


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


def decode_user(buf):
    """demo.User {int64 id = 1; string name = 2; string email = 3; repeated string roles = 4;}"""
    user, i = {"roles": []}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
            if number == 1:
                user["id"] = value
        elif wire == 2:
            length, i = read_varint(buf, i)
            text = buf[i:i + length].decode("utf-8")
            i += length
            if number == 4:
                user["roles"].append(text)
            else:
                user[{2: "name", 3: "email"}.get(number, "field%d" % number)] = text
    return user


def call(method, body, content_type, timeout_ms=2000):
    request = urllib.request.Request(
        "http://%s/rpc/demo.UserService/%s" % (SIDECAR, method),
        data=body,
        headers={"Content-Type": content_type, "X-Outrigger-Timeout-Ms": str(timeout_ms),
                 "X-Outrigger-Meta-Caller": "python-example"},
        method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers["X-Outrigger-Status"], response.read()
    except urllib.error.HTTPError as e:  # 4xx/5xx: the body is {"status": ..., "message": ...}
        return e.code, e.headers["X-Outrigger-Status"], e.read()


status, code, body = call("getUser", b"\x08" + varint(1), "application/x-protobuf")  # GetUserRequest{id: 1}
print("protobuf:", status, code, decode_user(body) if status == 200 else body.decode())

status, code, body = call("getUser", json.dumps({"id": 2}).encode(), "application/json")
print("json:    ", status, code, body.decode())

status, code, body = call("getUser", json.dumps({"id": 0}).encode(), "application/json")
print("missing: ", status, code, body.decode())  # 404 NOT_FOUND from the provider
