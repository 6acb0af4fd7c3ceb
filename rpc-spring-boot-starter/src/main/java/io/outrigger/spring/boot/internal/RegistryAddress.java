package io.outrigger.spring.boot.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code outrigger.registry.address} parsed: ZooKeeper's connect string, or static addresses (none
 * for {@code static}).
 *
 * @param zooKeeper the connect string for {@code zookeeper://...}, else null
 * @param staticAddresses {@code host:port} pairs for {@code static://...}
 */
public record RegistryAddress(String zooKeeper, List<HostPort> staticAddresses) {

    /** A host and port of a static address. */
    public record HostPort(String host, int port) {}

    /**
     * Parses {@code address}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static RegistryAddress parse(String address) {
        String a = address.trim();
        if (a.startsWith("zookeeper://")) {
            String connect = a.substring("zookeeper://".length());
            if (connect.isEmpty() || connect.startsWith("/")) {
                throw new IllegalArgumentException("no ZooKeeper host");
            }
            return new RegistryAddress(connect, List.of());
        }
        if (a.equals("static")) {
            return new RegistryAddress(null, List.of());
        }
        if (a.startsWith("static://")) {
            List<HostPort> list = new ArrayList<>();
            for (String part : a.substring("static://".length()).split(",")) {
                String p = part.trim();
                int colon = p.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("\"" + p + "\" is not host:port");
                }
                int port;
                try {
                    port = Integer.parseInt(p.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + p + "\" is not host:port");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("\"" + p + "\": port out of 1..65535");
                }
                list.add(new HostPort(p.substring(0, colon), port));
            }
            return new RegistryAddress(null, List.copyOf(list));
        }
        throw new IllegalArgumentException("unknown scheme");
    }
}
