package io.outrigger.sidecar.internal;

/**
 * A {@code HOST:PORT} pair, IPv6 hosts in brackets ({@code [::1]:15001}).
 *
 * @param host the host, without brackets
 * @param port 0..65535 (0: any free port)
 */
public record HostPort(String host, int port) {

    /**
     * Parses {@code text}.
     *
     * @param what the flag or setting, for the error message
     * @throws IllegalArgumentException saying what was expected
     */
    public static HostPort parse(String what, String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw bad(what, text);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw bad(what, text);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw bad(what, text);
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw bad(what, text);
        }
        return new HostPort(host, port);
    }

    private static IllegalArgumentException bad(String what, String text) {
        return new IllegalArgumentException(
                what + ": \"" + text + "\" (expected: HOST:PORT, e.g. 127.0.0.1:15001; port 0..65535)");
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
