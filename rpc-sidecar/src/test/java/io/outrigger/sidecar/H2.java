package io.outrigger.sidecar;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HTTP/2 frames by hand, for tests that must send what a well-behaved client never would: a
 * trickled preface or header block, windows never opened, answers never read. HPACK is literals
 * without indexing only, so every header block stands alone.
 */
final class H2 {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int SETTINGS = 0x4;
    static final int GOAWAY = 0x7;
    static final int CONTINUATION = 0x9;
    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int INITIAL_WINDOW_SIZE = 0x4;
    static final int ENHANCE_YOUR_CALM = 0xb;

    private H2() {}

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(9 + payload.length);
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** One SETTINGS parameter. */
    static byte[] setting(int id, int value) {
        return new byte[] {
            (byte) (id >>> 8),
            (byte) id,
            (byte) (value >>> 24),
            (byte) (value >>> 16),
            (byte) (value >>> 8),
            (byte) value
        };
    }

    /** A header block of {@code name, value, ...}, each a literal without indexing (names under 127 bytes). */
    static byte[] headerBlock(String... namesAndValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.write(0x00);
            string(out, namesAndValues[i]);
            string(out, namesAndValues[i + 1]);
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < 127) {
            out.write(bytes.length);
        } else { // 7-bit prefix integer (RFC 7541, 5.1)
            out.write(127);
            int rest = bytes.length - 127;
            while (rest >= 128) {
                out.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            out.write(rest);
        }
        out.writeBytes(bytes);
    }

    /** The headers of a POST to {@code path}. */
    static byte[] postHeaders(String path, String contentType, int contentLength) {
        return headerBlock(
                ":method",
                "POST",
                ":scheme",
                "http",
                ":path",
                path,
                ":authority",
                "127.0.0.1",
                "content-type",
                contentType,
                "content-length",
                Integer.toString(contentLength));
    }

    /** HEADERS, then DATA frames of at most 16 KiB, the last ending the stream. */
    static byte[] post(int stream, String path, String contentType, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(HEADERS, END_HEADERS, stream, postHeaders(path, contentType, body.length)));
        int i = 0;
        do {
            int n = Math.min(16 * 1024, body.length - i);
            boolean last = i + n == body.length;
            out.writeBytes(frame(DATA, last ? END_STREAM : 0, stream, Arrays.copyOfRange(body, i, i + n)));
            i += n;
        } while (i < body.length);
        return out.toByteArray();
    }

    /** A frame read: its type, flags, stream and payload. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        /** A GOAWAY's error code. */
        int errorCode() {
            return (payload[4] & 0xff) << 24 | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8 | payload[7] & 0xff;
        }

        /** A GOAWAY's debug data. */
        String debugData() {
            return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        }
    }

    /** The next frame, or {@code null} when the connection ends. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[9];
        try {
            data.readFully(header);
        } catch (EOFException e) {
            return null;
        }
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
        byte[] payload = new byte[length];
        data.readFully(payload);
        int stream = (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
        return new Frame(header[3] & 0xff, header[4] & 0xff, stream, payload);
    }
}
