package io.outrigger.core.testing;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts an {@link RpcServer} on 127.0.0.1 and a free port, plus an {@link RpcClient} pointed at it,
 * around a test class ({@code static} field) or each test (instance field).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerExtension server = new ServerExtension(b -> b.service(EchoService.class, new EchoServiceImpl()));
 *
 * @Test
 * void echoes() {
 *     EchoService echo = server.client().refer(EchoService.class);
 * }
 * }</pre>
 */
public final class ServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Consumer<RpcServer.Builder> server;
    private final Consumer<RpcClient.Builder> client;
    private RpcServer rpcServer;
    private RpcClient rpcClient;
    private StaticRegistry registry;
    private boolean perClass;

    /** A server configured by {@code server}, and a client with default settings. */
    public ServerExtension(Consumer<RpcServer.Builder> server) {
        this(server, c -> {});
    }

    /** A server configured by {@code server}, and a client configured by {@code client}. */
    public ServerExtension(Consumer<RpcServer.Builder> server, Consumer<RpcClient.Builder> client) {
        this.server = server;
        this.client = client;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    /** Starts the server and client (again, after {@link #stop()}). */
    public void start() {
        RpcServer.Builder b = RpcServer.builder().host("127.0.0.1").port(0).drainTimeout(Duration.ofSeconds(5));
        server.accept(b);
        rpcServer = b.build().start();
        registry = new StaticRegistry();
        for (String service : rpcServer.serviceNames()) {
            registry.register(ServiceInstance.builder(service, "127.0.0.1", rpcServer.port())
                    .build());
        }
        RpcClient.Builder cb = RpcClient.builder().registry(registry);
        client.accept(cb);
        rpcClient = cb.build();
    }

    /** Stops the client and the server. */
    public void stop() {
        if (rpcClient != null) {
            rpcClient.close();
            rpcClient = null;
        }
        if (rpcServer != null) {
            rpcServer.shutdown(Duration.ofSeconds(5));
            rpcServer = null;
        }
    }

    public RpcServer server() {
        return rpcServer;
    }

    public RpcClient client() {
        return rpcClient;
    }

    /** The registry the client finds the server in (add or remove instances to test discovery). */
    public StaticRegistry registry() {
        return registry;
    }

    public int port() {
        return rpcServer.port();
    }
}
