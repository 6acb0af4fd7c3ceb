package io.outrigger.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.stereotype.Component;

/**
 * Exports a bean as an Outrigger service. On a class it also makes the class a component (found by
 * component scanning); on a {@code @Bean} method it exports the bean the method returns.
 *
 * <p>The service interface is the one interface of the bean that follows the service rules ({@code
 * ServiceDescriptor.of}); name it with {@link #type()} when the bean implements several. The server
 * starts, and the services are registered, once every bean of the context is ready; they are
 * unregistered first on shutdown.
 *
 * <pre>{@code
 * @RpcService(version = "1.4", tags = "canary")
 * class UserServiceImpl implements UserService { ... }
 * }</pre>
 *
 * <p>A bean without a service interface, or with several and no {@code type}, stops the application
 * at startup with a message naming the bean.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface RpcService {

    /** The service interface to export. Default: the bean's only interface that is a service. */
    Class<?> type() default void.class;

    /** The version announced. Default: {@code outrigger.server.version}. */
    String version() default "";

    /** The group announced. Default: {@code outrigger.server.group}. */
    String group() default "";

    /** Tags announced, added to {@code outrigger.server.tags}. */
    String[] tags() default {};

    /** The weight announced, 0..10000. Default ({@code -1}): {@code outrigger.server.weight}. */
    int weight() default -1;
}
