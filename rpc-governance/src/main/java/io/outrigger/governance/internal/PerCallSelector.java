package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A selector a call carries in one metadata key ({@code outrigger-version: 2.*}), parsed once per
 * distinct text. Reading a request without the key allocates nothing; one with it costs a map
 * lookup once its text was seen. At most {@value #MAX_CACHED} texts are kept, so callers sending
 * ever new values cost a parse each, never unbounded memory. Thread-safe.
 *
 * @param <T> the parsed form
 */
final class PerCallSelector<T> {

    static final int MAX_CACHED = 256;

    /** A parsed selector: its value, or why the text is not one. */
    record Parsed<T>(String text, T value, String error) {}

    private final String header;
    private final Function<String, T> parser;
    private final ConcurrentHashMap<String, Parsed<T>> cache = new ConcurrentHashMap<>();

    /**
     * @param header the metadata key
     * @param parser parses a text, throwing {@link IllegalArgumentException} with a message a person
     *     can act on
     */
    PerCallSelector(String header, Function<String, T> parser) {
        this.header = header;
        this.parser = parser;
    }

    /** The metadata key read. */
    String header() {
        return header;
    }

    /** The selector {@code request} carries, or {@code null} when it has none (absent or blank). */
    Parsed<T> of(RpcRequest request) {
        String text = request.metadata().get(header);
        if (text == null || text.isBlank()) {
            return null;
        }
        Parsed<T> parsed = cache.get(text);
        if (parsed == null) {
            try {
                parsed = new Parsed<>(text, parser.apply(text), null);
            } catch (IllegalArgumentException e) {
                parsed = new Parsed<>(text, null, e.getMessage());
            }
            if (cache.size() < MAX_CACHED) {
                cache.putIfAbsent(text, parsed);
            }
        }
        return parsed;
    }

    /** The comma-separated items of {@code text}, stripped; an empty item is an error. */
    static List<String> items(String text) {
        List<String> items = new ArrayList<>(2);
        for (String item : text.split(",", -1)) {
            String s = item.strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException(
                        "\"" + text + "\" has an empty item (expected: comma-separated values, none empty)");
            }
            items.add(s);
        }
        return List.copyOf(items);
    }
}
