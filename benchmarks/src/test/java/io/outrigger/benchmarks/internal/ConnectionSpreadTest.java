package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionSpreadTest {

    private static final String SS = """
            0      0      127.0.0.1:41000 127.0.0.1:20880
            	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_sent:9000000 bytes_acked:9000001 bytes_received:5
            0      0      127.0.0.1:41002 127.0.0.1:20880
            	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_sent:900000 bytes_acked:900000 bytes_received:5
            0      0      127.0.0.1:41004 127.0.0.1:20880
            	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_sent:100000 bytes_acked:100000 bytes_received:5
            0      0      127.0.0.1:41006 127.0.0.1:20880
            	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_acked:100
            0      0      127.0.0.1:41008 127.0.0.1:20880
            	 cubic wscale:7,7 rto:201 rtt:0.05/0.02
            """;

    @Test
    void readsEachSocketsAcknowledgedBytes() {
        assertThat(ConnectionSpread.parse(SS))
                .containsExactly(
                        Map.entry("127.0.0.1:41000", 9_000_001L),
                        Map.entry("127.0.0.1:41002", 900_000L),
                        Map.entry("127.0.0.1:41004", 100_000L),
                        Map.entry("127.0.0.1:41006", 100L),
                        Map.entry("127.0.0.1:41008", 0L));
    }

    @Test
    void countsTheConnectionsThatCarriedTheBytesLeavingOutThoseOpenedBefore() {
        // 41000 is the connection the earlier cells used; the cell's four are the others.
        ConnectionSpread spread = ConnectionSpread.of(ConnectionSpread.parse(SS), Set.of("127.0.0.1:41000"));

        assertThat(spread.connections()).isEqualTo(4);
        assertThat(spread.carrying()).isEqualTo(2); // a tenth of an even share is 25,000 bytes
        assertThat(spread.busiestShare()).isCloseTo(0.9, within(0.001));
        assertThat(spread.describe()).isEqualTo("traffic on 2 of 4 connections (busiest 90%)");
    }

    @Test
    void isEmptyWithoutSockets() {
        assertThat(ConnectionSpread.of(Map.of(), Set.of())).isEqualTo(new ConnectionSpread(0, 0, 0));
    }
}
