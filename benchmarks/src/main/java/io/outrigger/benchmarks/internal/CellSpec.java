package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Workload;
import java.util.Locale;

/**
 * What one cell measures, as the orchestrator hands it to a client JVM ({@code --cells}) and as
 * the report groups results. Four kinds:
 *
 * <ul>
 *   <li>{@code closed:getUser:128:4}: a closed loop, 128 calls in flight spread over 4 connections;
 *   <li>{@code open:getUser:50%} (a share of the highest closed-loop calls/s of that workload on one
 *       connection, measured earlier in the same client JVM) or {@code open:getUser:20000/s}: an
 *       open loop at a fixed arrival rate;
 *   <li>{@code idle:1000}: 1,000 connections that carry no calls, for the server's memory per
 *       connection;
 *   <li>{@code stream:stream-small:8}: a {@link StreamWorkload} on that many streams at once, each
 *       opened again when it ends.
 * </ul>
 *
 * @param workload the unary workload, or {@code null} (idle, stream)
 * @param concurrency calls in flight (closed), the cap on calls in flight (open), 0 (idle), streams
 *     open at once (stream)
 * @param connections connections the calls spread over, or the idle connections to open
 * @param ratePercent the open loop's rate as a percentage of the measured maximum, or NaN
 * @param rate the open loop's absolute rate in calls/s, or NaN
 * @param stream the streaming workload, or {@code null} (every kind but stream)
 */
record CellSpec(
        Kind kind,
        Workload workload,
        int concurrency,
        int connections,
        double ratePercent,
        double rate,
        StreamWorkload stream) {

    /** The four kinds of cell. */
    enum Kind {
        CLOSED,
        OPEN,
        IDLE,
        STREAM
    }

    /** Calls in flight an open loop allows at most before it waits (latency still counts from the schedule). */
    static final int OPEN_LOOP_MAX_IN_FLIGHT = 1024;

    static CellSpec closed(Workload workload, int concurrency, int connections) {
        return new CellSpec(Kind.CLOSED, workload, concurrency, connections, Double.NaN, Double.NaN, null);
    }

    static CellSpec openPercent(Workload workload, double percent) {
        return new CellSpec(Kind.OPEN, workload, OPEN_LOOP_MAX_IN_FLIGHT, 1, percent, Double.NaN, null);
    }

    static CellSpec openRate(Workload workload, double callsPerSecond) {
        return new CellSpec(Kind.OPEN, workload, OPEN_LOOP_MAX_IN_FLIGHT, 1, Double.NaN, callsPerSecond, null);
    }

    static CellSpec idle(int connections) {
        return new CellSpec(Kind.IDLE, null, 0, connections, Double.NaN, Double.NaN, null);
    }

    /** {@code streams} streams of {@code stream} open at once, each opened again when it ends. */
    static CellSpec stream(StreamWorkload stream, int streams) {
        return new CellSpec(Kind.STREAM, null, streams, 1, Double.NaN, Double.NaN, stream);
    }

    /** The label of the workload measured, unary or streaming ({@code ""} for an idle cell). */
    String workloadLabel() {
        return workload != null ? workload.label() : stream != null ? stream.label() : "";
    }

    /** The form used on the command line and as the report's key, e.g. {@code closed:getUser:128:4}. */
    String text() {
        return switch (kind) {
            case CLOSED -> "closed:" + workload.label() + ":" + concurrency + ":" + connections;
            case OPEN ->
                "open:" + workload.label() + ":"
                        + (Double.isNaN(ratePercent) ? number(rate) + "/s" : number(ratePercent) + "%");
            case IDLE -> "idle:" + connections;
            case STREAM -> "stream:" + stream.label() + ":" + concurrency;
        };
    }

    /** A heading for the report, e.g. {@code getUser ×128, 4 connections}. */
    String title() {
        return switch (kind) {
            case CLOSED ->
                workload.label() + " ×" + concurrency + (connections == 1 ? "" : ", " + connections + " connections");
            case OPEN ->
                workload.label() + " open loop at "
                        + (Double.isNaN(ratePercent) ? number(rate) + " calls/s" : number(ratePercent) + "% of max");
            case IDLE -> connections + " idle connections";
            case STREAM -> stream.label() + " ×" + concurrency + (concurrency == 1 ? " stream" : " streams");
        };
    }

    static CellSpec parse(String text) {
        String[] parts = text.split(":");
        try {
            switch (parts[0]) {
                case "closed":
                    return closed(
                            Workload.parse(parts[1]),
                            Integer.parseInt(parts[2]),
                            parts.length > 3 ? Integer.parseInt(parts[3]) : 1);
                case "open":
                    if (parts[2].endsWith("%")) {
                        return openPercent(
                                Workload.parse(parts[1]),
                                Double.parseDouble(parts[2].substring(0, parts[2].length() - 1)));
                    }
                    return openRate(Workload.parse(parts[1]), Double.parseDouble(parts[2].replace("/s", "")));
                case "idle":
                    return idle(Integer.parseInt(parts[1]));
                case "stream":
                    return stream(StreamWorkload.parse(parts[1]), parts.length > 2 ? Integer.parseInt(parts[2]) : 1);
                default:
                    // workload:concurrency, the form before there were kinds.
                    return closed(Workload.parse(parts[0]), Integer.parseInt(parts[1]), 1);
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    "cell: " + text + " (expected: closed:WORKLOAD:IN_FLIGHT:CONNECTIONS, open:WORKLOAD:50% or"
                            + " open:WORKLOAD:20000/s, idle:CONNECTIONS, stream:STREAM_WORKLOAD:STREAMS)",
                    e);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
