package io.outrigger.spring.boot.internal;

import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.spring.boot.RpcReference;
import java.time.Duration;
import org.springframework.boot.convert.DurationStyle;

/**
 * One {@code @RpcReference} read and checked: the interface, the service name it calls, version,
 * group, timeout (null: the client's default) and fallback bean name (empty: none).
 *
 * @param where names the bean and the field or parameter, for error messages and the info endpoint
 */
public record ReferenceSpec(
        Class<?> type, String service, String version, String group, Duration timeout, String fallback, String where) {

    /**
     * Reads {@code annotation} on a field or parameter of type {@code type}.
     *
     * @throws IllegalArgumentException with a message starting with {@code where}
     */
    public static ReferenceSpec of(RpcReference annotation, Class<?> type, String where) {
        ServiceDescriptor descriptor;
        try {
            descriptor = ServiceDescriptor.of(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": @RpcReference needs a service interface: " + e.getMessage(), e);
        }
        String service = descriptor.name();
        if (!annotation.serviceName().isEmpty()) {
            if (annotation.serviceName().indexOf('/') >= 0) {
                throw new IllegalArgumentException(where + ": @RpcReference(serviceName = \"" + annotation.serviceName()
                        + "\") (expected: without '/')");
            }
            service = annotation.serviceName();
        }
        Duration timeout = null;
        if (!annotation.timeout().isEmpty()) {
            try {
                timeout = DurationStyle.detectAndParse(annotation.timeout());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": @RpcReference(timeout = \"" + annotation.timeout()
                        + "\") (expected: a duration such as 300ms, 2s or PT1S)");
            }
            if (timeout.isNegative()) {
                throw new IllegalArgumentException(
                        where + ": @RpcReference(timeout = \"" + annotation.timeout() + "\") (expected: >= 0)");
            }
        }
        return new ReferenceSpec(
                type, service, annotation.version(), annotation.group(), timeout, annotation.fallback(), where);
    }

    /** The version and group: references sharing them share a client. */
    public ClientKey clientKey() {
        return new ClientKey(version, group);
    }

    /**
     * What the clients of references are shared by.
     *
     * @param version the version pattern, empty for any
     * @param group the group, empty for any
     */
    public record ClientKey(String version, String group) {}
}
