package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConnectionSpreadTest {

    @Test
    void countsTheConnectionsThatCarriedTheBytes() {
        String ss = """
                0      0      127.0.0.1:41000 127.0.0.1:20880
                	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_sent:900000 bytes_acked:900001 bytes_received:5
                0      0      127.0.0.1:41002 127.0.0.1:20880
                	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_sent:100000 bytes_acked:99999 bytes_received:5
                0      0      127.0.0.1:41004 127.0.0.1:20880
                	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_acked:100 bytes_received:5
                0      0      127.0.0.1:41006 127.0.0.1:20880
                	 cubic wscale:7,7 rto:201 rtt:0.05/0.02 bytes_acked:0
                """;

        ConnectionSpread spread = ConnectionSpread.parse(ss);

        assertThat(spread.connections()).isEqualTo(4);
        assertThat(spread.carrying()).isEqualTo(2); // a tenth of an even share is 25,000 bytes
        assertThat(spread.busiestShare()).isCloseTo(0.9, within(0.001));
        assertThat(spread.describe()).isEqualTo("traffic on 2 of 4 connections (busiest 90%)");
    }

    @Test
    void isEmptyWithoutSockets() {
        assertThat(ConnectionSpread.parse("")).isEqualTo(new ConnectionSpread(0, 0, 0));
    }
}
