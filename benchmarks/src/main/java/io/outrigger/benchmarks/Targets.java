package io.outrigger.benchmarks;

import io.outrigger.benchmarks.dubbo.DubboTarget;
import io.outrigger.benchmarks.grpc.GrpcTarget;
import io.outrigger.benchmarks.netty.NettyTarget;
import io.outrigger.benchmarks.outrigger.OutriggerTarget;
import io.outrigger.benchmarks.sidecar.SidecarH2Target;
import io.outrigger.benchmarks.sidecar.SidecarTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The targets the comparison knows by name, in report order. A new target is one line here; a
 * fully qualified class name implementing {@link BenchmarkTarget} also works on the command line.
 */
public final class Targets {

    private static final Map<String, Supplier<BenchmarkTarget>> BY_NAME = new LinkedHashMap<>();

    static {
        register(OutriggerTarget::async);
        register(OutriggerTarget::blocking);
        register(SidecarTarget::new);
        register(SidecarH2Target::new);
        register(DubboTarget::dubbo);
        register(DubboTarget::triple);
        register(GrpcTarget::defaults);
        register(GrpcTarget::direct);
        register(NettyTarget::new);
    }

    private Targets() {}

    private static void register(Supplier<BenchmarkTarget> factory) {
        BY_NAME.put(factory.get().name(), factory);
    }

    /** The names of the registered targets, in report order. */
    public static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    /**
     * The target called {@code name}, or an instance of the class {@code name} names.
     *
     * @throws IllegalArgumentException if there is no such target
     */
    public static BenchmarkTarget named(String name) {
        Supplier<BenchmarkTarget> factory = BY_NAME.get(name);
        if (factory != null) {
            return factory.get();
        }
        if (name.contains(".")) {
            try {
                return Class.forName(name)
                        .asSubclass(BenchmarkTarget.class)
                        .getConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalArgumentException("cannot instantiate target class " + name, e);
            }
        }
        throw new IllegalArgumentException("unknown target: " + name + " (expected one of " + String.join(", ", names())
                + ", or a class implementing BenchmarkTarget)");
    }
}
