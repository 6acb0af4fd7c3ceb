package io.outrigger.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Captures what the test logger (slf4j-simple, which writes to {@code System.err}) prints while it is
 * open, so tests can assert that a reason was logged. Lines matching {@code quiet} are counted but
 * not echoed (a fuzz run logs thousands of expected warnings).
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *     ...
 *     assertThat(logs.lines()).anyMatch(l -> l.contains("TLS handshake with"));
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger quieted = new AtomicInteger();
    private final Predicate<String> quiet;

    private LogCapture(Predicate<String> quiet) {
        this.quiet = quiet;
        System.setErr(new PrintStream(new LineSplitter(), true, StandardCharsets.UTF_8));
    }

    /** Captures and echoes every line. */
    public static LogCapture start() {
        return new LogCapture(line -> false);
    }

    /** Captures every line; echoes only those not matching {@code quiet}. */
    public static LogCapture quiet(Predicate<String> quiet) {
        return new LogCapture(quiet);
    }

    /** The lines logged so far. */
    public List<String> lines() {
        return lines;
    }

    /** The number of lines logged so far containing {@code text}. */
    public long count(String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    /** Lines captured but not echoed. */
    public int quieted() {
        return quieted.get();
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }

    private final class LineSplitter extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                lines.add(text);
                if (quiet.test(text)) {
                    quieted.incrementAndGet();
                } else {
                    original.println(text);
                }
            } else {
                line.write(b);
            }
        }
    }
}
