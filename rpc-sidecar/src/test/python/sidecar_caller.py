#!/usr/bin/env python3
"""A non-Java caller of the Outrigger sidecar, standard library only (used by the Java tests).

Reads a JSON list of requests on stdin, sends them in order over one keep-alive HTTP/1.1
connection, and prints a JSON list of answers on stdout. A request:

  {"method": "POST", "path": "/rpc/test.EchoService/echo",
   "content_type": "application/x-protobuf", "headers": {"X-Outrigger-Timeout-Ms": "500"},
   "echo": {"text": "hi", "sleep_millis": 0}}      # body: an EchoRequest encoded by hand
   or "body": "text sent as UTF-8", or "body_hex": "0a02..."

An answer: {"status": 200, "headers": {lowercase name: value}, "body": "...",
            "reply": {"text": ..., "data": ...}}  # reply: the EchoReply decoded by hand

python has no protobuf library here, so the tiny messages are encoded and decoded by hand:
EchoRequest {string text = 1; bytes data = 2; int64 sleep_millis = 3;}, EchoReply {text = 1; data = 2}.
"""
import http.client
import json
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode_echo_request(text, data=b"", sleep_millis=0):
    out = bytearray()
    t = text.encode("utf-8")
    if t:
        out += b"\x0a" + varint(len(t)) + t  # field 1, wire type 2 (length-delimited)
    if data:
        out += b"\x12" + varint(len(data)) + data  # field 2, wire type 2
    if sleep_millis:
        out += b"\x18" + varint(sleep_millis)  # field 3, wire type 0 (varint)
    return bytes(out)


def read_varint(buf, i):
    shift = 0
    n = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def decode_echo_reply(buf):
    fields = {"text": "", "data": ""}
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, i = read_varint(buf, i)
            value = bytes(buf[i:i + length])
            i += length
            if number == 1:
                fields["text"] = value.decode("utf-8")
            elif number == 2:
                fields["data"] = value.decode("utf-8", "replace")
        elif wire == 0:
            _, i = read_varint(buf, i)
        else:
            raise ValueError("unexpected wire type %d" % wire)
    return fields


def main():
    base = sys.argv[1]  # host:port of the sidecar's HTTP endpoint
    host, port = base.rsplit(":", 1)
    requests = json.load(sys.stdin)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    answers = []
    for r in requests:
        if "echo" in r:
            e = r["echo"]
            body = encode_echo_request(e.get("text", ""), e.get("data", "").encode(), e.get("sleep_millis", 0))
        elif "body_hex" in r:
            body = bytes.fromhex(r["body_hex"])
        else:
            body = r.get("body", "").encode("utf-8")
        headers = dict(r.get("headers", {}))
        if r.get("content_type"):
            headers["Content-Type"] = r["content_type"]
        conn.request(r.get("method", "POST"), r["path"], body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        answer = {
            "status": response.status,
            "headers": {k.lower(): v for k, v in response.getheaders()},
            "body": raw.decode("utf-8", "replace"),
            "body_hex": raw.hex(),
        }
        ctype = response.getheader("Content-Type", "")
        if response.status == 200 and ctype.startswith("application/x-protobuf"):
            answer["reply"] = decode_echo_reply(raw)
        answers.append(answer)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.close()
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
