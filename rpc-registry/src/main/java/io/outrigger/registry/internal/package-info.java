/**
 * Implementation details of {@code rpc-registry}: the ZooKeeper node layout, provider nodes and
 * watched services, push protection, the file caches of instances and rules written atomically,
 * their JSON forms, and the connection settings the registry and the rule source share.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. The node
 * layout and the cache files are documented in {@code docs/registry.md}.
 */
package io.outrigger.registry.internal;
