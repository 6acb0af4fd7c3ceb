package io.outrigger.registry;

/**
 * A registry operation that had to reach ZooKeeper failed: unreachable, not allowed by a node's ACL,
 * or refused. The message says which operation on which path, and why.
 */
public final class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An exception with {@code message} and the underlying {@code cause}. */
    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
