package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.outrigger.benchmarks.Workload;
import org.junit.jupiter.api.Test;

class CellResultTest {

    @Test
    void survivesTheTripFromClientToOrchestrator() {
        CellResult result = new CellResult(
                "closed:getUser:32:1",
                "getUser",
                32,
                1,
                0,
                90_000,
                3.0,
                350_000,
                2_000_000,
                5_000_000,
                9_000_000,
                1_200_000_000L,
                600_000_000L,
                0,
                "");

        CellResult parsed = CellResult.parse(result.line());

        assertThat(parsed).isEqualTo(result);
        assertThat(parsed.callsPerSecond()).isEqualTo(30_000.0);
        assertThat(parsed.cpuMicrosPerCall()).isEqualTo(20.0);
        assertThat(parsed.clientCores()).isCloseTo(0.4, within(1e-9));
        assertThat(parsed.serverCores()).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void carriesTheReasonACellWasNotMeasured() {
        CellResult skipped = CellResult.unmeasured(
                CellSpec.closed(Workload.GET_USER, 128, 64), "skipped: one HTTP/1.1 connection per call = 64");

        CellResult parsed = CellResult.parse(skipped.line());

        assertThat(parsed).isEqualTo(skipped);
        assertThat(parsed.note()).isEqualTo("skipped: one HTTP/1.1 connection per call = 64");
        assertThat(parsed.cpuMicrosPerCall()).isNaN();
    }

    @Test
    void cellSpecsRoundTripThroughTheirText() {
        for (CellSpec spec : new CellSpec[] {
            CellSpec.closed(Workload.ECHO_1M, 32, 1),
            CellSpec.closed(Workload.GET_USER, 1024, 64),
            CellSpec.openPercent(Workload.GET_USER, 80),
            CellSpec.openRate(Workload.LIST_USER, 20_000),
            CellSpec.idle(1000)
        }) {
            assertThat(CellSpec.parse(spec.text())).isEqualTo(spec);
        }
        assertThat(CellSpec.parse("getUser:32")).isEqualTo(CellSpec.closed(Workload.GET_USER, 32, 1));
    }
}
