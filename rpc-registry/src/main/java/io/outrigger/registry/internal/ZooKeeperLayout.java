package io.outrigger.registry.internal;

/**
 * Where things live in ZooKeeper. Every path starts with the namespace (default {@code /outrigger});
 * a chroot given in the connect string comes before it, invisibly.
 *
 * <pre>
 * /{namespace}/services/{service}/providers/{host:port}   ephemeral, JSON instance (InstanceJson)
 * /{namespace}/services/{service}/leaving/{host:port}     ephemeral, marks a graceful unregister
 * /{namespace}/services/{service}/rules                   persistent, the service's JSON rule document
 * </pre>
 *
 * <p>The namespace is a plain path prefix, not Curator's namespace facade: that facade creates its
 * root synchronously, with retries, on the first call of any thread, which blocks callers while
 * ZooKeeper is unreachable. docs/registry.md describes the same layout; change both together.
 * Immutable.
 */
public final class ZooKeeperLayout {

    /** The layout with the default namespace, {@code /outrigger}. */
    public static final ZooKeeperLayout DEFAULT = new ZooKeeperLayout(ConnectionSettings.DEFAULT_NAMESPACE);

    private final String root;

    /** The layout under {@code namespace} (no leading slash; empty for the root). */
    public ZooKeeperLayout(String namespace) {
        this.root = namespace.isEmpty() ? "" : "/" + namespace;
    }

    /** Checks that {@code service} can be one ZooKeeper node name, and returns it. */
    public static String checkService(String service) {
        if (service == null) {
            throw new NullPointerException("service");
        }
        if (service.isEmpty() || service.equals(".") || service.equals("..") || service.indexOf('/') >= 0) {
            throw new IllegalArgumentException(
                    "service: \"" + service + "\" (expected: a non-empty name without '/', e.g. demo.UserService)");
        }
        for (int i = 0; i < service.length(); i++) {
            char c = service.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        "service: \"" + service + "\" (expected: no control characters at index " + i + ")");
            }
        }
        return service;
    }

    /** {@code /{namespace}/services}: the parent of every service. */
    public String services() {
        return root + "/services";
    }

    /** {@code /{namespace}/services/{service}}: the root of everything about one service. */
    public String service(String service) {
        return services() + "/" + checkService(service);
    }

    /** {@code .../{service}/providers}. */
    public String providers(String service) {
        return service(service) + "/providers";
    }

    /** {@code .../{service}/providers/{id}}. */
    public String provider(String service, String id) {
        return providers(service) + "/" + id;
    }

    /** {@code .../{service}/leaving}. */
    public String leaving(String service) {
        return service(service) + "/leaving";
    }

    /** {@code .../{service}/leaving/{id}}. */
    public String leavingMarker(String service, String id) {
        return leaving(service) + "/" + id;
    }

    /** {@code .../{service}/rules}. */
    public String rules(String service) {
        return service(service) + "/rules";
    }

    /** The last segment of {@code path}. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Everything before the last {@code /} of {@code path}. */
    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }
}
