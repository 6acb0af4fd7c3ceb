package io.outrigger.serialization.internal;

import io.outrigger.serialization.SerializationException;
import io.outrigger.serialization.Serializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A user serializer (id {@value #ID}) for {@code String}s as UTF-8, plugged in through {@code
 * META-INF/services} in this module's tests to show that {@code ServiceLoader} finds it.
 */
public final class Utf8TextSerializer implements Serializer {

    /** Its wire id, from the range left to users. */
    public static final byte ID = (byte) 200;

    /** For {@code ServiceLoader}. */
    public Utf8TextSerializer() {}

    @Override
    public byte id() {
        return ID;
    }

    @Override
    public String name() {
        return "utf8-text";
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == String.class;
    }

    @Override
    public void encode(Object message, OutputStream out) throws IOException {
        if (!(message instanceof String text)) {
            throw new SerializationException(
                    "utf8-text cannot encode " + message.getClass().getName());
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public <T> T decode(InputStream in, Class<T> type) throws IOException {
        return type.cast(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
}
