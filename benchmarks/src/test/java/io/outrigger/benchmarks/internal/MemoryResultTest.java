package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MemoryResultTest {

    @Test
    void dividesTheGrowthByTheConnectionsEstablished() {
        // 1,000 connections asked for, 998 established; RSS grew by 49,900 KiB, the heap by 19,960 KiB.
        MemoryResult result = new MemoryResult(
                1000, 998, 200L << 20, (200L << 20) + 49_900 * 1024L, 30L << 20, (30L << 20) + 19_960 * 1024L, 0);

        assertThat(result.rssKibPerConnection()).isCloseTo(50.0, within(1e-9));
        assertThat(result.heapKibPerConnection()).isCloseTo(20.0, within(1e-9));
        assertThat(MemoryResult.parse(result.line())).isEqualTo(result);
    }

    @Test
    void isUnknownWithoutAReadingOrAConnection() {
        assertThat(MemoryResult.perConnectionKib(-1, 100, 10)).isNaN();
        assertThat(MemoryResult.perConnectionKib(100, 200, 0)).isNaN();
        assertThat(MemoryResult.perConnectionKib(2048, 1024, 1)).isEqualTo(-1.0); // memory can shrink
    }

    @Test
    void readsTheLiveHeapOfEveryCollector() {
        String g1 = """
                12345:
                 garbage-first heap   total 1048576K, used 23456K [0x00000000c0000000, 0x0000000100000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 30000K, committed 30336K, reserved 1114112K
                  class space    used 3000K, committed 3200K, reserved 1048576K
                """;
        String serial = """
                12345:
                 def new generation   total 314560K, used 1000K [0x00000000c0000000, 0x00000000d5550000)
                  eden space 279616K,   0% used [0x00000000c0000000, 0x00000000c0000000)
                 tenured generation   total 699072K, used 20000K [0x00000000d5550000, 0x0000000100000000)
                   the space 699072K,   2% used [0x00000000d5550000, 0x00000000d5550000)
                 Metaspace       used 30000K, committed 30336K, reserved 1114112K
                """;
        String z = """
                 ZHeap           used 96M, capacity 1024M, max capacity 1024M
                 Metaspace       used 30000K, committed 30336K, reserved 1114112K
                """;

        assertThat(ServerMemory.heapUsedBytes(g1)).isEqualTo(23456L * 1024);
        assertThat(ServerMemory.heapUsedBytes(serial)).isEqualTo(21000L * 1024);
        assertThat(ServerMemory.heapUsedBytes(z)).isEqualTo(96L << 20);
        assertThat(ServerMemory.heapUsedBytes("12345:\nAttachNotSupportedException"))
                .isEqualTo(-1);
    }

    @Test
    void readsTheResidentSetFromProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t 5000000 kB\nVmRSS:\t  250880 kB\nRssAnon:\t 200000 kB\n";

        assertThat(ServerMemory.rssBytes(status)).isEqualTo(250_880L * 1024);
        assertThat(ServerMemory.rssBytes("Name:\tjava\n")).isEqualTo(-1);
    }
}
