package io.outrigger.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs the whole quickstart (embedded ZooKeeper, two providers, governance, a live canary rule, the
 * sidecar with a python3 caller, the admin endpoint) with a short load, and requires every check to
 * pass.
 */
class QuickstartTest {

    @Test
    void quickstartPassesEveryCheck() throws Exception {
        assertThat(Quickstart.run("2000")).isZero();
    }
}
