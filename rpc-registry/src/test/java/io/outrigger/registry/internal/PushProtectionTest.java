package io.outrigger.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.registry.ServiceInstance;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PushProtectionTest {

    private final PushProtection protection = new PushProtection(true, 0.5);

    private static List<ServiceInstance> ports(int... ports) {
        return IntStream.of(ports)
                .mapToObj(p -> ServiceInstance.builder("s", "127.0.0.1", p).build())
                .toList();
    }

    @Test
    void growthAndSmallDropsGoThrough() {
        assertThat(protection.evaluate(ports(1), ports(1, 2), Set.of(), false).holds())
                .isFalse();
        assertThat(protection
                        .evaluate(ports(1, 2, 3), ports(1, 3), Set.of(), false)
                        .holds())
                .isFalse();
        // Exactly the threshold is not more than it.
        assertThat(protection
                        .evaluate(ports(1, 2, 3, 4), ports(1, 2), Set.of(), false)
                        .holds())
                .isFalse();
    }

    @Test
    void emptyingOrDroppingMoreThanTheThresholdIsHeldBack() {
        PushProtection.Decision empty = protection.evaluate(ports(1), ports(), Set.of(), false);
        assertThat(empty.holds()).isTrue();
        assertThat(empty.deliver()).isEqualTo(ports(1));

        PushProtection.Decision mass = protection.evaluate(ports(1, 2, 3, 4), ports(4, 5), Set.of(), false);
        assertThat(mass.holds()).isTrue();
        assertThat(mass.heldBack()).isEqualTo(ports(1, 2, 3));
        // Additions still go through while removals wait.
        assertThat(mass.deliver()).isEqualTo(ports(1, 2, 3, 4, 5));
    }

    @Test
    void gracefulDeparturesNeverCount() {
        assertThat(protection
                        .evaluate(ports(1, 2, 3), ports(), Set.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"), false)
                        .deliver())
                .isEmpty();
        // Two graceful and one unexplained of four: 25% unexplained, goes through.
        assertThat(protection
                        .evaluate(ports(1, 2, 3, 4), ports(4), Set.of("127.0.0.1:1", "127.0.0.1:2"), false)
                        .holds())
                .isFalse();
    }

    @Test
    void whileHoldingEveryUnexplainedRemovalWaits() {
        assertThat(protection
                        .evaluate(ports(1, 2, 3, 4), ports(1, 2, 3), Set.of(), true)
                        .holds())
                .isTrue();
        // Everything back: the hold can end.
        assertThat(protection
                        .evaluate(ports(1, 2, 3, 4), ports(1, 2, 3, 4), Set.of(), true)
                        .holds())
                .isFalse();
    }

    @Test
    void disabledOrZeroThreshold() {
        assertThat(new PushProtection(false, 0.5)
                        .evaluate(ports(1), ports(), Set.of(), false)
                        .holds())
                .isFalse();
        assertThat(new PushProtection(true, 0.0)
                        .evaluate(ports(1, 2, 3), ports(1, 2), Set.of(), false)
                        .holds())
                .isTrue();
        assertThat(new PushProtection(true, 1.0)
                        .evaluate(ports(1, 2, 3), ports(1), Set.of(), false)
                        .holds())
                .isFalse();
        assertThatThrownBy(() -> new PushProtection(true, -0.1)).hasMessageContaining("expected: 0.0..1.0");
    }
}
