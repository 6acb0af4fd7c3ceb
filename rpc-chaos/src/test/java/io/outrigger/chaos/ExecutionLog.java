package io.outrigger.chaos;

import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The echo service, writing down at the provider each execution of the call that is not idempotent
 * ({@code echoAsync}): one line with the request's text per execution, written before the service
 * runs, with one {@code write} each, so it survives a {@code kill -9} of the provider's JVM. The
 * scenarios read every provider's file at the end: a text found twice is a call that ran twice.
 */
final class ExecutionLog implements EchoService, AutoCloseable {

    private final EchoService delegate = new EchoServiceImpl();
    private final FileChannel out;

    /** Appends to {@code file} (created if missing). */
    ExecutionLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        this.out =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public EchoReply echo(EchoRequest request) {
        return delegate.echo(request);
    }

    @Override
    public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
        record(request.getText());
        return delegate.echoAsync(request);
    }

    @Override
    public EchoReply fail(EchoRequest request) {
        return delegate.fail(request);
    }

    private synchronized void record(String text) {
        try {
            out.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** What the execution files of a scenario say. */
    record Count(long executions, long distinct, List<String> duplicated) {
        @Override
        public String toString() {
            return "executions=" + executions + " distinct=" + distinct + " duplicated=" + duplicated.size()
                    + (duplicated.isEmpty() ? "" : " e.g. " + duplicated.subList(0, Math.min(5, duplicated.size())));
        }
    }

    /** Counts the executions written in {@code files} (missing files hold none). */
    static Count count(Collection<Path> files) throws IOException {
        Map<String, Integer> times = new HashMap<>();
        long executions = 0;
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isEmpty()) {
                    times.merge(line, 1, Integer::sum);
                    executions++;
                }
            }
        }
        List<String> duplicated = new ArrayList<>();
        times.forEach((text, n) -> {
            if (n > 1) {
                duplicated.add(text + " x" + n);
            }
        });
        return new Count(executions, times.size(), duplicated);
    }
}
