package io.outrigger.core.service;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service method as safe to run more than once (a read, or a write keyed by the caller).
 * Retry policies retry such methods also after {@code DEADLINE_EXCEEDED} and application errors;
 * other methods are retried only when the request never ran ({@code UNAVAILABLE}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Idempotent {}
