package io.outrigger.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Proves the leak check can fail: a buffer dropped unreleased is reported. */
class LeakDetectionExtensionTest {

    @Test
    void anUnreleasedBufferIsReported() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        leakOne();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            PooledByteBufAllocator.DEFAULT.buffer(8).release();
            return !LeakDetectionExtension.leaks().isEmpty();
        });

        assertThat(LeakDetectionExtension.leaks()).anySatisfy(l -> assertThat(l).startsWith("LEAK"));
        // Claimed here, so this class's own after-all check does not fail.
        LeakDetectionExtension.leaks().clear();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(32);
        leaked.writeInt(42);
    }
}
