package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class StatusTest {

    @Test
    void codeMayBeInitializedBeforeStatus() throws Exception {
        // A fresh loader, so that Status.Code is the first of the two classes initialized.
        URL classes = Status.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> code = Class.forName("io.outrigger.core.Status$Code", true, loader);
            Object unavailable = code.getMethod("valueOf", String.class).invoke(null, "UNAVAILABLE");
            Method toStatus = code.getMethod("toStatus");
            Object status = toStatus.invoke(unavailable);
            assertThat(status).hasToString("UNAVAILABLE");
            Class<?> statusClass = Class.forName("io.outrigger.core.Status", true, loader);
            assertThat(statusClass.getField("UNAVAILABLE").get(null)).isSameAs(status);
        }
    }

    @Test
    void everyCodeHasItsStatus() {
        for (Status.Code c : Status.Code.values()) {
            assertThat(c.toStatus().code()).isSameAs(c);
            assertThat(Status.of(c)).isSameAs(c.toStatus());
            assertThat(Status.Code.fromValue(c.value())).isSameAs(c);
        }
        assertThat(Status.OK.isOk()).isTrue();
    }
}
