package io.outrigger.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * The modules whose main classes the rules read, each known by its package root, with the modules
 * it may import (the dependency rule in the README: nothing points up or sideways).
 *
 * <p>A class belongs to the module with the longest root that contains its package, so {@code
 * io.outrigger.examples.spring} would not be taken for {@code rpc-examples}. {@link
 * ModuleMapTest} fails when a class under {@code io.outrigger} belongs to no module, or a module
 * has no class: a new module must be added here before the rules see it.
 *
 * <p>Not read: {@code rpc-chaos} (tests only), {@code rpc-examples-spring} (a repackaged Spring Boot
 * application) and {@code benchmarks} (which also hold Dubbo, gRPC and raw Netty peers).
 */
enum OutriggerModule {
    SERIALIZATION("rpc-serialization", "io.outrigger.serialization"),
    CORE("rpc-core", "io.outrigger.core", SERIALIZATION),
    REGISTRY("rpc-registry", "io.outrigger.registry", CORE, SERIALIZATION),
    GOVERNANCE("rpc-governance", "io.outrigger.governance", CORE, SERIALIZATION),
    OBSERVABILITY("rpc-observability", "io.outrigger.observability", CORE, SERIALIZATION),
    SIDECAR("rpc-sidecar", "io.outrigger.sidecar", CORE, SERIALIZATION, REGISTRY, GOVERNANCE, OBSERVABILITY),
    SPRING_BOOT_STARTER(
            "rpc-spring-boot-starter",
            "io.outrigger.spring.boot",
            CORE,
            SERIALIZATION,
            REGISTRY,
            GOVERNANCE,
            OBSERVABILITY),
    // An application, not a library: the quickstart runs providers, consumers and the sidecar.
    EXAMPLES(
            "rpc-examples", "io.outrigger.examples", CORE, SERIALIZATION, REGISTRY, GOVERNANCE, OBSERVABILITY, SIDECAR);

    private final String artifactId;
    private final String root;
    private final Set<OutriggerModule> mayImport;

    OutriggerModule(String artifactId, String root, OutriggerModule... mayImport) {
        this.artifactId = artifactId;
        this.root = root;
        // Set.of, not EnumSet: the enum's constants do not exist yet while it is being initialized.
        this.mayImport = Set.of(mayImport);
    }

    /** The module a class belongs to, by its package; empty for classes outside every root. */
    static Optional<OutriggerModule> of(JavaClass javaClass) {
        String packageName = javaClass.getBaseComponentType().getPackageName();
        return Arrays.stream(values())
                .filter(module -> module.contains(packageName))
                .max(Comparator.comparingInt(module -> module.root.length()));
    }

    /**
     * Whether a class of a module sits in an {@code internal} package or below one ({@code
     * io.outrigger.core.internal.transport}, and a nested {@code io.outrigger.x.y.internal} too).
     */
    static boolean isInternal(JavaClass javaClass) {
        String packageName = javaClass.getBaseComponentType().getPackageName();
        return of(javaClass).isPresent() && (packageName.endsWith(".internal") || packageName.contains(".internal."));
    }

    String artifactId() {
        return artifactId;
    }

    String root() {
        return root;
    }

    boolean mayImport(OutriggerModule other) {
        return other == this || mayImport.contains(other);
    }

    private boolean contains(String packageName) {
        return packageName.equals(root) || packageName.startsWith(root + ".");
    }

    @Override
    public String toString() {
        return artifactId;
    }
}
