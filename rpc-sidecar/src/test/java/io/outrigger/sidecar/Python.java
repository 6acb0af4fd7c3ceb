package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.outrigger.sidecar.internal.JsonText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the python3 scripts of {@code src/test/python}: the caller, and providers. */
final class Python {

    static final Path SCRIPTS = Path.of("src/test/python").toAbsolutePath();

    private Python() {}

    /** One request for {@code sidecar_caller.py}. */
    static final class Request {
        final Map<String, Object> fields = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();

        static Request post(String path, String contentType) {
            Request r = new Request();
            r.fields.put("method", "POST");
            r.fields.put("path", path);
            r.fields.put("content_type", contentType);
            return r;
        }

        static Request get(String path) {
            Request r = new Request();
            r.fields.put("method", "GET");
            r.fields.put("path", path);
            return r;
        }

        /** The body: an EchoRequest the python script encodes by hand. */
        Request echo(String text, long sleepMillis) {
            fields.put("echo", "{\"text\":" + JsonText.quote(text) + ",\"sleep_millis\":" + sleepMillis + "}");
            return this;
        }

        Request body(String text) {
            fields.put("body", JsonText.quote(text));
            return this;
        }

        Request bodyHex(String hex) {
            fields.put("body_hex", JsonText.quote(hex));
            return this;
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        String toJson() {
            StringBuilder sb = new StringBuilder("{");
            fields.forEach((k, v) -> {
                sb.append(sb.length() > 1 ? "," : "").append(JsonText.quote(k)).append(':');
                sb.append(
                        k.equals("echo") || k.equals("body") || k.equals("body_hex")
                                ? v
                                : JsonText.quote(String.valueOf(v)));
            });
            sb.append(",\"headers\":{");
            boolean first = true;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                sb.append(first ? "" : ",")
                        .append(JsonText.quote(h.getKey()))
                        .append(':')
                        .append(JsonText.quote(h.getValue()));
                first = false;
            }
            return sb.append("}}").toString();
        }
    }

    /** One answer printed by {@code sidecar_caller.py}. */
    record Answer(
            int status, Map<String, String> headers, String body, String bodyHex, String replyText, String replyData) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        /** The value of a string field of the JSON body. */
        String json(String field) {
            return Python.field(body, field);
        }
    }

    /** Runs the caller against the sidecar at {@code 127.0.0.1:httpPort}; all requests on one connection. */
    static List<Answer> call(int httpPort, Request... requests) throws Exception {
        StringBuilder input = new StringBuilder("[");
        for (int i = 0; i < requests.length; i++) {
            input.append(i == 0 ? "" : ",").append(requests[i].toJson());
        }
        input.append(']');
        Process p = new ProcessBuilder(
                        "python3", SCRIPTS.resolve("sidecar_caller.py").toString(), "127.0.0.1:" + httpPort)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("sidecar_caller.py exit status; output: %s", out)
                .isZero();
        ListValue.Builder list = ListValue.newBuilder();
        JsonFormat.parser().merge(out, list);
        List<Answer> answers = new ArrayList<>();
        for (Value v : list.getValuesList()) {
            Map<String, Value> f = v.getStructValue().getFieldsMap();
            Map<String, String> headers = new LinkedHashMap<>();
            f.get("headers").getStructValue().getFieldsMap().forEach((k, hv) -> headers.put(k, hv.getStringValue()));
            Struct reply = f.containsKey("reply") ? f.get("reply").getStructValue() : null;
            answers.add(new Answer(
                    (int) f.get("status").getNumberValue(),
                    headers,
                    f.get("body").getStringValue(),
                    f.get("body_hex").getStringValue(),
                    reply == null ? null : reply.getFieldsMap().get("text").getStringValue(),
                    reply == null ? null : reply.getFieldsMap().get("data").getStringValue()));
        }
        return answers;
    }

    /** A string field of a JSON object, or {@code null}. */
    static String field(String json, String field) {
        try {
            Struct.Builder s = Struct.newBuilder();
            JsonFormat.parser().merge(json, s);
            Value v = s.getFieldsMap().get(field);
            return v == null
                    ? null
                    : v.hasStringValue()
                            ? v.getStringValue()
                            : JsonFormat.printer().print(v);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** A python process serving test.EchoService on 127.0.0.1; {@link #close()} kills it. */
    static final class Provider implements AutoCloseable {
        final Process process;
        final int port;

        private Provider(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Provider start(String name) throws IOException {
            Process p = new ProcessBuilder(
                            "python3", SCRIPTS.resolve("echo_provider.py").toString(), name)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("LISTENING ")) {
                p.destroyForcibly();
                throw new IOException("echo_provider.py did not start: " + line);
            }
            return new Provider(
                    p, Integer.parseInt(line.substring("LISTENING ".length()).strip()));
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        /** {@code GET /control/stats}: echo calls answered, and abandoned by their caller while sleeping. */
        int stat(String name) throws Exception {
            return (int) Double.parseDouble(field(stats(), name));
        }

        String stats() throws Exception {
            var client = java.net.http.HttpClient.newHttpClient();
            return client.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url() + "/control/stats"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        }

        /** Makes {@code GET /health} answer 200 ({@code true}) or 503. */
        void healthy(boolean up) throws Exception {
            var client = java.net.http.HttpClient.newHttpClient();
            var response = client.send(
                    java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(url() + "/control/health?up=" + (up ? 1 : 0)))
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
