package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/** Status and Status.Code work whichever of the two classes a JVM initializes first. */
class StatusInitializationTest {

    @Test
    void codeFirst() throws Exception {
        try (URLClassLoader fresh = freshLoader()) {
            Class<?> code = Class.forName("io.outrigger.core.Status$Code", true, fresh);
            Object ok = code.getField("OK").get(null);

            Object status = code.getMethod("toStatus").invoke(ok);

            assertThat(status).isNotNull();
            assertThat(status.toString()).isEqualTo("OK");
            Object constant = Class.forName("io.outrigger.core.Status", true, fresh)
                    .getField("UNAVAILABLE")
                    .get(null);
            assertThat(constant.toString()).isEqualTo("UNAVAILABLE");
        }
    }

    @Test
    void statusFirst() throws Exception {
        try (URLClassLoader fresh = freshLoader()) {
            Class<?> status = Class.forName("io.outrigger.core.Status", true, fresh);

            Object ok = status.getField("OK").get(null);

            assertThat(ok.toString()).isEqualTo("OK");
        }
    }

    private static URLClassLoader freshLoader() {
        URL classes = Status.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
    }
}
