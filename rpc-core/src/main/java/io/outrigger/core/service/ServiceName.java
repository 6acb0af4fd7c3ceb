package io.outrigger.core.service;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The language-neutral name of a service interface, e.g. {@code demo.UserService}. Without it, the
 * interface's fully qualified Java name is used.
 *
 * <pre>{@code
 * @ServiceName("demo.UserService")
 * public interface UserService {
 *     User getUser(GetUserRequest request);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServiceName {
    String value();
}
