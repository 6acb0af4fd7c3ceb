/**
 * Implementation details of {@code rpc-spring-boot-starter}: reading and checking {@code
 * outrigger.*} properties (TLS, access control, registry address, bearer tokens, files), and
 * injecting {@code @RpcReference} fields and constructor parameters.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. Configure
 * the starter through its properties and customizers ({@code docs/spring-boot.md}).
 */
package io.outrigger.spring.boot.internal;
