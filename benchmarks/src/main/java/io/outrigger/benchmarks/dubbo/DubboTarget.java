package io.outrigger.benchmarks.dubbo;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Workload;
import java.util.concurrent.CompletableFuture;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * Apache Dubbo 3.3 with its defaults: the {@code dubbo} protocol with hessian2, or the {@code tri}
 * (Triple) protocol with the same Java interface. No registry: the client refers to the provider's
 * URL directly.
 *
 * <p>Dubbo 3.3.6 treats every 127.x address as invalid: given {@code 127.0.0.1} it binds to all
 * interfaces and the client connects to the machine's first "valid" address instead. The IPv4-mapped
 * form {@code ::ffff:127.0.0.1} passes its check, so both ends use that: it is 127.0.0.1 on the wire.
 * The orchestrator also runs the pair in its own network namespace and checks with {@code ss} that
 * every connection is on loopback.
 */
public final class DubboTarget implements BenchmarkTarget {

    /** Dubbo's default wait for in-flight calls on shutdown is 10 s; the benchmark has none. */
    private static final String SHUTDOWN_WAIT_MS = "200";

    private static final String MAPPED_LOOPBACK = "::ffff:127.0.0.1";

    private final String protocol;

    private DubboTarget(String protocol) {
        this.protocol = protocol;
    }

    /** The {@code dubbo} protocol with hessian2 serialization. */
    public static DubboTarget dubbo() {
        return new DubboTarget("dubbo");
    }

    /** The {@code tri} (Triple, gRPC-compatible HTTP/2) protocol with the same interface. */
    public static DubboTarget triple() {
        return new DubboTarget("tri");
    }

    @Override
    public String name() {
        return protocol.equals("dubbo") ? "dubbo" : "dubbo-triple";
    }

    @Override
    public String description() {
        return protocol.equals("dubbo")
                ? "Apache Dubbo 3.3 dubbo protocol, hessian2, default thread pools, CompletableFuture interface"
                : "Apache Dubbo 3.3 Triple protocol (HTTP/2), Java interface (hessian2 wrapped), defaults";
    }

    @Override
    public boolean needsLoopbackNamespace() {
        return true;
    }

    private static void configureProcess() {
        System.setProperty("dubbo.service.shutdown.wait", SHUTDOWN_WAIT_MS);
        // Dubbo reads this as a system property or an environment variable; it wins over the host.
        System.setProperty("DUBBO_IP_TO_BIND", MAPPED_LOOPBACK);
    }

    private static ApplicationConfig application(String name) {
        ApplicationConfig application = new ApplicationConfig(name);
        application.setQosEnable(false);
        return application;
    }

    @Override
    public RunningServer startServer(int port) {
        if (port == 0) {
            throw new IllegalArgumentException(
                    "port: 0 (expected: a fixed port; Dubbo does not report the one it picks)");
        }
        configureProcess();
        ProtocolConfig protocolConfig = new ProtocolConfig(protocol, port);
        protocolConfig.setHost(MAPPED_LOOPBACK);
        if (protocol.equals("dubbo")) {
            // Dubbo 3.2+ prefers fastjson2 when it is on the classpath; pin the classic default.
            protocolConfig.setSerialization("hessian2");
            protocolConfig.setPreferSerialization("hessian2");
        }
        ServiceConfig<UserService> service = new ServiceConfig<>();
        service.setInterface(UserService.class);
        service.setRef(new UserServiceImpl());
        DubboBootstrap bootstrap = DubboBootstrap.newInstance();
        bootstrap
                .application(application("outrigger-bench-server"))
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .protocol(protocolConfig)
                .service(service)
                .start();
        return new RunningServer() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void close() {
                bootstrap.stop();
            }
        };
    }

    @Override
    public Client connect(String host, int port) {
        return connect(host, port, 1);
    }

    /**
     * One reference with Dubbo's {@code connections} setting (the dubbo protocol's own: that many
     * connections to the provider instead of the one shared connection, calls spread over them).
     */
    @Override
    public Client connect(String host, int port, int connections) {
        configureProcess();
        // Dubbo would replace 127.0.0.1 with the machine's address; the mapped form it keeps.
        String address = host.equals("127.0.0.1") ? "[" + MAPPED_LOOPBACK + "]" : host;
        String url = protocol + "://" + address + ":" + port + "/" + UserService.class.getName();
        if (protocol.equals("dubbo")) {
            url += "?serialization=hessian2&prefer.serialization=hessian2";
        }
        ReferenceConfig<UserService> reference = new ReferenceConfig<>();
        reference.setInterface(UserService.class);
        reference.setUrl(url);
        // Dubbo's default 1 s timeout would turn a GC pause at 128 in flight into errors.
        reference.setTimeout(10_000);
        reference.setCheck(true);
        if (connections > 1) {
            reference.setConnections(connections);
        }
        DubboBootstrap bootstrap = DubboBootstrap.newInstance();
        bootstrap
                .application(application("outrigger-bench-client"))
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .reference(reference)
                .start();
        return new DubboClient(reference.get(), bootstrap);
    }

    private static final class DubboClient implements Client {
        private static final byte[] ECHO = SampleData.echoBytes();
        private static final byte[] ECHO_64K = SampleData.echoBytes(Workload.ECHO_64K);
        private static final byte[] ECHO_1M = SampleData.echoBytes(Workload.ECHO_1M);

        private final UserService service;
        private final DubboBootstrap bootstrap;

        DubboClient(UserService service, DubboBootstrap bootstrap) {
            this.service = service;
            this.bootstrap = bootstrap;
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            return switch (workload) {
                case EXIST_USER -> service.existUser(SampleData.EMAIL);
                case CREATE_USER -> service.createUser(SampleData.POJO_USER);
                case GET_USER -> service.getUser(SampleData.USER_ID);
                case LIST_USER -> service.listUser(SampleData.PAGE_NO);
                case ECHO_1K -> service.echo(ECHO);
                case ECHO_64K -> service.echo(ECHO_64K);
                case ECHO_1M -> service.echo(ECHO_1M);
            };
        }

        @Override
        public void close() {
            bootstrap.stop();
        }
    }
}
