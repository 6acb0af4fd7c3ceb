package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvedListTest {

    @Test
    void keepsGroupArtifactAndClassifierAndMarksOptionalOnes() {
        assertThat(ResolvedList.parse(List.of(
                        "The following files have been resolved:",
                        "   io.netty:netty-buffer:jar:4.1.137.Final:compile -- module io.netty.buffer [auto]",
                        "   io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.137.Final:runtime -- module x",
                        "   io.netty:netty-tcnative-classes:jar:2.0.84.Final:compile (optional) -- module y",
                        "   org.slf4j:slf4j-api:jar:2.0.17:compile",
                        "")))
                .containsExactly(
                        "io.netty:netty-buffer",
                        "io.netty:netty-tcnative-classes (optional)",
                        "io.netty:netty-transport-native-epoll:linux-x86_64",
                        "org.slf4j:slf4j-api");
    }
}
