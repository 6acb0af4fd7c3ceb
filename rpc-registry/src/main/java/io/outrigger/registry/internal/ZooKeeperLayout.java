package io.outrigger.registry.internal;

/**
 * Where things live in ZooKeeper, relative to the client's namespace (default {@code /outrigger}).
 *
 * <pre>
 * /services/{service}/providers/{host:port}   ephemeral, JSON instance (InstanceJson)
 * /services/{service}/leaving/{host:port}     ephemeral, marks a graceful unregister
 * /services/{service}/rules                   persistent, the service's JSON rule document
 * </pre>
 *
 * <p>docs/registry.md describes the same layout; change both together.
 */
public final class ZooKeeperLayout {

    /** The parent of every service. */
    public static final String SERVICES = "/services";

    private ZooKeeperLayout() {}

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

    /** {@code /services/{service}}: the root of everything about one service. */
    public static String service(String service) {
        return SERVICES + "/" + checkService(service);
    }

    /** {@code /services/{service}/providers}. */
    public static String providers(String service) {
        return service(service) + "/providers";
    }

    /** {@code /services/{service}/providers/{id}}. */
    public static String provider(String service, String id) {
        return providers(service) + "/" + id;
    }

    /** {@code /services/{service}/leaving}. */
    public static String leaving(String service) {
        return service(service) + "/leaving";
    }

    /** {@code /services/{service}/leaving/{id}}. */
    public static String leavingMarker(String service, String id) {
        return leaving(service) + "/" + id;
    }

    /** {@code /services/{service}/rules}. */
    public static String rules(String service) {
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
