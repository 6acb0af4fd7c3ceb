package io.outrigger.sidecar;

import io.outrigger.serialization.testing.proto.EchoRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of HTTP/1.1 traffic for the sidecar's endpoint: well-formed calls mixed with
 * lying {@code Content-Length}s, truncated request lines and headers, huge headers, bad chunked
 * encoding, invalid methods, paths and percent-encoding, unknown services and methods, wrong content
 * types, bad {@code X-Outrigger-*} headers, flipped bits and garbage.
 *
 * <p>Traffic comes in batches, one per connection: up to 20 requests sent pipelined. Batch {@code
 * i} of seed {@code s} is always the same bytes. Each request says what the sidecar must answer
 * ({@link Expect}); a request whose length the server cannot know (a lie, a cut, garbage) is only
 * ever the last of its batch.
 */
final class HttpFuzzer {

    static final String SERVICE = "test.EchoService";

    /** What the sidecar must do with a request. */
    enum Expect {
        /** Answer 200. */
        OK,
        /** Answer 4xx with the JSON error shape. */
        ERROR,
        /** Answer 4xx with the JSON error shape, or close the connection. */
        ERROR_OR_CLOSE,
        /** Anything well-formed (a 200 included: a flipped bit may leave a valid request), or close. */
        ANY
    }

    /**
     * One request.
     *
     * @param kind what was generated, for the figures and failure reports
     * @param echoText the text a 200 must echo, or {@code null}
     * @param last whether the server cannot know where it ends (it must be the last of its batch)
     */
    record Request(String kind, byte[] bytes, Expect expect, String echoText, boolean json, boolean last) {}

    /** One connection's worth of requests. */
    record Batch(long index, List<Request> requests) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            requests.forEach(r -> out.writeBytes(r.bytes()));
            return out.toByteArray();
        }
    }

    private final long seed;
    private final int maxBodyBytes;

    HttpFuzzer(long seed, int maxBodyBytes) {
        this.seed = seed;
        this.maxBodyBytes = maxBodyBytes;
    }

    Batch batch(long index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        int n = 1 + r.nextInt(20);
        List<Request> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Request q = request(r, i == n - 1);
            requests.add(q);
            if (q.last()) {
                break;
            }
        }
        return new Batch(index, requests);
    }

    private Request request(Random r, boolean mayBeLast) {
        int roll = r.nextInt(mayBeLast ? 100 : 70);
        // 0..69: requests the server can find the end of; 70..99: only ever last in a batch.
        if (roll < 22) {
            return validProtobuf(r, "valid-protobuf");
        }
        if (roll < 26) {
            String text = text(r, 1 + r.nextInt(40));
            return new Request(
                    "valid-json",
                    raw(
                            "POST",
                            "/rpc/" + SERVICE + "/echo",
                            "application/json",
                            List.of(),
                            json("{\"text\":\"" + text + "\"}")),
                    Expect.OK,
                    text,
                    true,
                    false);
        }
        if (roll < 29) {
            return validChunked(r);
        }
        if (roll < 31) {
            return new Request(
                    "health", raw("GET", "/health", null, List.of(), new byte[0]), Expect.OK, null, false, false);
        }
        if (roll < 33) {
            String text = text(r, 8);
            return new Request(
                    "expect-100-continue",
                    raw(
                            "POST",
                            "/rpc/" + SERVICE + "/echo",
                            "application/x-protobuf",
                            List.of("Expect: 100-continue"),
                            echo(text)),
                    Expect.OK,
                    text,
                    false,
                    false);
        }
        if (roll < 37) {
            String service = "fuzz.Unknown" + r.nextInt(200);
            return error(
                    "unknown-service",
                    raw("POST", "/rpc/" + service + "/m", "application/x-protobuf", List.of(), echo("x")));
        }
        if (roll < 40) {
            return error(
                    "unknown-method",
                    raw(
                            "POST",
                            "/rpc/" + SERVICE + "/no" + text(r, 6),
                            "application/x-protobuf",
                            List.of(),
                            echo("x")));
        }
        if (roll < 44) {
            String[] types = {null, "text/plain", "application/xml", "application/x-protobuf-ish", "*/*", "json", ""};
            String type = types[r.nextInt(types.length)];
            return error("wrong-content-type", raw("POST", "/rpc/" + SERVICE + "/echo", type, List.of(), echo("x")));
        }
        if (roll < 47) {
            String[] bodies = {"{", "{\"text\":", "[1,2]", "{\"nosuchfield\":1}", "\u00ff\u00fe", "null"};
            return error(
                    "bad-json",
                    raw(
                            "POST",
                            "/rpc/" + SERVICE + "/echo",
                            "application/json",
                            List.of(),
                            json(bodies[r.nextInt(bodies.length)])));
        }
        if (roll < 50) {
            String[] headers = {
                "X-Outrigger-Timeout-Ms: abc",
                "X-Outrigger-Timeout-Ms: -1",
                "X-Outrigger-Timeout-Ms: 0",
                "X-Outrigger-Timeout-Ms: 99999999999999999999",
                "X-Outrigger-Meta-Bad!Name: v",
                "X-Outrigger-Meta-: v",
                "traceparent: 00-zz-zz-zz"
            };
            String h = headers[r.nextInt(headers.length)];
            // A malformed trace header is ignored by the propagator: the call may succeed.
            Expect expect = h.startsWith("traceparent") ? Expect.ANY : Expect.ERROR;
            return new Request(
                    "bad-outrigger-header",
                    raw("POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", List.of(h), echo("x")),
                    expect,
                    null,
                    false,
                    false);
        }
        if (roll < 53) {
            String[][] wrong = {
                {"GET", "/rpc/" + SERVICE + "/echo"},
                {"PUT", "/rpc/" + SERVICE + "/echo"},
                {"DELETE", "/health"},
                {"POST", "/health"},
                {"PATCH", "/admin"},
                {"OPTIONS", "/rpc/a/b"}
            };
            String[] w = wrong[r.nextInt(wrong.length)];
            return error("wrong-http-method", raw(w[0], w[1], "application/x-protobuf", List.of(), echo("x")));
        }
        if (roll < 56) {
            String[] methods = {"P@ST", "GE T", "\u0001POST", "POST\u007f", "", "ÄÖÜ"};
            return new Request(
                    "invalid-http-method",
                    raw(
                            methods[r.nextInt(methods.length)],
                            "/rpc/" + SERVICE + "/echo",
                            "application/x-protobuf",
                            List.of(),
                            echo("x")),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        if (roll < 61) {
            String[] paths = {
                "/rpc/%zz/echo",
                "/rpc/" + SERVICE + "/echo%",
                "/rpc/%E0%A4%A/x",
                "/rpc//echo",
                "/rpc/" + SERVICE + "/",
                "/rpc/a/b/c",
                "/rpc/" + "s".repeat(300) + "/m",
                "/rpc/bad%00name/m",
                "/rpc/bad name/m",
                "*",
                "http://127.0.0.1/rpc/x/y",
                "/../../etc/passwd",
                "/%2e%2e/%2e%2e",
                "/rpc/\u00e9t\u00e9/m",
                "/rpc/a%2Fb/m",
                "/rpc/outrigger.descriptors/x"
            };
            String path = paths[r.nextInt(paths.length)];
            return new Request(
                    "bad-path",
                    raw("POST", path, "application/x-protobuf", List.of(), echo("x")),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        if (roll < 64) {
            List<String> headers = new ArrayList<>();
            if (r.nextBoolean()) {
                headers.add("X-Big: " + "a".repeat(16 * 1024 + r.nextInt(2048)));
            } else {
                for (int i = 0; i < 1000; i++) {
                    headers.add("X-Header-Number-" + i + ": v");
                }
            }
            return new Request(
                    "huge-headers",
                    raw("POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", headers, echo("x")),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        if (roll < 66) {
            return new Request(
                    "huge-request-line",
                    raw("GET", "/rpc/" + "x".repeat(5000 + r.nextInt(5000)) + "/m", null, List.of(), new byte[0]),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        if (roll < 68) {
            String[] lengths = {
                "Content-Length: abc",
                "Content-Length: -5",
                "Content-Length: 1, 2",
                "Content-Length: 99999999999999999999999"
            };
            String h = lengths[r.nextInt(lengths.length)];
            return new Request(
                    "bad-content-length",
                    rawNoLength("POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", List.of(h), echo("x")),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        if (roll < 70) {
            byte[] body = new byte[maxBodyBytes + 1 + r.nextInt(4096)];
            r.nextBytes(body);
            return new Request(
                    "body-over-limit",
                    raw("POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", List.of(), body),
                    Expect.ERROR_OR_CLOSE,
                    null,
                    false,
                    false);
        }
        // Only ever last: the server cannot know where these end.
        if (roll < 74) {
            byte[] body = echo(text(r, 10));
            int declared = r.nextBoolean() ? body.length + 1 + r.nextInt(100) : r.nextInt(body.length);
            return last(
                    "lying-content-length",
                    rawNoLength(
                            "POST",
                            "/rpc/" + SERVICE + "/echo",
                            "application/x-protobuf",
                            List.of("Content-Length: " + declared),
                            body));
        }
        if (roll < 78) {
            return last("bad-chunked", badChunked(r));
        }
        if (roll < 84) {
            byte[] valid = validProtobuf(r, "x").bytes();
            byte[] cut = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
            return last("truncated", cut);
        }
        if (roll < 89) {
            byte[] valid = validProtobuf(r, "x").bytes();
            int flips = 1 + r.nextInt(8);
            for (int i = 0; i < flips; i++) {
                valid[r.nextInt(valid.length)] ^= (byte) (1 << r.nextInt(8));
            }
            return last("bit-flip", valid);
        }
        if (roll < 94) {
            byte[] garbage = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? 8192 : 1024)];
            r.nextBytes(garbage);
            if (r.nextBoolean()) {
                byte[] start = "POST /rpc/test.EchoService/echo HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(start, 0, garbage, 0, Math.min(start.length, garbage.length));
            }
            return last("garbage", garbage);
        }
        if (roll < 97) {
            String text = text(r, 5);
            return new Request(
                    "http-1.0", raw10("POST", "/rpc/" + SERVICE + "/echo", echo(text)), Expect.OK, text, false, true);
        }
        return new Request(
                "over-limit-declared",
                rawNoLength(
                        "POST",
                        "/rpc/" + SERVICE + "/echo",
                        "application/x-protobuf",
                        List.of("Content-Length: " + (maxBodyBytes + 1L + r.nextInt(1 << 30))),
                        new byte[r.nextInt(100)]),
                Expect.ERROR,
                null,
                false,
                true);
    }

    private Request validProtobuf(Random r, String kind) {
        String text = text(r, r.nextInt(4) == 0 ? 1 + r.nextInt(4000) : 1 + r.nextInt(40));
        List<String> headers = new ArrayList<>();
        if (r.nextInt(4) == 0) {
            headers.add("X-Outrigger-Timeout-Ms: " + (10_000 + r.nextInt(20_000)));
        }
        if (r.nextInt(4) == 0) {
            headers.add("X-Outrigger-Meta-Tenant: t" + r.nextInt(10));
        }
        if (r.nextInt(8) == 0) {
            headers.add("X-Unknown-" + r.nextInt(100) + ": " + text(r, 20));
        }
        String type = r.nextInt(6) == 0 ? "Application/X-Protobuf; charset=binary" : "application/x-protobuf";
        return new Request(
                kind,
                raw("POST", "/rpc/" + SERVICE + "/echo", type, headers, echo(text)),
                Expect.OK,
                text,
                false,
                false);
    }

    private Request validChunked(Random r) {
        String text = text(r, 1 + r.nextInt(200));
        byte[] body = echo(text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(
                "POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", List.of("Transfer-Encoding: chunked")));
        int i = 0;
        while (i < body.length) {
            int n = Math.min(body.length - i, 1 + r.nextInt(32));
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, i, n);
            out.writeBytes(crlf());
            i += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return new Request("valid-chunked", out.toByteArray(), Expect.OK, text, false, false);
    }

    private static byte[] badChunked(Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(
                "POST", "/rpc/" + SERVICE + "/echo", "application/x-protobuf", List.of("Transfer-Encoding: chunked")));
        String[] bad = {
            "zz\r\nabc\r\n0\r\n\r\n",
            "5\r\nab\r\n0\r\n\r\n",
            "ffffffffffff\r\nab",
            "3\r\nabcdef\r\n0\r\n\r\n",
            "-1\r\n\r\n",
            "3;ext=\u0001\r\nabc\r\n0\r\n\r\n",
            "3\r\nabc",
            "\r\n\r\n",
            "0\r\nX-Trailer: " + "t".repeat(20_000) + "\r\n\r\n"
        };
        out.writeBytes(bad[r.nextInt(bad.length)].getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static Request error(String kind, byte[] bytes) {
        return new Request(kind, bytes, Expect.ERROR, null, false, false);
    }

    private static Request last(String kind, byte[] bytes) {
        return new Request(kind, bytes, Expect.ANY, null, false, true);
    }

    static byte[] echo(String text) {
        return EchoRequest.newBuilder().setText(text).build().toByteArray();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Random r, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    private static byte[] raw(String method, String target, String contentType, List<String> headers, byte[] body) {
        List<String> h = new ArrayList<>(headers);
        h.add("Content-Length: " + body.length);
        return rawNoLength(method, target, contentType, h, body);
    }

    private static byte[] rawNoLength(
            String method, String target, String contentType, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(method, target, contentType, headers));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] raw10(String method, String target, byte[] body) {
        String head = method + " " + target + " HTTP/1.0\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] head(String method, String target, String contentType, List<String> headers) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        headers.forEach(h -> sb.append(h).append("\r\n"));
        sb.append("\r\n");
        // ISO-8859-1 keeps the fuzzed non-ASCII characters as single bytes, as a careless client would send them.
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] crlf() {
        return new byte[] {'\r', '\n'};
    }
}
