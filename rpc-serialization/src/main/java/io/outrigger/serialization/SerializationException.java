package io.outrigger.serialization;

/** A message could not be encoded or decoded. The message says which type and why. */
public class SerializationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which should name the type and say what is wrong. */
    public SerializationException(String message) {
        super(message);
    }

    /** An exception with {@code message}, caused by {@code cause} (e.g. the codec's own exception). */
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
