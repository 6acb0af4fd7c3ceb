package io.outrigger.observability;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One named part of the admin endpoint's state: {@code GET /admin} shows every section under its
 * name, {@code GET /admin/{name}} shows one. The supplier is called on each request, from the admin
 * server's thread, so it must be thread-safe and quick; what it returns is rendered as JSON (maps,
 * lists, strings, numbers, booleans, {@code null}, records; anything else as its {@code toString()}).
 *
 * <pre>{@code
 * new AdminSection("rules", () -> ruleSource.currentRules())
 * }</pre>
 *
 * @param name the section name, {@code [a-z0-9_-]+}
 * @param content supplies the section's current content
 */
public record AdminSection(String name, Supplier<?> content) {

    /** Validates the name eagerly. */
    public AdminSection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        if (!name.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: [a-z0-9_-]+)");
        }
    }
}
