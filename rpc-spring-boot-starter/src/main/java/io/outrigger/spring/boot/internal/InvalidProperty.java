package io.outrigger.spring.boot.internal;

import io.outrigger.spring.boot.OutriggerProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** The startup failure naming an {@code outrigger.*} property, its value and what was expected. */
public final class InvalidProperty {

    /** Shown instead of the value of a secret (a password, a token): secrets never reach a log. */
    public static final String HIDDEN = "<hidden>";

    private InvalidProperty() {}

    /**
     * {@code Property outrigger.{name} with value '{value}' is invalid: expected {expected}}.
     *
     * @param name the property without the {@code outrigger.} prefix, e.g. {@code server.tls.certificate}
     */
    public static InvalidConfigurationPropertyValueException of(String name, Object value, String expected) {
        return new InvalidConfigurationPropertyValueException(
                OutriggerProperties.PREFIX + "." + name, value, "expected " + expected);
    }
}
