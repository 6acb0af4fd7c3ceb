package io.outrigger.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a client proxy of a service interface into a field or a constructor parameter of a bean.
 *
 * <pre>{@code
 * @Component
 * class Greeter {
 *     @RpcReference(timeout = "300ms", fallback = "cachedUsers")
 *     UserService users;
 *
 *     Greeter(@RpcReference(version = "2.*") InventoryService inventory) { ... }
 * }
 * }</pre>
 *
 * <p>Proxies are thread-safe and cheap: references with the same version and group share one client
 * (its connections and threads). A field or parameter whose type is not a valid service interface,
 * an unreadable timeout or a missing fallback bean stops the application at startup with a message
 * naming the bean and the field.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RpcReference {

    /** Only call providers whose version matches: exact ({@code 1.4}), prefix ({@code 2.*}) or {@code *}. Default: any. */
    String version() default "";

    /** Only call providers in this group. Default: any group. */
    String group() default "";

    /**
     * Timeout of each call, in Spring Boot's duration format ({@code 300ms}, {@code 2s}, {@code
     * PT1S}); {@code 0} means none. Default: {@code outrigger.client.default-timeout}.
     */
    String timeout() default "";

    /**
     * The name of a bean implementing the same interface that answers when a call fails after every
     * retry (or while the service's rules degrade it). Default: none.
     */
    String fallback() default "";

    /** The service name to call, when it differs from the interface's {@code @ServiceName}. */
    String serviceName() default "";
}
