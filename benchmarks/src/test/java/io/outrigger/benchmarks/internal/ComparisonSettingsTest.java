package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Workload;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonSettingsTest {

    private static Comparison.Settings settings(
            List<Workload> workloads,
            List<Integer> concurrency,
            List<Integer> connections,
            List<Workload> payloads,
            List<Double> openLoopPercents) {
        return settings(workloads, concurrency, connections, payloads, openLoopPercents, List.of());
    }

    private static Comparison.Settings settings(
            List<Workload> workloads,
            List<Integer> concurrency,
            List<Integer> connections,
            List<Workload> payloads,
            List<Double> openLoopPercents,
            List<StreamWorkload> streams) {
        return new Comparison.Settings(
                List.of("netty"),
                workloads,
                concurrency,
                connections,
                payloads,
                32,
                openLoopPercents,
                List.of(),
                0,
                streams,
                List.of(1, 8),
                1,
                0,
                0,
                0,
                "off",
                Path.of("results"),
                Path.of("work"),
                "java",
                List.of(),
                1,
                "test",
                "");
    }

    @Test
    void theDefaultCellsAreEveryWorkloadAtEveryConcurrencyOnOneConnection() {
        Comparison.Settings s = settings(
                List.of(Workload.GET_USER, Workload.ECHO_1K), List.of(32, 128), List.of(1), List.of(), List.of());

        assertThat(s.closedCells())
                .extracting(CellSpec::text)
                .containsExactly(
                        "closed:getUser:32:1", "closed:getUser:128:1", "closed:echo1k:32:1", "closed:echo1k:128:1");
        assertThat(s.openCells()).isEmpty();
        assertThat(s.loadCells()).isEqualTo(4);
    }

    @Test
    void addsConnectionsNoMoreThanTheCallsInFlightPayloadsWithoutDuplicatesAndOpenLoopsLast() {
        Comparison.Settings s = settings(
                List.of(Workload.GET_USER),
                List.of(1, 32, 128),
                List.of(1, 4, 64),
                List.of(Workload.ECHO_1K, Workload.ECHO_1M),
                List.of(50.0, 80.0));

        assertThat(s.closedCells())
                .extracting(CellSpec::text)
                .containsExactly(
                        "closed:getUser:1:1",
                        "closed:getUser:32:1",
                        "closed:getUser:128:1",
                        "closed:getUser:32:4",
                        "closed:getUser:128:4",
                        "closed:getUser:128:64",
                        "closed:echo1k:32:1",
                        "closed:echo1m:32:1");
        assertThat(s.openCells()).extracting(CellSpec::text).containsExactly("open:getUser:50%", "open:getUser:80%");
    }

    @Test
    void streamingCellsComeAfterTheClosedOnesServerStreamsAtEveryCountTheOthersOnOneStream() {
        Comparison.Settings s = settings(
                List.of(Workload.GET_USER),
                List.of(32),
                List.of(1),
                List.of(),
                List.of(),
                List.of(
                        StreamWorkload.STREAM_SMALL,
                        StreamWorkload.PING_PONG,
                        StreamWorkload.UPLOAD_1M,
                        StreamWorkload.STREAM_USER));

        assertThat(s.streamCells())
                .extracting(CellSpec::text)
                .containsExactly(
                        "stream:stream-small:1",
                        "stream:stream-small:8",
                        "stream:pingpong:1",
                        "stream:upload1m:1",
                        "stream:stream-user:1",
                        "stream:stream-user:8");
        assertThat(s.loadCells()).isEqualTo(7);
    }

    @Test
    void withoutStreamsTheCellsAreTheSameAsBefore() {
        Comparison.Settings s =
                settings(List.of(Workload.GET_USER), List.of(32), List.of(1), List.of(), List.of(), List.of());

        assertThat(s.streamCells()).isEmpty();
        assertThat(s.loadCells()).isEqualTo(1);
    }

    @Test
    void streamCellsReadBackFromTheirText() {
        CellSpec cell = CellSpec.parse("stream:stream-user:8");

        assertThat(cell.kind()).isEqualTo(CellSpec.Kind.STREAM);
        assertThat(cell.stream()).isEqualTo(StreamWorkload.STREAM_USER);
        assertThat(cell.concurrency()).isEqualTo(8);
        assertThat(cell.workloadLabel()).isEqualTo("stream-user");
        assertThat(cell.title()).isEqualTo("stream-user ×8 streams");
        assertThat(CellSpec.parse("stream:pingpong:1").title()).isEqualTo("pingpong ×1 stream");
        assertThatThrownBy(() -> CellSpec.parse("stream:download:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected one of stream-small, stream-user, pingpong, upload1m");
    }

    @Test
    void readsPayloadSizes() {
        assertThat(Comparison.payload("1k")).isEqualTo(Workload.ECHO_1K);
        assertThat(Comparison.payload("64K")).isEqualTo(Workload.ECHO_64K);
        assertThat(Comparison.payload("1m")).isEqualTo(Workload.ECHO_1M);
        assertThat(Comparison.payload("1024")).isEqualTo(Workload.ECHO_1K);
        assertThatThrownBy(() -> Comparison.payload("2k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1k, 64k or 1m");
    }
}
